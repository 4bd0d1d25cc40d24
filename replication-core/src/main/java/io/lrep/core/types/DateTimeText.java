package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * date, timestamp and timestamptz text I/O in PostgreSQL's ISO DateStyle, and the conversions
 * to PostgreSQL's binary epoch (2000-01-01). Values carry microsecond precision; infinity and
 * -infinity are the MAX / MIN constants of the Java class.
 *
 * <p>Input accepts the ISO forms ({@code 2024-01-31}, {@code 20240131}, a time after a space
 * or {@code T}, fractional seconds, {@code 24:00:00}, leap second {@code :60}), a zone as
 * {@code Z}, {@code ±HH[:MM[:SS]]}, {@code ±HHMM}, a common abbreviation (UTC, GMT, EST, PST,
 * CET, ...) or an IANA name (case-insensitive), a trailing {@code BC}/{@code AD}, and the
 * special words {@code now, today, tomorrow, yesterday, epoch, infinity, -infinity}. Other
 * PostgreSQL spellings (month names, MDY/DMY orders, Julian days) are rejected with 22007.
 */
final class DateTimeText {

    /** Seconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
    static final long PG_EPOCH_SECONDS = 946_684_800L;
    /** Days from 1970-01-01 to 2000-01-01. */
    static final int PG_EPOCH_DAYS = 10_957;

    /** 4714-11-24 BC, Julian day 0: the first valid date and timestamp. */
    static final LocalDate MIN_DATE = LocalDate.of(-4713, 11, 24);
    /** First invalid date, 5874898-01-01. */
    static final LocalDate END_DATE = LocalDate.of(5_874_898, 1, 1);
    /** First invalid timestamp, 294277-01-01 00:00:00. */
    static final LocalDateTime END_TIMESTAMP = LocalDateTime.of(294_277, 1, 1, 0, 0);
    static final LocalDateTime MIN_TIMESTAMP = MIN_DATE.atStartOfDay();

    private static final Pattern ISO = Pattern.compile(
            "(?:(\\d+)-(\\d{1,2})-(\\d{1,2})|(\\d{4})(\\d{2})(\\d{2}))"
                    + "(?:(?:\\s+|[Tt])(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d*))?)?)?"
                    + "(?:\\s*([zZ]|[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?|\\s(?![bB][cC]$|[aA][dD]$)[A-Za-z][A-Za-z0-9_/+-]*))?"
                    + "(?:\\s+([bB][cC]|[aA][dD]))?");

    private static final Map<String, Integer> ABBREVIATIONS = new HashMap<>();

    static {
        int h = 3600;
        for (String z : new String[] {"utc", "gmt", "z", "zulu", "ut", "wet"}) {
            ABBREVIATIONS.put(z, 0);
        }
        ABBREVIATIONS.put("est", -5 * h);
        ABBREVIATIONS.put("edt", -4 * h);
        ABBREVIATIONS.put("cst", -6 * h);
        ABBREVIATIONS.put("cdt", -5 * h);
        ABBREVIATIONS.put("mst", -7 * h);
        ABBREVIATIONS.put("mdt", -6 * h);
        ABBREVIATIONS.put("pst", -8 * h);
        ABBREVIATIONS.put("pdt", -7 * h);
        ABBREVIATIONS.put("akst", -9 * h);
        ABBREVIATIONS.put("akdt", -8 * h);
        ABBREVIATIONS.put("hst", -10 * h);
        ABBREVIATIONS.put("west", h);
        ABBREVIATIONS.put("bst", h);
        ABBREVIATIONS.put("cet", h);
        ABBREVIATIONS.put("cest", 2 * h);
        ABBREVIATIONS.put("met", h);
        ABBREVIATIONS.put("mest", 2 * h);
        ABBREVIATIONS.put("eet", 2 * h);
        ABBREVIATIONS.put("eest", 3 * h);
        ABBREVIATIONS.put("msk", 3 * h);
        ABBREVIATIONS.put("jst", 9 * h);
        ABBREVIATIONS.put("kst", 9 * h);
        ABBREVIATIONS.put("aest", 10 * h);
        ABBREVIATIONS.put("aedt", 11 * h);
        ABBREVIATIONS.put("nzst", 12 * h);
        ABBREVIATIONS.put("nzdt", 13 * h);
    }

    private DateTimeText() {
    }

    // ---------------------------------------------------------------- output

    static String formatDate(LocalDate d) {
        if (d.equals(LocalDate.MAX)) {
            return "infinity";
        }
        if (d.equals(LocalDate.MIN)) {
            return "-infinity";
        }
        StringBuilder sb = new StringBuilder(16);
        appendDate(sb, d);
        if (d.getYear() <= 0) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    static String formatTimestamp(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) {
            return "infinity";
        }
        if (t.equals(LocalDateTime.MIN)) {
            return "-infinity";
        }
        StringBuilder sb = new StringBuilder(32);
        appendDate(sb, t.toLocalDate());
        sb.append(' ');
        appendTime(sb, t.toLocalTime());
        if (t.getYear() <= 0) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    static String formatTimestamptz(Instant i, ZoneId zone) {
        if (i.equals(Instant.MAX)) {
            return "infinity";
        }
        if (i.equals(Instant.MIN)) {
            return "-infinity";
        }
        ZonedDateTime z = i.atZone(zone);
        StringBuilder sb = new StringBuilder(40);
        appendDate(sb, z.toLocalDate());
        sb.append(' ');
        appendTime(sb, z.toLocalTime());
        int off = z.getOffset().getTotalSeconds();
        sb.append(off < 0 ? '-' : '+');
        off = Math.abs(off);
        pad2(sb, off / 3600);
        int min = off / 60 % 60;
        int sec = off % 60;
        if (min != 0 || sec != 0) {
            sb.append(':');
            pad2(sb, min);
        }
        if (sec != 0) {
            sb.append(':');
            pad2(sb, sec);
        }
        if (z.getYear() <= 0) {
            sb.append(" BC");
        }
        return sb.toString();
    }

    private static void appendDate(StringBuilder sb, LocalDate d) {
        int y = d.getYear();
        if (y <= 0) {
            y = 1 - y;
        }
        String ys = Integer.toString(y);
        for (int i = ys.length(); i < 4; i++) {
            sb.append('0');
        }
        sb.append(ys).append('-');
        pad2(sb, d.getMonthValue());
        sb.append('-');
        pad2(sb, d.getDayOfMonth());
    }

    private static void appendTime(StringBuilder sb, LocalTime t) {
        pad2(sb, t.getHour());
        sb.append(':');
        pad2(sb, t.getMinute());
        sb.append(':');
        pad2(sb, t.getSecond());
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            String f = Integer.toString(1_000_000 + micros).substring(1);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
    }

    private static void pad2(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        sb.append(v);
    }

    // ---------------------------------------------------------------- input

    static LocalDate parseDate(String text, ZoneId zone) {
        String s = trim(text);
        switch (s.toLowerCase(Locale.ROOT)) {
            case "infinity": case "+infinity": return LocalDate.MAX;
            case "-infinity": return LocalDate.MIN;
            case "epoch": return LocalDate.of(1970, 1, 1);
            case "now": case "today": return LocalDate.now(zone);
            case "tomorrow": return LocalDate.now(zone).plusDays(1);
            case "yesterday": return LocalDate.now(zone).minusDays(1);
            default: break;
        }
        Parsed p = parse(s, text, PgType.DATE);
        if (p.date.isBefore(MIN_DATE) || !p.date.isBefore(END_DATE)) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "date out of range: \"" + text + "\"");
        }
        return p.date;
    }

    static LocalDateTime parseTimestamp(String text, int typmod, ZoneId zone) {
        String s = trim(text);
        LocalDateTime t;
        switch (s.toLowerCase(Locale.ROOT)) {
            case "infinity": case "+infinity": return LocalDateTime.MAX;
            case "-infinity": return LocalDateTime.MIN;
            case "epoch": t = LocalDateTime.of(1970, 1, 1, 0, 0); break;
            case "now": t = LocalDateTime.now(zone).truncatedTo(ChronoUnit.MICROS); break;
            case "today": t = LocalDate.now(zone).atStartOfDay(); break;
            case "tomorrow": t = LocalDate.now(zone).plusDays(1).atStartOfDay(); break;
            case "yesterday": t = LocalDate.now(zone).minusDays(1).atStartOfDay(); break;
            default:
                Parsed p = parse(s, text, PgType.TIMESTAMP);
                t = p.date.atStartOfDay().plus(p.micros, ChronoUnit.MICROS);
                break;
        }
        t = fromMicros(roundMicros(toMicros(t), typmod));
        checkTimestamp(t, text);
        return t;
    }

    static Instant parseTimestamptz(String text, int typmod, ZoneId zone) {
        String s = trim(text);
        Instant i;
        switch (s.toLowerCase(Locale.ROOT)) {
            case "infinity": case "+infinity": return Instant.MAX;
            case "-infinity": return Instant.MIN;
            case "epoch": i = Instant.EPOCH; break;
            case "now": i = Instant.now().truncatedTo(ChronoUnit.MICROS); break;
            case "today": i = atZone(LocalDate.now(zone).atStartOfDay(), zone); break;
            case "tomorrow": i = atZone(LocalDate.now(zone).plusDays(1).atStartOfDay(), zone); break;
            case "yesterday": i = atZone(LocalDate.now(zone).minusDays(1).atStartOfDay(), zone); break;
            default:
                Parsed p = parse(s, text, PgType.TIMESTAMPTZ);
                LocalDateTime local = p.date.atStartOfDay().plus(p.micros, ChronoUnit.MICROS);
                if (local.isBefore(MIN_TIMESTAMP.minusDays(2)) || local.isAfter(END_TIMESTAMP.plusDays(2))) {
                    throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"" + text + "\"");
                }
                i = atZone(local, p.zone != null ? p.zone : zone);
                break;
        }
        i = instantFromMicros(roundMicros(instantToMicros(i), typmod));
        checkTimestamptz(i, text);
        return i;
    }

    /** PostgreSQL resolves a local time in a DST overlap to the later instant (standard time). */
    private static Instant atZone(LocalDateTime local, ZoneId zone) {
        return ZonedDateTime.ofLocal(local, zone, null).withLaterOffsetAtOverlap().toInstant();
    }

    static void checkTimestamp(LocalDateTime t, String what) {
        if (t.isBefore(MIN_TIMESTAMP) || !t.isBefore(END_TIMESTAMP)) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"" + what + "\"");
        }
    }

    static void checkTimestamptz(Instant i, String what) {
        checkTimestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC), what);
    }

    private static String trim(String text) {
        int b = 0;
        int e = text.length();
        while (b < e && FloatText.isSpace(text.charAt(b))) {
            b++;
        }
        while (e > b && FloatText.isSpace(text.charAt(e - 1))) {
            e--;
        }
        return text.substring(b, e);
    }

    /** A parsed ISO date with its time of day in microseconds (0 .. 24h) and its zone, or null. */
    private static final class Parsed {
        LocalDate date;
        long micros;
        ZoneId zone;
    }

    private static Parsed parse(String s, String text, PgType type) {
        Matcher m = ISO.matcher(s);
        if (!m.matches()) {
            throw TypeErrors.invalidDateTimeSyntax(type, text);
        }
        Parsed p = new Parsed();
        String yearText;
        int month;
        int day;
        if (m.group(1) == null) {
            yearText = m.group(4);
            month = Integer.parseInt(m.group(5));
            day = Integer.parseInt(m.group(6));
        } else if (m.group(1).length() <= 2) {
            // A short first field is read as PostgreSQL's default DateStyle MDY does: month-day-year.
            month = Integer.parseInt(m.group(1));
            day = Integer.parseInt(m.group(2));
            yearText = m.group(3);
        } else {
            yearText = m.group(1);
            month = Integer.parseInt(m.group(2));
            day = Integer.parseInt(m.group(3));
        }
        if (yearText.length() > 9) {
            throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, rangeMessage(type, text));
        }
        int year = Integer.parseInt(yearText);
        String era0 = m.group(12);
        boolean bc = era0 != null && era0.equalsIgnoreCase("bc");
        if (yearText.length() <= 2 && !bc) {
            year += year < 70 ? 2000 : 1900;
        }
        if (year == 0) {
            throw fieldOutOfRange(text);
        }
        if (bc) {
            year = 1 - year;
        }
        try {
            p.date = LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            throw fieldOutOfRange(text);
        }
        if (m.group(7) != null) {
            int hour = Integer.parseInt(m.group(7));
            int minute = Integer.parseInt(m.group(8));
            int second = m.group(9) == null ? 0 : Integer.parseInt(m.group(9));
            long fraction = 0;
            String frac = m.group(10);
            if (frac != null && !frac.isEmpty()) {
                fraction = new BigDecimal("0." + frac).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValue();
            }
            if (hour > 24 || minute > 59 || second > 60
                    || (hour == 24 && (minute != 0 || second != 0 || fraction != 0))
                    || (second == 60 && fraction != 0)) {
                throw fieldOutOfRange(text);
            }
            p.micros = ((hour * 60L + minute) * 60L + second) * 1_000_000L + fraction;
        }
        String z = m.group(11);
        if (z != null) {
            p.zone = zone(z.trim(), text, type);
        }
        return p;
    }

    private static String rangeMessage(PgType type, String text) {
        return (type == PgType.DATE ? "date" : "timestamp") + " out of range: \"" + text + "\"";
    }

    private static LrepException fieldOutOfRange(String text) {
        return new LrepException(SqlState.DATETIME_FIELD_OVERFLOW, "date/time field value out of range: \"" + text + "\"");
    }

    private static ZoneId zone(String z, String text, PgType type) {
        char c = z.charAt(0);
        if (c == '+' || c == '-') {
            String digits = z.substring(1).replace(":", "");
            int h;
            int mi = 0;
            int se = 0;
            if (digits.length() <= 2) {
                h = Integer.parseInt(digits);
            } else {
                int hl = digits.length() % 2 == 0 ? 2 : 1;
                h = Integer.parseInt(digits.substring(0, hl));
                mi = Integer.parseInt(digits.substring(hl, hl + 2));
                if (digits.length() > hl + 2) {
                    se = Integer.parseInt(digits.substring(hl + 2));
                }
            }
            if (h > 15 || mi > 59 || se > 59) {
                throw new LrepException(SqlState.DATETIME_FIELD_OVERFLOW,
                        "time zone displacement out of range: \"" + text + "\"");
            }
            int total = (h * 3600 + mi * 60 + se) * (c == '-' ? -1 : 1);
            return ZoneOffset.ofTotalSeconds(total);
        }
        Integer abbrev = ABBREVIATIONS.get(z.toLowerCase(Locale.ROOT));
        if (abbrev != null) {
            return ZoneOffset.ofTotalSeconds(abbrev);
        }
        ZoneId id = zoneByName(z);
        if (id == null) {
            throw TypeErrors.invalidDateTimeSyntax(type, text);
        }
        return id;
    }

    /** An IANA zone by name, case-insensitive as PostgreSQL's lookup is; null if unknown. */
    static ZoneId zoneByName(String name) {
        if (name.indexOf('/') >= 0) {
            for (String id : ZoneId.getAvailableZoneIds()) {
                if (id.equalsIgnoreCase(name)) {
                    return ZoneId.of(id);
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- binary epoch

    /** Microseconds since 2000-01-01 00:00; infinity as Long.MAX_VALUE / MIN_VALUE. */
    static long toMicros(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) {
            return Long.MAX_VALUE;
        }
        if (t.equals(LocalDateTime.MIN)) {
            return Long.MIN_VALUE;
        }
        long sec = t.toEpochSecond(ZoneOffset.UTC) - PG_EPOCH_SECONDS;
        return Math.addExact(Math.multiplyExact(sec, 1_000_000L), t.getNano() / 1000);
    }

    static LocalDateTime fromMicros(long micros) {
        if (micros == Long.MAX_VALUE) {
            return LocalDateTime.MAX;
        }
        if (micros == Long.MIN_VALUE) {
            return LocalDateTime.MIN;
        }
        long sec = Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS;
        int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
        return LocalDateTime.ofEpochSecond(sec, nanos, ZoneOffset.UTC);
    }

    static long instantToMicros(Instant i) {
        if (i.equals(Instant.MAX)) {
            return Long.MAX_VALUE;
        }
        if (i.equals(Instant.MIN)) {
            return Long.MIN_VALUE;
        }
        long sec = i.getEpochSecond() - PG_EPOCH_SECONDS;
        return Math.addExact(Math.multiplyExact(sec, 1_000_000L), i.getNano() / 1000);
    }

    static Instant instantFromMicros(long micros) {
        if (micros == Long.MAX_VALUE) {
            return Instant.MAX;
        }
        if (micros == Long.MIN_VALUE) {
            return Instant.MIN;
        }
        long sec = Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS;
        int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
        return Instant.ofEpochSecond(sec, nanos);
    }

    /** Days since 2000-01-01; infinity as Integer.MAX_VALUE / MIN_VALUE. */
    static int toDays(LocalDate d) {
        if (d.equals(LocalDate.MAX)) {
            return Integer.MAX_VALUE;
        }
        if (d.equals(LocalDate.MIN)) {
            return Integer.MIN_VALUE;
        }
        return Math.toIntExact(d.toEpochDay() - PG_EPOCH_DAYS);
    }

    static LocalDate fromDays(int days) {
        if (days == Integer.MAX_VALUE) {
            return LocalDate.MAX;
        }
        if (days == Integer.MIN_VALUE) {
            return LocalDate.MIN;
        }
        return LocalDate.ofEpochDay((long) days + PG_EPOCH_DAYS);
    }

    /** Rounds microseconds to a timestamp(p) typmod, half away from zero as PostgreSQL does. */
    static long roundMicros(long micros, int typmod) {
        int p = TypMod.precisionOf(typmod);
        if (p < 0 || p >= 6 || micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
            return micros;
        }
        long scale = 1;
        for (int i = p; i < 6; i++) {
            scale *= 10;
        }
        long half = scale / 2;
        return micros >= 0 ? (micros + half) / scale * scale : -((-micros + half) / scale * scale);
    }
}
