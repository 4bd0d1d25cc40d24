package io.lrep.node.sql.catalog;

import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import io.lrep.publisher.publication.Publication;
import io.lrep.publisher.publication.PublicationCatalog;
import java.util.ArrayList;
import java.util.List;

/**
 * The publication views and functions of PostgreSQL 15 over {@link PublicationCatalog} (the
 * catalogs pg_publication, pg_publication_rel and pg_publication_namespace themselves are
 * storage tables, queried directly):
 * <ul>
 * <li>{@code pg_publication_tables (pubname, schemaname, tablename, attnames name[], rowfilter text)}:
 *     one row per table each publication publishes; attnames lists the column list's names, or
 *     every column when there is none (as 15 does);
 * <li>{@code pg_get_publication_tables(pubname text) -> (relid oid, attrs int2vector, qual)}:
 *     attrs is NULL without a column list (as in 15). Where PostgreSQL returns {@code qual} as a
 *     pg_node_tree, lrep returns the filter's text, e.g. {@code (a > 1)}, which
 *     {@code pg_get_expr(qual, relid)} passes through unchanged.
 * </ul>
 */
public final class PublicationViews implements CatalogExtension {

    private static final List<ColumnInfo> TABLES_COLUMNS = List.of(
            ColumnInfo.of("pubname", PgType.NAME),
            ColumnInfo.of("schemaname", PgType.NAME),
            ColumnInfo.of("tablename", PgType.NAME),
            ColumnInfo.of("attnames", PgType.NAME_ARRAY),
            ColumnInfo.of("rowfilter", PgType.TEXT));

    private static final List<ColumnInfo> FUNCTION_COLUMNS = List.of(
            ColumnInfo.of("relid", PgType.OID),
            ColumnInfo.of("attrs", PgType.INT2VECTOR),
            ColumnInfo.of("qual", PgType.TEXT));

    /** PostgreSQL 15's oid of pg_publication_tables. */
    private final List<SystemView> views = List.of(
            SystemView.of("pg_publication_tables", 12165, TABLES_COLUMNS, context -> publicationTables(context.transaction())));

    private final List<SqlFunction> functions = List.of(
            SqlFunction.setReturning("pg_get_publication_tables", List.of(PgType.TEXT), FUNCTION_COLUMNS, true,
                    (ctx, args) -> publicationTables(ctx.transaction(), (String) args[0]).iterator()));

    @Override
    public List<SystemView> views() {
        return views;
    }

    @Override
    public List<SqlFunction> functions() {
        return functions;
    }

    private static List<Object[]> publicationTables(Transaction t) {
        List<Object[]> out = new ArrayList<>();
        List<Publication> pubs = new ArrayList<>(PublicationCatalog.all(t));
        pubs.sort((a, b) -> Long.compare(a.oid(), b.oid()));
        for (Publication p : pubs) {
            for (PublicationCatalog.Member m : PublicationCatalog.members(t, p)) {
                TableDef td = m.table();
                List<Object> names = new ArrayList<>();
                for (ColumnDef c : td.liveColumns()) {
                    if (m.columns() == null || m.columns().contains(c.attnum())) {
                        names.add(c.name());
                    }
                }
                out.add(new Object[] {p.name(), td.schemaName(), td.name(), names.toArray(), m.rowFilter()});
            }
        }
        return out;
    }

    private static List<Object[]> publicationTables(Transaction t, String pubName) {
        Publication p = PublicationCatalog.get(t, pubName);
        List<Object[]> out = new ArrayList<>();
        for (PublicationCatalog.Member m : PublicationCatalog.members(t, p)) {
            Object[] attrs = null;
            if (m.columns() != null) {
                attrs = new Object[m.columns().size()];
                for (int i = 0; i < attrs.length; i++) {
                    attrs[i] = (short) (int) m.columns().get(i);
                }
            }
            out.add(new Object[] {Integer.toUnsignedLong(m.table().oid()), attrs, m.rowFilter()});
        }
        return out;
    }
}
