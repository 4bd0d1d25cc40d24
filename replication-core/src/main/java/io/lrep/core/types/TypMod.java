package io.lrep.core.types;

/**
 * Type modifiers ({@code atttypmod}) in PostgreSQL's own encoding, so that the values carried by
 * pgoutput's Relation message and the catalog can be passed to the codecs unchanged.
 *
 * <pre>
 * -1                       no modifier (every type)
 * varchar(n), bpchar(n)    n + 4                               (VARHDRSZ added)
 * numeric(p, s)            ((p &lt;&lt; 16) | (s &amp; 0x7ff)) + 4      (s may be negative, -1000..1000)
 * timestamp(p), timestamptz(p)  p, 0..6                        (no header added)
 * </pre>
 */
public final class TypMod {

    /** No type modifier. */
    public static final int NONE = -1;

    private static final int VARHDRSZ = 4;

    private TypMod() {
    }

    /** The typmod of {@code varchar(n)} or {@code character(n)}. */
    public static int length(int n) {
        if (n < 1 || n > 10_485_760) {
            throw new IllegalArgumentException("length for type varchar/char must be between 1 and 10485760: " + n);
        }
        return n + VARHDRSZ;
    }

    /** The typmod of {@code numeric(precision, scale)}. */
    public static int numeric(int precision, int scale) {
        if (precision < 1 || precision > 1000) {
            throw new IllegalArgumentException("NUMERIC precision " + precision + " must be between 1 and 1000");
        }
        if (scale < -1000 || scale > 1000) {
            throw new IllegalArgumentException("NUMERIC scale " + scale + " must be between -1000 and 1000");
        }
        return ((precision << 16) | (scale & 0x7ff)) + VARHDRSZ;
    }

    /** The typmod of {@code timestamp(p)} / {@code timestamptz(p)}. */
    public static int precision(int p) {
        if (p < 0 || p > 6) {
            throw new IllegalArgumentException("TIMESTAMP precision must be between 0 and 6: " + p);
        }
        return p;
    }

    /** n of a {@code varchar(n)} / {@code character(n)} typmod, or -1. */
    public static int lengthOf(int typmod) {
        return typmod < VARHDRSZ ? -1 : typmod - VARHDRSZ;
    }

    /** Whether a numeric typmod is present. */
    public static boolean isNumeric(int typmod) {
        return typmod >= VARHDRSZ;
    }

    /** Precision of a numeric typmod. */
    public static int numericPrecision(int typmod) {
        return ((typmod - VARHDRSZ) >> 16) & 0xffff;
    }

    /** Scale of a numeric typmod (sign-extended from 11 bits, as PostgreSQL 15 does). */
    public static int numericScale(int typmod) {
        return (((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024;
    }

    /** Fractional-second precision of a timestamp typmod, or -1 for none. */
    public static int precisionOf(int typmod) {
        return typmod < 0 ? -1 : Math.min(typmod, 6);
    }

    /**
     * The SQL spelling of a type with its modifier, as PostgreSQL's {@code format_type} prints it
     * ({@code character varying(10)}, {@code numeric(5,2)}, {@code timestamp(3) without time zone}).
     */
    public static String sqlName(PgType type, int typmod) {
        String base = TypeNames.sqlName(type);
        switch (type) {
            case VARCHAR:
            case BPCHAR:
                return typmod >= VARHDRSZ ? base + "(" + lengthOf(typmod) + ")" : base;
            case NUMERIC:
                return isNumeric(typmod) ? base + "(" + numericPrecision(typmod) + "," + numericScale(typmod) + ")" : base;
            case TIMESTAMP:
                return typmod >= 0 ? "timestamp(" + typmod + ") without time zone" : base;
            case TIMESTAMPTZ:
                return typmod >= 0 ? "timestamp(" + typmod + ") with time zone" : base;
            default:
                return base;
        }
    }
}
