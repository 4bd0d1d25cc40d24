package io.lrep.core.storage;

/**
 * A row version as a read returned it: the table, key, full-width values (attnum order, dropped
 * columns null, columns added later filled with their missing value) and a handle on the exact
 * version, which {@link Transaction#update} and {@link Transaction#delete} act on. The values
 * array must not be modified.
 */
public final class RowRef {

    private final int relOid;
    private final RowKey key;
    private final Object[] values;
    final RowVersion version;

    RowRef(int relOid, RowKey key, Object[] values, RowVersion version) {
        this.relOid = relOid;
        this.key = key;
        this.values = values;
        this.version = version;
    }

    public int relOid() {
        return relOid;
    }

    public RowKey key() {
        return key;
    }

    public Object[] values() {
        return values;
    }

    /** Column value by attnum (from 1). */
    public Object get(int attnum) {
        return values[attnum - 1];
    }

    @Override
    public String toString() {
        return "RowRef(" + relOid + ", " + key + ", " + java.util.Arrays.deepToString(values) + ")";
    }
}
