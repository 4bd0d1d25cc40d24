package io.lrep.core.protocol.pgoutput;

import io.lrep.core.protocol.pgoutput.PgOutputMessage.Begin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.BeginPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Column;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Commit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.CommitPrepared;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Delete;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Insert;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Message;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.OldTupleKind;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Origin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Prepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Relation;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.RollbackPrepared;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamAbort;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamCommit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStart;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStop;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Truncate;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Type;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Update;
import io.lrep.core.protocol.pgoutput.TupleData.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid pgoutput messages for property tests. */
final class RandomPgOutput {

    private static final char[] REPLIDENT = {'d', 'n', 'f', 'i'};

    private final Random random;

    RandomPgOutput(Random random) {
        this.random = random;
    }

    /** The seed from {@code -Dlrep.seed=...} or a fresh one, printed so a failure can be rerun. */
    static long seed(String test) {
        String prop = System.getProperty("lrep.seed");
        long seed = prop != null ? Long.parseLong(prop) : System.nanoTime();
        System.out.println(test + " seed=" + seed + " (rerun with -Dlrep.seed=" + seed + ")");
        return seed;
    }

    /** A change-like message (the kinds that carry an xid in a stream block) with the given xid. */
    PgOutputMessage change(int xid) {
        return switch (random.nextInt(7)) {
            case 0 -> relation(xid);
            case 1 -> new Type(xid, oid(), name(), name());
            case 2 -> new Insert(xid, oid(), tuple());
            case 3 -> update(xid);
            case 4 -> new Delete(xid, oid(), random.nextBoolean() ? OldTupleKind.KEY : OldTupleKind.FULL, tuple());
            case 5 -> new Truncate(xid, random.nextInt(4), oids());
            default -> new Message(xid, random.nextInt(2), random.nextLong(), name(), bytes());
        };
    }

    /** Any message that exists in {@code version} outside a stream block. */
    PgOutputMessage outsideStream(int version) {
        int kinds = version >= 3 ? 14 : version >= 2 ? 9 : 4;
        return switch (random.nextInt(kinds)) {
            case 0 -> new Begin(lsn(), random.nextLong(), random.nextInt());
            case 1 -> new Commit(random.nextLong(), random.nextLong(), random.nextLong());
            case 2 -> new Origin(random.nextLong(), name());
            case 3 -> change(0);
            case 4 -> new StreamStart(xid(), random.nextBoolean());
            case 5 -> new StreamStop();
            case 6 -> new StreamCommit(random.nextInt(), random.nextLong(), random.nextLong(), random.nextLong());
            case 7 -> version >= 4 && random.nextBoolean() ? new StreamAbort(random.nextInt(), random.nextInt(), random.nextLong(),
                    random.nextLong()) : new StreamAbort(random.nextInt(), random.nextInt());
            case 8 -> change(0);
            case 9 -> new BeginPrepare(lsn(), lsn(), random.nextLong(), random.nextInt(), name());
            case 10 -> new Prepare(lsn(), lsn(), random.nextLong(), xid(), name());
            case 11 -> new StreamPrepare(lsn(), lsn(), random.nextLong(), xid(), name());
            case 12 -> new CommitPrepared(lsn(), lsn(), random.nextLong(), random.nextInt(), name());
            default -> new RollbackPrepared(lsn(), lsn(), random.nextLong(), random.nextLong(), random.nextInt(), name());
        };
    }

    Relation relation(int xid) {
        int n = random.nextInt(6);
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            columns.add(new Column(random.nextInt(2), name(), oid(), random.nextInt(3) == 0 ? random.nextInt() : -1));
        }
        return new Relation(xid, oid(), random.nextBoolean() ? "" : name(), name(), REPLIDENT[random.nextInt(4)], columns);
    }

    Update update(int xid) {
        if (random.nextBoolean()) {
            return new Update(xid, oid(), tuple());
        }
        return new Update(xid, oid(), random.nextBoolean() ? OldTupleKind.KEY : OldTupleKind.FULL, tuple(), tuple());
    }

    TupleData tuple() {
        int n = random.nextInt(6);
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(switch (random.nextInt(4)) {
                case 0 -> Value.NULL;
                case 1 -> Value.UNCHANGED_TOAST;
                case 2 -> Value.text(name());
                default -> Value.binary(bytes());
            });
        }
        return new TupleData(values);
    }

    /** A non-zero xid (a valid TransactionId). */
    int xid() {
        int x = random.nextInt();
        return x == 0 ? 3 : x;
    }

    /** A non-zero LSN, for the fields PostgreSQL's reader requires set. */
    long lsn() {
        long l = random.nextLong();
        return l == 0 ? 1 : l;
    }

    int oid() {
        return random.nextInt(4) == 0 ? random.nextInt() : 16384 + random.nextInt(1000);
    }

    List<Integer> oids() {
        int n = random.nextInt(5);
        List<Integer> oids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            oids.add(oid());
        }
        return oids;
    }

    String name() {
        int n = random.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(10);
            sb.appendCodePoint(kind < 7 ? 'a' + random.nextInt(26) : kind < 9 ? 0xE0 + random.nextInt(32) : 0x1F600 + random.nextInt(50));
        }
        return sb.toString();
    }

    byte[] bytes() {
        byte[] b = new byte[random.nextInt(20)];
        random.nextBytes(b);
        return b;
    }
}
