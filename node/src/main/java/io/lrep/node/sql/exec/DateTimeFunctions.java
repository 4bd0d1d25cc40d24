package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgInterval;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SqlFunction;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The date/time and interval functions of {@code pg_catalog}, as PostgreSQL 15 has them:
 * {@code extract} (numeric) and {@code date_part} (float8) over interval, timestamptz, timestamp
 * and date; {@code age}; {@code justify_hours}, {@code justify_days}, {@code justify_interval};
 * {@code make_interval} (positional arguments); {@code generate_series} over timestamps with an
 * interval step. Time-zone dependent ones use the session's TimeZone.
 */
final class DateTimeFunctions {

    private static final PgType T = PgType.TEXT;
    private static final PgType IV = PgType.INTERVAL;
    private static final PgType TZ = PgType.TIMESTAMPTZ;
    private static final PgType TS = PgType.TIMESTAMP;
    private static final PgType I4 = PgType.INT4;

    /** The field words PostgreSQL's extract takes (its units table), lower case. */
    private static final Map<String, String> FIELDS = new HashMap<>();

    static {
        field("microseconds", "microsecond", "microseconds", "microsecon", "us", "usec", "usecs", "usecond", "useconds");
        field("milliseconds", "millisecond", "milliseconds", "millisecon", "ms", "msec", "msecs", "msecond", "mseconds");
        field("second", "second", "seconds", "s", "sec", "secs");
        field("minute", "minute", "minutes", "m", "min", "mins");
        field("hour", "hour", "hours", "h", "hr", "hrs");
        field("day", "day", "days", "d");
        field("week", "week", "weeks", "w");
        field("month", "month", "months", "mon", "mons");
        field("quarter", "quarter", "qtr");
        field("year", "year", "years", "y", "yr", "yrs");
        field("decade", "decade", "decades", "dec", "decs");
        field("century", "century", "centuries", "c", "cent");
        field("millennium", "millennium", "millennia", "mil", "mils");
        field("epoch", "epoch");
        field("dow", "dow");
        field("isodow", "isodow");
        field("doy", "doy");
        field("isoyear", "isoyear");
        field("timezone", "timezone");
        field("timezone_hour", "timezone_h", "timezone_hour");
        field("timezone_minute", "timezone_m", "timezone_minute");
    }

    private static void field(String canonical, String... names) {
        for (String n : names) {
            FIELDS.put(n, canonical);
        }
    }

    private DateTimeFunctions() {}

    private static SqlFunction f(String name, List<PgType> args, PgType ret, SqlFunction.Scalar impl) {
        return SqlFunction.scalar(name, args, ret, true, impl);
    }

    private static SqlFunction stable(String name, List<PgType> args, PgType ret, SqlFunction.Scalar impl) {
        return new SqlFunction("pg_catalog", name, args, false, ret, true, true, impl, false, List.of(), null);
    }

    private static ZoneId zone(QueryContext c) {
        return ((Exec) c).session.timeZone();
    }

    static List<SqlFunction> all() {
        List<SqlFunction> l = new ArrayList<>();
        for (PgType t : List.of(IV, TZ, TS, PgType.DATE)) {
            l.add(stable("extract", List.of(T, t), PgType.NUMERIC, (c, a) -> extract((String) a[0], t, a[1], zone(c))));
            l.add(stable("date_part", List.of(T, t), PgType.FLOAT8,
                    (c, a) -> extract((String) a[0], t, a[1], zone(c)).doubleValue()));
        }
        l.add(f("justify_hours", List.of(IV), IV, (c, a) -> ((PgInterval) a[0]).justifyHours()));
        l.add(f("justify_days", List.of(IV), IV, (c, a) -> ((PgInterval) a[0]).justifyDays()));
        l.add(f("justify_interval", List.of(IV), IV, (c, a) -> ((PgInterval) a[0]).justifyInterval()));
        l.add(stable("age", List.of(TZ, TZ), IV, (c, a) -> PgInterval.age((Instant) a[0], (Instant) a[1], zone(c))));
        l.add(stable("age", List.of(TZ), IV, (c, a) -> PgInterval.age(midnight(c), (Instant) a[0], zone(c))));
        l.add(f("age", List.of(TS, TS), IV, (c, a) -> PgInterval.age((LocalDateTime) a[0], (LocalDateTime) a[1])));
        l.add(stable("age", List.of(TS), IV, (c, a) -> PgInterval.age(
                LocalDate.ofInstant(((Exec) c).session.transactionTime(), zone(c)).atStartOfDay(), (LocalDateTime) a[0])));
        // make_interval(years, months, weeks, days, hours, mins, secs): the trailing ones default to 0.
        List<PgType> mi = List.of(I4, I4, I4, I4, I4, I4, PgType.FLOAT8);
        for (int n = 0; n <= mi.size(); n++) {
            l.add(f("make_interval", mi.subList(0, n), IV, DateTimeFunctions::makeInterval));
        }
        l.add(SqlFunction.setReturning("generate_series", List.of(TZ, TZ, IV), List.of(ColumnInfo.of("generate_series", TZ)), true,
                (c, a) -> series((Instant) a[0], (Instant) a[1], (PgInterval) a[2], zone(c))));
        l.add(SqlFunction.setReturning("generate_series", List.of(TS, TS, IV), List.of(ColumnInfo.of("generate_series", TS)), true,
                (c, a) -> series((LocalDateTime) a[0], (LocalDateTime) a[1], (PgInterval) a[2])));
        return l;
    }

    /** Today's midnight in the session zone: what age(timestamptz) measures from. */
    private static Instant midnight(QueryContext c) {
        ZoneId z = zone(c);
        return LocalDate.ofInstant(((Exec) c).session.transactionTime(), z).atStartOfDay(z).toInstant();
    }

    private static Object makeInterval(QueryContext c, Object[] a) {
        long[] v = new long[6];
        for (int i = 0; i < Math.min(a.length, 6); i++) {
            v[i] = (Integer) a[i];
        }
        double secs = a.length > 6 ? (Double) a[6] : 0;
        long months = v[0] * 12 + v[1];
        long days = v[2] * 7 + v[3];
        double micros = Math.rint(((v[4] * 60.0 + v[5]) * 60.0 + secs) * 1e6);
        if (months != (int) months || days != (int) days || Double.isNaN(micros) || Math.abs(micros) >= 0x1p63) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "interval out of range");
        }
        return new PgInterval((int) months, (int) days, (long) micros);
    }

    // ---------------------------------------------------------------- extract

    /** {@code extract(field from v)} as numeric; date_part is its float8 value. */
    static BigDecimal extract(String field, PgType type, Object v, ZoneId zone) {
        String name = FIELDS.get(field.toLowerCase(Locale.ROOT));
        String typeName = Ops.sqlName(type);
        if (name == null) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "unit \"" + field + "\" not recognized for type " + typeName);
        }
        BigDecimal r = switch (type) {
            case INTERVAL -> interval(name, (PgInterval) v);
            case DATE -> date(name, (LocalDate) v);
            case TIMESTAMP -> timestamp(name, (LocalDateTime) v, null);
            default -> timestamp(name, (Instant) v, zone);
        };
        if (r == null) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "unit \"" + field + "\" not supported for type " + typeName);
        }
        return r;
    }

    private static BigDecimal interval(String field, PgInterval v) {
        long t = v.micros();
        long hour = t / PgInterval.MICROS_PER_HOUR;
        long min = t % PgInterval.MICROS_PER_HOUR / PgInterval.MICROS_PER_MINUTE;
        long secMicros = t % PgInterval.MICROS_PER_MINUTE;
        int year = v.months() / 12;
        int mon = v.months() % 12;
        return switch (field) {
            case "microseconds" -> BigDecimal.valueOf(secMicros);
            case "milliseconds" -> BigDecimal.valueOf(secMicros, 3);
            case "second" -> BigDecimal.valueOf(secMicros, 6);
            case "minute" -> BigDecimal.valueOf(min);
            case "hour" -> BigDecimal.valueOf(hour);
            case "day" -> BigDecimal.valueOf(v.days());
            case "month" -> BigDecimal.valueOf(mon);
            case "quarter" -> BigDecimal.valueOf(mon / 3 + 1);
            case "year" -> BigDecimal.valueOf(year);
            case "decade" -> BigDecimal.valueOf(year / 10);
            case "century" -> BigDecimal.valueOf(year / 100);
            case "millennium" -> BigDecimal.valueOf(year / 1000);
            case "epoch" -> v.epoch();
            default -> null;
        };
    }

    private static BigDecimal date(String field, LocalDate d) {
        if (d.equals(LocalDate.MAX) || d.equals(LocalDate.MIN)) {
            return infinite(field, d.equals(LocalDate.MAX));
        }
        return switch (field) {
            case "epoch" -> BigDecimal.valueOf(d.toEpochDay() * 86_400L);
            case "microseconds", "milliseconds", "second", "minute", "hour", "timezone", "timezone_hour", "timezone_minute" -> null;
            default -> timestamp(field, d.atStartOfDay(), null).setScale(0, RoundingMode.UNNECESSARY);
        };
    }

    private static BigDecimal timestamp(String field, Instant i, ZoneId zone) {
        if (i.equals(Instant.MAX) || i.equals(Instant.MIN)) {
            return infinite(field, i.equals(Instant.MAX));
        }
        ZonedDateTime z = i.atZone(zone);
        return switch (field) {
            case "epoch" -> BigDecimal.valueOf(i.getEpochSecond() * 1_000_000L + i.getNano() / 1000, 6);
            case "timezone" -> BigDecimal.valueOf(z.getOffset().getTotalSeconds());
            case "timezone_hour" -> BigDecimal.valueOf(z.getOffset().getTotalSeconds() / 3600);
            case "timezone_minute" -> BigDecimal.valueOf(z.getOffset().getTotalSeconds() / 60 % 60);
            default -> timestamp(field, z.toLocalDateTime(), zone);
        };
    }

    /** Fields of a local date-time; {@code zone} null for timestamp without time zone. */
    private static BigDecimal timestamp(String field, LocalDateTime t, ZoneId zone) {
        if (t.equals(LocalDateTime.MAX) || t.equals(LocalDateTime.MIN)) {
            return infinite(field, t.equals(LocalDateTime.MAX));
        }
        long secMicros = t.getSecond() * 1_000_000L + t.getNano() / 1000;
        int year = t.getYear();
        return switch (field) {
            case "microseconds" -> BigDecimal.valueOf(secMicros);
            case "milliseconds" -> BigDecimal.valueOf(secMicros, 3);
            case "second" -> BigDecimal.valueOf(secMicros, 6);
            case "minute" -> BigDecimal.valueOf(t.getMinute());
            case "hour" -> BigDecimal.valueOf(t.getHour());
            case "day" -> BigDecimal.valueOf(t.getDayOfMonth());
            case "month" -> BigDecimal.valueOf(t.getMonthValue());
            case "quarter" -> BigDecimal.valueOf((t.getMonthValue() - 1) / 3 + 1);
            case "year" -> BigDecimal.valueOf(year > 0 ? year : year - 1);
            case "decade" -> BigDecimal.valueOf(year >= 0 ? year / 10 : -((8 - (year - 1)) / 10));
            case "century" -> BigDecimal.valueOf(year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100));
            case "millennium" -> BigDecimal.valueOf(year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000));
            case "week" -> BigDecimal.valueOf(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case "isoyear" -> BigDecimal.valueOf(t.get(IsoFields.WEEK_BASED_YEAR));
            case "dow" -> BigDecimal.valueOf(t.getDayOfWeek().getValue() % 7);
            case "isodow" -> BigDecimal.valueOf(t.getDayOfWeek().getValue());
            case "doy" -> BigDecimal.valueOf(t.get(ChronoField.DAY_OF_YEAR));
            case "epoch" -> zone != null ? null : BigDecimal.valueOf(t.toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000L
                    + t.getNano() / 1000, 6);
            default -> null;
        };
    }

    /** extract from an infinite date or timestamp: PostgreSQL's ±Infinity is no numeric lrep holds, so 0A000. */
    private static BigDecimal infinite(String field, boolean positive) {
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "numeric NaN and Infinity are not supported: extract("
                + field + " from " + (positive ? "infinity" : "-infinity") + ")");
    }

    // ---------------------------------------------------------------- generate_series

    private static Iterator<Object[]> series(Instant start, Instant stop, PgInterval step, ZoneId zone) {
        int sign = checkStep(step);
        return iterate(start, v -> step.addTo(v, zone), v -> sign > 0 ? !v.isAfter(stop) : !v.isBefore(stop));
    }

    private static Iterator<Object[]> series(LocalDateTime start, LocalDateTime stop, PgInterval step) {
        int sign = checkStep(step);
        return iterate(start, step::addTo, v -> sign > 0 ? !v.isAfter(stop) : !v.isBefore(stop));
    }

    private static int checkStep(PgInterval step) {
        int sign = step.compareTo(PgInterval.ZERO);
        if (sign == 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "step size cannot equal zero");
        }
        return sign;
    }

    private static <V> Iterator<Object[]> iterate(V start, java.util.function.UnaryOperator<V> next,
            java.util.function.Predicate<V> inRange) {
        if (!inRange.test(start)) {
            return Collections.emptyIterator();
        }
        return new Iterator<>() {
            V cur = start;

            @Override
            public boolean hasNext() {
                return cur != null;
            }

            @Override
            public Object[] next() {
                if (cur == null) {
                    throw new NoSuchElementException();
                }
                V v = cur;
                V n;
                try {
                    n = next.apply(v);
                } catch (LrepException e) {
                    n = null; // the next value would be out of range: the series ends here
                }
                cur = n != null && inRange.test(n) ? n : null;
                return new Object[] {v};
            }
        };
    }
}
