package io.lrep.node.sql.catalog;

import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.SchemaDef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TypMod;
import io.lrep.node.sql.ColumnInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of the information_schema views, as PostgreSQL 15 computes them for a superuser
 * (who sees every object).
 */
final class InformationSchemaViews {

    private static final int MAX_TEXT_OCTETS = 1_073_741_824;

    private InformationSchemaViews() {}

    private static String database(CatalogReader c) {
        return c.context().session() == null ? "postgres" : c.context().session().database();
    }

    private static String yesNo(boolean b) {
        return b ? "YES" : "NO";
    }

    static List<Object[]> schemata(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.IS_SCHEMATA);
        List<Object[]> out = new ArrayList<>();
        for (SchemaDef s : c.namespaces()) {
            out.add(m.row("catalog_name", database(c), "schema_name", s.name(), "schema_owner", c.userName(CatalogReader.namespaceOwner(s))));
        }
        return out;
    }

    static List<Object[]> tables(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.IS_TABLES);
        List<Object[]> out = new ArrayList<>();
        for (CatalogReader.Rel r : c.relations()) {
            if (r.kind() != 'r' && r.kind() != 'v') {
                continue;
            }
            boolean table = r.kind() == 'r';
            out.add(m.row("table_catalog", database(c), "table_schema", r.namespace(), "table_name", r.name(),
                    "table_type", table ? "BASE TABLE" : "VIEW", "is_insertable_into", yesNo(table), "is_typed", "NO"));
        }
        return out;
    }

    static List<Object[]> columns(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.IS_COLUMNS);
        List<Object[]> out = new ArrayList<>();
        for (CatalogReader.Rel r : c.relations()) {
            if (r.shape() != null) {
                int pos = 0;
                for (ColumnInfo col : r.shape().columns()) {
                    pos++;
                    out.add(column(c, m, r, pos, col.name(), col.type(), -1, false, null, ColumnDef.NO_IDENTITY, null));
                }
            } else if (r.kind() == 'r') {
                for (ColumnDef col : r.table().columns()) {
                    if (col.dropped()) {
                        continue;
                    }
                    SequenceDef seq = col.isIdentity() ? c.txn().sequence(col.identitySequenceOid()) : null;
                    out.add(column(c, m, r, col.attnum(), col.name(), col.type(), col.typmod(), col.notNull(), col.defaultExpr(),
                            col.identity(), seq));
                }
            }
        }
        return out;
    }

    private static Object[] column(CatalogReader c, RowMaker m, CatalogReader.Rel r, int pos, String name, PgType type, int typmod,
            boolean notNull, String dflt, char identity, SequenceDef seq) {
        boolean array = type.elementType() != null && type.typname().startsWith("_");
        Integer charMax = null;
        Integer octets = null;
        if (type == PgType.VARCHAR || type == PgType.BPCHAR || type == PgType.TEXT) {
            int len = TypMod.lengthOf(typmod);
            charMax = len >= 0 ? len : null;
            octets = len >= 0 ? len * 4 : MAX_TEXT_OCTETS;
        }
        Integer precision = null;
        Integer radix = null;
        Integer scale = null;
        switch (type) {
            case INT2 -> { precision = 16; radix = 2; scale = 0; }
            case INT4 -> { precision = 32; radix = 2; scale = 0; }
            case INT8 -> { precision = 64; radix = 2; scale = 0; }
            case FLOAT4 -> { precision = 24; radix = 2; }
            case FLOAT8 -> { precision = 53; radix = 2; }
            case NUMERIC -> {
                radix = 10;
                if (typmod >= 4) {
                    int v = typmod - 4;
                    precision = (v >> 16) & 0xffff;
                    scale = ((v & 0x7ff) ^ 1024) - 1024;
                }
            }
            default -> { }
        }
        Integer datetimePrecision = switch (type) {
            case DATE -> 0;
            case TIMESTAMP, TIMESTAMPTZ -> typmod >= 0 ? typmod : 6;
            default -> null;
        };
        boolean isIdentity = identity != ColumnDef.NO_IDENTITY;
        return m.row("table_catalog", database(c), "table_schema", r.namespace(), "table_name", r.name(), "column_name", name,
                "ordinal_position", pos, "column_default", dflt, "is_nullable", yesNo(!notNull),
                "data_type", array ? "ARRAY" : TypeFormat.format(type.oid()), "character_maximum_length", charMax,
                "character_octet_length", octets, "numeric_precision", precision, "numeric_precision_radix", radix,
                "numeric_scale", scale, "datetime_precision", datetimePrecision, "udt_catalog", database(c),
                "udt_schema", "pg_catalog", "udt_name", type.typname(), "dtd_identifier", Integer.toString(pos),
                "is_self_referencing", "NO", "is_identity", yesNo(isIdentity),
                "identity_generation", !isIdentity ? null : identity == 'a' ? "ALWAYS" : "BY DEFAULT",
                "identity_start", seq == null ? null : Long.toString(seq.start()),
                "identity_increment", seq == null ? null : Long.toString(seq.increment()),
                "identity_maximum", seq == null ? null : Long.toString(seq.max()),
                "identity_minimum", seq == null ? null : Long.toString(seq.min()),
                "identity_cycle", seq == null ? "NO" : yesNo(seq.cycle()), "is_generated", "NEVER",
                "is_updatable", yesNo(r.kind() == 'r'));
    }

    static List<Object[]> sequences(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.IS_SEQUENCES);
        List<Object[]> out = new ArrayList<>();
        for (SequenceDef s : c.txn().sequences()) {
            PgType type = PgCatalogViews.sequenceType(s);
            int precision = type == PgType.INT2 ? 16 : type == PgType.INT4 ? 32 : 64;
            out.add(m.row("sequence_catalog", database(c), "sequence_schema", s.schemaName(), "sequence_name", s.name(),
                    "data_type", TypeFormat.format(type.oid()), "numeric_precision", precision, "numeric_precision_radix", 2,
                    "numeric_scale", 0, "start_value", Long.toString(s.start()), "minimum_value", Long.toString(s.min()),
                    "maximum_value", Long.toString(s.max()), "increment", Long.toString(s.increment()),
                    "cycle_option", yesNo(s.cycle())));
        }
        return out;
    }

    /** Primary keys, and NOT NULL columns as CHECK constraints named {@code <nsp>_<rel>_<attnum>_not_null}, as PostgreSQL 15 lists them. */
    static List<Object[]> tableConstraints(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.IS_TABLE_CONSTRAINTS);
        List<Object[]> out = new ArrayList<>();
        for (TableDef t : c.txn().tables()) {
            if (t.hasPrimaryKey()) {
                out.add(m.row("constraint_catalog", database(c), "constraint_schema", t.schemaName(), "constraint_name", t.pkeyName(),
                        "table_catalog", database(c), "table_schema", t.schemaName(), "table_name", t.name(),
                        "constraint_type", "PRIMARY KEY", "is_deferrable", "NO", "initially_deferred", "NO", "enforced", "YES",
                        "nulls_distinct", "YES"));
            }
            for (ColumnDef col : t.columns()) {
                if (col.notNull() && !col.dropped()) {
                    String name = Integer.toUnsignedString(t.schemaOid()) + "_" + Integer.toUnsignedString(t.oid()) + "_"
                            + col.attnum() + "_not_null";
                    out.add(m.row("constraint_catalog", database(c), "constraint_schema", t.schemaName(), "constraint_name", name,
                            "table_catalog", database(c), "table_schema", t.schemaName(), "table_name", t.name(),
                            "constraint_type", "CHECK", "is_deferrable", "NO", "initially_deferred", "NO", "enforced", "YES"));
                }
            }
        }
        return out;
    }

    static List<Object[]> keyColumnUsage(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.IS_KEY_COLUMN_USAGE);
        List<Object[]> out = new ArrayList<>();
        for (TableDef t : c.txn().tables()) {
            for (int k = 0; k < t.primaryKey().size(); k++) {
                ColumnDef col = t.columns().get(t.primaryKey().get(k) - 1);
                out.add(m.row("constraint_catalog", database(c), "constraint_schema", t.schemaName(), "constraint_name", t.pkeyName(),
                        "table_catalog", database(c), "table_schema", t.schemaName(), "table_name", t.name(), "column_name", col.name(),
                        "ordinal_position", k + 1));
            }
        }
        return out;
    }
}
