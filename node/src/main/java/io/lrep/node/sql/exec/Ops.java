package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.types.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Operators on lrep values with PostgreSQL's result types and errors: arithmetic with the
 * int2/int4/int8/numeric/float4/float8 promotions, comparison across types, text concatenation,
 * LIKE/ILIKE and POSIX regular expressions.
 */
public final class Ops {

    private Ops() {}

    /** Whether a type is one of the numeric types operators promote among. */
    public static boolean isNumeric(PgType t) {
        return rank(t) > 0;
    }

    private static int rank(PgType t) {
        return switch (t) {
            case INT2 -> 1;
            case INT4 -> 2;
            case INT8, OID -> 3;
            case NUMERIC -> 4;
            case FLOAT4 -> 5;
            case FLOAT8 -> 6;
            default -> 0;
        };
    }

    public static boolean isString(PgType t) {
        return t == PgType.TEXT || t == PgType.VARCHAR || t == PgType.BPCHAR || t == PgType.NAME || t == PgType.CHAR;
    }

    public static boolean isDateTime(PgType t) {
        return t == PgType.DATE || t == PgType.TIMESTAMP || t == PgType.TIMESTAMPTZ;
    }

    /** The type both numeric operands are promoted to. */
    public static PgType numericCommon(PgType a, PgType b) {
        if (a == PgType.OID) {
            a = PgType.INT8;
        }
        if (b == PgType.OID) {
            b = PgType.INT8;
        }
        if ((a == PgType.NUMERIC && b == PgType.FLOAT4) || (a == PgType.FLOAT4 && b == PgType.NUMERIC)) {
            return PgType.FLOAT8;
        }
        return rank(a) >= rank(b) ? a : b;
    }

    /**
     * The type two operands are compared in, or null when PostgreSQL has no such operator.
     * Numbers promote, string types compare as text (bpchar with bpchar as bpchar), date and
     * timestamps promote to the later one, reg* types compare as oids.
     */
    public static PgType comparisonType(PgType a, PgType b) {
        if (a == b) {
            return isReg(a) ? PgType.OID : a;
        }
        if ((isNumeric(a) || isReg(a)) && (isNumeric(b) || isReg(b))) {
            if (isReg(a) || isReg(b) || a == PgType.OID || b == PgType.OID) {
                return PgType.INT8;
            }
            return numericCommon(a, b);
        }
        if (isString(a) && isString(b)) {
            return PgType.TEXT;
        }
        if (isDateTime(a) && isDateTime(b)) {
            return a == PgType.TIMESTAMPTZ || b == PgType.TIMESTAMPTZ ? PgType.TIMESTAMPTZ : PgType.TIMESTAMP;
        }
        if ((a == PgType.JSON || a == PgType.JSONB) && (b == PgType.JSON || b == PgType.JSONB)) {
            return PgType.JSONB;
        }
        return null;
    }

    public static boolean isReg(PgType t) {
        return t == PgType.REGCLASS || t == PgType.REGTYPE || t == PgType.REGPROC;
    }

    /** Widens a numeric value of type {@code from} to {@code to} (a promotion, never a narrowing). */
    public static Object promote(PgType from, PgType to, Object v) {
        if (v == null || from == to) {
            return v;
        }
        switch (to) {
            case INT4:
                return ((Number) v).intValue();
            case INT8:
            case OID:
                return ((Number) v).longValue();
            case NUMERIC:
                return v instanceof BigDecimal ? v : BigDecimal.valueOf(((Number) v).longValue());
            case FLOAT4:
                return ((Number) v).floatValue();
            case FLOAT8:
                return ((Number) v).doubleValue();
            case INT2:
                return ((Number) v).shortValue();
            default:
                return v;
        }
    }

    /** Compares two non-null values already promoted to {@code type}. */
    public static int compare(PgType type, Object a, Object b) {
        return Values.compare(type, a, b);
    }

    // ---------------------------------------------------------------- arithmetic

    public static LrepException outOfRange(PgType t) {
        String name = switch (t) {
            case INT2 -> "smallint";
            case INT4 -> "integer";
            case INT8 -> "bigint";
            default -> t.typname();
        };
        return new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, name + " out of range");
    }

    public static LrepException divisionByZero() {
        return new LrepException(SqlState.DIVISION_BY_ZERO, "division by zero");
    }

    private static Object narrow(PgType t, long v) {
        switch (t) {
            case INT2:
                if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
                    throw outOfRange(t);
                }
                return (short) v;
            case INT4:
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw outOfRange(t);
                }
                return (int) v;
            default:
                return v;
        }
    }

    private static Object floatResult(PgType t, double d, boolean inputsFinite) {
        if (inputsFinite && Double.isInfinite(d)) {
            throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        }
        return t == PgType.FLOAT4 ? (Object) (float) d : (Object) d;
    }

    /** {@code a op b} for op one of + - * / % on two values of the (promoted) numeric type {@code t}. */
    public static Object arith(char op, PgType t, Object a, Object b) {
        if (a == null || b == null) {
            return null;
        }
        switch (t) {
            case INT2:
            case INT4:
            case INT8: {
                long x = ((Number) a).longValue();
                long y = ((Number) b).longValue();
                try {
                    return switch (op) {
                        case '+' -> narrow(t, Math.addExact(x, y));
                        case '-' -> narrow(t, Math.subtractExact(x, y));
                        case '*' -> narrow(t, Math.multiplyExact(x, y));
                        case '/' -> {
                            if (y == 0) {
                                throw divisionByZero();
                            }
                            if (x == Long.MIN_VALUE && y == -1) {
                                throw outOfRange(t);
                            }
                            yield narrow(t, x / y);
                        }
                        case '%' -> {
                            if (y == 0) {
                                throw divisionByZero();
                            }
                            yield narrow(t, y == -1 ? 0 : x % y);
                        }
                        default -> throw new IllegalArgumentException("operator " + op);
                    };
                } catch (ArithmeticException e) {
                    throw outOfRange(t);
                }
            }
            case FLOAT4:
            case FLOAT8: {
                double x = ((Number) a).doubleValue();
                double y = ((Number) b).doubleValue();
                boolean finite = !Double.isInfinite(x) && !Double.isInfinite(y);
                return switch (op) {
                    case '+' -> floatResult(t, x + y, finite);
                    case '-' -> floatResult(t, x - y, finite);
                    case '*' -> floatResult(t, x * y, finite);
                    case '/' -> {
                        if (y == 0) {
                            throw divisionByZero();
                        }
                        yield floatResult(t, x / y, finite);
                    }
                    default -> throw new LrepException(SqlState.UNDEFINED_FUNCTION,
                            "operator does not exist: " + sqlName(t) + " " + op + " " + sqlName(t));
                };
            }
            case NUMERIC: {
                BigDecimal x = (BigDecimal) a;
                BigDecimal y = (BigDecimal) b;
                return switch (op) {
                    case '+' -> x.add(y);
                    case '-' -> x.subtract(y);
                    case '*' -> x.multiply(y);
                    case '/' -> numericDivide(x, y);
                    case '%' -> {
                        if (y.signum() == 0) {
                            throw divisionByZero();
                        }
                        yield x.remainder(y);
                    }
                    default -> throw new IllegalArgumentException("operator " + op);
                };
            }
            default:
                throw new LrepException(SqlState.UNDEFINED_FUNCTION,
                        "operator does not exist: " + sqlName(t) + " " + op + " " + sqlName(t));
        }
    }

    /** Numeric division with PostgreSQL's result scale (select_div_scale: at least 16 significant digits). */
    public static BigDecimal numericDivide(BigDecimal x, BigDecimal y) {
        if (y.signum() == 0) {
            throw divisionByZero();
        }
        int rscale = divScale(x, y);
        return x.divide(y, rscale, RoundingMode.HALF_UP);
    }

    static int divScale(BigDecimal x, BigDecimal y) {
        int qweight;
        if (x.signum() == 0) {
            qweight = 0;
        } else {
            int w1 = weight(x);
            int w2 = weight(y);
            qweight = w1 - w2;
            BigDecimal f1 = firstDigit(x, w1);
            BigDecimal f2 = firstDigit(y, w2);
            if (f1.compareTo(f2) < 0) {
                qweight--;
            }
        }
        int rscale = 16 - qweight * 4;
        rscale = Math.max(rscale, Math.max(x.scale(), y.scale()));
        rscale = Math.max(rscale, 0);
        return Math.min(rscale, 1000);
    }

    /** The base-10000 weight of a non-zero numeric (the exponent of its first NBASE digit). */
    static int weight(BigDecimal v) {
        BigDecimal a = v.abs();
        int exp10 = a.precision() - a.scale() - 1;
        return Math.floorDiv(exp10, 4);
    }

    private static BigDecimal firstDigit(BigDecimal v, int weight) {
        return v.abs().movePointLeft(weight * 4).setScale(0, RoundingMode.DOWN);
    }

    /** Unary minus. */
    public static Object negate(PgType t, Object v) {
        if (v == null) {
            return null;
        }
        return switch (t) {
            case INT2 -> narrow(t, -(long) (Short) v);
            case INT4 -> narrow(t, -(long) (Integer) v);
            case INT8 -> {
                if ((Long) v == Long.MIN_VALUE) {
                    throw outOfRange(t);
                }
                yield -(Long) v;
            }
            case FLOAT4 -> -(Float) v;
            case FLOAT8 -> -(Double) v;
            case NUMERIC -> ((BigDecimal) v).negate();
            default -> throw new LrepException(SqlState.UNDEFINED_FUNCTION, "operator does not exist: - " + sqlName(t));
        };
    }

    /** PostgreSQL's SQL spelling of a type, for messages. */
    public static String sqlName(PgType t) {
        return io.lrep.core.types.TypMod.sqlName(t, -1);
    }

    // ---------------------------------------------------------------- LIKE, regex

    private static final ConcurrentHashMap<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    /** A LIKE pattern as a regex ({@code escape} null = backslash, "" = none). */
    public static Pattern likePattern(String pattern, String escape, boolean caseInsensitive) {
        String key = (caseInsensitive ? "I" : "L") + (escape == null ? "\\" : escape + "\u0000") + "\u0001" + pattern;
        Pattern p = PATTERNS.get(key);
        if (p != null) {
            return p;
        }
        char esc;
        if (escape == null) {
            esc = '\\';
        } else if (escape.isEmpty()) {
            esc = 0;
        } else if (escape.codePointCount(0, escape.length()) != 1) {
            throw new LrepException(SqlState.INVALID_ESCAPE_SEQUENCE, "invalid escape string")
                    .withHint("Escape string must be empty or one character.");
        } else {
            esc = escape.charAt(0);
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (esc != 0 && c == esc) {
                if (i + 1 >= pattern.length()) {
                    throw new LrepException(SqlState.INVALID_ESCAPE_SEQUENCE, "LIKE pattern must not end with escape character");
                }
                re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        int flags = Pattern.DOTALL | (caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        p = Pattern.compile(re.toString(), flags);
        if (PATTERNS.size() < 10_000) {
            PATTERNS.put(key, p);
        }
        return p;
    }

    public static boolean like(String s, String pattern, String escape, boolean caseInsensitive) {
        return likePattern(pattern, escape, caseInsensitive).matcher(s).matches();
    }

    /**
     * A POSIX regular expression (PostgreSQL's ARE) as java.util.regex: the common syntax is the
     * same; PostgreSQL's {@code [[:<:]]}/{@code [[:>:]]} word bounds and {@code \m \M \y} map to
     * {@code \b}. Back-references and lookbehind differ in corner cases (a documented limitation).
     */
    public static Pattern regex(String pattern, boolean caseInsensitive) {
        String key = (caseInsensitive ? "i" : "r") + pattern;
        Pattern p = PATTERNS.get(key);
        if (p != null) {
            return p;
        }
        String re = pattern.replace("[[:<:]]", "\\b").replace("[[:>:]]", "\\b").replace("\\m", "\\b").replace("\\M", "\\b")
                .replace("\\y", "\\b");
        try {
            p = Pattern.compile(re, caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        } catch (PatternSyntaxException e) {
            throw new LrepException(SqlState.INVALID_REGULAR_EXPRESSION, "invalid regular expression: " + e.getDescription());
        }
        if (PATTERNS.size() < 10_000) {
            PATTERNS.put(key, p);
        }
        return p;
    }

    // ---------------------------------------------------------------- helpers

    public static BigInteger toBigInteger(Object v) {
        if (v instanceof BigDecimal d) {
            return d.toBigInteger();
        }
        return BigInteger.valueOf(((Number) v).longValue());
    }

    public static BigDecimal toBigDecimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Double || v instanceof Float) {
            return new BigDecimal(((Number) v).doubleValue(), MathContext.DECIMAL64);
        }
        return BigDecimal.valueOf(((Number) v).longValue());
    }
}
