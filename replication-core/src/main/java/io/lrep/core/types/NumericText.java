package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * numeric text I/O and typmod rounding as PostgreSQL 15. Values keep their display scale
 * ({@code 1.50} stays {@code 1.50}); a value never has a negative scale. NaN and ±Infinity are
 * valid PostgreSQL numerics that {@link BigDecimal} cannot hold: their input raises 0A000.
 */
final class NumericText {

    /** PostgreSQL's limits: 131072 digits before the point, 16383 after. */
    static final int MAX_INTEGER_DIGITS = 131072;
    static final int MAX_DSCALE = 16383;

    private NumericText() {
    }

    static BigDecimal parse(String text, int typmod) {
        int b = 0;
        int e = text.length();
        while (b < e && FloatText.isSpace(text.charAt(b))) {
            b++;
        }
        while (e > b && FloatText.isSpace(text.charAt(e - 1))) {
            e--;
        }
        String s = text.substring(b, e);
        String lower = s.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "nan": case "infinity": case "+infinity": case "-infinity": case "inf": case "+inf": case "-inf":
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                        "numeric special value \"" + s + "\" is not supported");
            default:
                break;
        }
        if (!FloatText.isDecimal(s)) {
            throw TypeErrors.invalidSyntax(PgType.NUMERIC, text);
        }
        BigDecimal v;
        try {
            v = new BigDecimal(s);
        } catch (NumberFormatException | ArithmeticException ex) {
            throw overflow(ex);
        }
        return apply(checkLimits(normalize(v)), typmod);
    }

    /** A scale of at least zero, as a PostgreSQL numeric always has. */
    static BigDecimal normalize(BigDecimal v) {
        return v.scale() < 0 ? v.setScale(0) : v;
    }

    static BigDecimal checkLimits(BigDecimal v) {
        if (v.scale() > MAX_DSCALE || (v.signum() != 0 && v.precision() - v.scale() > MAX_INTEGER_DIGITS)) {
            throw overflow(null);
        }
        return v;
    }

    private static LrepException overflow(Throwable cause) {
        return new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format", cause);
    }

    /** Rounds to the typmod's scale (half away from zero) and checks its precision. */
    static BigDecimal apply(BigDecimal v, int typmod) {
        if (!TypMod.isNumeric(typmod)) {
            return v;
        }
        int precision = TypMod.numericPrecision(typmod);
        int scale = TypMod.numericScale(typmod);
        BigDecimal r = v.setScale(scale, RoundingMode.HALF_UP);
        int maxDigits = precision - scale;
        if (r.signum() != 0) {
            int intDigits = r.precision() - r.scale();
            if (intDigits > maxDigits) {
                throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow")
                        .withDetail("A field with precision " + precision + ", scale " + scale
                                + " must round to an absolute value less than "
                                + (maxDigits != 0 ? "10^" + maxDigits : "1") + ".");
            }
        }
        return normalize(r);
    }

    static String format(BigDecimal v) {
        return normalize(v).toPlainString();
    }
}
