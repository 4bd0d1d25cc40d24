package io.lrep.core.lsn;

/**
 * A position in the WAL stream: the byte offset of a record since the start of WAL, exactly as
 * PostgreSQL's {@code pg_lsn}. Printed and parsed as two hexadecimal halves, {@code X/X}
 * (upper and lower 32 bits, upper-case, no leading zeros), e.g. {@code 16/B374D848}.
 *
 * <p>Hot paths carry LSNs as plain {@code long}; this record is for APIs and text.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** PostgreSQL's InvalidXLogRecPtr, printed {@code 0/0}. */
    public static final Lsn INVALID = new Lsn(0);

    public static Lsn of(long value) {
        return value == 0 ? INVALID : new Lsn(value);
    }

    /**
     * Parses {@code X/X} as PostgreSQL's pg_lsn input does: one to eight hex digits on each side
     * of the slash, either case.
     *
     * @throws IllegalArgumentException if the text is not a valid LSN
     */
    public static Lsn parse(String text) {
        return of(parseLong(text));
    }

    /** {@link #parse(String)} without the allocation. */
    public static long parseLong(String text) {
        if (text == null) {
            throw new IllegalArgumentException("invalid input syntax for type pg_lsn: null");
        }
        int slash = text.indexOf('/');
        if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("invalid input syntax for type pg_lsn: \"" + text + "\"");
        }
        try {
            long hi = Long.parseLong(text, 0, slash, 16);
            long lo = Long.parseLong(text, slash + 1, text.length(), 16);
            if (hi < 0 || lo < 0 || text.charAt(0) == '+' || text.charAt(slash + 1) == '+') {
                throw new NumberFormatException();
            }
            return (hi << 32) | lo;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid input syntax for type pg_lsn: \"" + text + "\"", e);
        }
    }

    /** Formats a raw LSN as {@code X/X}. */
    public static String format(long value) {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }

    public boolean isValid() {
        return value != 0;
    }

    public Lsn plus(long bytes) {
        return of(value + bytes);
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return format(value);
    }
}
