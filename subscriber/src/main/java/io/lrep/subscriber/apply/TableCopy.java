package io.lrep.subscriber.apply;

import io.lrep.apply.Applier;
import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.CopyText;
import io.lrep.subscriber.client.QueryResult;
import io.lrep.subscriber.client.Quoting;
import io.lrep.subscriber.client.ReplicationConnection;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.BooleanSupplier;

/**
 * The initial copy of one table by a table-sync worker, as PostgreSQL 15's
 * fetch_remote_table_info and copy_table (reference §6.6 steps 4 and 5): inside the
 * publisher transaction that holds the sync slot's snapshot, it reads the table's identity,
 * column list, columns and row filters with the catalog queries a PostgreSQL subscriber sends,
 * then streams {@code COPY ... TO STDOUT} (text format) row by row into the caller's local
 * transaction through the {@link Applier} (columns by name, defaults for the others).
 */
final class TableCopy {

    private static final char DELIMITER = '\t';
    private static final String NULL = "\\N";

    /** The publisher's view of the table: a Relation message for the applier, and its row filters (empty: none). */
    record RemoteTable(PgOutputMessage.Relation relation, char relkind, List<String> rowFilters) {
    }

    private TableCopy() {
    }

    /** fetch_remote_table_info for {@code nspname.relname} as published by {@code publications}. */
    static RemoteTable fetch(ReplicationConnection c, String nspname, String relname, List<String> publications) {
        QueryResult rel = c.query("SELECT c.oid, c.relreplident, c.relkind  FROM pg_catalog.pg_class c  INNER JOIN pg_catalog.pg_namespace n"
                + "        ON (c.relnamespace = n.oid) WHERE n.nspname = " + Quoting.literal(nspname) + "   AND c.relname = " + Quoting.literal(relname));
        expectColumns(rel, 3);
        if (rel.rowCount() != 1) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "table \"" + nspname + "." + relname + "\" not found on publisher");
        }
        long oid = Long.parseLong(rel.value(0, 0));
        char replident = rel.value(0, 1).charAt(0);
        char relkind = rel.value(0, 2).charAt(0);
        String pubs = Quoting.literals(publications);
        boolean v15 = c.serverVersion() >= 150000;

        Set<Integer> columnList = null;
        if (v15) {
            QueryResult cl = c.query("SELECT DISTINCT  (CASE WHEN (array_length(gpt.attrs, 1) = c.relnatts)   THEN NULL ELSE gpt.attrs END)"
                    + "  FROM pg_publication p,  LATERAL pg_get_publication_tables(p.pubname) gpt,  pg_class c WHERE gpt.relid = " + oid
                    + " AND c.oid = gpt.relid   AND p.pubname IN ( " + pubs + " )");
            expectColumns(cl, 1);
            if (cl.rowCount() > 1) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot use different column lists for table \""
                        + nspname + "." + relname + "\" in different publications");
            }
            String attrs = cl.rowCount() == 1 ? cl.value(0, 0) : null;
            if (attrs != null && !attrs.isBlank()) {
                columnList = new HashSet<>();
                for (String a : attrs.trim().split("\\s+")) {
                    columnList.add(Integer.parseInt(a));
                }
            }
        }

        QueryResult cols = c.query("SELECT a.attnum,       a.attname,       a.atttypid,       a.attnum = ANY(i.indkey)"
                + "  FROM pg_catalog.pg_attribute a  LEFT JOIN pg_catalog.pg_index i       ON (i.indexrelid = pg_get_replica_identity_index("
                + oid + ")) WHERE a.attnum > 0::pg_catalog.int2   AND NOT a.attisdropped" + (c.serverVersion() >= 120000 ? " AND a.attgenerated = ''" : "")
                + "   AND a.attrelid = " + oid + " ORDER BY a.attnum");
        expectColumns(cols, 4);
        List<PgOutputMessage.Column> columns = new ArrayList<>();
        for (int r = 0; r < cols.rowCount(); r++) {
            int attnum = Integer.parseInt(cols.value(r, 0));
            if (columnList != null && !columnList.contains(attnum)) {
                continue;
            }
            boolean key = replident == 'f' || "t".equals(cols.value(r, 3));
            columns.add(new PgOutputMessage.Column(key ? PgOutputMessage.Column.KEY_FLAG : 0, cols.value(r, 1),
                    (int) Long.parseLong(cols.value(r, 2)), -1));
        }

        List<String> filters = new ArrayList<>();
        if (v15) {
            QueryResult rf = c.query("SELECT DISTINCT pg_get_expr(gpt.qual, gpt.relid)  FROM pg_publication p,  LATERAL pg_get_publication_tables(p.pubname) gpt"
                    + " WHERE gpt.relid = " + oid + "   AND p.pubname IN ( " + pubs + " )");
            expectColumns(rf, 1);
            for (int r = 0; r < rf.rowCount(); r++) {
                String q = rf.value(r, 0);
                if (q == null) {
                    filters.clear(); // one publication publishes every row: no filter
                    break;
                }
                filters.add(q);
            }
        }
        return new RemoteTable(new PgOutputMessage.Relation(0, (int) oid, nspname, relname, replident, columns), relkind, filters);
    }

    /** copy_table's command: {@code COPY s.t (a, b) TO STDOUT}, or {@code COPY (SELECT ...) TO STDOUT} with filters or a non-plain table. */
    static String copyCommand(RemoteTable table) {
        PgOutputMessage.Relation rel = table.relation();
        String name = Quoting.identifier(rel.namespace()) + "." + Quoting.identifier(rel.name());
        StringJoiner cols = new StringJoiner(", ");
        for (PgOutputMessage.Column col : rel.columns()) {
            cols.add(Quoting.identifier(col.name()));
        }
        if (table.relkind() == 'r' && table.rowFilters().isEmpty()) {
            return rel.columns().isEmpty() ? "COPY " + name + " TO STDOUT" : "COPY " + name + " (" + cols + ") TO STDOUT";
        }
        StringBuilder sb = new StringBuilder("COPY (SELECT ").append(cols).append(" FROM ");
        if (table.relkind() == 'r') {
            sb.append("ONLY ");
        }
        sb.append(name);
        if (!table.rowFilters().isEmpty()) {
            sb.append(" WHERE ").append(String.join(" OR ", table.rowFilters()));
        }
        return sb.append(") TO STDOUT").toString();
    }

    /**
     * Runs the COPY and inserts each row into {@code t} through {@code applier} (which must have
     * been given {@code table}'s Relation). Stops with 57014 when {@code cancelled} turns true.
     *
     * @return the number of rows copied
     */
    static long copy(ReplicationConnection c, RemoteTable table, Applier applier, Transaction t, BooleanSupplier cancelled) {
        Lines lines = new Lines(table, applier, t, cancelled);
        c.copyOut(copyCommand(table), lines::accept);
        lines.finish();
        return lines.rows;
    }

    /** Reassembles COPY text lines from CopyData payloads (a payload may hold part of a line or several). */
    private static final class Lines {
        private final RemoteTable table;
        private final Applier applier;
        private final Transaction t;
        private final BooleanSupplier cancelled;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private long rows;

        Lines(RemoteTable table, Applier applier, Transaction t, BooleanSupplier cancelled) {
            this.table = table;
            this.applier = applier;
            this.t = t;
            this.cancelled = cancelled;
        }

        void accept(byte[] data) {
            if (cancelled.getAsBoolean()) {
                throw new LrepException(SqlState.QUERY_CANCELED, "canceling the initial copy of table \"" + table.relation().namespace()
                        + "." + table.relation().name() + "\" because the worker is stopping");
            }
            int start = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] == '\n') {
                    if (pending.size() > 0) {
                        pending.write(data, start, i - start);
                        line(pending.toString(StandardCharsets.UTF_8));
                        pending.reset();
                    } else {
                        line(new String(data, start, i - start, StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            pending.write(data, start, data.length - start);
        }

        void finish() {
            if (pending.size() > 0) {
                line(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
            }
        }

        private void line(String line) {
            List<String> fields = CopyText.fields(line, DELIMITER, NULL);
            List<PgOutputMessage.Column> columns = table.relation().columns();
            if (fields.size() != columns.size()) {
                throw new LrepException(SqlState.BAD_COPY_FILE_FORMAT, fields.size() > columns.size()
                        ? "extra data after last expected column" : "missing data for column \"" + columns.get(fields.size()).name() + "\"");
            }
            applier.insertCopied(t, table.relation().relationOid(), fields);
            rows++;
        }
    }

    private static void expectColumns(QueryResult r, int n) {
        if (r.columns().size() != n) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "invalid query response")
                    .withDetail("Expected " + n + " fields, got " + r.columns().size() + " fields.");
        }
    }

}
