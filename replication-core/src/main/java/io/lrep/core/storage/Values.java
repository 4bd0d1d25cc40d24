package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.types.PgType;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.UUID;

/**
 * Comparison, equality and a compact binary form for the Java classes that {@link PgType} names.
 * Order: the class's natural order, except {@code byte[]} and {@link UUID}, which compare as
 * unsigned bytes (as PostgreSQL's memcmp does). Numeric equality ignores scale (1.0 = 1.00).
 */
public final class Values {

    private Values() {}

    /** Orders two non-null values of the same column type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static int compare(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.compareUnsigned(x, y);
        }
        if (a instanceof UUID x && b instanceof UUID y) {
            int c = Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits());
            return c != 0 ? c : Long.compareUnsigned(x.getLeastSignificantBits(), y.getLeastSignificantBits());
        }
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        throw new LrepException(SqlState.DATATYPE_MISMATCH,
                "cannot compare " + a.getClass().getSimpleName() + " with " + b.getClass().getSimpleName());
    }

    /** SQL-style equality of two values, null equal to null. */
    public static boolean equal(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.getClass() != b.getClass()) {
            return false;
        }
        return compare(a, b) == 0;
    }

    /** A hash consistent with {@link #equal(Object, Object)}. */
    public static int hash(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof byte[] b) {
            return Arrays.hashCode(b);
        }
        if (v instanceof BigDecimal d) {
            return d.signum() == 0 ? 0 : d.stripTrailingZeros().hashCode();
        }
        return v.hashCode();
    }

    /** Whether two rows are equal value by value. */
    public static boolean rowsEqual(Object[] a, Object[] b) {
        int n = Math.max(a.length, b.length);
        for (int i = 0; i < n; i++) {
            Object x = i < a.length ? a[i] : null;
            Object y = i < b.length ? b[i] : null;
            if (!equal(x, y)) {
                return false;
            }
        }
        return true;
    }

    /** Writes one nullable value with a tag byte naming its class. */
    static void write(DataOutputStream out, Object v) throws IOException {
        if (v == null) {
            out.writeByte(0);
        } else if (v instanceof Boolean b) {
            out.writeByte(1);
            out.writeBoolean(b);
        } else if (v instanceof Short s) {
            out.writeByte(2);
            out.writeShort(s);
        } else if (v instanceof Integer i) {
            out.writeByte(3);
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte(4);
            out.writeLong(l);
        } else if (v instanceof Float f) {
            out.writeByte(5);
            out.writeFloat(f);
        } else if (v instanceof Double d) {
            out.writeByte(6);
            out.writeDouble(d);
        } else if (v instanceof BigDecimal d) {
            out.writeByte(7);
            out.writeInt(d.scale());
            writeBytes(out, d.unscaledValue().toByteArray());
        } else if (v instanceof String s) {
            out.writeByte(8);
            writeString(out, s);
        } else if (v instanceof byte[] b) {
            out.writeByte(9);
            writeBytes(out, b);
        } else if (v instanceof LocalDate d) {
            out.writeByte(10);
            out.writeLong(d.toEpochDay());
        } else if (v instanceof LocalDateTime t) {
            out.writeByte(11);
            out.writeLong(t.toLocalDate().toEpochDay());
            out.writeLong(t.toLocalTime().toNanoOfDay());
        } else if (v instanceof Instant t) {
            out.writeByte(12);
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        } else if (v instanceof UUID u) {
            out.writeByte(13);
            out.writeLong(u.getMostSignificantBits());
            out.writeLong(u.getLeastSignificantBits());
        } else if (v instanceof Lsn l) {
            out.writeByte(14);
            out.writeLong(l.value());
        } else {
            throw new LrepException(SqlState.DATATYPE_MISMATCH, "cannot store a value of class " + v.getClass().getName());
        }
    }

    static Object read(DataInputStream in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 0 -> null;
            case 1 -> in.readBoolean();
            case 2 -> in.readShort();
            case 3 -> in.readInt();
            case 4 -> in.readLong();
            case 5 -> in.readFloat();
            case 6 -> in.readDouble();
            case 7 -> {
                int scale = in.readInt();
                yield new BigDecimal(new BigInteger(readBytes(in)), scale);
            }
            case 8 -> readString(in);
            case 9 -> readBytes(in);
            case 10 -> LocalDate.ofEpochDay(in.readLong());
            case 11 -> LocalDateTime.of(LocalDate.ofEpochDay(in.readLong()), java.time.LocalTime.ofNanoOfDay(in.readLong()));
            case 12 -> Instant.ofEpochSecond(in.readLong(), in.readInt());
            case 13 -> new UUID(in.readLong(), in.readLong());
            case 14 -> Lsn.of(in.readLong());
            default -> throw new IOException("unknown value tag " + tag);
        };
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        writeBytes(out, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String readString(DataInputStream in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** PostgreSQL's name for a value's type, for 42804 messages. */
    static String typeNameOf(Object v) {
        for (PgType t : new PgType[] {PgType.BOOL, PgType.INT2, PgType.INT4, PgType.INT8, PgType.FLOAT4, PgType.FLOAT8,
                PgType.NUMERIC, PgType.TEXT, PgType.BYTEA, PgType.DATE, PgType.TIMESTAMP, PgType.TIMESTAMPTZ, PgType.UUID,
                PgType.PG_LSN}) {
            if (t.javaClass().isInstance(v)) {
                return sqlName(t);
            }
        }
        return v.getClass().getSimpleName();
    }

    /** The SQL spelling PostgreSQL's messages use (format_type). */
    static String sqlName(PgType t) {
        return switch (t) {
            case BOOL -> "boolean";
            case INT2 -> "smallint";
            case INT4 -> "integer";
            case INT8 -> "bigint";
            case FLOAT4 -> "real";
            case FLOAT8 -> "double precision";
            case VARCHAR -> "character varying";
            case BPCHAR -> "character";
            case TIMESTAMP -> "timestamp without time zone";
            case TIMESTAMPTZ -> "timestamp with time zone";
            case CHAR -> "\"char\"";
            default -> t.typname();
        };
    }
}
