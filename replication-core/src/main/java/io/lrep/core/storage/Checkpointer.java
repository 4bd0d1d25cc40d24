package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.ControlFile.CheckpointLocation;
import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.worker.BackgroundWorker;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpointer background worker (role {@code checkpointer}), as PostgreSQL's: at most every
 * {@code checkpoint_timeout} (default 5 min) and on request, it writes a consistent image of
 * the store, logs a {@code Checkpoint} WAL record, makes it the latest checkpoint in the
 * control file, and lets go of WAL that no checkpoint needs any more. A periodic checkpoint is
 * skipped when no WAL was written since the last one. Each timer cycle also runs the optional
 * vacuum hook.
 *
 * <p>One checkpoint:
 * <ol>
 *   <li>{@code I0 = wal.insertLsn()}; {@code O = state.oldestActiveTxnStartLsn()};
 *       {@code S = wal.insertLsn()}; {@code wal.waitForFlush(S)}. S is the snapshot LSN and
 *       {@code redo = min(O, I0)}.
 *   <li>Export the image at S ({@link DurableState#exportImage}) to
 *       {@code pg_checkpoint/<S as 16 hex digits>.img} (fsynced, renamed, directory fsynced).
 *   <li>Append {@code Checkpoint(redo, S, nextXid, nextOid, timeline, now)} and wait for it to
 *       be flushed.
 *   <li>Record it in the control file (latest; the old latest becomes previous) and write it.
 *   <li>Delete image files other than the latest and previous; hold WAL from the
 *       <em>previous</em> checkpoint's redo LSN (so recovery can still fall back to it) and
 *       remove older segments.
 * </ol>
 *
 * <p>Why that redo LSN is safe. Recovery replays only transactions whose Commit ends after S,
 * reading WAL from redo, so every such transaction T must have its first record at or after
 * redo. T's Commit ends after S, and S was the end of all reserved WAL when it was read, so
 * T's Commit was reserved after S was read, hence after O was read: T had not ended when O was
 * read. If T had written WAL by then, O is at or before its first record. If not, its first
 * record was reserved after O was read, so it starts at or after the insert position at that
 * moment, which is at or after I0. Either way, first record &ge; min(O, I0) = redo. Reading S
 * first and O second would not do: a transaction could end between the two reads with its
 * Commit not yet flushed. This relies on two promises of the store: {@code
 * oldestActiveTxnStartLsn} counts a transaction from the moment its first record is reserved
 * until its Commit or Abort has been appended, and {@code exportImage(S)} contains every
 * transaction whose Commit ends at or before S, including one whose committing session has not
 * yet made it visible.
 *
 * <p>Threading: checkpoints are serialized on one lock. {@link #doWork()} runs on the worker
 * thread; {@link #checkpointNow()} and {@link #shutdownCheckpoint()} run the checkpoint on the
 * caller's thread (for {@code CHECKPOINT} and a clean shutdown); {@link #requestCheckpoint()}
 * only enqueues, and the worker serves the queue on its next {@code doWork} (requests that
 * arrive meanwhile share one checkpoint, as in PostgreSQL). The request queue is a lock-free
 * queue (its offer happens-before the worker's poll); the timer and the last checkpoint's LSN
 * are only touched under the checkpoint lock.
 */
public final class Checkpointer implements BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

    /** PostgreSQL's default {@code checkpoint_timeout}. */
    public static final Duration DEFAULT_CHECKPOINT_TIMEOUT = Duration.ofMinutes(5);

    /** The name under which checkpoints hold WAL ({@link WalLog#holdFrom}). */
    public static final String WAL_HOLDER = "checkpoint";

    /**
     * A completed checkpoint.
     *
     * @param checkpoint where it is (now the control file's latest)
     * @param imageRecords how many records its image holds
     * @param segmentsRemoved WAL segment files removed after it
     * @param durationNanos how long it took
     */
    public record Result(CheckpointLocation checkpoint, long imageRecords, int segmentsRemoved, long durationNanos) {}

    /**
     * What a checkpoint runs just before it removes old WAL segments: where PostgreSQL's
     * checkpoint saves replication slots and invalidates those beyond max_slot_wal_keep_size.
     */
    @FunctionalInterface
    public interface SegmentRemovalHook {
        /**
         * @param checkpointLsn the end of this checkpoint's record
         * @param keptFromLsn the LSN from which the checkpoint keeps WAL for itself
         */
        void beforeRemovingSegments(long checkpointLsn, long keptFromLsn);
    }

    private final Path dataDir;
    private final ControlFile control;
    private final WalLog wal;
    private final DurableState state;
    private final long timeoutNanos;
    private final Runnable vacuum;
    private final LongSupplier nanoClock;

    private final Object checkpointLock = new Object();
    private final ConcurrentLinkedQueue<CompletableFuture<Result>> requests = new ConcurrentLinkedQueue<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile SegmentRemovalHook segmentRemovalHook;

    /** Guarded by checkpointLock: when the current timer cycle began. */
    private long cycleStartNanos;
    /** Guarded by checkpointLock: the end of the last Checkpoint record (0 if none). */
    private long lastCheckpointLsn;

    /**
     * @param dataDir the data directory (images go to {@code pg_checkpoint/} in it)
     * @param control the node's control file, already read or created
     * @param wal the node's WAL
     * @param state the store to checkpoint
     * @param checkpointTimeout the longest time between periodic checkpoints
     * @param vacuum run once per timer cycle after the checkpoint, or null
     */
    public Checkpointer(Path dataDir, ControlFile control, WalLog wal, DurableState state, Duration checkpointTimeout,
            Runnable vacuum) {
        this(dataDir, control, wal, state, checkpointTimeout, vacuum, System::nanoTime);
    }

    Checkpointer(Path dataDir, ControlFile control, WalLog wal, DurableState state, Duration checkpointTimeout,
            Runnable vacuum, LongSupplier nanoClock) {
        if (checkpointTimeout.isNegative() || checkpointTimeout.isZero()) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                    "checkpoint_timeout: " + checkpointTimeout + " (expected: a positive duration)");
        }
        this.dataDir = dataDir;
        this.control = control;
        this.wal = wal;
        this.state = state;
        this.timeoutNanos = checkpointTimeout.toNanos();
        this.vacuum = vacuum;
        this.nanoClock = nanoClock;
        synchronized (checkpointLock) {
            this.cycleStartNanos = nanoClock.getAsLong();
            this.lastCheckpointLsn = control.latestCheckpoint().checkpointLsn();
        }
    }

    @Override
    public String roleName() {
        return "checkpointer";
    }

    /** Holds WAL for the checkpoints the control file knows. */
    @Override
    public void onStart() {
        CheckpointLocation previous = control.previousCheckpoint();
        CheckpointLocation latest = control.latestCheckpoint();
        if (previous.exists() || latest.exists()) {
            wal.holdFrom(WAL_HOLDER, previous.exists() ? previous.redoLsn() : latest.redoLsn());
        }
        LOG.info("Starting checkpointer: checkpoint_timeout={}s, latest checkpoint {}", timeoutNanos / 1_000_000_000L,
                latest);
    }

    /**
     * Serves queued requests, or the timer when it ran out (skipping the checkpoint when no WAL
     * was written since the last one, then running the vacuum hook). Returns 0 when there was
     * nothing to do.
     */
    @Override
    public int doWork() {
        List<CompletableFuture<Result>> served = new ArrayList<>();
        for (CompletableFuture<Result> f = requests.poll(); f != null; f = requests.poll()) {
            served.add(f);
        }
        boolean due;
        synchronized (checkpointLock) {
            due = nanoClock.getAsLong() - cycleStartNanos >= timeoutNanos;
        }
        if (served.isEmpty() && !due) {
            return 0;
        }
        Result result;
        try {
            result = served.isEmpty() ? checkpoint(false, false, "time") : checkpoint(true, false, "requested");
        } catch (RuntimeException e) {
            for (CompletableFuture<Result> f : served) {
                f.completeExceptionally(e);
            }
            throw e;
        }
        for (CompletableFuture<Result> f : served) {
            f.complete(result);
        }
        if (due && vacuum != null) {
            vacuum.run();
        }
        return 1;
    }

    /** Fails requests still queued: the worker will not serve them. */
    @Override
    public void onClose() {
        LrepException stopped = new LrepException(SqlState.ADMIN_SHUTDOWN,
                "checkpoint request not served: the checkpointer is stopping");
        for (CompletableFuture<Result> f = requests.poll(); f != null; f = requests.poll()) {
            f.completeExceptionally(stopped);
        }
        LOG.info("Stopped checkpointer after {} checkpoints ({} periodic ones skipped)", completed.get(), skipped.get());
    }

    /**
     * Asks the worker for a checkpoint (even if nothing was written). The future completes when
     * it is done, or exceptionally if it fails or the worker stops first.
     */
    public CompletableFuture<Result> requestCheckpoint() {
        CompletableFuture<Result> f = new CompletableFuture<>();
        requests.add(f);
        return f;
    }

    /** Runs a checkpoint now on the calling thread (the {@code CHECKPOINT} command). */
    public Result checkpointNow() {
        return checkpoint(true, false, "immediate");
    }

    /**
     * The shutdown checkpoint: a checkpoint that leaves the control file in state SHUT_DOWN.
     * Call it after every session and worker that writes WAL has stopped.
     */
    public Result shutdownCheckpoint() {
        return checkpoint(true, true, "shutdown");
    }

    /** Sets what every checkpoint runs before it removes old WAL segments (null: nothing). */
    public void setSegmentRemovalHook(SegmentRemovalHook hook) {
        this.segmentRemovalHook = hook;
    }

    /** Checkpoints completed so far. */
    public long checkpointsCompleted() {
        return completed.get();
    }

    /** Periodic checkpoints skipped because nothing had been written. */
    public long checkpointsSkipped() {
        return skipped.get();
    }

    /** One checkpoint; null when a periodic one is skipped. */
    private Result checkpoint(boolean force, boolean shutdown, String reason) {
        synchronized (checkpointLock) {
            long t0 = nanoClock.getAsLong();
            cycleStartNanos = t0;
            if (!force && lastCheckpointLsn != 0 && wal.insertLsn() == lastCheckpointLsn) {
                skipped.incrementAndGet();
                LOG.debug("checkpoint skipped: no WAL written since {}", Lsn.format(lastCheckpointLsn));
                return null;
            }
            LOG.info("checkpoint starting: {}", reason);

            // Vacuum is held from before the snapshot is chosen until the export is written (see DurableState).
            SnapshotPin vacuumHold = state.pinSnapshot();
            long redo;
            long snapshot;
            int nextXid;
            int nextOid;
            int timeline;
            CheckpointImage image;
            try {
                // The order of these three reads is what makes redo safe: see the class comment.
                long insertBefore = wal.insertLsn();
                long oldestActive = state.oldestActiveTxnStartLsn();
                snapshot = wal.insertLsn();
                wal.waitForFlush(snapshot);
                redo = Long.compareUnsigned(oldestActive, insertBefore) < 0 ? oldestActive : insertBefore;
                nextXid = state.nextXid();
                nextOid = state.nextOid();
                timeline = control.timeline();
                image = CheckpointImage.write(dataDir, snapshot, redo, nextXid, nextOid, timeline,
                        out -> state.exportImage(snapshot, out));
            } finally {
                vacuumHold.close();
            }
            long checkpointLsn = wal.append(
                    new WalRecord.Checkpoint(0, redo, snapshot, nextXid, nextOid, timeline, ControlFile.nowMicros()));
            wal.waitForFlush(checkpointLsn);

            CheckpointLocation location = new CheckpointLocation(CheckpointImageDescriptor.imageName(snapshot),
                    checkpointLsn, redo, snapshot);
            control.recordCheckpoint(location);
            control.setState(shutdown ? ControlFile.State.SHUT_DOWN : ControlFile.State.IN_PRODUCTION);
            control.write();
            lastCheckpointLsn = checkpointLsn;

            CheckpointLocation previous = control.previousCheckpoint();
            removeOldImages(Set.of(location.imageName(), previous.imageName()));
            long holdFrom = previous.exists() ? previous.redoLsn() : redo;
            wal.holdFrom(WAL_HOLDER, holdFrom);
            SegmentRemovalHook hook = segmentRemovalHook;
            if (hook != null) {
                hook.beforeRemovingSegments(checkpointLsn, holdFrom);
            }
            int removed = wal.removeOldSegments();

            long took = nanoClock.getAsLong() - t0;
            completed.incrementAndGet();
            LOG.info("checkpoint complete: image \"{}\" ({} records), redo {}, snapshot {}, checkpoint {}; WAL kept from {}, "
                            + "{} segments removed; {} ms", image.file(), image.recordCount(), Lsn.format(redo),
                    Lsn.format(snapshot), Lsn.format(checkpointLsn), Lsn.format(holdFrom), removed, took / 1_000_000L);
            return new Result(location, image.recordCount(), removed, took);
        }
    }

    /** Deletes image files (and leftover temporary files) whose name is not in {@code keep}. */
    private void removeOldImages(Set<String> keep) {
        Path dir = dataDir.resolve(CheckpointImageDescriptor.DIRECTORY);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = CheckpointImageDescriptor.DIRECTORY + "/" + f.getFileName();
                if (!keep.contains(name)) {
                    Files.deleteIfExists(f);
                    LOG.debug("removed old checkpoint image \"{}\"", f);
                }
            }
        } catch (NoSuchFileException e) {
            // Nothing to remove: no image was ever written in this data directory.
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not remove old checkpoint images in \"" + dir + "\": " + e, e);
        }
    }
}
