package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.UUID;

/**
 * PostgreSQL 15's binary send and receive functions ({@code int4send}, {@code numeric_recv},
 * ...) for every {@link PgType}: the format of binary {@code Bind} parameters, binary result
 * columns, binary {@code COPY} and pgoutput's binary mode. All integers are big-endian.
 *
 * <pre>
 * bool          1 byte, 0 = false (any other byte reads as true)
 * int2/4/8      2/4/8 bytes two's complement          oid     4 bytes unsigned
 * float4/8      IEEE 754 bits                          pg_lsn  8 bytes
 * numeric       int16 ndigits, int16 weight, uint16 sign (0x0000 +, 0x4000 -, 0xC000 NaN,
 *               0xD000 +Inf, 0xF000 -Inf), int16 dscale, ndigits x int16 base-10000 digits;
 *               value = sum digit[i] * 10000^(weight - i), shown with dscale decimals
 * text, varchar, bpchar, name, json, "char"-less strings: the UTF-8 bytes
 * "char"        1 byte                                 bytea   the bytes
 * jsonb         1 byte version (1), then the text
 * date          int32 days since 2000-01-01 (Integer.MAX/MIN = infinity/-infinity)
 * timestamp(tz) int64 microseconds since 2000-01-01 00:00 UTC (Long.MAX/MIN = infinities)
 * uuid          16 bytes, most significant first
 * interval      int64 microseconds, int32 days, int32 months
 * regclass, regtype, regproc   4 bytes unsigned (the oid)
 * unknown       the UTF-8 bytes                        void    no bytes
 * arrays, int2vector, oidvector   array_send's layout (see ArrayValues); the element typmod
 *               applies to each element
 * record        int32 nfields, then per field int32 type oid, int32 length (-1 NULL), bytes
 * </pre>
 * Receive checks the length exactly and raises 22P03 for malformed input, 22008 for an out of
 * range date/time, 22021 for invalid UTF-8; the typmod is applied as in text input.
 *
 * <p>Stateless and thread-safe.
 */
public final class BinaryCodec {

    private static final int NUMERIC_POS = 0x0000;
    private static final int NUMERIC_NEG = 0x4000;
    private static final int NUMERIC_NAN = 0xC000;
    private static final int NUMERIC_PINF = 0xD000;
    private static final int NUMERIC_NINF = 0xF000;
    private static final BigInteger NBASE = BigInteger.valueOf(10_000);

    private BinaryCodec() {
    }

    /** The binary send function of {@code type}; null for SQL NULL. */
    public static byte[] send(PgType type, Object value) {
        if (value == null) {
            return null;
        }
        if (!type.javaClass().isInstance(value)) {
            throw TypeErrors.wrongClass(type, value);
        }
        switch (type) {
            case BOOL:
                return new byte[] {(byte) (((Boolean) value) ? 1 : 0)};
            case INT2:
                return ByteBuffer.allocate(2).putShort((Short) value).array();
            case INT4:
                return ByteBuffer.allocate(4).putInt((Integer) value).array();
            case INT8:
                return ByteBuffer.allocate(8).putLong((Long) value).array();
            case OID:
                return ByteBuffer.allocate(4).putInt((int) (long) (Long) value).array();
            case FLOAT4:
                return ByteBuffer.allocate(4).putInt(Float.floatToRawIntBits((Float) value)).array();
            case FLOAT8:
                return ByteBuffer.allocate(8).putLong(Double.doubleToRawLongBits((Double) value)).array();
            case NUMERIC:
                return sendNumeric((BigDecimal) value);
            case TEXT:
            case VARCHAR:
            case BPCHAR:
            case NAME:
            case JSON:
                return ((String) value).getBytes(StandardCharsets.UTF_8);
            case JSONB: {
                byte[] t = ((String) value).getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[t.length + 1];
                out[0] = 1;
                System.arraycopy(t, 0, out, 1, t.length);
                return out;
            }
            case CHAR:
                return new byte[] {(byte) StringTypes.charByte((String) value)};
            case BYTEA:
                return ((byte[]) value).clone();
            case DATE:
                return ByteBuffer.allocate(4).putInt(DateTimeText.toDays((LocalDate) value)).array();
            case TIMESTAMP:
                return ByteBuffer.allocate(8).putLong(DateTimeText.toMicros((LocalDateTime) value)).array();
            case TIMESTAMPTZ:
                return ByteBuffer.allocate(8).putLong(DateTimeText.instantToMicros((Instant) value)).array();
            case UUID: {
                UUID u = (UUID) value;
                return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
            }
            case INTERVAL: {
                PgInterval iv = (PgInterval) value;
                return ByteBuffer.allocate(16).putLong(iv.micros()).putInt(iv.days()).putInt(iv.months()).array();
            }
            case PG_LSN:
                return ByteBuffer.allocate(8).putLong(((Lsn) value).value()).array();
            case REGCLASS:
            case REGTYPE:
            case REGPROC:
                return ByteBuffer.allocate(4).putInt((int) (long) (Long) value).array();
            case UNKNOWN:
                return ((String) value).getBytes(StandardCharsets.UTF_8);
            case VOID:
                return new byte[0];
            case RECORD:
                return RecordValues.send((Object[]) value);
            default:
                if (type.elementType() != null) {
                    return ArrayValues.send(type, (Object[]) value);
                }
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "no binary send function for type " + type.typname());
        }
    }

    /** The binary receive function of {@code type} on the whole array. */
    public static Object receive(PgType type, int typmod, byte[] data) {
        return data == null ? null : receive(type, typmod, ByteBuffer.wrap(data));
    }

    /**
     * The binary receive function of {@code type}: reads all remaining bytes of {@code buf}
     * (advancing its position to the limit).
     */
    public static Object receive(PgType type, int typmod, ByteBuffer buf) {
        if (buf == null) {
            return null;
        }
        int n = buf.remaining();
        switch (type) {
            case BOOL:
                length(type, n, 1);
                return buf.get() != 0;
            case INT2:
                length(type, n, 2);
                return buf.getShort();
            case INT4:
                length(type, n, 4);
                return buf.getInt();
            case INT8:
                length(type, n, 8);
                return buf.getLong();
            case OID:
                length(type, n, 4);
                return buf.getInt() & 0xFFFF_FFFFL;
            case FLOAT4:
                length(type, n, 4);
                return Float.intBitsToFloat(buf.getInt());
            case FLOAT8:
                length(type, n, 8);
                return Double.longBitsToDouble(buf.getLong());
            case NUMERIC:
                return receiveNumeric(buf, typmod);
            case TEXT:
                return TextCodec.checkText(utf8(buf));
            case VARCHAR:
            case BPCHAR:
                return StringTypes.applyLength(type, typmod, TextCodec.checkText(utf8(buf)), false);
            case NAME:
                if (n >= TextCodec.NAME_MAX_BYTES + 1) {
                    throw new LrepException(SqlState.NAME_TOO_LONG, "identifier too long")
                            .withDetail("Identifier must be less than 64 characters.");
                }
                return TextCodec.checkText(utf8(buf));
            case JSON: {
                String s = TextCodec.checkText(utf8(buf));
                Json.validate(s);
                return s;
            }
            case JSONB: {
                if (n < 1) {
                    throw TypeErrors.binary(type, "missing version byte");
                }
                int version = buf.get();
                if (version != 1) {
                    throw TypeErrors.binary(type, "unsupported jsonb version number " + version);
                }
                return Json.normalize(TextCodec.checkText(utf8(buf)));
            }
            case CHAR:
                length(type, n, 1);
                return String.valueOf((char) (buf.get() & 0xFF));
            case BYTEA: {
                byte[] b = new byte[n];
                buf.get(b);
                return b;
            }
            case DATE: {
                length(type, n, 4);
                int days = buf.getInt();
                LocalDate d = DateTimeText.fromDays(days);
                if (days != Integer.MAX_VALUE && days != Integer.MIN_VALUE
                        && (d.isBefore(DateTimeText.MIN_DATE) || !d.isBefore(DateTimeText.END_DATE))) {
                    throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "date out of range: " + days + " days since 2000-01-01");
                }
                return d;
            }
            case TIMESTAMP: {
                length(type, n, 8);
                long micros = buf.getLong();
                LocalDateTime t = DateTimeText.fromMicros(DateTimeText.roundMicros(micros, typmod));
                if (micros != Long.MAX_VALUE && micros != Long.MIN_VALUE) {
                    DateTimeText.checkTimestamp(t, micros + " microseconds since 2000-01-01");
                }
                return t;
            }
            case TIMESTAMPTZ: {
                length(type, n, 8);
                long micros = buf.getLong();
                Instant i = DateTimeText.instantFromMicros(DateTimeText.roundMicros(micros, typmod));
                if (micros != Long.MAX_VALUE && micros != Long.MIN_VALUE) {
                    DateTimeText.checkTimestamptz(i, micros + " microseconds since 2000-01-01");
                }
                return i;
            }
            case UUID:
                length(type, n, 16);
                return new UUID(buf.getLong(), buf.getLong());
            case INTERVAL: {
                length(type, n, 16);
                long micros = buf.getLong();
                int days = buf.getInt();
                return new PgInterval(buf.getInt(), days, micros);
            }
            case PG_LSN:
                length(type, n, 8);
                return Lsn.of(buf.getLong());
            case REGCLASS:
            case REGTYPE:
            case REGPROC:
                length(type, n, 4);
                return buf.getInt() & 0xFFFF_FFFFL;
            case UNKNOWN:
                return TextCodec.checkText(utf8(buf));
            case VOID:
                buf.position(buf.limit());
                return "";
            case RECORD:
                return RecordValues.receive(buf);
            default:
                if (type.elementType() != null) {
                    return ArrayValues.receive(type, typmod, buf);
                }
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "no binary receive function for type " + type.typname());
        }
    }

    private static void length(PgType type, int actual, int expected) {
        if (actual != expected) {
            throw TypeErrors.binary(type, "expected " + expected + " bytes, got " + actual);
        }
    }

    private static String utf8(ByteBuffer buf) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buf);
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw new LrepException(SqlState.CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\"", e);
        }
    }

    // ---------------------------------------------------------------- numeric

    private static byte[] sendNumeric(BigDecimal value) {
        BigDecimal v = NumericText.normalize(value);
        int dscale = v.scale();
        BigInteger unscaled = v.unscaledValue().abs();
        // Align the fraction to whole base-10000 digits: scale up to a multiple of 4.
        int fracGroups = (dscale + 3) / 4;
        BigInteger aligned = unscaled.multiply(BigInteger.TEN.pow(fracGroups * 4 - dscale));
        // Base-10000 digits, least significant first.
        short[] rev = new short[aligned.bitLength() / 13 + 2];
        int count = 0;
        while (aligned.signum() != 0) {
            BigInteger[] qr = aligned.divideAndRemainder(NBASE);
            rev[count++] = qr[1].shortValue();
            aligned = qr[0];
        }
        // Digit k (from the least significant, 0-based) has weight k - fracGroups.
        int low = 0;
        while (low < count && rev[low] == 0) {
            low++;
        }
        int ndigits = count - low;
        int weight = ndigits == 0 ? 0 : count - 1 - fracGroups;
        ByteBuffer out = ByteBuffer.allocate(8 + 2 * ndigits);
        out.putShort((short) ndigits);
        out.putShort((short) weight);
        out.putShort((short) (v.signum() < 0 ? NUMERIC_NEG : NUMERIC_POS));
        out.putShort((short) dscale);
        for (int i = count - 1; i >= low; i--) {
            out.putShort(rev[i]);
        }
        return out.array();
    }

    private static BigDecimal receiveNumeric(ByteBuffer buf, int typmod) {
        if (buf.remaining() < 8) {
            throw TypeErrors.binary(PgType.NUMERIC, "header needs 8 bytes, got " + buf.remaining());
        }
        int ndigits = buf.getShort() & 0xFFFF;
        int weight = buf.getShort();
        int sign = buf.getShort() & 0xFFFF;
        int dscale = buf.getShort() & 0xFFFF;
        if (buf.remaining() != 2 * ndigits) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid length in external \"numeric\" value");
        }
        if (sign == NUMERIC_NAN || sign == NUMERIC_PINF || sign == NUMERIC_NINF) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "numeric NaN and Infinity are not supported");
        }
        if (sign != NUMERIC_POS && sign != NUMERIC_NEG) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid sign in external \"numeric\" value");
        }
        if (dscale > NumericText.MAX_DSCALE) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid scale in external \"numeric\" value");
        }
        BigInteger acc = BigInteger.ZERO;
        for (int i = 0; i < ndigits; i++) {
            int d = buf.getShort();
            if (d < 0 || d >= 10_000) {
                throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid digit in external \"numeric\" value");
            }
            acc = acc.multiply(NBASE).add(BigInteger.valueOf(d));
        }
        // acc holds digits with the last at weight (weight - ndigits + 1): scale = 4 * (ndigits - 1 - weight).
        BigDecimal v = new BigDecimal(acc, 4 * (ndigits - 1 - weight));
        if (sign == NUMERIC_NEG) {
            v = v.negate();
        }
        v = v.setScale(dscale, RoundingMode.DOWN);
        return NumericText.apply(NumericText.checkLimits(v), typmod);
    }
}
