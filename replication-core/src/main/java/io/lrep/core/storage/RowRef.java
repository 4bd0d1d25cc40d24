package io.lrep.core.storage;

/**
 * A row version as a read returned it: the table, key, full-width values (attnum order, dropped
 * columns null, columns added later filled with their missing value) and a handle on the exact
 * version, which {@link Transaction#update} and {@link Transaction#delete} act on. The values
 * array must not be modified. A row a read returns decodes its values from the stored version
 * when they are first asked for (a count of rows never decodes them), so a row is used by one
 * thread.
 */
public final class RowRef {

    private final int relOid;
    private final RowKey key;
    private Object[] values;
    /** The definition to decode {@link #version} by until {@link #values} is set, else null. */
    private TableDef def;
    final RowVersion version;

    RowRef(int relOid, RowKey key, Object[] values, RowVersion version) {
        this.relOid = relOid;
        this.key = key;
        this.values = values;
        this.version = version;
    }

    /** The row of {@code version} as {@code def} reads it, decoded on first use. */
    static RowRef of(TableDef def, RowVersion version) {
        RowRef r = new RowRef(def.oid(), version.key, null, version);
        r.def = def;
        return r;
    }

    public int relOid() {
        return relOid;
    }

    public RowKey key() {
        return key;
    }

    public Object[] values() {
        Object[] v = values;
        if (v == null) {
            v = Table.materialize(def, version.values());
            values = v;
            def = null;
        }
        return v;
    }

    /** Column value by attnum (from 1). */
    public Object get(int attnum) {
        return values()[attnum - 1];
    }

    @Override
    public String toString() {
        return "RowRef(" + relOid + ", " + key + ", " + java.util.Arrays.deepToString(values()) + ")";
    }
}
