package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * PostgreSQL 15's interval text: output in IntervalStyle {@code postgres}, input in the
 * PostgreSQL forms people write and the ISO 8601 "format with designators".
 *
 * <pre>
 * input    [@] { [+-]number [unit] | [+-]h:m[:s[.f]] }... [ago]     P[nY][nM][nW][nD][T[nH][nM][nS]]
 *          unit: microsecond(s) us usec, millisecond(s) ms msec, second(s) s sec, minute(s) m min,
 *          hour(s) h hr, day(s) d, week(s) w, month(s) mon, year(s) y yr, decade(s), century,
 *          millennium (and their plurals). A number before a time is days; a bare number is
 *          seconds (or the unit asked for). Fractions cascade down: 1.5 days = 1 day 12:00:00,
 *          1.5 months = 1 mon 15 days, 1.5 years = 1 year 6 mons.
 * output   [n year(s)] [n mon(s)] [n day(s)] [[+-]hh:mm:ss[.ffffff]]   zero: 00:00:00
 *          a time after a negative field carries a sign: -1 days +02:00:00
 * </pre>
 * The integer part of each number must fit int32 ({@code 22015 interval field value out of
 * range}); a result that does not fit {@code 22008 interval out of range}; anything else
 * {@code 22007 invalid input syntax for type interval}. Not taken: the SQL-standard
 * {@code 1-2} year-month form and ISO 8601's alternative format {@code P0001-02-03T04:05:06}.
 */
final class IntervalText {

    private enum Unit { MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR, DECADE, CENTURY, MILLENNIUM }

    private static final Map<String, Unit> UNITS = new HashMap<>();

    static {
        unit(Unit.MICROSECOND, "microsecond", "microseconds", "microsecon", "us", "usec", "usecs", "usecond", "useconds");
        unit(Unit.MILLISECOND, "millisecond", "milliseconds", "millisecon", "ms", "msec", "msecs", "msecond", "mseconds");
        unit(Unit.SECOND, "second", "seconds", "s", "sec", "secs");
        unit(Unit.MINUTE, "minute", "minutes", "m", "min", "mins");
        unit(Unit.HOUR, "hour", "hours", "h", "hr", "hrs");
        unit(Unit.DAY, "day", "days", "d");
        unit(Unit.WEEK, "week", "weeks", "w");
        unit(Unit.MONTH, "month", "months", "mon", "mons");
        unit(Unit.YEAR, "year", "years", "y", "yr", "yrs");
        unit(Unit.DECADE, "decade", "decades", "dec", "decs");
        unit(Unit.CENTURY, "century", "centuries", "c", "cent");
        unit(Unit.MILLENNIUM, "millennium", "millennia", "mil", "mils");
    }

    private static void unit(Unit u, String... names) {
        for (String n : names) {
            UNITS.put(n, u);
        }
    }

    private IntervalText() {
    }

    // ---------------------------------------------------------------- output

    static String format(PgInterval v) {
        StringBuilder sb = new StringBuilder();
        boolean[] state = {true, false}; // isZero, isBefore
        int year = v.months() / 12;
        int mon = v.months() % 12;
        part(sb, year, "year", state);
        part(sb, mon, "mon", state);
        part(sb, v.days(), "day", state);
        long t = v.micros();
        long hour = t / PgInterval.MICROS_PER_HOUR;
        t -= hour * PgInterval.MICROS_PER_HOUR;
        long min = t / PgInterval.MICROS_PER_MINUTE;
        t -= min * PgInterval.MICROS_PER_MINUTE;
        long sec = t / PgInterval.MICROS_PER_SECOND;
        long fsec = t - sec * PgInterval.MICROS_PER_SECOND;
        if (state[0] || hour != 0 || min != 0 || sec != 0 || fsec != 0) {
            boolean minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
            if (!state[0]) {
                sb.append(' ');
            }
            sb.append(minus ? "-" : state[1] ? "+" : "");
            two(sb, Math.abs(hour));
            sb.append(':');
            two(sb, Math.abs(min));
            sb.append(':');
            two(sb, Math.abs(sec));
            if (fsec != 0) {
                String f = String.format(Locale.ROOT, "%06d", Math.abs(fsec));
                int end = f.length();
                while (f.charAt(end - 1) == '0') {
                    end--;
                }
                sb.append('.').append(f, 0, end);
            }
        }
        return sb.toString();
    }

    private static void part(StringBuilder sb, int value, String unit, boolean[] state) {
        if (value == 0) {
            return;
        }
        if (!state[0]) {
            sb.append(' ');
        }
        if (state[1] && value > 0) {
            sb.append('+');
        }
        sb.append(value).append(' ').append(unit);
        if (value != 1) {
            sb.append('s');
        }
        state[1] = value < 0;
        state[0] = false;
    }

    private static void two(StringBuilder sb, long v) {
        if (v < 10) {
            sb.append('0');
        }
        sb.append(v);
    }

    // ---------------------------------------------------------------- input

    /**
     * The fields input builds up, as PostgreSQL's pg_itm_in: years, months and days must each
     * fit int32 and the time int64 (else 22015); years and months make one int32 at the end
     * (else 22008).
     */
    private static final class Acc {
        long years;
        long months;
        long days;
        long micros;

        void check() {
            if (years != (int) years || months != (int) months || days != (int) days) {
                throw new ArithmeticException("field");
            }
        }
    }

    static PgInterval parse(String text, String bareUnit) {
        Unit bare = bareUnit == null ? Unit.SECOND : unitOf(bareUnit, text);
        Acc acc = new Acc();
        String s = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                iso(s, text, acc);
            } else {
                postgres(s, text, bare, acc);
            }
            acc.check();
        } catch (ArithmeticException e) {
            throw fieldOverflow(text);
        }
        return PgInterval.checked(acc.years * 12 + acc.months, acc.days, acc.micros);
    }

    private static Unit unitOf(String word, String text) {
        Unit u = UNITS.get(word.toLowerCase(Locale.ROOT));
        if (u == null) {
            throw invalid(text);
        }
        return u;
    }

    private static void postgres(String s, String text, Unit bare, Acc acc) {
        int i = 0;
        int n = s.length();
        int mask = 0; // the fields already given: each may appear once
        boolean ago = false;
        String pending = null; // a number without a unit, waiting to see whether a time follows
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            char c = s.charAt(i);
            if (c == '@') {
                i++;
                continue;
            }
            if (Character.isLetter(c)) {
                int b = i;
                while (i < n && Character.isLetter(s.charAt(i))) {
                    i++;
                }
                String word = s.substring(b, i);
                if (word.equals("ago") && pending == null) {
                    ago = true;
                    continue;
                }
                if (pending == null) {
                    throw invalid(text);
                }
                Unit u = unitOf(word, text);
                mask = claim(mask, 1 << u.ordinal(), text);
                add(acc, pending, u, text);
                pending = null;
                continue;
            }
            String sign = "";
            if (c == '+' || c == '-') {
                sign = c == '-' ? "-" : "";
                i++;
                while (i < n && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    throw invalid(text);
                }
                c = s.charAt(i);
            }
            if (!(c == '.' || isDigit(c))) {
                throw invalid(text);
            }
            int b = i;
            while (i < n && (isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == ':')) {
                i++;
            }
            String num = sign + s.substring(b, i);
            if (num.indexOf(':') >= 0) {
                if (pending != null) {
                    mask = claim(mask, 1 << Unit.DAY.ordinal(), text);
                    add(acc, pending, Unit.DAY, text);
                    pending = null;
                }
                mask = claim(mask, TIME_MASK, text);
                time(acc, num, text);
                continue;
            }
            if (pending != null) {
                throw invalid(text);
            }
            pending = num;
        }
        if (pending != null) {
            mask = claim(mask, 1 << bare.ordinal(), text);
            add(acc, pending, bare, text);
        }
        if (mask == 0) {
            throw invalid(text);
        }
        if (ago) {
            acc.years = Math.negateExact(acc.years);
            acc.months = Math.negateExact(acc.months);
            acc.days = Math.negateExact(acc.days);
            acc.micros = Math.negateExact(acc.micros);
        }
    }

    /** A time token fills hours, minutes and seconds. */
    private static final int TIME_MASK = 1 << Unit.HOUR.ordinal() | 1 << Unit.MINUTE.ordinal() | 1 << Unit.SECOND.ordinal();

    private static int claim(int mask, int bits, String text) {
        if ((mask & bits) != 0) {
            throw invalid(text);
        }
        return mask | bits;
    }

    /** {@code [+-]h:m[:s[.f]]}: minutes and seconds below 60. */
    private static void time(Acc acc, String tok, String text) {
        boolean neg = tok.startsWith("-");
        String t = tok.startsWith("-") || tok.startsWith("+") ? tok.substring(1) : tok;
        String[] parts = t.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw invalid(text);
        }
        if (parts.length == 2 && parts[1].indexOf('.') >= 0) {
            // m:s.f
            parts = new String[] {"0", parts[0], parts[1]};
        }
        long hour = integer(parts[0], text);
        long min = integer(parts[1], text);
        long micros = 0;
        if (parts.length == 3) {
            String sec = parts[2];
            int dot = sec.indexOf('.');
            long whole = integer(dot < 0 ? sec : sec.substring(0, dot), text);
            if (whole > 60) {
                throw fieldOverflow(text);
            }
            micros = whole * PgInterval.MICROS_PER_SECOND;
            if (dot >= 0) {
                micros += (long) Math.rint(fraction(sec.substring(dot), text) * 1e6);
            }
        }
        if (min > 59) {
            throw fieldOverflow(text);
        }
        long v = Math.addExact(Math.addExact(Math.multiplyExact(hour, PgInterval.MICROS_PER_HOUR), min * PgInterval.MICROS_PER_MINUTE), micros);
        acc.micros = Math.addExact(acc.micros, neg ? -v : v);
    }

    private static long integer(String digits, String text) {
        if (digits.isEmpty()) {
            throw invalid(text);
        }
        for (int k = 0; k < digits.length(); k++) {
            if (!isDigit(digits.charAt(k))) {
                throw invalid(text);
            }
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw fieldOverflow(text);
        }
    }

    private static double fraction(String dotDigits, String text) {
        for (int k = 1; k < dotDigits.length(); k++) {
            if (!isDigit(dotDigits.charAt(k))) {
                throw invalid(text);
            }
        }
        return dotDigits.length() == 1 ? 0 : Double.parseDouble("0" + dotDigits);
    }

    /** Adds {@code num} (sign, digits, optional fraction) of {@code unit}, cascading the fraction down. */
    private static void add(Acc acc, String num, Unit unit, String text) {
        boolean neg = num.startsWith("-");
        String t = num.startsWith("-") || num.startsWith("+") ? num.substring(1) : num;
        int dot = t.indexOf('.');
        if (t.indexOf('.', dot + 1) >= 0 && dot >= 0) {
            throw invalid(text);
        }
        String whole = dot < 0 ? t : t.substring(0, dot);
        if (whole.isEmpty() && (dot < 0 || t.length() == 1)) {
            throw invalid(text);
        }
        long ival = whole.isEmpty() ? 0 : integer(whole, text);
        double frac = dot < 0 ? 0 : fraction(t.substring(dot), text);
        if (neg) {
            ival = -ival;
            frac = -frac;
        }
        switch (unit) {
            case MICROSECOND -> micros(acc, ival, frac, 1);
            case MILLISECOND -> micros(acc, ival, frac, 1000);
            case SECOND -> micros(acc, ival, frac, PgInterval.MICROS_PER_SECOND);
            case MINUTE -> micros(acc, ival, frac, PgInterval.MICROS_PER_MINUTE);
            case HOUR -> micros(acc, ival, frac, PgInterval.MICROS_PER_HOUR);
            case DAY -> {
                acc.days = Math.addExact(acc.days, ival);
                acc.check();
                micros(acc, 0, frac, PgInterval.MICROS_PER_DAY);
            }
            case WEEK -> days(acc, Math.multiplyExact(ival, 7), frac, 7, 0);
            case MONTH -> days(acc, 0, frac, PgInterval.DAYS_PER_MONTH, ival);
            case YEAR -> years(acc, ival, frac, 1);
            case DECADE -> years(acc, ival, frac, 10);
            case CENTURY -> years(acc, ival, frac, 100);
            case MILLENNIUM -> years(acc, ival, frac, 1000);
            default -> throw invalid(text);
        }
    }

    private static void micros(Acc acc, long ival, double frac, long scale) {
        long v = Math.addExact(Math.multiplyExact(ival, scale), (long) Math.rint(frac * scale));
        acc.micros = Math.addExact(acc.micros, v);
    }

    /** {@code wholeDays} days and {@code wholeMonths} months, plus {@code frac * daysPer} days cascaded to the time. */
    private static void days(Acc acc, long wholeDays, double frac, int daysPer, long wholeMonths) {
        acc.months = Math.addExact(acc.months, wholeMonths);
        acc.days = Math.addExact(acc.days, wholeDays);
        acc.check();
        double fd = frac * daysPer;
        long extra = (long) fd;
        acc.days = Math.addExact(acc.days, extra);
        micros(acc, 0, fd - extra, PgInterval.MICROS_PER_DAY);
    }

    /** {@code ival} times {@code yearsPer} years; the fraction becomes whole months, rounded. */
    private static void years(Acc acc, long ival, double frac, int yearsPer) {
        acc.years = Math.addExact(acc.years, Math.multiplyExact(ival, yearsPer));
        acc.months = Math.addExact(acc.months, (long) Math.rint(frac * yearsPer * 12));
        acc.check();
    }

    /** ISO 8601 with designators: {@code P1Y2M3W4DT5H6M7.5S}. */
    private static void iso(String s, String text, Acc acc) {
        int i = 1;
        int n = s.length();
        boolean inTime = false;
        boolean any = false;
        int mask = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == 't') {
                if (inTime) {
                    throw invalid(text);
                }
                inTime = true;
                i++;
                continue;
            }
            int b = i;
            if (c == '+' || c == '-') {
                i++;
            }
            while (i < n && (isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (i == b || i >= n) {
                throw invalid(text);
            }
            String num = s.substring(b, i);
            char d = s.charAt(i++);
            Unit u = switch (d) {
                case 'y' -> inTime ? null : Unit.YEAR;
                case 'm' -> inTime ? Unit.MINUTE : Unit.MONTH;
                case 'w' -> inTime ? null : Unit.WEEK;
                case 'd' -> inTime ? null : Unit.DAY;
                case 'h' -> inTime ? Unit.HOUR : null;
                case 's' -> inTime ? Unit.SECOND : null;
                default -> null;
            };
            if (u == null) {
                throw invalid(text);
            }
            mask = claim(mask, 1 << u.ordinal(), text);
            add(acc, num, u, text);
            any = true;
        }
        if (!any && !inTime) {
            throw invalid(text);
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static LrepException invalid(String text) {
        return new LrepException(SqlState.INVALID_DATETIME_FORMAT, "invalid input syntax for type interval: \"" + text + "\"");
    }

    private static LrepException fieldOverflow(String text) {
        return new LrepException(SqlState.INTERVAL_FIELD_OVERFLOW, "interval field value out of range: \"" + text + "\"");
    }
}
