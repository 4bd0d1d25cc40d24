package io.lrep.core.storage;

import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalReader;
import io.lrep.core.wal.WalRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Shared helpers: an engine on a {@link MemoryWalLog} and readers of committed state. */
final class StorageFixture {

    private StorageFixture() {}

    /** CREATE TABLE public.name (id int4 primary key, v text), committed. */
    static TableDef createKv(StorageEngine engine, String name) {
        try (Transaction t = engine.begin()) {
            TableDef def = t.createTable("public", name,
                    List.of(ColumnDef.of("id", PgType.INT4), ColumnDef.of("v", PgType.TEXT)), List.of("id"));
            t.commit();
            return def;
        }
    }

    static Object[] row(Object... values) {
        return values;
    }

    /** The committed rows of a table as a fresh READ COMMITTED transaction sees them, key -> values. */
    static Map<RowKey, List<Object>> committed(StorageEngine engine, TableDef table) {
        try (Transaction t = engine.begin()) {
            Map<RowKey, List<Object>> out = new TreeMap<>();
            Iterator<RowRef> it = t.scan(table, t.statementSnapshot());
            while (it.hasNext()) {
                RowRef r = it.next();
                out.put(r.key(), java.util.Arrays.asList(r.values().clone()));
            }
            t.commit();
            return out;
        }
    }

    /** Values of every row the snapshot sees, in key order. */
    static List<List<Object>> scan(Transaction t, TableDef table, Snapshot s) {
        List<List<Object>> out = new ArrayList<>();
        Iterator<RowRef> it = t.scan(table, s);
        while (it.hasNext()) {
            out.add(java.util.Arrays.asList(it.next().values()));
        }
        return out;
    }

    /** Every flushed WAL record from the start. */
    static List<WalEntry> walEntries(MemoryWalLog wal) {
        wal.flushAll();
        List<WalEntry> out = new ArrayList<>();
        try (WalReader r = wal.openReader(MemoryWalLog.START_LSN)) {
            for (WalEntry e = r.next(); e != null; e = r.next()) {
                out.add(e);
            }
        }
        return out;
    }

    static List<WalRecord> walRecords(MemoryWalLog wal) {
        List<WalRecord> out = new ArrayList<>();
        for (WalEntry e : walEntries(wal)) {
            out.add(e.record());
        }
        return out;
    }

    /**
     * Replays flushed WAL into {@code target} as recovery would: each committed transaction's
     * records at its commit, non-transactional sequence advances at once, aborted and unfinished
     * transactions dropped.
     */
    static void replay(MemoryWalLog wal, StorageEngine target) {
        Map<Integer, List<WalEntry>> open = new java.util.HashMap<>();
        List<WalEntry> entries = new ArrayList<>();
        try (WalReader r = wal.openReader(MemoryWalLog.START_LSN)) {
            for (WalEntry e = r.next(); e != null; e = r.next()) {
                entries.add(e);
            }
        }
        for (WalEntry e : entries) {
            WalRecord rec = e.record();
            if (rec instanceof WalRecord.Commit c) {
                target.redo(open.getOrDefault(c.xid(), List.of()).stream().map(WalEntry::record).toList(), e.endLsn());
                open.remove(c.xid());
            } else if (rec instanceof WalRecord.Abort a) {
                open.remove(a.xid());
            } else if (rec instanceof WalRecord.SubxactAbort a) {
                open.getOrDefault(a.xid(), new ArrayList<>()).removeIf(x -> Long.compareUnsigned(x.startLsn(), a.fromLsn()) >= 0);
            } else if (rec.xid() == 0) {
                target.redo(List.of(rec), e.endLsn());
            } else {
                open.computeIfAbsent(rec.xid(), k -> new ArrayList<>()).add(e);
            }
        }
    }
}
