package io.lrep.node.sql.catalog;

import static io.lrep.core.types.PgType.BOOL;
import static io.lrep.core.types.PgType.INT4;
import static io.lrep.core.types.PgType.INT8;
import static io.lrep.core.types.PgType.NAME;
import static io.lrep.core.types.PgType.NAME_ARRAY;
import static io.lrep.core.types.PgType.NUMERIC;
import static io.lrep.core.types.PgType.OID;
import static io.lrep.core.types.PgType.REGCLASS;
import static io.lrep.core.types.PgType.REGPROC;
import static io.lrep.core.types.PgType.REGTYPE;
import static io.lrep.core.types.PgType.TEXT;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TextCodec;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SqlFunction;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/** The catalog functions psql and pgjdbc call, and the reg* type conversions. */
final class CatalogFunctions {

    private static final List<PgType> ANY1 = Arrays.asList((PgType) null);
    private static final List<PgType> ANY2 = Arrays.asList(null, null);
    private static final List<PgType> ANY3 = Arrays.asList(null, null, null);

    private final Function<QueryContext, CatalogReader> readers;
    private final RegTypes reg;

    CatalogFunctions(Function<QueryContext, CatalogReader> readers) {
        this.readers = readers;
        this.reg = new RegTypes();
    }

    private CatalogReader r(QueryContext ctx) {
        return readers.apply(ctx);
    }

    private static long oid(Object o) {
        return ((Number) o).longValue();
    }

    List<SqlFunction> all() {
        List<SqlFunction> f = new ArrayList<>();
        // format_type is not strict: a NULL typmod means "not given".
        f.add(SqlFunction.scalar("format_type", List.of(OID, INT4), TEXT, false,
                (ctx, a) -> a[0] == null ? null : TypeFormat.format(oid(a[0]), a[1] == null ? null : ((Number) a[1]).intValue())));
        f.add(SqlFunction.scalar("pg_get_userbyid", List.of(OID), NAME, true, (ctx, a) -> r(ctx).userName(oid(a[0]))));
        f.add(SqlFunction.scalar("pg_table_is_visible", List.of(OID), BOOL, true, (ctx, a) -> {
            CatalogReader.Rel rel = r(ctx).relation(oid(a[0]));
            return rel == null ? null : r(ctx).isVisible(rel);
        }));
        f.add(SqlFunction.scalar("pg_type_is_visible", List.of(OID), BOOL, true,
                (ctx, a) -> BuiltinTypes.byOid(oid(a[0])) == null ? null : Boolean.TRUE));
        f.add(SqlFunction.scalar("pg_function_is_visible", List.of(OID), BOOL, true, (ctx, a) -> Boolean.TRUE));
        f.add(SqlFunction.scalar("pg_get_expr", List.of(TEXT, OID), TEXT, true, (ctx, a) -> a[0]));
        f.add(SqlFunction.scalar("pg_get_expr", List.of(TEXT, OID, BOOL), TEXT, true, (ctx, a) -> a[0]));
        f.add(SqlFunction.scalar("pg_get_indexdef", List.of(OID), TEXT, true, (ctx, a) -> indexDef(ctx, oid(a[0]), 0)));
        f.add(SqlFunction.scalar("pg_get_indexdef", List.of(OID, INT4, BOOL), TEXT, true,
                (ctx, a) -> indexDef(ctx, oid(a[0]), ((Number) a[1]).intValue())));
        f.add(SqlFunction.scalar("pg_get_constraintdef", List.of(OID), TEXT, true, (ctx, a) -> constraintDef(ctx, oid(a[0]))));
        f.add(SqlFunction.scalar("pg_get_constraintdef", List.of(OID, BOOL), TEXT, true, (ctx, a) -> constraintDef(ctx, oid(a[0]))));
        f.add(SqlFunction.scalar("pg_get_serial_sequence", List.of(TEXT, TEXT), TEXT, true,
                (ctx, a) -> serialSequence(ctx, (String) a[0], (String) a[1])));
        f.add(SqlFunction.scalar("obj_description", List.of(OID), TEXT, true, (ctx, a) -> null));
        f.add(SqlFunction.scalar("obj_description", List.of(OID, NAME), TEXT, true, (ctx, a) -> null));
        f.add(SqlFunction.scalar("col_description", List.of(OID, INT4), TEXT, true, (ctx, a) -> null));
        f.add(SqlFunction.scalar("shobj_description", List.of(OID, NAME), TEXT, true, (ctx, a) -> null));
        f.add(SqlFunction.scalar("pg_get_partkeydef", List.of(OID), TEXT, true, (ctx, a) -> null));
        f.add(SqlFunction.scalar("pg_get_statisticsobjdef_columns", List.of(OID), TEXT, true, (ctx, a) -> null));
        f.add(SqlFunction.scalar("pg_encoding_to_char", List.of(INT4), NAME, true, (ctx, a) -> switch (((Number) a[0]).intValue()) {
            case 0 -> "SQL_ASCII";
            case 6 -> "UTF8";
            default -> "";
        }));
        for (String name : List.of("has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_sequence_privilege",
                "has_column_privilege", "has_function_privilege")) {
            // Every role may do everything: lrep has no privileges yet.
            f.add(SqlFunction.scalar(name, ANY2, BOOL, true, (ctx, a) -> Boolean.TRUE));
            f.add(SqlFunction.scalar(name, ANY3, BOOL, true, (ctx, a) -> Boolean.TRUE));
        }
        f.add(SqlFunction.scalar("array_to_string", Arrays.asList(null, TEXT), TEXT, true,
                (ctx, a) -> arrayToString((Object[]) a[0], (String) a[1], null)));
        f.add(SqlFunction.scalar("array_to_string", Arrays.asList(null, TEXT, TEXT), TEXT, false,
                (ctx, a) -> a[0] == null || a[1] == null ? null : arrayToString((Object[]) a[0], (String) a[1], (String) a[2])));
        f.add(SqlFunction.scalar("pg_relation_size", List.of(REGCLASS), INT8, true, (ctx, a) -> relationSize(ctx, oid(a[0]))));
        f.add(SqlFunction.scalar("pg_relation_size", List.of(REGCLASS, TEXT), INT8, true,
                (ctx, a) -> "main".equals(a[1]) ? relationSize(ctx, oid(a[0])) : Long.valueOf(0)));
        f.add(SqlFunction.scalar("pg_table_size", List.of(REGCLASS), INT8, true, (ctx, a) -> relationSize(ctx, oid(a[0]))));
        f.add(SqlFunction.scalar("pg_total_relation_size", List.of(REGCLASS), INT8, true, (ctx, a) -> relationSize(ctx, oid(a[0]))));
        f.add(SqlFunction.scalar("pg_size_pretty", List.of(INT8), TEXT, true, (ctx, a) -> sizePretty(((Number) a[0]).longValue())));
        f.add(SqlFunction.scalar("pg_size_pretty", List.of(NUMERIC), TEXT, true,
                (ctx, a) -> sizePretty(((BigDecimal) a[0]).setScale(0, java.math.RoundingMode.DOWN).longValue())));
        f.add(SqlFunction.scalar("quote_ident", List.of(TEXT), TEXT, true, (ctx, a) -> Identifiers.quote((String) a[0])));
        f.add(SqlFunction.scalar("to_regclass", List.of(TEXT), REGCLASS, true, (ctx, a) -> {
            CatalogReader.Rel rel = r(ctx).findRelationOrNull((String) a[0]);
            return rel == null ? null : rel.oid();
        }));
        f.add(SqlFunction.scalar("to_regtype", List.of(TEXT), REGTYPE, true, (ctx, a) -> RegTypes.typeOid((String) a[0])));
        f.add(SqlFunction.scalar("pg_get_replica_identity_index", List.of(REGCLASS), REGCLASS, true, (ctx, a) -> {
            // the index of the replica identity: the primary key's under REPLICA IDENTITY DEFAULT, else none
            CatalogReader.Rel rel = r(ctx).relation(oid(a[0]));
            TableDef t = rel == null || rel.isIndex() ? null : rel.table();
            return t != null && t.replicaIdentity() == ReplicaIdentity.DEFAULT && t.hasPrimaryKey()
                    ? (Object) SyntheticOids.primaryKeyIndex(t.oid()) : null;
        }));
        f.add(SqlFunction.scalar("pg_relation_is_publishable", List.of(REGCLASS), BOOL, true, (ctx, a) -> {
            CatalogReader.Rel rel = r(ctx).relation(oid(a[0]));
            return rel != null && rel.kind() == 'r' && rel.shape() == null && !rel.namespace().equals("pg_catalog")
                    && !rel.namespace().equals("information_schema");
        }));
        f.add(SqlFunction.scalar("current_schemas", List.of(BOOL), NAME_ARRAY, true, (ctx, a) -> currentSchemas(ctx, (Boolean) a[0])));
        f.add(new SqlFunction("information_schema", "_pg_expandarray", ANY1, false, null, true, false, null, true,
                List.of(ColumnInfo.of("x", PgType.INT2), ColumnInfo.of("n", INT4)), (ctx, a) -> expandArray((Object[]) a[0])));
        // The reg* conversions, as functions named after their target type and as PostgreSQL's I/O functions.
        f.add(SqlFunction.scalar("regclass", List.of(TEXT), REGCLASS, true, (ctx, a) -> r(ctx).regclassIn((String) a[0])));
        f.add(SqlFunction.scalar("regclass", List.of(OID), REGCLASS, true, (ctx, a) -> oid(a[0])));
        f.add(SqlFunction.scalar("regclassin", List.of(TEXT), REGCLASS, true, (ctx, a) -> r(ctx).regclassIn((String) a[0])));
        f.add(SqlFunction.scalar("regclassout", List.of(REGCLASS), TEXT, true, (ctx, a) -> r(ctx).regclassOut(oid(a[0]))));
        f.add(SqlFunction.scalar("regtype", List.of(TEXT), REGTYPE, true, (ctx, a) -> RegTypes.typeIn((String) a[0])));
        f.add(SqlFunction.scalar("regtype", List.of(OID), REGTYPE, true, (ctx, a) -> oid(a[0])));
        f.add(SqlFunction.scalar("regtypein", List.of(TEXT), REGTYPE, true, (ctx, a) -> RegTypes.typeIn((String) a[0])));
        f.add(SqlFunction.scalar("regtypeout", List.of(REGTYPE), TEXT, true, (ctx, a) -> RegTypes.typeOut(oid(a[0]))));
        f.add(SqlFunction.scalar("regproc", List.of(TEXT), REGPROC, true, (ctx, a) -> reg.procIn(ctx, (String) a[0])));
        f.add(SqlFunction.scalar("regproc", List.of(OID), REGPROC, true, (ctx, a) -> oid(a[0])));
        f.add(SqlFunction.scalar("regprocin", List.of(TEXT), REGPROC, true, (ctx, a) -> reg.procIn(ctx, (String) a[0])));
        f.add(SqlFunction.scalar("regprocout", List.of(REGPROC), TEXT, true, (ctx, a) -> reg.procOut(ctx, oid(a[0]))));
        // The executor casts reg* to text through functions named after the target type.
        f.add(SqlFunction.scalar("text", List.of(REGCLASS), TEXT, true, (ctx, a) -> r(ctx).regclassOut(oid(a[0]))));
        f.add(SqlFunction.scalar("text", List.of(REGTYPE), TEXT, true, (ctx, a) -> RegTypes.typeOut(oid(a[0]))));
        f.add(SqlFunction.scalar("text", List.of(REGPROC), TEXT, true, (ctx, a) -> reg.procOut(ctx, oid(a[0]))));
        // lrep has no regnamespace type: the cast yields the schema's name as text directly.
        f.add(SqlFunction.scalar("regnamespace", List.of(OID), TEXT, true, (ctx, a) -> {
            var nsp = r(ctx).namespace(oid(a[0]));
            return nsp == null ? Long.toString(oid(a[0])) : Identifiers.quote(nsp.name());
        }));
        f.add(SqlFunction.scalar("pg_get_function_result", List.of(OID), TEXT, true, (ctx, a) -> reg.functionResult(ctx, oid(a[0]))));
        f.add(SqlFunction.scalar("pg_get_function_arguments", List.of(OID), TEXT, true,
                (ctx, a) -> reg.functionArguments(ctx, oid(a[0]))));
        return f;
    }

    void setProcs(Function<QueryContext, List<PgCatalogViews.ProcEntry>> procs) {
        reg.setProcs(procs);
    }

    // ------------------------------------------------------------------ implementations

    private String indexDef(QueryContext ctx, long oid, int column) {
        int table = SyntheticOids.tableOfIndex(oid);
        TableDef t = table < 0 ? null : ctx.transaction().table(table);
        if (t == null || !t.hasPrimaryKey()) {
            return null;
        }
        return column == 0 ? Deparse.indexDef(t) : Deparse.indexColumn(t, column);
    }

    private String constraintDef(QueryContext ctx, long oid) {
        int table = SyntheticOids.tableOfConstraint(oid);
        TableDef t = table < 0 ? null : ctx.transaction().table(table);
        if (t == null || !t.hasPrimaryKey()) {
            return null;
        }
        return Deparse.constraintDef(t);
    }

    private String serialSequence(QueryContext ctx, String tableName, String columnName) {
        CatalogReader c = r(ctx);
        CatalogReader.Rel rel = c.relation(c.regclassIn(tableName));
        TableDef t = rel == null ? null : rel.table();
        ColumnDef col = t == null || rel.isIndex() ? null : t.column(columnName);
        if (col == null) {
            throw new LrepException(SqlState.UNDEFINED_COLUMN,
                    "column \"" + columnName + "\" of relation \"" + (rel == null ? tableName : rel.name()) + "\" does not exist");
        }
        for (SequenceDef s : ctx.transaction().sequences()) {
            if ((s.ownedByTable() == t.oid() && s.ownedByAttnum() == col.attnum()) || s.oid() == col.identitySequenceOid()
                    && col.identitySequenceOid() != 0) {
                return Identifiers.quote(s.schemaName()) + "." + Identifiers.quote(s.name());
            }
        }
        return null;
    }

    private Long relationSize(QueryContext ctx, long oid) {
        CatalogReader.Rel rel = r(ctx).relation(oid);
        if (rel == null) {
            return null;
        }
        if (rel.kind() != 'r' || rel.table() == null) {
            return 0L;
        }
        // An estimate in 8kB pages: about 24 bytes of header and 8 per column for each visible row.
        long rows = 0;
        Iterator<RowRef> it = ctx.transaction().scan(rel.table(), ctx.snapshot());
        while (it.hasNext()) {
            it.next();
            rows++;
        }
        long bytes = rows * (24 + 8L * rel.table().columns().size());
        return (bytes + 8191) / 8192 * 8192;
    }

    /** pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB, PB, rounding half up at each step. */
    static String sizePretty(long size) {
        long limit = 10 * 1024;
        long limit2 = limit * 2 - 1;
        if (Math.abs(size) < limit) {
            return size + " bytes";
        }
        size >>= 9; // one extra bit for rounding
        for (String unit : List.of("kB", "MB", "GB", "TB")) {
            if (Math.abs(size) < limit2) {
                return halfRounded(size) + " " + unit;
            }
            size >>= 10;
        }
        return halfRounded(size) + " PB";
    }

    private static long halfRounded(long x) {
        return (x + (x < 0 ? -1 : 1)) / 2;
    }

    static String arrayToString(Object[] array, String delimiter, String nullString) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object e : flatten(array)) {
            if (e == null && nullString == null) {
                continue;
            }
            if (!first) {
                sb.append(delimiter);
            }
            first = false;
            sb.append(e == null ? nullString : elementText(e));
        }
        return sb.toString();
    }

    private static List<Object> flatten(Object[] array) {
        List<Object> out = new ArrayList<>();
        for (Object e : array) {
            if (e instanceof Object[] nested) {
                out.addAll(flatten(nested));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    private static String elementText(Object e) {
        PgType type = null;
        for (PgType t : List.of(PgType.BOOL, PgType.INT2, PgType.INT4, PgType.INT8, PgType.FLOAT4, PgType.FLOAT8, PgType.NUMERIC,
                PgType.DATE, PgType.TIMESTAMP, PgType.TIMESTAMPTZ, PgType.UUID, PgType.BYTEA, PgType.PG_LSN)) {
            if (t.javaClass().isInstance(e)) {
                type = t;
                break;
            }
        }
        return type == null ? e.toString() : TextCodec.format(type, e);
    }

    private Object[] currentSchemas(QueryContext ctx, boolean implicit) {
        CatalogReader c = r(ctx);
        List<String> path = new ArrayList<>(c.searchPath());
        if (!implicit) {
            // pg_catalog is implicit unless search_path names it.
            String raw = CatalogReader.searchPathSetting(ctx);
            if (!raw.contains("pg_catalog")) {
                path.remove("pg_catalog");
            }
        }
        return path.toArray();
    }

    private static Iterator<Object[]> expandArray(Object[] array) {
        List<Object[]> rows = new ArrayList<>();
        for (int k = 0; k < array.length; k++) {
            rows.add(new Object[] {array[k], k + 1});
        }
        return rows.iterator();
    }
}
