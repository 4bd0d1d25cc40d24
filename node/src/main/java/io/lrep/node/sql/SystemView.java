package io.lrep.node.sql;

import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * A read-only relation computed from the catalogs and the node's state, such as
 * {@code pg_catalog.pg_class} or {@code information_schema.tables}: the executor resolves it by
 * schema and name like a table (unqualified names search pg_catalog first, as PostgreSQL's
 * search_path does) and scans {@link #rows(QueryContext)}.
 */
public interface SystemView {

    /** {@code pg_catalog} or {@code information_schema}. */
    String schema();

    String name();

    /** The relation's oid (PostgreSQL's own where it has one, e.g. pg_class = 1259). */
    int oid();

    List<ColumnInfo> columns();

    /** The rows as of the statement's snapshot; each array matches {@link #columns()}. */
    Iterator<Object[]> rows(QueryContext context);

    /** A view of {@code pg_catalog} whose rows {@code rows} computes for each statement. */
    static SystemView of(String name, int oid, List<ColumnInfo> columns, Function<QueryContext, List<Object[]>> rows) {
        List<ColumnInfo> cols = List.copyOf(columns);
        return new SystemView() {
            @Override
            public String schema() {
                return "pg_catalog";
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public int oid() {
                return oid;
            }

            @Override
            public List<ColumnInfo> columns() {
                return cols;
            }

            @Override
            public Iterator<Object[]> rows(QueryContext context) {
                return rows.apply(context).iterator();
            }
        };
    }
}
