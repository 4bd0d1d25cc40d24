package io.lrep.core.wal;

import io.lrep.core.lsn.Lsn;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

/** Random WAL records for property tests, and deep equality for records that hold arrays. */
final class WalRecords {

    private WalRecords() {}

    /** The seed for a property test: system property {@code name}, else a fresh one; printed. */
    static long seed(String name) {
        String fixed = System.getProperty(name);
        long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        System.out.println(name + " seed = " + seed + " (rerun with -D" + name + "=" + seed + ")");
        return seed;
    }

    static WalRecord random(Random rnd) {
        int xid = rnd.nextInt();
        switch (rnd.nextInt(11)) {
            case 0:
                return new WalRecord.Insert(xid, rnd.nextInt(), row(rnd));
            case 1:
                return new WalRecord.Update(xid, rnd.nextInt(), rnd.nextBoolean() ? null : row(rnd), rnd.nextBoolean(), row(rnd));
            case 2:
                return new WalRecord.Delete(xid, rnd.nextInt(), row(rnd), rnd.nextBoolean());
            case 3:
                return new WalRecord.Truncate(xid, rnd.ints(rnd.nextInt(5)).toArray(), rnd.nextBoolean(), rnd.nextBoolean());
            case 4:
                return new WalRecord.Commit(xid, rnd.nextLong(), rnd.nextInt(), rnd.nextLong());
            case 5:
                return new WalRecord.Abort(xid);
            case 6:
                return new WalRecord.CatalogChange(xid, rnd.nextInt(), rnd.nextInt(), bytes(rnd, 200));
            case 7:
                return new WalRecord.LogicalMessage(xid, rnd.nextBoolean(), text(rnd), bytes(rnd, 300));
            case 8:
                return new WalRecord.SequenceAdvance(xid, rnd.nextInt(), rnd.nextLong(), rnd.nextBoolean());
            case 9:
                return new WalRecord.SubxactAbort(xid, rnd.nextLong());
            default:
                return new WalRecord.Checkpoint(xid, rnd.nextLong(), rnd.nextLong(), rnd.nextInt(), rnd.nextInt(), rnd.nextInt(),
                        rnd.nextLong());
        }
    }

    static Object[] row(Random rnd) {
        Object[] row = new Object[rnd.nextInt(8)];
        for (int i = 0; i < row.length; i++) {
            row[i] = value(rnd);
        }
        return row;
    }

    static Object value(Random rnd) {
        switch (rnd.nextInt(17)) {
            case 0: return null;
            case 1: return rnd.nextBoolean();
            case 2: return (short) rnd.nextInt();
            case 3: return rnd.nextInt();
            case 4: return rnd.nextLong();
            case 5: return rnd.nextBoolean() ? Float.NaN : rnd.nextFloat() * 1e6f;
            case 6: return rnd.nextBoolean() ? Double.NEGATIVE_INFINITY : rnd.nextGaussian() * 1e300;
            case 7: return new BigDecimal(new BigInteger(rnd.nextInt(200) + 1, rnd).subtract(BigInteger.TEN.pow(20)),
                    rnd.nextInt(40) - 10);
            case 8: return text(rnd);
            case 9: return bytes(rnd, 100);
            case 10: return pick(rnd, LocalDate.MIN, LocalDate.MAX, LocalDate.ofEpochDay(rnd.nextInt(100_000) - 50_000));
            case 11: return pick(rnd, LocalDateTime.MIN, LocalDateTime.MAX,
                    LocalDateTime.of(LocalDate.ofEpochDay(rnd.nextInt(100_000)), java.time.LocalTime.ofNanoOfDay(
                            Math.floorMod(rnd.nextLong(), 86_400_000_000_000L))));
            case 12: return pick(rnd, Instant.MIN, Instant.MAX, Instant.ofEpochSecond(rnd.nextInt(), rnd.nextInt(1_000_000_000)));
            case 13: return new UUID(rnd.nextLong(), rnd.nextLong());
            case 14: return Lsn.of(rnd.nextLong());
            case 15: {
                // arrays, vectors and records: nested Object[]
                Object[] a = new Object[rnd.nextInt(4)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = value(rnd);
                }
                return a;
            }
            default: return "";
        }
    }

    private static Object pick(Random rnd, Object min, Object max, Object other) {
        int k = rnd.nextInt(6);
        return k == 0 ? min : k == 1 ? max : other;
    }

    static String text(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(4)) {
                case 0: sb.append((char) ('a' + rnd.nextInt(26))); break;
                case 1: sb.append((char) (0x80 + rnd.nextInt(0x700))); break;
                case 2: sb.append((char) (0x800 + rnd.nextInt(0xD000 - 0x800))); break;
                default: sb.appendCodePoint(0x10000 + rnd.nextInt(0x10000)); break;
            }
        }
        return sb.toString();
    }

    static byte[] bytes(Random rnd, int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return b;
    }

    /** Component-wise deep equality (arrays by content). */
    static boolean deepEquals(WalRecord a, WalRecord b) {
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return a == b;
        }
        try {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                if (!Objects.deepEquals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
                    return false;
                }
            }
            return true;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static String describe(WalRecord r) {
        StringBuilder sb = new StringBuilder(r.getClass().getSimpleName()).append('[');
        try {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object v = c.getAccessor().invoke(r);
                sb.append(c.getName()).append('=').append(v instanceof Object[] o ? java.util.Arrays.deepToString(o)
                        : v instanceof byte[] bs ? java.util.Arrays.toString(bs)
                        : v instanceof int[] is ? java.util.Arrays.toString(is) : String.valueOf(v)).append(' ');
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return sb.append(']').toString();
    }
}
