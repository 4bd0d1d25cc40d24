package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.time.Duration;
import java.util.Locale;

/** Interval text as fixed durations ('1 day', '2 hours 30 minutes', '00:05:00'): lrep has no interval type; days are 24 hours. */
public final class Intervals {

    private Intervals() {}

    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d = Duration.ZERO;
        String[] tok = t.split("\\s+");
        for (int i = 0; i < tok.length; i++) {
            String s = tok[i];
            if (s.isEmpty()) {
                continue;
            }
            if (s.contains(":")) {
                String[] hms = s.split(":");
                boolean neg = hms[0].startsWith("-");
                Duration x = Duration.ofHours(Math.abs(Long.parseLong(hms[0]))).plusMinutes(hms.length > 1 ? Long.parseLong(hms[1]) : 0)
                        .plusNanos(hms.length > 2 ? (long) (Double.parseDouble(hms[2]) * 1e9) : 0);
                d = d.plus(neg ? x.negated() : x);
                continue;
            }
            double n;
            try {
                n = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw bad(text);
            }
            String unit = i + 1 < tok.length ? tok[++i] : "seconds";
            long nanos = (long) (n * unitNanos(unit, text));
            d = d.plusNanos(nanos);
        }
        return d;
    }

    private static double unitNanos(String unit, String text) {
        String u = unit.endsWith("s") && unit.length() > 1 ? unit.substring(0, unit.length() - 1) : unit;
        return switch (u) {
            case "microsecond", "u", "us", "usec" -> 1e3;
            case "millisecond", "m", "ms", "msec" -> 1e6;
            case "second", "sec", "" -> 1e9;
            case "minute", "min" -> 60e9;
            case "hour", "h", "hr" -> 3600e9;
            case "day", "d" -> 86400e9;
            case "week", "w" -> 7 * 86400e9;
            default -> throw bad(text);
        };
    }

    private static LrepException bad(String text) {
        return new LrepException(SqlState.INVALID_DATETIME_FORMAT, "invalid input syntax for type interval: \"" + text + "\"");
    }
}
