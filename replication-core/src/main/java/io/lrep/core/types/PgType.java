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
 * uuid UUID         oid Long          pg_lsn io.lrep.core.lsn.Lsn
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
    NUMERIC(1700, "numeric", -1, 'N', java.math.BigDecimal.class),
    UUID(2950, "uuid", 16, 'U', java.util.UUID.class),
    PG_LSN(3220, "pg_lsn", 8, 'U', io.lrep.core.lsn.Lsn.class),
    JSONB(3802, "jsonb", -1, 'U', String.class);

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

    /** The type with this OID, or null. */
    public static PgType byOid(int oid) {
        return BY_OID.get(oid);
    }

    /** The type with this name or SQL spelling (case-insensitive), or null. */
    public static PgType byName(String name) {
        return BY_NAME.get(name.toLowerCase(Locale.ROOT));
    }
}
