package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.UUID;

/**
 * PostgreSQL's comparison, equality, hashing and assignment casts on lrep values (of the Java
 * classes {@link PgType} names), as btree and hash opclasses and {@code INSERT}/{@code UPDATE}
 * assignment see them, with C collation.
 *
 * <ul>
 *   <li>{@code compare}: PostgreSQL's default btree order; SQL NULL sorts after every value
 *       ({@code NULLS LAST}). bpchar ignores trailing spaces; text, varchar, name by code point
 *       (C collation); bytea unsigned bytewise then by length; float NaN equals NaN and is
 *       greater than everything, {@code -0 = 0}; numeric by value ({@code 1.0 = 1.00}); uuid
 *       unsigned bytewise; "char" as an unsigned byte; interval by its span (a month is 30
 *       days: {@code '1 mon' = '30 days'}); jsonb by PostgreSQL's jsonb order.
 *       Arrays element by element (a NULL element last), then the shorter first;
 *       int2vector/oidvector the shorter first, then element by element; reg* types as their
 *       oid; unknown as text; records column by column. json and void have no ordering or
 *       equality in PostgreSQL: 42883.</li>
 *   <li>{@code equal}: {@code compare == 0}, with NULL equal to NULL only ({@code IS NOT
 *       DISTINCT FROM}).</li>
 *   <li>{@code hash}: consistent with {@code equal} (equal values hash alike); not PostgreSQL's
 *       hash function values.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class Values {

    private Values() {
    }

    /** PostgreSQL's btree order of two values of {@code type}; NULL sorts last. */
    public static int compare(PgType type, Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        check(type, a);
        check(type, b);
        switch (type) {
            case BOOL:
                return Boolean.compare((Boolean) a, (Boolean) b);
            case INT2:
                return Short.compare((Short) a, (Short) b);
            case INT4:
                return Integer.compare((Integer) a, (Integer) b);
            case INT8:
            case OID:
                return Long.compare((Long) a, (Long) b);
            case FLOAT4:
                return compareDouble((Float) a, (Float) b);
            case FLOAT8:
                return compareDouble((Double) a, (Double) b);
            case NUMERIC:
                return ((BigDecimal) a).compareTo((BigDecimal) b);
            case TEXT:
            case VARCHAR:
            case NAME:
                return compareCodePoints((String) a, (String) b);
            case BPCHAR:
                return compareCodePoints(StringTypes.stripTrailingSpaces((String) a),
                        StringTypes.stripTrailingSpaces((String) b));
            case CHAR:
                return Integer.compare(StringTypes.charByte((String) a), StringTypes.charByte((String) b));
            case BYTEA:
                return Arrays.compareUnsigned((byte[]) a, (byte[]) b);
            case DATE:
                return ((LocalDate) a).compareTo((LocalDate) b);
            case TIMESTAMP:
                return ((LocalDateTime) a).compareTo((LocalDateTime) b);
            case TIMESTAMPTZ:
                return ((Instant) a).compareTo((Instant) b);
            case UUID: {
                UUID x = (UUID) a;
                UUID y = (UUID) b;
                int c = Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits());
                return c != 0 ? c : Long.compareUnsigned(x.getLeastSignificantBits(), y.getLeastSignificantBits());
            }
            case PG_LSN:
                return ((Lsn) a).compareTo((Lsn) b);
            case INTERVAL:
                return ((PgInterval) a).compareTo((PgInterval) b);
            case JSONB:
                return Json.compareTop(Json.parseJsonb((String) a), Json.parseJsonb((String) b));
            case REGCLASS:
            case REGTYPE:
            case REGPROC:
                return Long.compare((Long) a, (Long) b);
            case UNKNOWN:
                return compareCodePoints((String) a, (String) b);
            case RECORD:
                return RecordValues.compare((Object[]) a, (Object[]) b);
            case JSON:
            case VOID:
                throw noOperator(type);
            default:
                if (type.elementType() != null) {
                    return ArrayValues.compare(type, (Object[]) a, (Object[]) b);
                }
                throw noOperator(type);
        }
    }

    /** {@code a IS NOT DISTINCT FROM b} under PostgreSQL's equality operator of {@code type}. */
    public static boolean equal(PgType type, Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        switch (type) {
            case TEXT:
            case VARCHAR:
            case NAME:
                check(type, a);
                check(type, b);
                return a.equals(b);
            case BYTEA:
                check(type, a);
                check(type, b);
                return Arrays.equals((byte[]) a, (byte[]) b);
            default:
                return compare(type, a, b) == 0;
        }
    }

    /** A hash of {@code value} consistent with {@link #equal}; 0 for NULL. */
    public static int hash(PgType type, Object value) {
        if (value == null) {
            return 0;
        }
        check(type, value);
        switch (type) {
            case FLOAT4: {
                float f = (Float) value;
                return Double.hashCode(f == 0 ? 0.0 : Float.isNaN(f) ? Double.NaN : f);
            }
            case FLOAT8: {
                double d = (Double) value;
                return Double.hashCode(d == 0 ? 0.0 : Double.isNaN(d) ? Double.NaN : d);
            }
            case NUMERIC:
                return ((BigDecimal) value).stripTrailingZeros().hashCode();
            case BPCHAR:
                return StringTypes.stripTrailingSpaces((String) value).hashCode();
            case BYTEA:
                return Arrays.hashCode((byte[]) value);
            case JSONB:
                return Json.hash(Json.parseJsonb((String) value));
            case INTERVAL:
                return ((PgInterval) value).spanHash();
            case RECORD:
                return RecordValues.hash((Object[]) value);
            case JSON:
            case VOID:
                throw noOperator(type);
            default:
                if (type.elementType() != null) {
                    return ArrayValues.hash(type, (Object[]) value);
                }
                return value.hashCode();
        }
    }

    /** The type lrep assumes for a bare Java value: String is text, Long is bigint, ... */
    public static PgType typeOf(Object value) {
        if (value instanceof Boolean) {
            return PgType.BOOL;
        }
        if (value instanceof Short) {
            return PgType.INT2;
        }
        if (value instanceof Integer) {
            return PgType.INT4;
        }
        if (value instanceof Long) {
            return PgType.INT8;
        }
        if (value instanceof Float) {
            return PgType.FLOAT4;
        }
        if (value instanceof Double) {
            return PgType.FLOAT8;
        }
        if (value instanceof BigDecimal) {
            return PgType.NUMERIC;
        }
        if (value instanceof String) {
            return PgType.TEXT;
        }
        if (value instanceof byte[]) {
            return PgType.BYTEA;
        }
        if (value instanceof LocalDate) {
            return PgType.DATE;
        }
        if (value instanceof LocalDateTime) {
            return PgType.TIMESTAMP;
        }
        if (value instanceof Instant) {
            return PgType.TIMESTAMPTZ;
        }
        if (value instanceof UUID) {
            return PgType.UUID;
        }
        if (value instanceof Lsn) {
            return PgType.PG_LSN;
        }
        if (value instanceof PgInterval) {
            return PgType.INTERVAL;
        }
        throw new LrepException(SqlState.DATATYPE_MISMATCH, "no PostgreSQL type for Java class " + value.getClass().getName());
    }

    /** {@link #coerce(PgType, PgType, int, Object, ZoneId)} from {@link #typeOf the value's type}, in UTC. */
    public static Object coerce(PgType target, int typmod, Object value) {
        if (value == null) {
            return null;
        }
        return coerce(typeOf(value), target, typmod, value, TextCodec.DEFAULT_ZONE);
    }

    /** {@link #coerce(PgType, PgType, int, Object, ZoneId)} in UTC. */
    public static Object coerce(PgType source, PgType target, int typmod, Object value) {
        return coerce(source, target, typmod, value, TextCodec.DEFAULT_ZONE);
    }

    /**
     * Converts a value of {@code source} for storing in a column of {@code target(typmod)}, as
     * PostgreSQL's assignment casts do: among the numeric types (int2, int4, int8, oid, float4,
     * float8, numeric: floats round half to even, numerics half away from zero, overflow 22003),
     * among the string types (bpchar loses trailing spaces, varchar(n)/character(n) check
     * length with 22001, name truncates to 63 bytes), date/timestamp/timestamptz among
     * themselves (in {@code zone}), json to jsonb and back, any type to a string type via its
     * output function, and a string to any type via the target's input function (as an untyped
     * literal is read). The target's typmod is always applied.
     *
     * @throws LrepException 42804 when PostgreSQL has no such assignment, 22003 on overflow,
     *                       22001 for a too long string, or the input function's error
     */
    public static Object coerce(PgType source, PgType target, int typmod, Object value, ZoneId zone) {
        if (value == null) {
            return null;
        }
        check(source, value);
        if (isString(target) && source == PgType.BOOL) {
            // booltext: the cast spells the words out, unlike boolout.
            return applyTypmod(target, typmod, ((Boolean) value) ? "true" : "false", false);
        }
        if (isString(target) && !isString(source)) {
            return applyTypmod(target, typmod, TextCodec.format(source, value, zone), false);
        }
        if (isString(source) && !isString(target)) {
            String s = source == PgType.BPCHAR ? StringTypes.stripTrailingSpaces((String) value)
                    : source == PgType.CHAR ? TextCodec.format(source, value) : (String) value;
            return TextCodec.parse(target, typmod, s, zone);
        }
        if (source == target) {
            return applyTypmod(target, typmod, value, false);
        }
        if (isString(source)) {
            String s = source == PgType.CHAR ? TextCodec.format(source, value) : (String) value;
            if (source == PgType.BPCHAR) {
                s = StringTypes.stripTrailingSpaces(s);
            }
            if (target == PgType.CHAR) {
                return TextCodec.parse(PgType.CHAR, typmod, s.isEmpty() ? "" : s.substring(0, s.offsetByCodePoints(0, 1)));
            }
            return applyTypmod(target, typmod, s, false);
        }
        if (isNumber(source) && isNumber(target)) {
            return applyTypmod(target, typmod, convertNumber(source, target, value), false);
        }
        if (isDateTime(source) && isDateTime(target)) {
            return applyTypmod(target, typmod, convertDateTime(target, value, zone), false);
        }
        if (source == PgType.JSON && target == PgType.JSONB) {
            return Json.normalize((String) value);
        }
        if (source == PgType.JSONB && target == PgType.JSON) {
            return value;
        }
        throw new LrepException(SqlState.DATATYPE_MISMATCH, "value of type " + TypeNames.sqlName(source)
                + " cannot be assigned to type " + TypMod.sqlName(target, typmod));
    }

    private static Object applyTypmod(PgType type, int typmod, Object value, boolean explicit) {
        switch (type) {
            case VARCHAR:
            case BPCHAR:
                return StringTypes.applyLength(type, typmod, (String) value, explicit);
            case NAME:
                return StringTypes.truncateName((String) value);
            case NUMERIC:
                return NumericText.apply(NumericText.checkLimits(NumericText.normalize((BigDecimal) value)), typmod);
            case TIMESTAMP: {
                LocalDateTime t = DateTimeText.fromMicros(DateTimeText.roundMicros(DateTimeText.toMicros((LocalDateTime) value), typmod));
                if (!t.equals(LocalDateTime.MAX) && !t.equals(LocalDateTime.MIN)) {
                    DateTimeText.checkTimestamp(t, DateTimeText.formatTimestamp(t));
                }
                return t;
            }
            case TIMESTAMPTZ: {
                Instant i = DateTimeText.instantFromMicros(DateTimeText.roundMicros(DateTimeText.instantToMicros((Instant) value), typmod));
                if (!i.equals(Instant.MAX) && !i.equals(Instant.MIN)) {
                    DateTimeText.checkTimestamptz(i, DateTimeText.formatTimestamptz(i, TextCodec.DEFAULT_ZONE));
                }
                return i;
            }
            default:
                return value;
        }
    }

    private static boolean isString(PgType t) {
        return t == PgType.TEXT || t == PgType.VARCHAR || t == PgType.BPCHAR || t == PgType.NAME || t == PgType.CHAR;
    }

    private static boolean isNumber(PgType t) {
        return t == PgType.INT2 || t == PgType.INT4 || t == PgType.INT8 || t == PgType.OID
                || t == PgType.FLOAT4 || t == PgType.FLOAT8 || t == PgType.NUMERIC;
    }

    private static boolean isDateTime(PgType t) {
        return t == PgType.DATE || t == PgType.TIMESTAMP || t == PgType.TIMESTAMPTZ;
    }

    private static Object convertNumber(PgType source, PgType target, Object value) {
        switch (target) {
            case INT2:
                return (short) toInteger(source, value, Short.MIN_VALUE, Short.MAX_VALUE, "smallint out of range");
            case INT4:
                return (int) toInteger(source, value, Integer.MIN_VALUE, Integer.MAX_VALUE, "integer out of range");
            case INT8:
                return toInteger(source, value, Long.MIN_VALUE, Long.MAX_VALUE, "bigint out of range");
            case OID: {
                long v = toInteger(source, value, Integer.MIN_VALUE, 0xFFFF_FFFFL, "OID out of range");
                if (source == PgType.INT8 && v < 0) {
                    throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range");
                }
                return v & 0xFFFF_FFFFL;
            }
            case FLOAT8:
                return toDouble(source, value);
            case FLOAT4: {
                double d = toDouble(source, value);
                float f = (float) d;
                if (Float.isInfinite(f) && !Double.isInfinite(d)) {
                    throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
                }
                if (f == 0 && d != 0) {
                    throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
                }
                return f;
            }
            case NUMERIC:
                return toNumeric(source, value);
            default:
                throw new IllegalStateException("not a number type: " + target);
        }
    }

    private static long toInteger(PgType source, Object value, long min, long max, String overflow) {
        BigDecimal v;
        switch (source) {
            case FLOAT4:
            case FLOAT8: {
                double d = ((Number) value).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, overflow);
                }
                v = new BigDecimal(Math.rint(d));
                break;
            }
            case NUMERIC:
                v = ((BigDecimal) value).setScale(0, RoundingMode.HALF_UP);
                break;
            default:
                v = BigDecimal.valueOf(((Number) value).longValue());
                break;
        }
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, overflow);
        }
        return v.longValueExact();
    }

    private static double toDouble(PgType source, Object value) {
        if (source == PgType.NUMERIC) {
            double d = ((BigDecimal) value).doubleValue();
            if (Double.isInfinite(d)) {
                throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                        "\"" + ((BigDecimal) value).toPlainString() + "\" is out of range for type double precision");
            }
            return d;
        }
        return ((Number) value).doubleValue();
    }

    /** float to numeric goes through %.15g (float8) or %.6g (float4) as PostgreSQL does. */
    private static BigDecimal toNumeric(PgType source, Object value) {
        switch (source) {
            case FLOAT4:
            case FLOAT8: {
                double d = ((Number) value).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                            "cannot convert " + FloatText.formatDouble(d) + " to numeric: numeric NaN and Infinity are not supported");
                }
                int digits = source == PgType.FLOAT4 ? 6 : 15;
                BigDecimal r = new BigDecimal(d).round(new MathContext(digits, RoundingMode.HALF_EVEN));
                return NumericText.normalize(r.signum() == 0 ? BigDecimal.ZERO : r.stripTrailingZeros());
            }
            case NUMERIC:
                return (BigDecimal) value;
            default:
                return BigDecimal.valueOf(((Number) value).longValue());
        }
    }

    private static Object convertDateTime(PgType target, Object value, ZoneId zone) {
        // Go through local date-time in the session zone; infinities map to infinities.
        LocalDateTime local;
        Instant instant = null;
        if (value instanceof LocalDate) {
            LocalDate d = (LocalDate) value;
            local = d.equals(LocalDate.MAX) ? LocalDateTime.MAX : d.equals(LocalDate.MIN) ? LocalDateTime.MIN : d.atStartOfDay();
        } else if (value instanceof LocalDateTime) {
            local = (LocalDateTime) value;
        } else {
            instant = (Instant) value;
            local = instant.equals(Instant.MAX) ? LocalDateTime.MAX : instant.equals(Instant.MIN) ? LocalDateTime.MIN
                    : LocalDateTime.ofInstant(instant, zone);
        }
        boolean infinite = local.equals(LocalDateTime.MAX) || local.equals(LocalDateTime.MIN);
        boolean positive = local.equals(LocalDateTime.MAX);
        switch (target) {
            case DATE:
                return infinite ? (positive ? LocalDate.MAX : LocalDate.MIN) : local.toLocalDate();
            case TIMESTAMP:
                return local;
            default:
                if (instant != null) {
                    return instant;
                }
                return infinite ? (positive ? Instant.MAX : Instant.MIN)
                        : ZonedDateTime.ofLocal(local, zone, null).withLaterOffsetAtOverlap().toInstant();
        }
    }

    /** Unicode code point order: C collation on UTF-8. */
    public static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                // Surrogates (U+D800..DFFF) stand for code points above U+FFFF: they sort last.
                boolean sx = Character.isSurrogate(x);
                boolean sy = Character.isSurrogate(y);
                if (sx != sy) {
                    return sx ? 1 : -1;
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static int compareDouble(double a, double b) {
        if (Double.isNaN(a)) {
            return Double.isNaN(b) ? 0 : 1;
        }
        if (Double.isNaN(b)) {
            return -1;
        }
        return a < b ? -1 : a > b ? 1 : 0;
    }

    private static void check(PgType type, Object v) {
        if (!type.javaClass().isInstance(v)) {
            throw TypeErrors.wrongClass(type, v);
        }
    }

    private static LrepException noOperator(PgType type) {
        return new LrepException(SqlState.UNDEFINED_FUNCTION,
                "could not identify an ordering or equality operator for type " + TypeNames.sqlName(type));
    }
}
