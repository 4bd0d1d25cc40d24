package io.lrep.core.storage;

import io.lrep.core.types.PgType;
import io.lrep.core.types.Values;
import java.util.Arrays;

/**
 * A row's key: the primary key values in key order, or a one-element hidden row id (int8) for
 * tables without a primary key. Ordered column by column as PostgreSQL's btree orders the key
 * columns' types ({@link Values#compare}: bpchar ignoring trailing spaces, float NaN last and
 * {@code -0 = 0}, numeric by value, ...), so two keys PostgreSQL's unique index calls equal are
 * equal here. Keys of one table all carry that table's key types. Immutable.
 */
public final class RowKey implements Comparable<RowKey> {

    private final PgType[] types;
    /** The one value of a one-column key (no array: a table's index holds a key per row), else an {@code Object[]} of them. */
    private final Object v;
    /** {@link #hashCode}, computed on first use (0 until then, as String does). */
    private int hash;

    private RowKey(PgType[] types, Object[] values) {
        if (types.length != values.length) {
            throw new IllegalArgumentException("key of " + values.length + " values with " + types.length + " types");
        }
        this.types = types;
        this.v = values.length == 1 ? values[0] : values;
    }

    private RowKey(PgType[] types, Object single) {
        this.types = types;
        this.v = single;
    }

    /** A key of these values (copied), typed by {@link Values#typeOf} (Integer int4, Long int8, String text, ...). */
    public static RowKey of(Object... values) {
        PgType[] types = new PgType[values.length];
        for (int i = 0; i < values.length; i++) {
            types[i] = Values.typeOf(values[i]);
        }
        return new RowKey(types, values.clone());
    }

    /** A key of these values (copied) of the key columns' types. */
    public static RowKey of(PgType[] types, Object[] values) {
        return new RowKey(types.clone(), values.clone());
    }

    /** A key over these arrays, not copied: the caller gives them up (the engine's own keys). */
    static RowKey wrap(PgType[] types, Object[] values) {
        return new RowKey(types, values);
    }

    /** A one-column key; {@code types} (of length 1) is not copied. */
    static RowKey single(PgType[] types, Object value) {
        if (types.length != 1) {
            throw new IllegalArgumentException("key of 1 value with " + types.length + " types");
        }
        return new RowKey(types, value);
    }

    /** The key values (a copy). */
    public Object[] values() {
        return types.length == 1 ? new Object[] {v} : ((Object[]) v).clone();
    }

    Object get(int i) {
        if (types.length == 1) {
            if (i != 0) {
                throw new IndexOutOfBoundsException(i);
            }
            return v;
        }
        return ((Object[]) v)[i];
    }

    int size() {
        return types.length;
    }

    @Override
    public int compareTo(RowKey o) {
        if (types.length == 1 && o.types.length == 1) {
            return compare(types[0], v, o.v);
        }
        int n = Math.min(size(), o.size());
        for (int i = 0; i < n; i++) {
            int c = compare(types[i], get(i), o.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(size(), o.size());
    }

    /** One column: integer keys without {@link Values#compare}'s checks (the hottest comparison of a key index), others through it. */
    private static int compare(PgType type, Object a, Object b) {
        if (type == PgType.INT4 && a instanceof Integer x && b instanceof Integer y) {
            return Integer.compare(x, y);
        }
        if ((type == PgType.INT8 || type == PgType.OID) && a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        return Values.compare(type, a, b);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof RowKey k && compareTo(k) == 0;
    }

    /** Consistent with {@link #equals}: {@link Values#hash} of each column (a table's index finds keys by it). */
    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = 1;
            for (int i = 0; i < types.length; i++) {
                Object x = get(i);
                h = h * 31 + (x instanceof Integer || x instanceof Long ? x.hashCode() : Values.hash(types[i], x));
            }
            hash = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return Arrays.deepToString(values());
    }
}
