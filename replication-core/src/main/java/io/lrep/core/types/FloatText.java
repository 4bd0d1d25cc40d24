package io.lrep.core.types;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * float4/float8 text I/O as PostgreSQL 12+ with {@code extra_float_digits = 1}: the shortest
 * digit string that reads back to the same value (the nearest one when several tie in length),
 * printed in fixed notation when the decimal exponent is in [-4, 15) for float8 or [-4, 6) for
 * float4, else as {@code d.ddde+XX} with at least two exponent digits.
 */
final class FloatText {

    private FloatText() {
    }

    static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        return layout(shortest(d, false), 15);
    }

    static String formatFloat(float f) {
        if (Float.isNaN(f)) {
            return "NaN";
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "Infinity" : "-Infinity";
        }
        if (f == 0) {
            return (Float.floatToRawIntBits(f) < 0) ? "-0" : "0";
        }
        return layout(shortest(f, true), 6);
    }

    /**
     * The shortest decimal strictly inside {@code v}'s rounding interval (Ryu does not accept
     * the interval's bounds), the nearest to {@code v} among those of that length.
     */
    private static BigDecimal shortest(double v, boolean single) {
        BigDecimal exact = new BigDecimal(v);
        double next = single ? Math.nextUp((float) v) : Math.nextUp(v);
        double prev = single ? Math.nextDown((float) v) : Math.nextDown(v);
        BigDecimal up = Double.isInfinite(next)
                ? exact.add(new BigDecimal(single ? Math.ulp((float) v) : Math.ulp(v)).divide(BigDecimal.valueOf(2)))
                : exact.add(new BigDecimal(next)).divide(BigDecimal.valueOf(2));
        BigDecimal down = Double.isInfinite(prev)
                ? exact.subtract(new BigDecimal(single ? Math.ulp((float) v) : Math.ulp(v)).divide(BigDecimal.valueOf(2)))
                : exact.add(new BigDecimal(prev)).divide(BigDecimal.valueOf(2));
        // Java's toString round-trips, so its digit count bounds the answer: usually it is the
        // answer or one more. A length that fits implies every longer one fits: search from it.
        int n = significantDigits(single ? Float.toString((float) v) : Double.toString(v));
        BigDecimal best = fit(exact, n, down, up);
        if (best != null) {
            for (int m = n - 1; m >= 1; m--) {
                BigDecimal shorter = fit(exact, m, down, up);
                if (shorter == null) {
                    break;
                }
                best = shorter;
            }
            return best;
        }
        for (int m = n + 1; m <= 17; m++) {
            best = fit(exact, m, down, up);
            if (best != null) {
                return best;
            }
        }
        return exact.round(MathContext.DECIMAL64);
    }

    /** The nearest {@code n}-digit decimal strictly inside (down, up), or null. */
    private static BigDecimal fit(BigDecimal exact, int n, BigDecimal down, BigDecimal up) {
        BigDecimal r = exact.round(new MathContext(n, RoundingMode.HALF_EVEN));
        if (inside(r, down, up)) {
            return r;
        }
        // The interval may be lopsided (at a power of two): a neighbour may fit when the
        // nearest does not.
        BigDecimal ulp = r.ulp();
        BigDecimal above = r.add(ulp);
        BigDecimal below = r.subtract(ulp);
        boolean aboveOk = inside(above, down, up);
        boolean belowOk = inside(below, down, up);
        if (aboveOk && belowOk) {
            return above.subtract(exact).abs().compareTo(below.subtract(exact).abs()) <= 0 ? above : below;
        }
        return aboveOk ? above : belowOk ? below : null;
    }

    /** Significant digits of Java's {@code [-]d.dddE[-]x} / {@code [-]ddd.ddd} output. */
    private static int significantDigits(String s) {
        int e = s.indexOf('E');
        String m = e >= 0 ? s.substring(0, e) : s;
        int first = -1;
        int last = -1;
        int count = 0;
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c >= '0' && c <= '9') {
                if (c != '0' && first < 0) {
                    first = count;
                }
                if (c != '0') {
                    last = count;
                }
                count++;
            }
        }
        return first < 0 ? 1 : last - first + 1;
    }

    private static boolean inside(BigDecimal r, BigDecimal down, BigDecimal up) {
        return r.compareTo(down) > 0 && r.compareTo(up) < 0;
    }

    private static String layout(BigDecimal r, int fixedLimit) {
        BigDecimal s = r.stripTrailingZeros();
        String digits = s.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - s.scale();
        String sign = s.signum() < 0 ? "-" : "";
        if (exp >= -4 && exp < fixedLimit) {
            return s.toPlainString();
        }
        StringBuilder sb = new StringBuilder(sign).append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        sb.append('e').append(exp < 0 ? '-' : '+');
        int a = Math.abs(exp);
        if (a < 10) {
            sb.append('0');
        }
        return sb.append(a).toString();
    }

    static double parseDouble(String text) {
        return parse(text, PgType.FLOAT8);
    }

    static float parseFloat(String text) {
        return (float) parse(text, PgType.FLOAT4);
    }

    private static double parse(String text, PgType type) {
        int b = 0;
        int e = text.length();
        while (b < e && isSpace(text.charAt(b))) {
            b++;
        }
        while (e > b && isSpace(text.charAt(e - 1))) {
            e--;
        }
        String s = text.substring(b, e);
        String lower = s.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "nan": case "+nan": case "-nan":
                return Double.NaN;
            case "infinity": case "+infinity": case "inf": case "+inf":
                return Double.POSITIVE_INFINITY;
            case "-infinity": case "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (!isDecimal(s)) {
            throw TypeErrors.invalidSyntax(type, text);
        }
        double v;
        boolean zero;
        if (type == PgType.FLOAT4) {
            float f = Float.parseFloat(s);
            v = f;
            zero = f == 0;
        } else {
            v = Double.parseDouble(s);
            zero = v == 0;
        }
        if (Double.isInfinite(v) || (zero && hasNonZeroDigit(s))) {
            throw TypeErrors.floatOutOfRange(type, s);
        }
        return v;
    }

    /** {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?} */
    static boolean isDecimal(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean hasNonZeroDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 'e' || c == 'E') {
                return false;
            }
            if (c >= '1' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** C isspace() in the C locale. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }
}
