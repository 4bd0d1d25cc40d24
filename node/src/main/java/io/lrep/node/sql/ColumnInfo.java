package io.lrep.node.sql;

import io.lrep.core.types.PgType;

/**
 * One column of a result, as RowDescription describes it.
 *
 * @param tableOid the table the column comes from, or 0
 * @param attnum its attribute number in that table, or 0
 */
public record ColumnInfo(String name, PgType type, int typmod, int tableOid, short attnum) {

    public static ColumnInfo of(String name, PgType type) {
        return new ColumnInfo(name, type, -1, 0, (short) 0);
    }
}
