package io.lrep.node.sql;

import java.util.Iterator;
import java.util.List;

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
}
