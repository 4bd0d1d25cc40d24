package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * PostgreSQL 15's text input and output functions for every {@link PgType}: {@code parse} is the
 * type's input function ({@code int4in}, {@code timestamptz_in}, ...) with the column's
 * {@link TypMod typmod} applied as an assignment does; {@code format} is its output function.
 * Values are of the Java class {@link PgType#javaClass()} names; SQL NULL is {@code null} both
 * ways.
 *
 * <p>Settings fixed to PostgreSQL's defaults: DateStyle {@code ISO, MDY}, IntervalStyle
 * {@code postgres} (see {@link PgInterval}), {@code extra_float_digits = 1} (shortest exact float output), {@code
 * bytea_output = hex}, C collation. The session time zone is a parameter; the overloads without
 * one use {@link #DEFAULT_ZONE}, UTC, which prints offsets as {@code +00} exactly as
 * PostgreSQL's built-in default {@code GMT} does.
 *
 * <p>Catalog types: {@code regclass}, {@code regtype} and {@code regproc} are read and printed
 * as their oid (and {@code -} for oid 0): looking names up is the SQL layer's job, which has
 * the catalog. {@code unknown} (an untyped literal) is its text, {@code void} is the empty
 * string. Arrays and the vectors follow {@code array_in}/{@code array_out} (see {@code
 * ArrayValues}); anonymous records print as {@code record_out} does and read each field as text
 * (see {@code RecordValues}).
 *
 * <p>Known differences, all rejected rather than misread: numeric NaN/±Infinity raise
 * {@code 0A000} (a {@link BigDecimal} cannot hold them); date/time input takes the ISO forms and
 * special words only (see {@code DateTimeText}); float input takes decimal forms, not C99 hex.
 *
 * <p>Stateless and thread-safe.
 */
public final class TextCodec {

    /** The session time zone used when none is given. */
    public static final ZoneId DEFAULT_ZONE = ZoneOffset.UTC;

    /** NAMEDATALEN - 1: the longest name in bytes. */
    public static final int NAME_MAX_BYTES = 63;

    private TextCodec() {
    }

    /** The input function of {@code type} in the {@link #DEFAULT_ZONE}. */
    public static Object parse(PgType type, int typmod, String text) {
        return parse(type, typmod, text, DEFAULT_ZONE);
    }

    /**
     * The input function of {@code type}, with {@code typmod} applied.
     *
     * @param zone the session time zone: timestamptz input without an explicit zone is local
     *             time there; {@code now}/{@code today} are taken there
     * @throws LrepException 22P02 invalid syntax, 22003 out of range, 22001 too long, 22007 /
     *                       22008 bad date/time, 0A000 unsupported value (numeric NaN)
     */
    public static Object parse(PgType type, int typmod, String text, ZoneId zone) {
        if (text == null) {
            return null;
        }
        switch (type) {
            case BOOL:
                return parseBool(text);
            case INT2:
                return (short) parseInteger(text, PgType.INT2, Short.MIN_VALUE, Short.MAX_VALUE);
            case INT4:
                return (int) parseInteger(text, PgType.INT4, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case INT8:
                return parseInteger(text, PgType.INT8, Long.MIN_VALUE, Long.MAX_VALUE);
            case OID:
                return parseOid(text);
            case FLOAT4:
                return FloatText.parseFloat(text);
            case FLOAT8:
                return FloatText.parseDouble(text);
            case NUMERIC:
                return NumericText.parse(text, typmod);
            case TEXT:
                return checkText(text);
            case VARCHAR:
            case BPCHAR:
                return StringTypes.applyLength(type, typmod, checkText(text), false);
            case NAME:
                return StringTypes.truncateName(checkText(text));
            case CHAR:
                return parseChar(text);
            case BYTEA:
                return ByteaText.parse(text);
            case JSON:
                Json.validate(checkText(text));
                return text;
            case JSONB:
                return Json.normalize(checkText(text));
            case DATE:
                return DateTimeText.parseDate(text, zone);
            case TIMESTAMP:
                return DateTimeText.parseTimestamp(text, typmod, zone);
            case TIMESTAMPTZ:
                return DateTimeText.parseTimestamptz(text, typmod, zone);
            case INTERVAL:
                return IntervalText.parse(text, null);
            case UUID:
                return parseUuid(text);
            case PG_LSN:
                return parseLsn(text);
            case REGCLASS:
            case REGTYPE:
            case REGPROC:
                return parseReg(type, text);
            case UNKNOWN:
                return checkText(text);
            case VOID:
                return "";
            case RECORD:
                return RecordValues.parse(text);
            default:
                if (type.elementType() != null) {
                    return ArrayValues.parse(type, typmod, text, zone);
                }
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "no input function for type " + type.typname());
        }
    }

    /** The output function of {@code type}, timestamptz in the {@link #DEFAULT_ZONE}. */
    public static String format(PgType type, Object value) {
        return format(type, value, DEFAULT_ZONE);
    }

    /**
     * The output function of {@code type}.
     *
     * @param zone the session time zone timestamptz values are shown in
     * @throws LrepException 42804 if the value is not of the type's Java class
     */
    public static String format(PgType type, Object value, ZoneId zone) {
        if (value == null) {
            return null;
        }
        if (!type.javaClass().isInstance(value)) {
            throw TypeErrors.wrongClass(type, value);
        }
        switch (type) {
            case BOOL:
                return ((Boolean) value) ? "t" : "f";
            case INT2:
            case INT4:
            case INT8:
            case OID:
                return value.toString();
            case FLOAT4:
                return FloatText.formatFloat((Float) value);
            case FLOAT8:
                return FloatText.formatDouble((Double) value);
            case NUMERIC:
                return NumericText.format((BigDecimal) value);
            case TEXT:
            case VARCHAR:
            case BPCHAR:
            case NAME:
            case JSON:
            case JSONB:
                return (String) value;
            case CHAR:
                return formatChar((String) value);
            case BYTEA:
                return ByteaText.format((byte[]) value);
            case DATE:
                return DateTimeText.formatDate((LocalDate) value);
            case TIMESTAMP:
                return DateTimeText.formatTimestamp((LocalDateTime) value);
            case TIMESTAMPTZ:
                return DateTimeText.formatTimestamptz((Instant) value, zone);
            case UUID:
                return value.toString();
            case INTERVAL:
                return IntervalText.format((PgInterval) value);
            case PG_LSN:
                return value.toString();
            case REGCLASS:
            case REGTYPE:
            case REGPROC:
                return (Long) value == 0 ? "-" : value.toString();
            case UNKNOWN:
                return (String) value;
            case VOID:
                return "";
            case RECORD:
                return RecordValues.format((Object[]) value, zone);
            default:
                if (type.elementType() != null) {
                    return ArrayValues.format(type, (Object[]) value, zone);
                }
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "no output function for type " + type.typname());
        }
    }

    // ---------------------------------------------------------------- bool

    private static Boolean parseBool(String text) {
        int b = 0;
        int e = text.length();
        while (b < e && FloatText.isSpace(text.charAt(b))) {
            b++;
        }
        while (e > b && FloatText.isSpace(text.charAt(e - 1))) {
            e--;
        }
        String s = text.substring(b, e);
        int n = s.length();
        if (n > 0) {
            switch (Character.toLowerCase(s.charAt(0))) {
                case 't':
                    if (prefixOf(s, "true")) {
                        return Boolean.TRUE;
                    }
                    break;
                case 'f':
                    if (prefixOf(s, "false")) {
                        return Boolean.FALSE;
                    }
                    break;
                case 'y':
                    if (prefixOf(s, "yes")) {
                        return Boolean.TRUE;
                    }
                    break;
                case 'n':
                    if (prefixOf(s, "no")) {
                        return Boolean.FALSE;
                    }
                    break;
                case 'o':
                    if (n >= 2 && prefixOf(s, "on")) {
                        return Boolean.TRUE;
                    }
                    if (n >= 2 && prefixOf(s, "off")) {
                        return Boolean.FALSE;
                    }
                    break;
                case '1':
                    if (n == 1) {
                        return Boolean.TRUE;
                    }
                    break;
                case '0':
                    if (n == 1) {
                        return Boolean.FALSE;
                    }
                    break;
                default:
                    break;
            }
        }
        throw TypeErrors.invalidSyntax(PgType.BOOL, text);
    }

    private static boolean prefixOf(String s, String word) {
        return s.length() <= word.length() && word.regionMatches(true, 0, s, 0, s.length());
    }

    // ---------------------------------------------------------------- integers

    /** pg_strtoint16/32/64: whitespace, optional sign, decimal digits, whitespace. */
    private static long parseInteger(String text, PgType type, long min, long max) {
        int i = 0;
        int n = text.length();
        while (i < n && FloatText.isSpace(text.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            neg = text.charAt(i) == '-';
            i++;
        }
        int start = i;
        long acc = 0;
        boolean overflow = false;
        while (i < n && FloatText.isDigit(text.charAt(i))) {
            int d = text.charAt(i) - '0';
            if (!overflow) {
                // Accumulate negatively so that MIN_VALUE fits.
                if (acc < (Long.MIN_VALUE + d) / 10) {
                    overflow = true;
                } else {
                    acc = acc * 10 - d;
                }
            }
            i++;
        }
        if (i == start) {
            throw TypeErrors.invalidSyntax(type, text);
        }
        while (i < n && FloatText.isSpace(text.charAt(i))) {
            i++;
        }
        if (i != n) {
            throw TypeErrors.invalidSyntax(type, text);
        }
        if (!neg) {
            if (acc == Long.MIN_VALUE) {
                overflow = true;
            }
            acc = -acc;
        }
        if (overflow || acc < min || acc > max) {
            throw TypeErrors.outOfRange(type, text);
        }
        return acc;
    }

    /** oidin: like strtoul; -2147483648 .. 4294967295, negatives wrap to unsigned. */
    private static Long parseOid(String text) {
        long v;
        try {
            v = parseInteger(text, PgType.OID, Long.MIN_VALUE, Long.MAX_VALUE);
        } catch (LrepException e) {
            if (e.sqlState() == SqlState.NUMERIC_VALUE_OUT_OF_RANGE) {
                throw TypeErrors.outOfRange(PgType.OID, text);
            }
            throw e;
        }
        if (v > 0xFFFF_FFFFL || v < Integer.MIN_VALUE) {
            throw TypeErrors.outOfRange(PgType.OID, text);
        }
        return v & 0xFFFF_FFFFL;
    }

    // ---------------------------------------------------------------- strings

    /** PostgreSQL text cannot hold NUL. */
    static String checkText(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new LrepException(SqlState.CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\": 0x00");
        }
        return s;
    }

    /** "char": the first byte, or the octal escape {@code \ooo}; empty input is the zero byte. */
    private static String parseChar(String text) {
        if (text.length() == 4 && text.charAt(0) == '\\' && isOctal(text.charAt(1)) && isOctal(text.charAt(2))
                && isOctal(text.charAt(3))) {
            int v = ((text.charAt(1) - '0') << 6) + ((text.charAt(2) - '0') << 3) + (text.charAt(3) - '0');
            return String.valueOf((char) (v & 0xFF));
        }
        if (text.isEmpty()) {
            return "\0";
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return String.valueOf((char) (utf8[0] & 0xFF));
    }

    private static String formatChar(String v) {
        int c = StringTypes.charByte(v);
        if (c == 0) {
            return "";
        }
        if (c >= 0x80) {
            return "\\" + ((c >> 6) & 7) + ((c >> 3) & 7) + (c & 7);
        }
        return String.valueOf((char) c);
    }

    static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    // ---------------------------------------------------------------- reg*

    /**
     * regclassin and friends, numeric forms only: an oid, or {@code -} for oid 0. A name needs
     * the catalog, which this codec has not: the SQL layer resolves names before it gets here.
     */
    private static Long parseReg(PgType type, String text) {
        if (text.equals("-")) {
            return 0L;
        }
        String t = text.strip();
        if (!t.isEmpty() && (FloatText.isDigit(t.charAt(0)) || t.charAt(0) == '-' || t.charAt(0) == '+')) {
            return parseOid(text);
        }
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                "input of type " + type.typname() + " by name needs the catalog: \"" + text + "\"")
                .withHint("Resolve the name in the SQL layer, or give the oid.");
    }

    // ---------------------------------------------------------------- uuid, pg_lsn

    /** string_to_uuid: optional braces, 32 hex digits, a hyphen allowed after any 4 digits. */
    private static UUID parseUuid(String text) {
        int i = 0;
        int n = text.length();
        boolean braces = false;
        if (n > 0 && text.charAt(0) == '{') {
            braces = true;
            i++;
        }
        long hi = 0;
        long lo = 0;
        for (int b = 0; b < 16; b++) {
            if (i + 1 >= n) {
                throw TypeErrors.invalidSyntax(PgType.UUID, text);
            }
            int d1 = Character.digit(text.charAt(i), 16);
            int d2 = Character.digit(text.charAt(i + 1), 16);
            if (d1 < 0 || d2 < 0 || text.charAt(i) > 0x7f || text.charAt(i + 1) > 0x7f) {
                throw TypeErrors.invalidSyntax(PgType.UUID, text);
            }
            int v = d1 * 16 + d2;
            if (b < 8) {
                hi = (hi << 8) | v;
            } else {
                lo = (lo << 8) | v;
            }
            i += 2;
            if (i < n && text.charAt(i) == '-' && (b % 2) == 1 && b < 15) {
                i++;
            }
        }
        if (braces) {
            if (i >= n || text.charAt(i) != '}') {
                throw TypeErrors.invalidSyntax(PgType.UUID, text);
            }
            i++;
        }
        if (i != n) {
            throw TypeErrors.invalidSyntax(PgType.UUID, text);
        }
        return new UUID(hi, lo);
    }

    /** pg_lsn_in: 1-8 hex digits, '/', 1-8 hex digits. */
    private static Lsn parseLsn(String text) {
        int slash = text.indexOf('/');
        if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8
                || !allHex(text, 0, slash) || !allHex(text, slash + 1, text.length())) {
            throw TypeErrors.invalidSyntax(PgType.PG_LSN, text);
        }
        return Lsn.parse(text);
    }

    private static boolean allHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }
}
