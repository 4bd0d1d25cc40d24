package io.lrep.publisher.decoding;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.CatalogCodec;
import io.lrep.core.storage.TableDef;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects WAL records per transaction and hands each transaction to a
 * {@link DecodingListener} whole at its Commit record, in commit order (PostgreSQL's
 * reorderbuffer.c). Fed one record at a time, in LSN order, by {@link LogicalDecoder}.
 *
 * <ul>
 *   <li><b>Ends.</b> Commit emits the transaction unless its Commit record starts before the
 *       start point; either way its catalog changes then enter the {@link HistoricCatalog}, valid
 *       from the Commit record's end. Abort drops the transaction. {@code SubxactAbort(xid, from)}
 *       drops the records of {@code xid} that start in {@code [from, the SubxactAbort record)};
 *       overlapping ranges are fine. A transaction with no record but its Commit is not emitted;
 *       one with only catalog changes is emitted empty (begin, commit), as PostgreSQL does.</li>
 *   <li><b>Right away.</b> Non-transactional logical messages (and any message of xid 0) go to the
 *       listener as read, unless they start before the start point; so do data changes of xid 0,
 *       each as its own transaction. Catalog changes of xid 0 apply at once. Checkpoints and
 *       sequence advances are not decoded.</li>
 *   <li><b>Shapes.</b> A change's table is the transaction's own latest definition from before the
 *       change if it has one, else the committed one in effect at the change's LSN.</li>
 *   <li><b>Memory.</b> Each change counts its WAL record size. While the total of buffered changes
 *       exceeds {@code workMemBytes}: with streaming on (and the record at or past the start point)
 *       the largest transaction that may stream is streamed (one Stream Start … Stop block of its
 *       changes so far); otherwise the largest transaction is spilled to {@code xid-<xid>.spill} in
 *       the spill directory and read back in order when emitted. Streamed changes are kept in the
 *       spill file too: if a savepoint rollback voids any of them, the transaction is stream-aborted
 *       at once and sent again whole at its commit (and never streamed again). Spill files go at
 *       commit, abort and {@link #close()}; the constructor removes any left by an earlier run.</li>
 * </ul>
 * Not thread-safe: the decoder's thread only.
 */
public final class ReorderBuffer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReorderBuffer.class);

    private final HistoricCatalog catalog;
    private final DecodingListener listener;
    private final long workMemBytes;
    private final Path spillDir;
    private final boolean streaming;
    /** In order of each transaction's first record, so the first is the oldest. */
    private final LinkedHashMap<Integer, Txn> txns = new LinkedHashMap<>();
    private long memBytes;
    private long startPoint;

    private long spillTxns;
    private long spillCount;
    private long spillBytes;
    private long streamTxns;
    private long streamCount;
    private long streamBytes;
    private long totalTxns;
    private long totalBytes;

    /** A definition made by the transaction itself, visible to its later changes. */
    private record OwnDef(long lsn, int oid, TableDef def, WalRecord.CatalogChange change) {}

    private static final class Txn {
        final int xid;
        final long firstLsn;
        final ArrayList<WalEntry> mem = new ArrayList<>();
        final ArrayList<OwnDef> defs = new ArrayList<>();
        /** Ranges {from, to} of spilled changes voided by savepoint rollbacks. */
        final ArrayList<long[]> voided = new ArrayList<>();
        long memBytes;
        long bytes;
        SpillFile file;
        long fileLastStart = -1;
        long streamedOffset;
        long streamedLastStart = -1;
        boolean streamOpen;
        boolean everStreamed;
        boolean noStream;
        boolean spilled;

        Txn(int xid, long firstLsn) {
            this.xid = xid;
            this.firstLsn = firstLsn;
        }

        boolean isVoided(long lsn) {
            for (long[] r : voided) {
                if (lsn >= r[0] && lsn < r[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * @param catalog      committed table definitions; this buffer adds each commit's changes to it
     * @param workMemBytes logical_decoding_work_mem in bytes
     * @param spillDir     where spill files go (the slot's directory); created when first needed
     * @param streaming    whether the consumer wants large transactions streamed in progress
     */
    public ReorderBuffer(HistoricCatalog catalog, DecodingListener listener, long workMemBytes, Path spillDir, boolean streaming) {
        this.catalog = catalog;
        this.listener = listener;
        this.workMemBytes = workMemBytes;
        this.spillDir = spillDir;
        this.streaming = streaming;
        int removed = SpillFile.deleteAll(spillDir);
        if (removed > 0) {
            log.info("Removed {} spill files left in {}", removed, spillDir);
        }
    }

    /** Transactions whose Commit record starts before {@code lsn} are not emitted (nor messages before it). */
    public void setStartPoint(long lsn) {
        this.startPoint = lsn;
    }

    public long startPoint() {
        return startPoint;
    }

    /** The first LSN of the oldest transaction in progress, or -1 if none is. */
    public long oldestInProgressLsn() {
        return txns.isEmpty() ? -1 : txns.values().iterator().next().firstLsn;
    }

    /** Transactions in progress. */
    public int inProgressCount() {
        return txns.size();
    }

    /** Bytes of changes held in memory now. */
    public long memoryBytes() {
        return memBytes;
    }

    public DecodingStats stats() {
        return new DecodingStats(spillTxns, spillCount, spillBytes, streamTxns, streamCount, streamBytes, totalTxns, totalBytes);
    }

    /** Takes the next WAL record (records come in LSN order). */
    public void add(WalEntry e) {
        WalRecord r = e.record();
        if (r instanceof WalRecord.Commit c) {
            commit(c, e);
        } else if (r instanceof WalRecord.Abort) {
            abort(r.xid(), e);
        } else if (r instanceof WalRecord.SubxactAbort s) {
            subxactAbort(s, e);
        } else if (r instanceof WalRecord.LogicalMessage m && (!m.transactional() || m.xid() == 0)) {
            if (e.startLsn() >= startPoint) {
                listener.onMessage(null, e.startLsn(), false, m.prefix(), m.content());
            }
        } else if (r instanceof WalRecord.Checkpoint || r instanceof WalRecord.SequenceAdvance) {
            return; // not decoded
        } else if (r.xid() == 0) {
            immediate(e);
        } else {
            Txn t = txns.get(r.xid());
            if (t == null) {
                t = new Txn(r.xid(), e.startLsn());
                txns.put(r.xid(), t);
            }
            if (r instanceof WalRecord.CatalogChange c) {
                if (CatalogCodec.isTableKind(c.kind())) {
                    t.defs.add(new OwnDef(e.startLsn(), c.oid(), HistoricCatalog.definitionOf(c), c));
                }
                return;
            }
            long size = e.endLsn() - e.startLsn();
            t.mem.add(e);
            t.memBytes += size;
            t.bytes += size;
            memBytes += size;
            if (memBytes > workMemBytes) {
                checkMemoryLimit(e.startLsn());
            }
        }
    }

    // ------------------------------------------------------------------ ends of transactions

    private void commit(WalRecord.Commit c, WalEntry e) {
        Txn t = txns.remove(c.xid());
        if (t == null) {
            return;
        }
        try {
            DecodedTxn info = new DecodedTxn(c.xid(), e.startLsn(), e.endLsn(), c.commitTimeMicros(), c.originId(), c.originLsn());
            if (e.startLsn() >= startPoint) {
                if (t.streamOpen) {
                    if (hasUnstreamed(t)) {
                        streamBlock(t, false);
                    }
                    listener.onStreamCommit(info);
                } else {
                    listener.onBegin(info);
                    forEachChange(t, 0, change -> emit(t, info, change));
                    listener.onCommit(info);
                }
                totalTxns++;
                totalBytes += t.bytes;
            }
            for (OwnDef d : t.defs) {
                catalog.apply(d.change(), e.endLsn());
            }
        } finally {
            release(t);
        }
    }

    private void abort(int xid, WalEntry e) {
        Txn t = txns.remove(xid);
        if (t == null) {
            return;
        }
        try {
            if (t.streamOpen) {
                listener.onStreamAbort(xid, e.startLsn());
            }
        } finally {
            release(t);
        }
    }

    private void subxactAbort(WalRecord.SubxactAbort s, WalEntry e) {
        Txn t = txns.get(s.xid());
        if (t == null) {
            return;
        }
        long from = s.fromLsn();
        long to = e.startLsn();
        for (Iterator<WalEntry> it = t.mem.iterator(); it.hasNext();) {
            WalEntry c = it.next();
            if (c.startLsn() >= from && c.startLsn() < to) {
                long size = c.endLsn() - c.startLsn();
                t.memBytes -= size;
                t.bytes -= size;
                memBytes -= size;
                it.remove();
            }
        }
        t.defs.removeIf(d -> d.lsn() >= from && d.lsn() < to);
        if (t.file != null && t.fileLastStart >= from) {
            t.voided.add(new long[] {from, to});
        }
        if (t.streamOpen && t.streamedLastStart >= from) {
            // Streamed changes are void: take the whole stream back and send it all at commit.
            log.debug("Rollback to savepoint at {} voids streamed changes of xid {}: stream-aborting it", Lsn.format(to),
                    Integer.toUnsignedString(t.xid));
            t.streamOpen = false;
            t.noStream = true;
            t.streamedOffset = 0;
            listener.onStreamAbort(t.xid, to);
        }
    }

    private void immediate(WalEntry e) {
        WalRecord r = e.record();
        if (r instanceof WalRecord.CatalogChange c) {
            catalog.apply(c, e.endLsn());
            return;
        }
        if (e.startLsn() < startPoint) {
            return;
        }
        Txn t = new Txn(0, e.startLsn());
        DecodedTxn info = new DecodedTxn(0, e.startLsn(), e.endLsn(), 0, 0, 0);
        listener.onBegin(info);
        emit(t, info, e);
        listener.onCommit(info);
        totalTxns++;
        totalBytes += e.endLsn() - e.startLsn();
    }

    private void release(Txn t) {
        memBytes -= t.memBytes;
        t.memBytes = 0;
        t.mem.clear();
        if (t.file != null) {
            t.file.delete();
            t.file = null;
        }
    }

    // ------------------------------------------------------------------ memory limit

    private void checkMemoryLimit(long currentLsn) {
        boolean mayStream = streaming && currentLsn >= startPoint;
        while (memBytes > workMemBytes) {
            Txn largest = null;
            Txn largestStreamable = null;
            for (Txn t : txns.values()) {
                if (t.memBytes == 0) {
                    continue;
                }
                if (largest == null || t.memBytes > largest.memBytes) {
                    largest = t;
                }
                if (!t.noStream && (largestStreamable == null || t.memBytes > largestStreamable.memBytes)) {
                    largestStreamable = t;
                }
            }
            if (largest == null) {
                return;
            }
            if (mayStream && largestStreamable != null) {
                streamBlock(largestStreamable, true);
            } else {
                spill(largest);
            }
        }
    }

    private void spill(Txn t) {
        appendToFile(t);
        spillCount++;
        spillBytes += t.memBytes;
        if (!t.spilled) {
            t.spilled = true;
            spillTxns++;
        }
        memBytes -= t.memBytes;
        t.memBytes = 0;
        t.mem.clear();
    }

    private void appendToFile(Txn t) {
        if (t.mem.isEmpty()) {
            return;
        }
        if (t.file == null) {
            try {
                Files.createDirectories(spillDir);
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not create directory \"" + spillDir + "\": " + e.getMessage(), e);
            }
            t.file = new SpillFile(spillDir, t.xid);
        }
        t.file.append(t.mem);
        t.fileLastStart = t.mem.get(t.mem.size() - 1).startLsn();
    }

    private boolean hasUnstreamed(Txn t) {
        return !t.mem.isEmpty() || (t.file != null && t.file.size() > t.streamedOffset);
    }

    /**
     * Streams every change of {@code t} not streamed yet as one block. With {@code keep} (an
     * in-progress block) the in-memory changes then move to the spill file, which keeps them
     * for a possible stream abort, and out of memory.
     */
    private void streamBlock(Txn t, boolean keep) {
        boolean first = !t.everStreamed;
        listener.onStreamStart(t.xid, first);
        long[] bytes = {0};
        forEachChange(t, t.streamedOffset, e -> {
            streamOne(t, e);
            bytes[0] += e.endLsn() - e.startLsn();
            t.streamedLastStart = e.startLsn();
        });
        listener.onStreamStop(t.xid);
        t.streamOpen = true;
        t.everStreamed = true;
        streamCount++;
        streamBytes += bytes[0];
        if (first) {
            streamTxns++;
        }
        if (keep) {
            appendToFile(t);
            memBytes -= t.memBytes;
            t.memBytes = 0;
            t.mem.clear();
            t.streamedOffset = t.file == null ? 0 : t.file.size();
        }
    }

    // ------------------------------------------------------------------ emitting

    /** Every live change of {@code t} in LSN order: the spill file from {@code fileOffset}, then memory. */
    private void forEachChange(Txn t, long fileOffset, Consumer<WalEntry> sink) {
        if (t.file != null) {
            t.file.read(fileOffset, e -> {
                if (!t.isVoided(e.startLsn())) {
                    sink.accept(e);
                }
            });
        }
        for (WalEntry e : t.mem) {
            sink.accept(e);
        }
    }

    private void emit(Txn t, DecodedTxn info, WalEntry e) {
        WalRecord r = e.record();
        if (r instanceof WalRecord.Truncate tr) {
            listener.onTruncate(info, e.startLsn(), relations(t, tr.relOids(), e.startLsn()), tr.cascade(), tr.restartIdentity());
        } else if (r instanceof WalRecord.LogicalMessage m) {
            listener.onMessage(info, e.startLsn(), true, m.prefix(), m.content());
        } else {
            listener.onChange(info, rowChange(t, e));
        }
    }

    private void streamOne(Txn t, WalEntry e) {
        WalRecord r = e.record();
        if (r instanceof WalRecord.Truncate tr) {
            listener.onStreamTruncate(t.xid, e.startLsn(), relations(t, tr.relOids(), e.startLsn()), tr.cascade(),
                    tr.restartIdentity());
        } else if (r instanceof WalRecord.LogicalMessage m) {
            listener.onStreamMessage(t.xid, e.startLsn(), m.prefix(), m.content());
        } else {
            listener.onStreamChange(t.xid, rowChange(t, e));
        }
    }

    private RowChange rowChange(Txn t, WalEntry e) {
        WalRecord r = e.record();
        long lsn = e.startLsn();
        if (r instanceof WalRecord.Insert i) {
            return new RowChange.Insert(lsn, relation(t, i.relOid(), lsn), i.newRow());
        }
        if (r instanceof WalRecord.Update u) {
            return new RowChange.Update(lsn, relation(t, u.relOid(), lsn), u.oldRow(), u.oldIsFullRow(), u.newRow());
        }
        if (r instanceof WalRecord.Delete d) {
            return new RowChange.Delete(lsn, relation(t, d.relOid(), lsn), d.oldRow(), d.oldIsFullRow());
        }
        throw new LrepException(SqlState.INTERNAL_ERROR, "unexpected WAL record " + r.getClass().getSimpleName() + " at "
                + Lsn.format(lsn) + " in transaction " + Integer.toUnsignedString(t.xid));
    }

    private List<TableDef> relations(Txn t, int[] oids, long lsn) {
        List<TableDef> out = new ArrayList<>(oids.length);
        for (int oid : oids) {
            out.add(relation(t, oid, lsn));
        }
        return out;
    }

    /** The table as {@code t} saw it at {@code lsn}: its own latest definition before then, else the committed one. */
    private TableDef relation(Txn t, int oid, long lsn) {
        for (int i = t.defs.size() - 1; i >= 0; i--) {
            OwnDef d = t.defs.get(i);
            if (d.oid() == oid && d.lsn() < lsn) {
                if (d.def() == null) {
                    throw unknownRelation(oid, lsn);
                }
                return d.def();
            }
        }
        TableDef def = catalog.relation(oid, lsn);
        if (def == null) {
            throw unknownRelation(oid, lsn);
        }
        return def;
    }

    private static LrepException unknownRelation(int oid, long lsn) {
        return new LrepException(SqlState.INTERNAL_ERROR, "could not open relation with OID " + Integer.toUnsignedString(oid)
                + " (decoding the change at " + Lsn.format(lsn) + ")");
    }

    /** Removes every spill file and forgets every transaction in progress. */
    @Override
    public void close() {
        for (Txn t : txns.values()) {
            release(t);
        }
        txns.clear();
        SpillFile.deleteAll(spillDir);
    }
}
