package io.lrep.node.sql.catalog;

/**
 * Oids for catalog objects storage has no oid for, derived from their table's oid so they are
 * stable across statements and restarts. Storage hands out oids from 16384 upwards as positive
 * ints; these live above 2^31, where storage never reaches, and are only unique while table
 * oids stay below 2^28 and tables below 1024 columns:
 * <pre>
 * primary key index       0x8000_0000 + table oid
 * primary key constraint  0x9000_0000 + table oid
 * column default          0xA000_0000 + table oid * 1024 + attnum   (mod 2^32, within 0xA...-0xEFFF_FFFF)
 * function (pg_proc)      0xF000_0000 + position in the function list (functions without a PostgreSQL oid)
 * </pre>
 */
public final class SyntheticOids {

    private static final long INDEX_BASE = 0x8000_0000L;
    private static final long CONSTRAINT_BASE = 0x9000_0000L;
    private static final long ATTRDEF_BASE = 0xA000_0000L;
    private static final long ATTRDEF_SPAN = 0x5000_0000L;
    static final long FUNCTION_BASE = 0xF000_0000L;
    private static final long TABLE_MASK = 0x0FFF_FFFFL;

    private SyntheticOids() {}

    /** The oid of table {@code tableOid}'s primary key index ({@code <table>_pkey}). */
    public static long primaryKeyIndex(int tableOid) {
        return INDEX_BASE + tableOid;
    }

    /** The oid of table {@code tableOid}'s primary key constraint. */
    public static long primaryKeyConstraint(int tableOid) {
        return CONSTRAINT_BASE + tableOid;
    }

    /** The oid of the pg_attrdef row of column {@code attnum}. */
    public static long columnDefault(int tableOid, int attnum) {
        return ATTRDEF_BASE + ((long) tableOid * 1024 + attnum) % ATTRDEF_SPAN;
    }

    /** The table whose primary key index has this oid, or -1. */
    public static int tableOfIndex(long oid) {
        return oid > INDEX_BASE && oid <= INDEX_BASE + TABLE_MASK ? (int) (oid - INDEX_BASE) : -1;
    }

    /** The table whose primary key constraint has this oid, or -1. */
    public static int tableOfConstraint(long oid) {
        return oid > CONSTRAINT_BASE && oid <= CONSTRAINT_BASE + TABLE_MASK ? (int) (oid - CONSTRAINT_BASE) : -1;
    }
}
