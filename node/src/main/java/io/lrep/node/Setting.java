package io.lrep.node;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.List;
import java.util.Locale;

/**
 * One configuration parameter, as PostgreSQL's GUC: a name, a type, a default, bounds, and for
 * integers the unit its value is counted in ({@code kB}, {@code MB}, {@code ms}, {@code s}, or
 * none). Values are parsed and shown as PostgreSQL parses and shows them ({@code SHOW}).
 */
public record Setting(String name, Type type, String defaultValue, long min, long max, Unit unit, List<String> choices,
        String description) {

    /** The kind of value. */
    public enum Type { BOOL, INT, STRING, ENUM }

    /** What an integer counts, PostgreSQL's GUC_UNIT_*. */
    public enum Unit {
        NONE(""), BYTES("B"), KB("kB"), MB("MB"), MS("ms"), S("s"), MIN("min");

        private final String symbol;

        Unit(String symbol) {
            this.symbol = symbol;
        }

        boolean isMemory() {
            return this == BYTES || this == KB || this == MB;
        }

        boolean isTime() {
            return this == MS || this == S || this == MIN;
        }

        /** Bytes or milliseconds in one of this unit. */
        long base() {
            return switch (this) {
                case NONE, BYTES, MS -> 1;
                case KB -> 1024;
                case MB -> 1024 * 1024;
                case S -> 1000;
                case MIN -> 60_000;
            };
        }
    }

    static Setting bool(String name, boolean dflt, String description) {
        return new Setting(name, Type.BOOL, dflt ? "on" : "off", 0, 1, Unit.NONE, List.of(), description);
    }

    static Setting integer(String name, long dflt, long min, long max, Unit unit, String description) {
        return new Setting(name, Type.INT, Long.toString(dflt), min, max, unit, List.of(), description);
    }

    static Setting string(String name, String dflt, String description) {
        return new Setting(name, Type.STRING, dflt, 0, 0, Unit.NONE, List.of(), description);
    }

    static Setting choice(String name, String dflt, List<String> choices, String description) {
        return new Setting(name, Type.ENUM, dflt, 0, 0, Unit.NONE, choices, description);
    }

    /**
     * Parses a value as PostgreSQL does and returns its canonical stored form: booleans become
     * {@code on}/{@code off}, integers a plain number in this setting's unit, enums their
     * lower-case name.
     *
     * @throws LrepException 22023 naming the parameter when the value is invalid or out of range
     */
    public String normalize(String raw) {
        String value = raw.trim();
        return switch (type) {
            case BOOL -> parseBool(value) ? "on" : "off";
            case INT -> Long.toString(parseInt(value));
            case STRING -> value;
            case ENUM -> {
                String lower = value.toLowerCase(Locale.ROOT);
                if (!choices.contains(lower)) {
                    throw invalid(raw).withHint("Available values: " + String.join(", ", choices) + ".");
                }
                yield lower;
            }
        };
    }

    private boolean parseBool(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            throw invalid(value);
        }
        if (v.length() >= 2 && "on".startsWith(v) || "true".startsWith(v) || "yes".startsWith(v) || "1".equals(v)) {
            return true;
        }
        if (v.length() >= 2 && "off".startsWith(v) || "false".startsWith(v) || "no".startsWith(v) || "0".equals(v)) {
            return false;
        }
        throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "parameter \"" + name + "\" requires a Boolean value");
    }

    private long parseInt(String value) {
        int i = 0;
        if (i < value.length() && (value.charAt(i) == '-' || value.charAt(i) == '+')) {
            i++;
        }
        while (i < value.length() && Character.isDigit(value.charAt(i))) {
            i++;
        }
        String digits = value.substring(0, i);
        String suffix = value.substring(i).trim();
        long number;
        try {
            number = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw invalid(value);
        }
        long result = number;
        if (!suffix.isEmpty()) {
            Unit given = unitOf(suffix);
            if (given == null || unit == Unit.NONE || given.isMemory() != unit.isMemory()) {
                throw invalid(value).withHint(unit.isMemory() ? "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\"."
                        : unit.isTime() ? "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"." : null);
            }
            long scaled = Math.multiplyExact(number, given.base() * multiplier(suffix));
            result = scaled / unit.base();
        }
        if (result == -1 && min == -1) {
            return result;
        }
        if (result < min || result > max) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                    result + (unit == Unit.NONE ? "" : " " + unit.symbol) + " is outside the valid range for parameter \"" + name
                            + "\" (" + min + " .. " + max + ")");
        }
        return result;
    }

    private static Unit unitOf(String suffix) {
        return switch (suffix) {
            case "B" -> Unit.BYTES;
            case "kB", "GB", "TB" -> Unit.KB;
            case "MB" -> Unit.MB;
            case "ms" -> Unit.MS;
            case "s", "h", "d" -> Unit.S;
            case "min" -> Unit.MIN;
            default -> null;
        };
    }

    private static long multiplier(String suffix) {
        return switch (suffix) {
            case "GB" -> 1024 * 1024;
            case "TB" -> 1024L * 1024 * 1024;
            case "h" -> 3600;
            case "d" -> 86400;
            default -> 1;
        };
    }

    private LrepException invalid(String value) {
        return new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \"" + name + "\": \"" + value + "\"");
    }

    /** The value as SHOW prints it: integers with the largest unit that divides them exactly. */
    public String show(String stored) {
        if (type != Type.INT || unit == Unit.NONE) {
            return stored;
        }
        long v = Long.parseLong(stored);
        if (v == -1 || v == 0) {
            return v + (v == 0 && unit != Unit.NONE ? unit.symbol : "");
        }
        long base = v * unit.base();
        if (unit.isMemory()) {
            String[] names = {"TB", "GB", "MB", "kB"};
            long[] sizes = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
            for (int k = 0; k < names.length; k++) {
                if (sizes[k] >= unit.base() && base % sizes[k] == 0) {
                    return base / sizes[k] + names[k];
                }
            }
            return base + "B";
        }
        String[] names = {"d", "h", "min", "s", "ms"};
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        for (int k = 0; k < names.length; k++) {
            if (sizes[k] >= unit.base() && base % sizes[k] == 0) {
                return base / sizes[k] + names[k];
            }
        }
        return stored + unit.symbol;
    }
}
