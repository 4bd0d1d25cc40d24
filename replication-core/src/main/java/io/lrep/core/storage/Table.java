package io.lrep.core.storage;

import io.lrep.core.types.PgType;
import io.lrep.core.types.Values;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rows of one table: for each key (primary key, or a hidden row id when there is none) a
 * {@link Chain} of versions, newest first. The chains are found by key in a hash index ({@link KeyIndex}) and
 * listed in the order their keys were first inserted, which is the order scans return them in
 * (as a freshly loaded PostgreSQL heap is read). Reads ({@link #get}, {@link #scan},
 * {@link #chains}) walk them without locks; every method that changes chains or the list runs
 * under the engine lock (see {@link StorageEngine}), and only {@link #compact} (vacuum, one at a
 * time) takes emptied chains out of the list: a reader standing on one follows its unchanged
 * {@code next} back into the list.
 */
final class Table {

    final int oid;
    final AtomicLong nextRowId = new AtomicLong();
    private final KeyIndex byKey = new KeyIndex();
    private final Chain first = new Chain();
    /** The last chain of the list; under the engine lock. */
    private Chain last = first;

    Table(int oid) {
        this.oid = oid;
    }

    /** The primary key's column types of one definition of the table: shared by its keys. */
    private record KeyTypes(TableDef def, PgType[] types) {}

    private static final PgType[] ROW_ID_TYPES = {PgType.INT8};

    private volatile KeyTypes keyTypes;

    /** The key of a full-width row of {@code def}, which has a primary key. */
    RowKey keyOf(TableDef def, Object[] row) {
        KeyTypes kt = keyTypes;
        List<Integer> pk = def.primaryKey();
        if (kt == null || kt.def != def) {
            PgType[] types = new PgType[pk.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = def.columns().get(pk.get(i) - 1).type();
            }
            kt = new KeyTypes(def, types);
            keyTypes = kt;
        }
        if (pk.size() == 1) {
            return RowKey.single(kt.types, row[pk.get(0) - 1]);
        }
        Object[] k = new Object[pk.size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = row[pk.get(i) - 1];
        }
        return RowKey.wrap(kt.types, k); // the values array is new, the types shared and never written
    }

    /** A new hidden row id, the key of a row of a table without a primary key. */
    RowKey newRowId() {
        return RowKey.single(ROW_ID_TYPES, nextRowId.incrementAndGet());
    }

    /** The chain of {@code key}, or null. */
    Chain chain(RowKey key) {
        return byKey.get(key);
    }

    /** Whether {@code key} has a chain. */
    boolean hasChain(RowKey key) {
        return byKey.get(key) != null;
    }

    /** Adds a chain of one new version for a key that has none. Under the engine lock. */
    void addChain(RowVersion v) {
        Chain ch = new Chain(v);
        byKey.put(ch);
        last.next = ch;
        last = ch;
    }

    /** The chains in insertion order, emptied ones skipped; weakly consistent. */
    Iterable<Chain> chains() {
        return () -> new Iterator<>() {
            private Chain at = advance(first);

            private Chain advance(Chain c) {
                Chain n = c.next;
                while (n != null && n.head == null) {
                    n = n.next;
                }
                return n;
            }

            @Override
            public boolean hasNext() {
                return at != null;
            }

            @Override
            public Chain next() {
                if (at == null) {
                    throw new NoSuchElementException();
                }
                Chain c = at;
                at = advance(c);
                return c;
            }
        };
    }

    /** Drops an emptied chain from the index; it leaves the list at the next {@link #compact}. */
    private void removeChain(Chain ch) {
        byKey.remove(ch);
    }

    /**
     * Prunes up to {@code batch} chains after {@code from} (the list head when null) with
     * {@link #prune} and takes emptied chains out of the list. Returns the chain to continue
     * after, or null at the end; adds the versions removed to {@code removed[0]}. Under the
     * engine lock, by one vacuum at a time.
     */
    Chain compact(Chain from, int batch, long horizon, int[] removed) {
        Chain prev = from == null ? first : from;
        for (int i = 0; i < batch; i++) {
            Chain c = prev.next;
            if (c == null) {
                return null;
            }
            removed[0] += prune(c, horizon);
            if (c.head == null) {
                prev.next = c.next;
                if (last == c) {
                    last = prev;
                }
            } else {
                prev = c;
            }
        }
        return prev;
    }

    /** The version of {@code ch} visible to the snapshot, or null. */
    static RowVersion visibleVersion(Chain ch, long lsn, TxnState own, int cid) {
        for (RowVersion v = ch.head; v != null; v = v.older) {
            if (v.visible(lsn, own, cid)) {
                return v;
            }
        }
        return null;
    }

    /** The row as {@code def} reads it: full width, dropped columns null, added ones their missing value. */
    static Object[] materialize(TableDef def, Object[] values) {
        List<ColumnDef> cols = def.columns();
        boolean copy = values.length != cols.size();
        if (!copy) {
            for (int i = 0; i < values.length; i++) {
                if (values[i] != null && cols.get(i).dropped()) {
                    copy = true;
                    break;
                }
            }
        }
        if (!copy) {
            return values;
        }
        Object[] out = new Object[cols.size()];
        for (int i = 0; i < out.length; i++) {
            ColumnDef c = cols.get(i);
            out[i] = c.dropped() ? null : i < values.length ? values[i] : c.missingValue();
        }
        return out;
    }

    /**
     * Whether two full-width rows of {@code def} are equal column by column under the columns'
     * equality ({@link Values#equal}); json, which has no equality operator, by its text.
     */
    static boolean rowsEqual(TableDef def, Object[] a, Object[] b) {
        List<ColumnDef> cols = def.columns();
        int n = Math.max(a.length, b.length);
        for (int i = 0; i < n; i++) {
            Object x = i < a.length ? a[i] : null;
            Object y = i < b.length ? b[i] : null;
            if (!sameValue(i < cols.size() ? cols.get(i).type() : null, x, y)) {
                return false;
            }
        }
        return true;
    }

    /** {@link Values#equal} of {@code type}; for types without equality (json, void) or unknown, deep equality. */
    static boolean sameValue(PgType type, Object a, Object b) {
        if (type == null || type == PgType.JSON || type == PgType.VOID || a == null || b == null) {
            return java.util.Objects.deepEquals(a, b);
        }
        return Values.equal(type, a, b);
    }

    /** A hash consistent with {@link #sameValue}. */
    static int valueHash(PgType type, Object v) {
        if (type == null || type == PgType.JSON || type == PgType.VOID || v == null) {
            return java.util.Arrays.deepHashCode(new Object[] {v});
        }
        return Values.hash(type, v);
    }

    RowRef get(TxnState own, TableDef def, RowKey key, Snapshot s) {
        Chain ch = byKey.get(key);
        RowVersion v = ch == null ? null : visibleVersion(ch, s.lsn(), own, s.cid());
        return v == null ? null : RowRef.of(def, v);
    }

    /** The rows the snapshot sees, in the order their keys were first inserted; weakly consistent, never blocks writers. */
    Iterator<RowRef> scan(TxnState own, TableDef def, Snapshot s) {
        Iterator<Chain> chains = chains().iterator();
        return new Iterator<>() {
            private RowRef next;

            @Override
            public boolean hasNext() {
                while (next == null && chains.hasNext()) {
                    RowVersion v = visibleVersion(chains.next(), s.lsn(), own, s.cid());
                    if (v != null) {
                        next = RowRef.of(def, v);
                    }
                }
                return next != null;
            }

            @Override
            public RowRef next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                RowRef r = next;
                next = null;
                return r;
            }
        };
    }

    /** Unlinks one version (of an aborted transaction). Under the engine lock. */
    void unlink(RowVersion v) {
        Chain ch = byKey.get(v.key);
        if (ch == null) {
            return;
        }
        RowVersion prev = null;
        for (RowVersion x = ch.head; x != null; x = x.older) {
            if (x == v) {
                if (prev == null) {
                    ch.head = x.older;
                } else {
                    prev.older = x.older;
                }
                break;
            }
            prev = x;
        }
        if (ch.head == null) {
            removeChain(ch);
        }
    }

    /**
     * Unlinks the versions of {@code ch} that no snapshot at or above {@code horizon} sees:
     * aborted ones and ones ended by a commit at or below it. Under the engine lock.
     */
    int prune(Chain ch, long horizon) {
        int removed = 0;
        RowVersion prev = null;
        for (RowVersion v = ch.head; v != null; v = v.older) {
            TxnState e = v.ender;
            if (v.creator.aborted || (e != null && e.committedAtOrBefore(horizon))) {
                if (prev == null) {
                    ch.head = v.older;
                } else {
                    prev.older = v.older;
                }
                removed++;
            } else {
                prev = v;
            }
        }
        if (ch.head == null) {
            removeChain(ch);
        }
        return removed;
    }

    /** Whether some key has a current version (committed or in progress). */
    boolean hasLiveRows() {
        for (Chain ch : chains()) {
            RowVersion h = ch.head;
            if (h != null && !h.creator.aborted && h.isLive()) {
                return true;
            }
        }
        return false;
    }

    long versionCount() {
        long n = 0;
        for (Chain ch : chains()) {
            for (RowVersion v = ch.head; v != null; v = v.older) {
                n++;
            }
        }
        return n;
    }
}
