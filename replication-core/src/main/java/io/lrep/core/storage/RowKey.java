package io.lrep.core.storage;

import java.util.Arrays;

/**
 * A row's key: the primary key values in key order, or a one-element hidden row id for tables
 * without a primary key. Ordered column by column with {@link Values#compare}. Immutable.
 */
public final class RowKey implements Comparable<RowKey> {

    private final Object[] values;

    private RowKey(Object[] values) {
        this.values = values;
    }

    /** A key of these values (copied). */
    public static RowKey of(Object... values) {
        return new RowKey(values.clone());
    }

    /** The key values (a copy). */
    public Object[] values() {
        return values.clone();
    }

    Object get(int i) {
        return values[i];
    }

    int size() {
        return values.length;
    }

    @Override
    public int compareTo(RowKey o) {
        int n = Math.min(values.length, o.values.length);
        for (int i = 0; i < n; i++) {
            int c = Values.compare(values[i], o.values[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(values.length, o.values.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && compareTo(k) == 0;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Object v : values) {
            h = h * 31 + Values.hash(v);
        }
        return h;
    }

    @Override
    public String toString() {
        return Arrays.deepToString(values);
    }
}
