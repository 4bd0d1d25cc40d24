package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * A value of PostgreSQL's {@code interval} type: months, days and microseconds kept apart, as
 * PostgreSQL does, because a month and a day have no fixed length until they are added to a
 * timestamp.
 *
 * <p>Ordering and equality are PostgreSQL's ({@code interval_cmp}): each value is taken as a
 * span of {@code months * 30 + days} days of 24 hours plus the microseconds, so {@code '1 mon'}
 * equals {@code '30 days'} and {@code '1 day'} equals {@code '24:00:00'}. {@link #compareTo}
 * and {@link #spanHash} follow that; {@link #equals} (a record's) compares the three fields.
 *
 * <p>Arithmetic follows PostgreSQL 15 ({@code interval_pl}, {@code interval_mul},
 * {@code timestamptz_pl_interval}, {@code timestamp_age}, the {@code justify_*} functions) and
 * raises {@code 22008 interval out of range} on overflow. Text is {@link #toString()} in
 * IntervalStyle {@code postgres} and {@link #parse(String)}.
 *
 * @param months the months part (years are 12 months)
 * @param days   the days part
 * @param micros the time part in microseconds
 */
public record PgInterval(int months, int days, long micros) implements Comparable<PgInterval> {

    public static final long MICROS_PER_SECOND = 1_000_000L;
    public static final long MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
    public static final long MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
    public static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;
    /** PostgreSQL's DAYS_PER_MONTH, used wherever a month must be a fixed length. */
    public static final int DAYS_PER_MONTH = 30;

    public static final PgInterval ZERO = new PgInterval(0, 0, 0);

    /** The interval of just {@code micros} microseconds (no days or months). */
    public static PgInterval ofMicros(long micros) {
        return new PgInterval(0, 0, micros);
    }

    /** PostgreSQL's interval input ({@code interval_in}); 22007 on bad syntax, 22008 on overflow. */
    public static PgInterval parse(String text) {
        return IntervalText.parse(text, null);
    }

    /**
     * Interval input where a bare number means {@code unit} (as in {@code INTERVAL '5' MINUTE}):
     * one of year, month, day, hour, minute, second; null for seconds.
     */
    public static PgInterval parse(String text, String unit) {
        return IntervalText.parse(text, unit);
    }

    /** PostgreSQL's interval output in IntervalStyle {@code postgres}: {@code 1 year 2 mons 3 days 04:05:06.5}. */
    @Override
    public String toString() {
        return IntervalText.format(this);
    }

    // ---------------------------------------------------------------- ordering

    /** Whole days of the span, counting a month as 30 days, rounded toward negative infinity. */
    private long spanDays() {
        return months * (long) DAYS_PER_MONTH + days + Math.floorDiv(micros, MICROS_PER_DAY);
    }

    private long spanDayMicros() {
        return Math.floorMod(micros, MICROS_PER_DAY);
    }

    /** PostgreSQL's {@code interval_cmp}: by total span, a month being 30 days and a day 24 hours. */
    @Override
    public int compareTo(PgInterval o) {
        int c = Long.compare(spanDays(), o.spanDays());
        return c != 0 ? c : Long.compare(spanDayMicros(), o.spanDayMicros());
    }

    /** A hash consistent with {@link #compareTo} equality ({@code '1 mon'} and {@code '30 days'} alike). */
    public int spanHash() {
        return Long.hashCode(spanDays()) * 31 + Long.hashCode(spanDayMicros());
    }

    /**
     * The span in seconds as {@code extract(epoch from ...)} counts it (a year is 365.25 days, a
     * month 30 days), with six decimals.
     */
    public java.math.BigDecimal epoch() {
        long secs = 31_557_600L * (months / 12) + 2_592_000L * (months % 12) + 86_400L * days;
        return java.math.BigDecimal.valueOf(micros, 6).add(java.math.BigDecimal.valueOf(secs));
    }

    // ---------------------------------------------------------------- arithmetic

    /** {@code this + o} ({@code interval_pl}). */
    public PgInterval plus(PgInterval o) {
        return checked(months + (long) o.months, days + (long) o.days, addMicros(micros, o.micros));
    }

    /** {@code this - o} ({@code interval_mi}). */
    public PgInterval minus(PgInterval o) {
        return checked(months - (long) o.months, days - (long) o.days, subtractMicros(micros, o.micros));
    }

    /** {@code -this} ({@code interval_um}). */
    public PgInterval negate() {
        if (micros == Long.MIN_VALUE) {
            throw outOfRange();
        }
        return checked(-(long) months, -(long) days, -micros);
    }

    /** {@code this * factor} ({@code interval_mul}): fractions of months and days cascade down, never up. */
    public PgInterval multiply(double factor) {
        return scale(factor, false);
    }

    /** {@code this / divisor} ({@code interval_div}); 22012 when dividing by zero. */
    public PgInterval divide(double divisor) {
        if (divisor == 0) {
            throw new LrepException(SqlState.DIVISION_BY_ZERO, "division by zero");
        }
        return scale(divisor, true);
    }

    private PgInterval scale(double f, boolean divide) {
        double m = divide ? months / f : months * f;
        double d = divide ? days / f : days * f;
        if (Double.isNaN(m) || !fitsInt(m) || Double.isNaN(d) || !fitsInt(d)) {
            throw outOfRange();
        }
        int rm = (int) m;
        int rd = (int) d;
        double monthRemainderDays = tsRound((m - rm) * DAYS_PER_MONTH);
        double secRemainder = tsRound((d - rd + monthRemainderDays - (int) monthRemainderDays) * 86_400.0);
        long day = rd;
        if (Math.abs(secRemainder) >= 86_400.0) {
            int whole = (int) (secRemainder / 86_400.0);
            day += whole;
            secRemainder -= whole * 86_400.0;
        }
        day += (int) monthRemainderDays;
        double t = Math.rint((divide ? micros / f : micros * f) + secRemainder * 1e6);
        if (Double.isNaN(t) || t >= 0x1p63 || t < -0x1p63) {
            throw outOfRange();
        }
        return checked(rm, day, (long) t);
    }

    private static boolean fitsInt(double v) {
        return v >= Integer.MIN_VALUE && v < 0x1p31;
    }

    /** PostgreSQL's TSROUND: rounds to 1e-6 to absorb floating-point noise. */
    private static double tsRound(double v) {
        return Math.rint(v * 1e6) / 1e6;
    }

    /** {@code justify_hours}: whole 24 hours of the time part become days. */
    public PgInterval justifyHours() {
        long wholeDays = micros / MICROS_PER_DAY;
        long t = micros - wholeDays * MICROS_PER_DAY;
        long d = days + wholeDays;
        if (d > 0 && t < 0) {
            t += MICROS_PER_DAY;
            d--;
        } else if (d < 0 && t > 0) {
            t -= MICROS_PER_DAY;
            d++;
        }
        return checked(months, d, t);
    }

    /** {@code justify_days}: whole 30 days become months. */
    public PgInterval justifyDays() {
        long wholeMonths = days / DAYS_PER_MONTH;
        long d = days - wholeMonths * DAYS_PER_MONTH;
        long m = months + wholeMonths;
        if (m > 0 && d < 0) {
            d += DAYS_PER_MONTH;
            m--;
        } else if (m < 0 && d > 0) {
            d -= DAYS_PER_MONTH;
            m++;
        }
        return checked(m, d, micros);
    }

    /** {@code justify_interval}: justify_hours then justify_days, with the signs made to agree. */
    public PgInterval justifyInterval() {
        long wholeDays = micros / MICROS_PER_DAY;
        long t = micros - wholeDays * MICROS_PER_DAY;
        long d = days + wholeDays;
        long wholeMonths = d / DAYS_PER_MONTH;
        d -= wholeMonths * DAYS_PER_MONTH;
        long m = months + wholeMonths;
        if (m > 0 && (d < 0 || (d == 0 && t < 0))) {
            d += DAYS_PER_MONTH;
            m--;
        } else if (m < 0 && (d > 0 || (d == 0 && t > 0))) {
            d -= DAYS_PER_MONTH;
            m++;
        }
        if (d > 0 && t < 0) {
            t += MICROS_PER_DAY;
            d--;
        } else if (d < 0 && t > 0) {
            t -= MICROS_PER_DAY;
            d++;
        }
        return checked(m, d, t);
    }

    // ---------------------------------------------------------------- with timestamps

    /**
     * {@code timestamptz + this} ({@code timestamptz_pl_interval}): months, then days, are added
     * to the local time in {@code zone} (the day clamped to the month's end), then the time part
     * as elapsed time. Infinite timestamps stay infinite; 22008 when the result is out of range.
     */
    public Instant addTo(Instant t, ZoneId zone) {
        if (t.equals(Instant.MAX) || t.equals(Instant.MIN)) {
            return t;
        }
        try {
            Instant r = t;
            if (months != 0 || days != 0) {
                ZonedDateTime z = t.atZone(zone);
                if (months != 0) {
                    z = z.plusMonths(months);
                }
                if (days != 0) {
                    z = z.plusDays(days);
                }
                r = z.toInstant();
            }
            r = r.plusSeconds(Math.floorDiv(micros, MICROS_PER_SECOND)).plusNanos(Math.floorMod(micros, MICROS_PER_SECOND) * 1000);
            DateTimeText.checkTimestamptz(r, "");
            return r;
        } catch (java.time.DateTimeException | ArithmeticException | LrepException e) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        }
    }

    /** {@code timestamp + this} ({@code timestamp_pl_interval}), in local time. */
    public LocalDateTime addTo(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX) || t.equals(LocalDateTime.MIN)) {
            return t;
        }
        try {
            LocalDateTime r = t.plusMonths(months).plusDays(days)
                    .plusSeconds(Math.floorDiv(micros, MICROS_PER_SECOND)).plusNanos(Math.floorMod(micros, MICROS_PER_SECOND) * 1000);
            DateTimeText.checkTimestamp(r, "");
            return r;
        } catch (java.time.DateTimeException | ArithmeticException | LrepException e) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        }
    }

    /** {@code a - b} for timestamptz ({@code timestamptz_mi}): the elapsed time, whole 24 hours as days. */
    public static PgInterval between(Instant a, Instant b) {
        return ofMicros(subtractMicros(micros(a), micros(b))).justifyHours();
    }

    /** {@code a - b} for timestamp ({@code timestamp_mi}). */
    public static PgInterval between(LocalDateTime a, LocalDateTime b) {
        return between(a.toInstant(java.time.ZoneOffset.UTC), b.toInstant(java.time.ZoneOffset.UTC));
    }

    private static long micros(Instant i) {
        if (i.equals(Instant.MAX) || i.equals(Instant.MIN)) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "cannot subtract infinite timestamps");
        }
        return DateTimeText.instantToMicros(i);
    }

    /** {@code age(a, b)} for timestamptz: field by field on the local times in {@code zone}, borrowing as PostgreSQL does. */
    public static PgInterval age(Instant a, Instant b, ZoneId zone) {
        if (a.equals(Instant.MAX) || a.equals(Instant.MIN) || b.equals(Instant.MAX) || b.equals(Instant.MIN)) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        }
        return age(LocalDateTime.ofInstant(a, zone), LocalDateTime.ofInstant(b, zone));
    }

    /** {@code age(a, b)} for timestamp ({@code timestamp_age}): years, months and days between, then the time. */
    public static PgInterval age(LocalDateTime a, LocalDateTime b) {
        if (a.equals(LocalDateTime.MAX) || a.equals(LocalDateTime.MIN) || b.equals(LocalDateTime.MAX) || b.equals(LocalDateTime.MIN)) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        }
        boolean flip = a.isBefore(b);
        int sign = flip ? -1 : 1;
        long fsec = sign * (long) (a.getNano() / 1000 - b.getNano() / 1000);
        long sec = sign * (long) (a.getSecond() - b.getSecond());
        long min = sign * (long) (a.getMinute() - b.getMinute());
        long hour = sign * (long) (a.getHour() - b.getHour());
        long mday = sign * (long) (a.getDayOfMonth() - b.getDayOfMonth());
        long mon = sign * (long) (a.getMonthValue() - b.getMonthValue());
        long year = sign * (a.getYear() - (long) b.getYear());
        while (fsec < 0) {
            fsec += MICROS_PER_SECOND;
            sec--;
        }
        while (sec < 0) {
            sec += 60;
            min--;
        }
        while (min < 0) {
            min += 60;
            hour--;
        }
        while (hour < 0) {
            hour += 24;
            mday--;
        }
        // Borrow a month's days: the month of the earlier timestamp.
        LocalDate earlier = flip ? a.toLocalDate() : b.toLocalDate();
        while (mday < 0) {
            mday += YearMonth.from(earlier).lengthOfMonth();
            mon--;
        }
        while (mon < 0) {
            mon += 12;
            year--;
        }
        long time = ((hour * 60 + min) * 60 + sec) * MICROS_PER_SECOND + fsec;
        return checked(sign * (year * 12 + mon), sign * mday, sign * time);
    }

    // ---------------------------------------------------------------- typmod

    /**
     * Drops the fields below {@code field} ({@code INTERVAL ... DAY}, {@code HOUR TO MINUTE}: the
     * last field word), as PostgreSQL applies an interval typmod; {@code second} keeps all.
     */
    public PgInterval truncateTo(String field) {
        return switch (field) {
            case "year" -> new PgInterval(months / 12 * 12, 0, 0);
            case "month" -> new PgInterval(months, 0, 0);
            case "day" -> new PgInterval(months, days, 0);
            case "hour" -> new PgInterval(months, days, micros / MICROS_PER_HOUR * MICROS_PER_HOUR);
            case "minute" -> new PgInterval(months, days, micros / MICROS_PER_MINUTE * MICROS_PER_MINUTE);
            default -> this;
        };
    }

    // ---------------------------------------------------------------- helpers

    static PgInterval checked(long months, long days, long micros) {
        if (months < Integer.MIN_VALUE || months > Integer.MAX_VALUE || days < Integer.MIN_VALUE || days > Integer.MAX_VALUE) {
            throw outOfRange();
        }
        return new PgInterval((int) months, (int) days, micros);
    }

    private static long addMicros(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw outOfRange();
        }
    }

    private static long subtractMicros(long a, long b) {
        try {
            return Math.subtractExact(a, b);
        } catch (ArithmeticException e) {
            throw outOfRange();
        }
    }

    static LrepException outOfRange() {
        return new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "interval out of range");
    }
}
