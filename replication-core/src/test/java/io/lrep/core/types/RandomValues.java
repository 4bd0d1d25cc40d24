package io.lrep.core.types;

import io.lrep.core.lsn.Lsn;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.UUID;

/** Random valid values of each type, for property tests. */
final class RandomValues {

    private static final long MIN_DAY = DateTimeText.MIN_DATE.toEpochDay();
    private static final long END_DAY = DateTimeText.END_DATE.toEpochDay();
    private static final long MIN_MICROS = DateTimeText.toMicros(DateTimeText.MIN_TIMESTAMP);
    private static final long END_MICROS = DateTimeText.toMicros(DateTimeText.END_TIMESTAMP);

    private final Random random;

    RandomValues(Random random) {
        this.random = random;
    }

    /** The seed from {@code -Dlrep.seed=...} or a fresh one, printed so a failure can be rerun. */
    static long seed(String test) {
        String prop = System.getProperty("lrep.seed");
        long seed = prop != null ? Long.parseLong(prop) : System.nanoTime();
        System.out.println(test + " seed=" + seed + " (rerun with -Dlrep.seed=" + seed + ")");
        return seed;
    }

    Object value(PgType type) {
        switch (type) {
            case BOOL:
                return random.nextBoolean();
            case INT2:
                return (short) small(Short.MIN_VALUE, Short.MAX_VALUE);
            case INT4:
                return (int) small(Integer.MIN_VALUE, Integer.MAX_VALUE);
            case INT8:
                return small(Long.MIN_VALUE, Long.MAX_VALUE);
            case OID:
                return random.nextInt(4) == 0 ? (long) random.nextInt(20) : random.nextInt() & 0xFFFF_FFFFL;
            case FLOAT4:
                return pick(4) ? new float[] {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.5f}[random.nextInt(6)]
                        : random.nextBoolean() ? Float.intBitsToFloat(random.nextInt()) : (float) (random.nextInt(2000) - 1000) / 8;
            case FLOAT8:
                return pick(4) ? new double[] {0d, -0d, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1}[random.nextInt(6)]
                        : random.nextBoolean() ? Double.longBitsToDouble(random.nextLong()) : (double) (random.nextInt(2000) - 1000) / 8;
            case NUMERIC:
                return numeric();
            case TEXT:
            case VARCHAR:
                return string(random.nextInt(12));
            case BPCHAR:
                return string(random.nextInt(6)) + " ".repeat(random.nextInt(3));
            case NAME:
                return StringTypes.truncateName(string(random.nextInt(70)));
            case CHAR:
                return String.valueOf((char) random.nextInt(256));
            case JSON:
                return json(3);
            case JSONB:
                return Json.normalize(json(3));
            case BYTEA: {
                byte[] b = new byte[random.nextInt(10)];
                random.nextBytes(b);
                return b;
            }
            case DATE:
                if (pick(10)) {
                    return random.nextBoolean() ? LocalDate.MAX : LocalDate.MIN;
                }
                return LocalDate.ofEpochDay(pick(2) ? random.nextInt(40_000) - 20_000 : MIN_DAY + (long) (random.nextDouble() * (END_DAY - MIN_DAY)));
            case TIMESTAMP:
                if (pick(10)) {
                    return random.nextBoolean() ? LocalDateTime.MAX : LocalDateTime.MIN;
                }
                return DateTimeText.fromMicros(micros());
            case TIMESTAMPTZ:
                if (pick(10)) {
                    return random.nextBoolean() ? Instant.MAX : Instant.MIN;
                }
                return DateTimeText.instantFromMicros(micros());
            case UUID:
                return pick(4) ? new UUID(random.nextInt(3) - 1, random.nextInt(3) - 1) : new UUID(random.nextLong(), random.nextLong());
            case PG_LSN:
                return Lsn.of(pick(3) ? random.nextInt(5) : random.nextLong());
            case INTERVAL:
                if (pick(3)) {
                    return new PgInterval(random.nextInt(25) - 12, random.nextInt(61) - 30, (random.nextInt(200_001) - 100_000) * 1_000_000L / 7);
                }
                return new PgInterval(random.nextInt(), random.nextInt(), random.nextLong());
            case REGCLASS:
            case REGTYPE:
            case REGPROC:
                return pick(4) ? (long) random.nextInt(3) : random.nextInt() & 0xFFFF_FFFFL;
            case UNKNOWN:
                return string(random.nextInt(8));
            case VOID:
                return "";
            case RECORD: {
                // Two text fields: record input reads every field as text, and only records of
                // like columns compare.
                Object[] fields = new Object[2];
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = pick(4) ? null : pick(3) ? "" : string(random.nextInt(5));
                }
                return fields;
            }
            case INT2VECTOR:
            case OIDVECTOR: {
                Object[] v = new Object[random.nextInt(5)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = value(type.elementType());
                }
                return v;
            }
            default:
                if (type.elementType() != null) {
                    return array(type.elementType());
                }
                throw new IllegalArgumentException(type.toString());
        }
    }

    /** A one-dimensional array, sometimes empty, with NULLs; now and then two-dimensional. */
    private Object[] array(PgType elem) {
        if (pick(6)) {
            Object[][] rows = new Object[1 + random.nextInt(3)][];
            int width = 1 + random.nextInt(3);
            for (int r = 0; r < rows.length; r++) {
                rows[r] = new Object[width];
                for (int c = 0; c < width; c++) {
                    rows[r][c] = pick(5) ? null : value(elem);
                }
            }
            return rows;
        }
        Object[] v = new Object[random.nextInt(5)];
        for (int i = 0; i < v.length; i++) {
            v[i] = pick(5) ? null : value(elem);
        }
        return v;
    }

    private boolean pick(int oneIn) {
        return random.nextInt(oneIn) == 0;
    }

    /** Mostly small values, so samples hold duplicates; sometimes extremes. */
    private long small(long min, long max) {
        switch (random.nextInt(4)) {
            case 0:
                return random.nextInt(7) - 3;
            case 1:
                return random.nextBoolean() ? min : max;
            default:
                long v = random.nextLong();
                return min == Long.MIN_VALUE ? v : Math.floorMod(v, max - min + 1) + min;
        }
    }

    private long micros() {
        if (pick(2)) {
            return (random.nextInt(2_000_000) - 1_000_000) * 1_000_000L + random.nextInt(1_000_000);
        }
        double span = (double) END_MICROS - (double) MIN_MICROS;
        long v = (long) (MIN_MICROS + random.nextDouble() * span);
        return Math.max(MIN_MICROS, Math.min(END_MICROS - 1, v));
    }

    private BigDecimal numeric() {
        if (pick(5)) {
            return new BigDecimal(random.nextInt(5) - 2).setScale(random.nextInt(3));
        }
        BigInteger unscaled = new BigInteger(random.nextInt(200) + 1, random);
        if (random.nextBoolean()) {
            unscaled = unscaled.negate();
        }
        return new BigDecimal(unscaled, random.nextInt(30));
    }

    private String string(int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            switch (random.nextInt(6)) {
                case 0:
                    sb.appendCodePoint(0x1F600 + random.nextInt(40));
                    break;
                case 1:
                    sb.appendCodePoint(0xA0 + random.nextInt(0xD000));
                    break;
                case 2:
                    sb.append(' ');
                    break;
                default:
                    sb.append((char) ('a' + random.nextInt(4)));
            }
        }
        return sb.toString();
    }

    private String json(int depth) {
        int kind = random.nextInt(depth > 0 ? 7 : 5);
        switch (kind) {
            case 0:
                return "null";
            case 1:
                return random.nextBoolean() ? "true" : "false";
            case 2:
                return numeric().toString().replace("E", random.nextBoolean() ? "e" : "E");
            case 3:
            case 4: {
                StringBuilder sb = new StringBuilder();
                Json.quote(sb, string(random.nextInt(4)));
                return sb.toString();
            }
            case 5: {
                StringBuilder sb = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? "," : "").append(json(depth - 1));
                }
                return sb.append(']').toString();
            }
            default: {
                StringBuilder sb = new StringBuilder("{ ");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    sb.append(i > 0 ? " ,\n" : "");
                    Json.quote(sb, string(random.nextInt(3)));
                    sb.append(':').append(json(depth - 1));
                }
                return sb.append('}').toString();
            }
        }
    }
}
