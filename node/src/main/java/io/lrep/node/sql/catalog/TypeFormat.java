package io.lrep.node.sql.catalog;

import io.lrep.core.types.PgType;

/** {@code format_type(oid, typmod)} as PostgreSQL 15 prints it. */
public final class TypeFormat {

    private static final int VARHDRSZ = 4;

    private TypeFormat() {}

    /**
     * The SQL name of a type with its modifier: {@code integer}, {@code character varying(20)},
     * {@code numeric(10,2)}, {@code timestamp(3) with time zone}, {@code text[]}; {@code ???} for
     * an unknown oid. A null {@code typmod} means "not given", which differs from -1 only for
     * {@code bpchar} (PostgreSQL prints {@code bpchar} for -1, {@code character} for NULL).
     */
    public static String format(long oid, Integer typmod) {
        PgType type = oid > Integer.MAX_VALUE || oid < 0 ? null : PgType.byOid((int) oid);
        if (type == null) {
            return "???";
        }
        PgType element = type.elementType();
        if (element != null && type.typname().startsWith("_")) {
            return format(element.oid(), typmod) + "[]";
        }
        int mod = typmod == null ? -1 : typmod;
        return switch (type) {
            case BOOL -> "boolean";
            case INT2 -> "smallint";
            case INT4 -> "integer";
            case INT8 -> "bigint";
            case FLOAT4 -> "real";
            case FLOAT8 -> "double precision";
            case CHAR -> "\"char\"";
            case VARCHAR -> "character varying" + length(mod);
            case BPCHAR -> mod >= VARHDRSZ ? "character" + length(mod) : typmod == null ? "character" : "bpchar";
            case NUMERIC -> "numeric" + numeric(mod);
            case TIMESTAMP -> "timestamp" + precision(mod) + " without time zone";
            case TIMESTAMPTZ -> "timestamp" + precision(mod) + " with time zone";
            default -> type.typname();
        };
    }

    /** {@link #format(long, Integer)} of a type without modifier, as regtype prints it. */
    public static String format(long oid) {
        return format(oid, null);
    }

    private static String length(int mod) {
        return mod >= VARHDRSZ ? "(" + (mod - VARHDRSZ) + ")" : "";
    }

    private static String numeric(int mod) {
        if (mod < VARHDRSZ) {
            return "";
        }
        int v = mod - VARHDRSZ;
        int precision = (v >> 16) & 0xffff;
        int scale = ((v & 0x7ff) ^ 1024) - 1024;
        return "(" + precision + "," + scale + ")";
    }

    private static String precision(int mod) {
        return mod >= 0 ? "(" + mod + ")" : "";
    }
}
