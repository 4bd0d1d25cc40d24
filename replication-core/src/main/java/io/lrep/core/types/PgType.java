package io.lrep.core.types;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The PostgreSQL types lrep stores, with PostgreSQL's OIDs, names and lengths, and the one Java
 * class that holds a value of each type everywhere in lrep (storage, WAL, executor, codecs).
 *
 * <pre>
 * bool Boolean      int2 Short        int4 Integer      int8 Long       float4 Float   float8 Double
 * numeric BigDecimal                  text, varchar, bpchar, name, json, jsonb, "char": String
 * bytea byte[]      date LocalDate    timestamp LocalDateTime           timestamptz Instant
 * uuid UUID         oid Long          pg_lsn io.lrep.core.lsn.Lsn       interval PgInterval
 * arrays, int2vector, oidvector: Object[] of the element type's class (null elements allowed)
 * regclass, regtype, regproc: Long (the oid)      unknown (an untyped literal): String
 * </pre>
 * {@code infinity} / {@code -infinity} of date, timestamp and timestamptz are the MAX / MIN
 * constants of the Java class. SQL NULL is Java {@code null}.
 */
public enum PgType {
    BOOL(16, "bool", 1, 'B', Boolean.class),
    BYTEA(17, "bytea", -1, 'U', byte[].class),
    CHAR(18, "char", 1, 'Z', String.class),
    NAME(19, "name", 64, 'S', String.class),
    INT8(20, "int8", 8, 'N', Long.class),
    INT2(21, "int2", 2, 'N', Short.class),
    INT4(23, "int4", 4, 'N', Integer.class),
    TEXT(25, "text", -1, 'S', String.class),
    OID(26, "oid", 4, 'N', Long.class),
    JSON(114, "json", -1, 'U', String.class),
    FLOAT4(700, "float4", 4, 'N', Float.class),
    FLOAT8(701, "float8", 8, 'N', Double.class),
    BPCHAR(1042, "bpchar", -1, 'S', String.class),
    VARCHAR(1043, "varchar", -1, 'S', String.class),
    DATE(1082, "date", 4, 'D', java.time.LocalDate.class),
    TIMESTAMP(1114, "timestamp", 8, 'D', java.time.LocalDateTime.class),
    TIMESTAMPTZ(1184, "timestamptz", 8, 'D', java.time.Instant.class),
    INTERVAL(1186, "interval", 16, 'T', PgInterval.class),
    NUMERIC(1700, "numeric", -1, 'N', java.math.BigDecimal.class),
    UUID(2950, "uuid", 16, 'U', java.util.UUID.class),
    PG_LSN(3220, "pg_lsn", 8, 'U', io.lrep.core.lsn.Lsn.class),
    JSONB(3802, "jsonb", -1, 'U', String.class),

    // Types the system catalogs and their functions use. Arrays and vectors hold Object[] of
    // their element type's class (elementType()); reg* types hold the object's oid as Long.
    INT2VECTOR(22, "int2vector", -1, 'A', Object[].class),
    REGPROC(24, "regproc", 4, 'N', Long.class),
    OIDVECTOR(30, "oidvector", -1, 'A', Object[].class),
    UNKNOWN(705, "unknown", -2, 'X', String.class),
    BOOL_ARRAY(1000, "_bool", -1, 'A', Object[].class),
    CHAR_ARRAY(1002, "_char", -1, 'A', Object[].class),
    NAME_ARRAY(1003, "_name", -1, 'A', Object[].class),
    INT2_ARRAY(1005, "_int2", -1, 'A', Object[].class),
    INT4_ARRAY(1007, "_int4", -1, 'A', Object[].class),
    TEXT_ARRAY(1009, "_text", -1, 'A', Object[].class),
    INT8_ARRAY(1016, "_int8", -1, 'A', Object[].class),
    FLOAT8_ARRAY(1022, "_float8", -1, 'A', Object[].class),
    OID_ARRAY(1028, "_oid", -1, 'A', Object[].class),
    VARCHAR_ARRAY(1015, "_varchar", -1, 'A', Object[].class),
    INTERVAL_ARRAY(1187, "_interval", -1, 'A', Object[].class),
    REGCLASS(2205, "regclass", 4, 'N', Long.class),
    REGTYPE(2206, "regtype", 4, 'N', Long.class),
    RECORD(2249, "record", -1, 'P', Object[].class),
    VOID(2278, "void", 4, 'P', String.class);

    private static final Map<Integer, PgType> BY_OID = new HashMap<>();
    private static final Map<String, PgType> BY_NAME = new HashMap<>();

    static {
        for (PgType t : values()) {
            BY_OID.put(t.oid, t);
            BY_NAME.put(t.typname, t);
        }
        // The SQL spellings PostgreSQL accepts for the same types.
        BY_NAME.put("boolean", BOOL);
        BY_NAME.put("smallint", INT2);
        BY_NAME.put("integer", INT4);
        BY_NAME.put("int", INT4);
        BY_NAME.put("bigint", INT8);
        BY_NAME.put("real", FLOAT4);
        BY_NAME.put("double precision", FLOAT8);
        BY_NAME.put("float", FLOAT8);
        BY_NAME.put("decimal", NUMERIC);
        BY_NAME.put("character varying", VARCHAR);
        BY_NAME.put("character", BPCHAR);
        BY_NAME.put("timestamp without time zone", TIMESTAMP);
        BY_NAME.put("timestamp with time zone", TIMESTAMPTZ);
    }

    private final int oid;
    private final String typname;
    private final int typlen;
    private final char category;
    private final Class<?> javaClass;

    PgType(int oid, String typname, int typlen, char category, Class<?> javaClass) {
        this.oid = oid;
        this.typname = typname;
        this.typlen = typlen;
        this.category = category;
        this.javaClass = javaClass;
    }

    /** pg_type.oid */
    public int oid() {
        return oid;
    }

    /** pg_type.typname, e.g. {@code int4}. */
    public String typname() {
        return typname;
    }

    /** pg_type.typlen: bytes, or -1 for variable length. */
    public int typlen() {
        return typlen;
    }

    /** pg_type.typcategory. */
    public char category() {
        return category;
    }

    /** The Java class of a non-null value of this type. */
    public Class<?> javaClass() {
        return javaClass;
    }

    /** For arrays and vectors, the type of their elements; null for other types. */
    public PgType elementType() {
        return switch (this) {
            case INT2VECTOR, INT2_ARRAY -> INT2;
            case OIDVECTOR, OID_ARRAY -> OID;
            case BOOL_ARRAY -> BOOL;
            case CHAR_ARRAY -> CHAR;
            case NAME_ARRAY -> NAME;
            case INT4_ARRAY -> INT4;
            case TEXT_ARRAY -> TEXT;
            case INT8_ARRAY -> INT8;
            case FLOAT8_ARRAY -> FLOAT8;
            case VARCHAR_ARRAY -> VARCHAR;
            case INTERVAL_ARRAY -> INTERVAL;
            default -> null;
        };
    }

    /** The array type whose elements are this type (pg_type.typarray), or null. */
    public PgType arrayType() {
        for (PgType t : values()) {
            if (t.typname.equals("_" + typname)) {
                return t;
            }
        }
        return null;
    }

    /** The type with this OID, or null. */
    public static PgType byOid(int oid) {
        return BY_OID.get(oid);
    }

    /** The type with this name or SQL spelling (case-insensitive), or null. */
    public static PgType byName(String name) {
        return BY_NAME.get(name.toLowerCase(Locale.ROOT));
    }
}
