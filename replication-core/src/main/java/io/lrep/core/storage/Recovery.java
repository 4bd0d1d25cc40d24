package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.ControlFile.CheckpointLocation;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalReader;
import io.lrep.core.wal.WalRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery at node start, as PostgreSQL's startup process does it for a logical WAL and an
 * in-memory store: load the latest checkpoint image, then replay WAL from the checkpoint's redo
 * LSN.
 *
 * <ol>
 *   <li>Pick the checkpoint: the control file's latest, if its image verifies completely and
 *       WAL from its redo LSN is still there; otherwise (WARN, naming the file) the previous
 *       one under the same conditions; otherwise fail with XX001 naming the files. The image is
 *       verified before any of it reaches the state, so a failed recovery never leaves a
 *       half-loaded store. A data directory without any checkpoint recovers from the start of
 *       WAL with an empty image.
 *   <li>Load the image: {@link DurableState#redo} with chunks of its records, as committed at
 *       the snapshot LSN.
 *   <li>Replay WAL from the redo LSN: records are buffered per xid; at a {@code Commit} whose
 *       end LSN is past the snapshot the transaction is handed to {@link DurableState#redo}
 *       (records in WAL order, without the Commit), at the commit's end LSN. A transaction
 *       that committed at or before the snapshot is in the image already and is dropped, as is
 *       an aborted one, and one with no Commit or Abort before the end of WAL (it was in flight
 *       at the crash). A {@code SubxactAbort} (ROLLBACK TO SAVEPOINT) drops the buffered
 *       records of its xid from its {@code fromLsn} on. Records of xid 0 ({@code SequenceAdvance}, non-transactional messages)
 *       past the snapshot are redone alone; {@code Checkpoint} records are only noted.
 *   <li>Advance the counters past everything seen, and mark the control file IN_PRODUCTION.
 * </ol>
 *
 * <p>Why replay from the redo LSN is enough: the checkpointer chooses the redo LSN so that
 * every transaction committing after the snapshot has its first record at or after it (see
 * {@link Checkpointer}).
 *
 * <p>Runs on the thread that starts the node, before any other worker touches the state or
 * the WAL.
 */
public final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** How many image records go to {@link DurableState#redo} per call. */
    static final int IMAGE_CHUNK_RECORDS = 1024;

    /**
     * What recovery did.
     *
     * @param crashRecovery the control file did not say the node was shut down cleanly
     * @param checkpoint the checkpoint recovery started from ({@link CheckpointLocation#NONE}
     *     for a data directory without one)
     * @param fellBack the latest checkpoint was unusable and the previous one was used
     * @param redoLsn where WAL replay started
     * @param snapshotLsn the image's snapshot LSN (0 without a checkpoint)
     * @param lastRecordLsn the start of the last WAL record read (0 if none)
     * @param endOfWalLsn where WAL ends: the next record goes here
     * @param imageRecords records loaded from the image
     * @param walRecords records read from WAL
     * @param transactionsReplayed transactions handed to redo
     * @param transactionsInImage transactions whose Commit was at or before the snapshot
     * @param transactionsAborted transactions that ended with Abort
     * @param transactionsDiscarded transactions without Commit or Abort at the end of WAL
     * @param nonTransactionalRedone xid-0 records handed to redo
     * @param nextXid the next xid after recovery
     * @param nextOid the next oid after recovery
     * @param originProgress per replication origin id, the highest origin LSN of the Commit
     *     records read (from the redo LSN on)
     */
    public record RecoveryResult(boolean crashRecovery, CheckpointLocation checkpoint, boolean fellBack, long redoLsn,
            long snapshotLsn, long lastRecordLsn, long endOfWalLsn, long imageRecords, long walRecords,
            long transactionsReplayed, long transactionsInImage, long transactionsAborted, long transactionsDiscarded,
            long nonTransactionalRedone, int nextXid, int nextOid, Map<Integer, Long> originProgress) {

        public RecoveryResult {
            originProgress = Map.copyOf(originProgress);
        }
    }

    private Recovery() {}

    /**
     * Recovers {@code state} from the checkpoint image and WAL of {@code dataDir}. On success
     * the control file says IN_PRODUCTION; when the previous checkpoint had to be used, it
     * becomes the latest (the unusable one is forgotten).
     *
     * @throws LrepException XX001 naming the files when no usable checkpoint is found; XX001 or
     *     58030 when the image cannot be read; what {@link DurableState#redo} throws
     */
    public static RecoveryResult run(Path dataDir, ControlFile control, WalLog wal, DurableState state) {
        boolean crash = control.state() != ControlFile.State.SHUT_DOWN;
        if (crash) {
            LOG.info("database system was not properly shut down (state: {}); automatic recovery in progress",
                    control.state().label());
            control.setState(ControlFile.State.IN_CRASH_RECOVERY);
            control.write();
        } else {
            LOG.info("database system was shut down; latest checkpoint: {}", control.latestCheckpoint());
        }

        CheckpointLocation chosen = chooseCheckpoint(dataDir, control, wal);
        boolean fellBack = chosen.exists() && !chosen.equals(control.latestCheckpoint());

        long imageRecords = 0;
        int nextXid = 0;
        int nextOid = 0;
        long snapshot = 0;
        long redo;
        if (chosen.exists()) {
            Path file = dataDir.resolve(chosen.imageName());
            long[] loaded = new long[1];
            long snapshotLsn = chosen.snapshotLsn();
            CheckpointImage image = CheckpointImage.load(file, IMAGE_CHUNK_RECORDS, chunk -> {
                state.redo(chunk, snapshotLsn);
                loaded[0] += chunk.size();
            });
            imageRecords = loaded[0];
            nextXid = image.nextXid();
            nextOid = image.nextOid();
            snapshot = image.snapshotLsn();
            redo = image.redoLsn();
            LOG.info("loaded checkpoint image \"{}\": {} records, consistent at {}", file, imageRecords,
                    Lsn.format(snapshot));
        } else {
            redo = wal.oldestLsn();
            LOG.info("no checkpoint yet; recovering from the start of WAL");
        }

        Replay replay = new Replay(state, snapshot);
        LOG.info("redo starts at {}", Lsn.format(redo));
        long endOfWal;
        try (WalReader reader = wal.openReader(redo)) {
            for (WalEntry e = reader.next(); e != null; e = reader.next()) {
                replay.apply(e);
            }
            endOfWal = reader.position();
        }
        long discarded = replay.buffers.size();
        if (replay.walRecords == 0) {
            LOG.info("redo is not required");
        } else {
            LOG.info("redo done at {}: {} records, {} transactions replayed, {} already in the image, {} aborted, "
                            + "{} in progress at the end of WAL discarded, {} non-transactional records",
                    Lsn.format(replay.lastRecordLsn), replay.walRecords, replay.replayed, replay.inImage,
                    replay.aborted, discarded, replay.nonTransactionalRedone);
        }

        int finalNextXid = maxUnsigned(nextXid, replay.nextXid);
        int finalNextOid = maxUnsigned(nextOid, replay.nextOid);
        state.advanceCounters(finalNextXid, finalNextOid);

        if (fellBack) {
            control.setCheckpoints(chosen, CheckpointLocation.NONE);
        }
        control.setState(ControlFile.State.IN_PRODUCTION);
        control.write();
        LOG.info("database system is ready: next xid {}, next oid {}, end of WAL {}", Integer.toUnsignedString(finalNextXid),
                Integer.toUnsignedString(finalNextOid), Lsn.format(endOfWal));

        return new RecoveryResult(crash, chosen, fellBack, redo, snapshot, replay.lastRecordLsn, endOfWal, imageRecords,
                replay.walRecords, replay.replayed, replay.inImage, replay.aborted, discarded, replay.nonTransactionalRedone,
                finalNextXid, finalNextOid, replay.originProgress);
    }

    /** The latest usable checkpoint, NONE when there is none at all; fails when none is usable. */
    private static CheckpointLocation chooseCheckpoint(Path dataDir, ControlFile control, WalLog wal) {
        CheckpointLocation latest = control.latestCheckpoint();
        CheckpointLocation previous = control.previousCheckpoint();
        if (!latest.exists()) {
            return latest;
        }
        List<LrepException> failures = new ArrayList<>();
        for (CheckpointLocation candidate : previous.exists() ? List.of(latest, previous) : List.of(latest)) {
            try {
                check(dataDir, candidate, wal);
                return candidate;
            } catch (LrepException e) {
                failures.add(e);
                if (candidate == latest && previous.exists()) {
                    LOG.warn("latest checkpoint is unusable: {}; falling back to the previous checkpoint {}",
                            e.getMessage(), previous);
                }
            }
        }
        StringBuilder files = new StringBuilder();
        for (CheckpointLocation c : previous.exists() ? List.of(latest, previous) : List.of(latest)) {
            files.append(files.length() == 0 ? "" : ", ").append('"').append(dataDir.resolve(c.imageName())).append('"');
        }
        LrepException fail = new LrepException(SqlState.DATA_CORRUPTED, LrepException.Severity.FATAL,
                "could not locate a valid checkpoint: " + files + (failures.size() > 1 ? " are" : " is") + " unusable",
                String.join("; ", failures.stream().map(Throwable::getMessage).toList()), null, failures.get(0));
        for (int i = 1; i < failures.size(); i++) {
            fail.addSuppressed(failures.get(i));
        }
        throw fail;
    }

    /** Fails unless the image verifies, matches the control file, and its WAL is there. */
    private static void check(Path dataDir, CheckpointLocation c, WalLog wal) {
        Path file = dataDir.resolve(c.imageName());
        CheckpointImage image = CheckpointImage.verify(file);
        if (image.snapshotLsn() != c.snapshotLsn() || image.redoLsn() != c.redoLsn()) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "checkpoint image \"" + file + "\" does not match the control "
                    + "file: it has snapshot " + Lsn.format(image.snapshotLsn()) + " and redo " + Lsn.format(image.redoLsn())
                    + ", expected " + Lsn.format(c.snapshotLsn()) + " and " + Lsn.format(c.redoLsn()));
        }
        if (Long.compareUnsigned(wal.oldestLsn(), c.redoLsn()) > 0) {
            throw new LrepException(SqlState.UNDEFINED_FILE, "WAL for checkpoint image \"" + file + "\" is gone: replay must "
                    + "start at " + Lsn.format(c.redoLsn()) + " but the oldest WAL is at " + Lsn.format(wal.oldestLsn()));
        }
    }

    private static int maxUnsigned(int a, int b) {
        return Integer.compareUnsigned(a, b) >= 0 ? a : b;
    }

    /** The replay loop's state. */
    private static final class Replay {
        final DurableState state;
        final long snapshot;
        final Map<Integer, List<WalEntry>> buffers = new HashMap<>();
        final Map<Integer, Long> originProgress = new TreeMap<>();
        long walRecords;
        long lastRecordLsn;
        long replayed;
        long inImage;
        long aborted;
        long nonTransactionalRedone;
        int nextXid;
        int nextOid;

        Replay(DurableState state, long snapshot) {
            this.state = state;
            this.snapshot = snapshot;
        }

        void apply(WalEntry e) {
            walRecords++;
            lastRecordLsn = e.startLsn();
            WalRecord r = e.record();
            boolean pastSnapshot = Long.compareUnsigned(e.endLsn(), snapshot) > 0;
            if (r.xid() != 0) {
                nextXid = maxUnsigned(nextXid, r.xid() + 1);
            }
            if (r instanceof WalRecord.Checkpoint c) {
                nextXid = maxUnsigned(nextXid, c.nextXid());
                nextOid = maxUnsigned(nextOid, c.nextOid());
                return;
            }
            if (r instanceof WalRecord.CatalogChange c) {
                nextOid = maxUnsigned(nextOid, c.oid() + 1);
            }
            if (r instanceof WalRecord.Commit c) {
                List<WalEntry> entries = buffers.remove(c.xid());
                if (c.originId() != 0) {
                    originProgress.merge(c.originId(), c.originLsn(),
                            (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
                }
                if (!pastSnapshot) {
                    inImage++;
                } else {
                    replayed++;
                    if (entries != null) {
                        List<WalRecord> records = new ArrayList<>(entries.size());
                        for (WalEntry x : entries) {
                            records.add(x.record());
                        }
                        state.redo(records, e.endLsn());
                    }
                }
                return;
            }
            if (r instanceof WalRecord.Abort) {
                buffers.remove(r.xid());
                aborted++;
                return;
            }
            if (r instanceof WalRecord.SubxactAbort a) {
                List<WalEntry> entries = buffers.get(a.xid());
                if (entries != null) {
                    entries.removeIf(x -> Long.compareUnsigned(x.startLsn(), a.fromLsn()) >= 0);
                }
                return;
            }
            boolean nonTransactional = r.xid() == 0
                    || (r instanceof WalRecord.LogicalMessage m && !m.transactional());
            if (nonTransactional) {
                if (pastSnapshot) {
                    nonTransactionalRedone++;
                    state.redo(List.of(r), e.endLsn());
                }
                return;
            }
            buffers.computeIfAbsent(r.xid(), x -> new ArrayList<>()).add(e);
        }
    }
}
