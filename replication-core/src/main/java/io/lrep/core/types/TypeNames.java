package io.lrep.core.types;

/** The names PostgreSQL uses for each type in its messages. */
final class TypeNames {

    private TypeNames() {
    }

    /** The name in {@code format_type} style: {@code integer}, {@code character varying}, ... */
    static String sqlName(PgType type) {
        switch (type) {
            case BOOL: return "boolean";
            case INT2: return "smallint";
            case INT4: return "integer";
            case INT8: return "bigint";
            case FLOAT4: return "real";
            case FLOAT8: return "double precision";
            case VARCHAR: return "character varying";
            case BPCHAR: return "character";
            case CHAR: return "\"char\"";
            case TIMESTAMP: return "timestamp without time zone";
            case TIMESTAMPTZ: return "timestamp with time zone";
            default:
                if (type.category() == 'A' && type != PgType.INT2VECTOR && type != PgType.OIDVECTOR) {
                    return sqlName(type.elementType()) + "[]";
                }
                return type.typname();
        }
    }

    /** The name the input functions print in "invalid input syntax for type X". */
    static String inputName(PgType type) {
        switch (type) {
            case TIMESTAMP: return "timestamp";
            case JSONB: return "json";
            default: return sqlName(type);
        }
    }
}
