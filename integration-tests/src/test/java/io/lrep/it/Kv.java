package io.lrep.it;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.storage.WriteResult;
import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A key-value table and random transactions on it, shared by the crash tests and their child
 * process. A transaction is a list of {@link Op}s decided inside it (insert, update or delete
 * depending on what the transaction saw), so a model can replay exactly what it did.
 */
final class Kv {

    static final String SCHEMA = "public";
    static final String TABLE = "kv";

    /** One change: {@code value == null} is a delete. */
    record Op(long key, String value) {
        static Op parse(String text) {
            int eq = text.indexOf('=');
            return eq < 0 ? new Op(Long.parseLong(text), null) : new Op(Long.parseLong(text.substring(0, eq)), text.substring(eq + 1));
        }

        @Override
        public String toString() {
            return value == null ? Long.toString(key) : key + "=" + value;
        }
    }

    private Kv() {}

    static void createTable(StorageEngine storage) {
        try (Transaction t = storage.begin()) {
            t.createTable(SCHEMA, TABLE, List.of(
                    ColumnDef.of("k", PgType.INT8).notNullColumn(),
                    ColumnDef.of("v", PgType.TEXT),
                    ColumnDef.of("writer", PgType.INT4)), List.of("k"));
            t.commit();
        }
    }

    /** The committed contents, key to value. */
    static Map<Long, String> read(StorageEngine storage) {
        try (Transaction t = storage.begin(IsolationLevel.REPEATABLE_READ, 0)) {
            TableDef table = t.table(SCHEMA, TABLE);
            Map<Long, String> rows = new TreeMap<>();
            for (Iterator<RowRef> it = t.scan(table, t.statementSnapshot()); it.hasNext(); ) {
                Object[] row = it.next().values();
                rows.put((Long) row[0], (String) row[1]);
            }
            t.commit();
            return rows;
        }
    }

    /** Applies ops to a model. */
    static void apply(Map<Long, String> model, List<Op> ops) {
        for (Op op : ops) {
            if (op.value() == null) {
                model.remove(op.key());
            } else {
                model.put(op.key(), op.value());
            }
        }
    }

    /**
     * Runs 1 to 4 random changes on keys drawn from {@code [lo, hi)} in {@code t}; returns what
     * it did, or null if a concurrent writer got in the way (the caller rolls back).
     */
    static List<Op> randomChanges(Transaction t, Random random, long lo, long hi, int writer, long txnNo) {
        TableDef table = t.table(SCHEMA, TABLE);
        List<Op> ops = new ArrayList<>();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            long key = lo + random.nextInt((int) (hi - lo));
            String value = "w" + writer + "-t" + txnNo + "-" + i;
            t.nextCommand();
            RowRef row = t.get(table, new Object[] {key}, t.statementSnapshot());
            try {
                if (row == null) {
                    t.insert(table, new Object[] {key, value, writer});
                    ops.add(new Op(key, value));
                } else if (random.nextInt(4) == 0) {
                    if (!t.delete(row).ok()) {
                        return null;
                    }
                    ops.add(new Op(key, null));
                } else {
                    WriteResult r = t.update(row, new Object[] {key, value, writer});
                    if (!r.ok()) {
                        return null;
                    }
                    ops.add(new Op(key, value));
                }
            } catch (LrepException e) {
                if (e.sqlState() == SqlState.UNIQUE_VIOLATION || e.sqlState() == SqlState.SERIALIZATION_FAILURE
                        || e.sqlState() == SqlState.DEADLOCK_DETECTED) {
                    return null;
                }
                throw e;
            }
        }
        return ops;
    }
}
