package io.lrep.core.storage;

import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A tiny store for checkpoint and recovery tests. It keeps committed changes as a list of
 * (commit LSN, record) with xid 0, so {@link #exportImage} at a snapshot emits exactly the
 * changes committed at or before it, and {@link #rowKeys()} lists the first column of every
 * inserted row in commit order (a duplicate means something was applied twice). It also runs
 * "live" transactions against a {@link WalLog} the way the real engine does: a transaction is
 * active from before its first record is reserved until its Commit or Abort is appended.
 * Every {@link #redo} call is recorded. Thread-safe (one monitor).
 */
final class FakeDurableState implements DurableState {

    static final int TABLE = 16385;

    /** One {@link #redo} call. */
    record Redo(List<WalRecord> records, long commitEndLsn) {}

    private record Applied(long commitLsn, WalRecord record) {}

    private final WalLog wal;
    private final List<Applied> committed = new ArrayList<>();
    private final List<Redo> redoCalls = new ArrayList<>();
    private final Map<Integer, Long> activeStart = new TreeMap<>();
    private final Map<Integer, List<WalRecord>> pending = new HashMap<>();
    private int nextXid = 100;
    private int nextOid = 16384;
    private long exports;

    FakeDurableState(WalLog wal) {
        this.wal = wal;
    }

    // ---- the live side --------------------------------------------------------------------

    synchronized int begin() {
        return nextXid++;
    }

    synchronized void insert(int xid, Object key) {
        write(xid, new WalRecord.Insert(xid, TABLE, new Object[] {key, "v" + key}));
    }

    synchronized void write(int xid, WalRecord r) {
        activeStart.putIfAbsent(xid, wal.insertLsn()); // registered before the record is reserved
        pending.computeIfAbsent(xid, x -> new ArrayList<>()).add(r);
        wal.append(r);
    }

    /** Appends the Commit, waits for it to be flushed and applies the changes at its end LSN. */
    synchronized long commit(int xid) {
        return commit(xid, 0, 0);
    }

    synchronized long commit(int xid, int originId, long originLsn) {
        long end = wal.append(new WalRecord.Commit(xid, ControlFile.nowMicros(), originId, originLsn));
        activeStart.remove(xid);
        wal.waitForFlush(end);
        apply(pending.getOrDefault(xid, List.of()), end);
        pending.remove(xid);
        return end;
    }

    /** Appends the Commit but does not flush it (a commit in flight at a crash). */
    synchronized long commitUnflushed(int xid) {
        long end = wal.append(new WalRecord.Commit(xid, ControlFile.nowMicros(), 0, 0));
        activeStart.remove(xid);
        pending.remove(xid);
        return end;
    }

    synchronized void abort(int xid) {
        wal.append(new WalRecord.Abort(xid));
        activeStart.remove(xid);
        pending.remove(xid);
    }

    /** A non-transactional sequence advance, applied at once. */
    synchronized long advanceSequence(int seqOid, long value) {
        WalRecord r = new WalRecord.SequenceAdvance(0, seqOid, value, true);
        long end = wal.append(r);
        apply(List.of(r), end);
        return end;
    }

    synchronized int createTable() {
        int xid = begin();
        int oid = nextOid++;
        write(xid, new WalRecord.CatalogChange(xid, 1, oid, new byte[] {1}));
        commit(xid);
        return oid;
    }

    // ---- DurableState ---------------------------------------------------------------------

    @Override
    public synchronized void exportImage(long snapshotLsn, Consumer<WalRecord> out) {
        exports++;
        for (Applied a : committed) {
            if (Long.compareUnsigned(a.commitLsn(), snapshotLsn) <= 0) {
                out.accept(a.record());
            }
        }
    }

    @Override
    public synchronized void redo(List<WalRecord> records, long commitEndLsn) {
        redoCalls.add(new Redo(List.copyOf(records), commitEndLsn));
        apply(records, commitEndLsn);
    }

    @Override
    public SnapshotPin pinSnapshot() {
        return new SnapshotPin() {
            @Override
            public long lsn() {
                return 0;
            }

            @Override
            public void close() {
                // the fake keeps no versions to protect
            }
        };
    }

    @Override
    public synchronized long oldestActiveTxnStartLsn() {
        return activeStart.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
    }

    @Override
    public synchronized int nextXid() {
        return nextXid;
    }

    @Override
    public synchronized int nextOid() {
        return nextOid;
    }

    @Override
    public synchronized void advanceCounters(int newNextXid, int newNextOid) {
        nextXid = Math.max(nextXid, newNextXid);
        nextOid = Math.max(nextOid, newNextOid);
    }

    // ---- inspection -----------------------------------------------------------------------

    synchronized List<Redo> redoCalls() {
        return List.copyOf(redoCalls);
    }

    /** The keys of every inserted row, in the order they were applied. */
    synchronized List<Object> rowKeys() {
        List<Object> keys = new ArrayList<>();
        for (Applied a : committed) {
            if (a.record() instanceof WalRecord.Insert i) {
                keys.add(i.newRow()[0]);
            }
        }
        return keys;
    }

    /** Each sequence's last value. */
    synchronized Map<Integer, Long> sequences() {
        Map<Integer, Long> seqs = new LinkedHashMap<>();
        for (Applied a : committed) {
            if (a.record() instanceof WalRecord.SequenceAdvance s) {
                seqs.put(s.seqOid(), s.lastValue());
            }
        }
        return seqs;
    }

    synchronized long exports() {
        return exports;
    }

    private void apply(List<WalRecord> records, long commitLsn) {
        for (WalRecord r : records) {
            committed.add(new Applied(commitLsn, stripXid(r)));
        }
    }

    private static WalRecord stripXid(WalRecord r) {
        if (r instanceof WalRecord.Insert i) {
            return new WalRecord.Insert(0, i.relOid(), i.newRow());
        }
        if (r instanceof WalRecord.CatalogChange c) {
            return new WalRecord.CatalogChange(0, c.kind(), c.oid(), c.definition());
        }
        return r;
    }
}
