package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.ProtocolViolation;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.PgOutputStreamDecoder;
import io.lrep.core.protocol.pgoutput.TupleData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the pgoutput messages a test received into committed transactions, checking the
 * stream's structure on the way: Begin / Commit pairs that do not nest and whose LSNs match,
 * commit LSNs that only increase, changes only inside a transaction or a stream block, stream
 * blocks that do not nest, Stream Abort dropping what it names.
 *
 * <p>The tables the tests publish have an {@code int} key as their first column and a
 * {@code text} value as their second, so a change is {@code (table, kind, key, value)}.
 */
final class PgOutputChanges {

    /** One row change: kind 'I', 'U' or 'D' (value null), or 'T' for a truncated table (key 0). */
    record Change(String table, char kind, int key, String value) {
        @Override
        public String toString() {
            return kind + " " + table + "[" + key + (value == null ? "" : "=" + value) + "]";
        }
    }

    /** A committed transaction as it arrived; {@code streamed} when it came in stream blocks. */
    record Txn(int xid, long commitLsn, long endLsn, boolean streamed, List<Change> changes) {
        @Override
        public String toString() {
            return "Txn[xid=" + Integer.toUnsignedString(xid) + ", commit=" + Lsn.format(commitLsn) + ", end=" + Lsn.format(endLsn)
                    + (streamed ? ", streamed" : "") + ", " + changes + "]";
        }
    }

    private record Pending(int subXid, Change change) {}

    private final Map<Integer, String> relations = new HashMap<>();
    private final List<Txn> transactions = new ArrayList<>();
    private final List<PgOutputMessage.Message> messages = new ArrayList<>();
    private final Map<Integer, List<Pending>> streaming = new LinkedHashMap<>();
    private int streamBlocks;
    private PgOutputMessage.Begin begin;
    private List<Change> current;
    private int streamXid; // 0 outside a stream block
    private long lastCommitLsn;

    /**
     * Splits what pg_recvlogical wrote with {@code -f}: every message followed by one '\n'. A
     * message body may hold '\n' bytes too, so each message is the shortest run of bytes up to a
     * '\n' that decodes as one whole message (pgoutput messages delimit themselves, so a shorter
     * run never decodes: it is either short or the start of something else).
     */
    static List<PgOutputMessage> splitRecvlogicalOutput(byte[] file, int protocolVersion) {
        PgOutputStreamDecoder decoder = new PgOutputStreamDecoder(protocolVersion);
        List<PgOutputMessage> out = new ArrayList<>();
        int from = 0;
        while (from < file.length) {
            PgOutputMessage m = null;
            ProtocolViolation last = null;
            for (int nl = from; nl < file.length && m == null; nl++) {
                if (file[nl] != '\n') {
                    continue;
                }
                try {
                    m = decoder.decode(Arrays.copyOfRange(file, from, nl));
                    from = nl + 1;
                } catch (ProtocolViolation e) {
                    last = e; // not the whole message yet: try the next '\n'
                }
            }
            if (m == null) {
                throw new AssertionError("undecodable pg_recvlogical output at byte " + from + " of " + file.length, last);
            }
            out.add(m);
        }
        return out;
    }

    /** Collects every message of a list. */
    static PgOutputChanges of(List<PgOutputMessage> messages) {
        PgOutputChanges c = new PgOutputChanges();
        messages.forEach(c::accept);
        return c;
    }

    /** Takes the next message of the stream. */
    void accept(PgOutputMessage m) {
        if (m instanceof PgOutputMessage.Relation r) {
            relations.put(r.relationOid(), r.name());
        } else if (m instanceof PgOutputMessage.Begin b) {
            assertThat(begin).as("Begin %s inside an open transaction", b).isNull();
            assertThat(streamXid).as("Begin %s inside a stream block", b).isZero();
            begin = b;
            current = new ArrayList<>();
        } else if (m instanceof PgOutputMessage.Commit c) {
            assertThat(begin).as("Commit %s without Begin", c).isNotNull();
            assertThat(c.commitLsn()).as("Commit LSN of %s equals its Begin's final LSN %s", c, begin).isEqualTo(begin.finalLsn());
            assertThat(Long.compareUnsigned(c.endLsn(), c.commitLsn())).as("end after commit: %s", c).isPositive();
            committed(new Txn(begin.xid(), c.commitLsn(), c.endLsn(), false, List.copyOf(current)));
            begin = null;
            current = null;
        } else if (m instanceof PgOutputMessage.StreamStart s) {
            assertThat(begin).as("Stream Start inside Begin/Commit").isNull();
            assertThat(streamXid).as("nested Stream Start").isZero();
            assertThat(s.firstSegment()).as("first segment flag of %s", s).isEqualTo(!streaming.containsKey(s.xid()));
            streaming.computeIfAbsent(s.xid(), x -> new ArrayList<>());
            streamXid = s.xid();
            streamBlocks++;
        } else if (m instanceof PgOutputMessage.StreamStop) {
            assertThat(streamXid).as("Stream Stop outside a block").isNotZero();
            streamXid = 0;
        } else if (m instanceof PgOutputMessage.StreamCommit c) {
            assertThat(streamXid).as("Stream Commit inside a block").isZero();
            List<Pending> changes = streaming.remove(c.xid());
            assertThat(changes).as("Stream Commit of a transaction never streamed: %s", c).isNotNull();
            committed(new Txn(c.xid(), c.commitLsn(), c.endLsn(), true, changes.stream().map(Pending::change).toList()));
        } else if (m instanceof PgOutputMessage.StreamAbort a) {
            assertThat(streamXid).as("Stream Abort inside a block").isZero();
            if (a.xid() == a.subXid()) {
                streaming.remove(a.xid());
            } else {
                List<Pending> changes = streaming.get(a.xid());
                assertThat(changes).as("Stream Abort of a transaction never streamed: %s", a).isNotNull();
                changes.removeIf(p -> p.subXid() == a.subXid());
            }
        } else if (m instanceof PgOutputMessage.Message msg) {
            messages.add(msg);
        } else if (m instanceof PgOutputMessage.Insert i) {
            change(i.xid(), i.relationOid(), 'I', i.newTuple());
        } else if (m instanceof PgOutputMessage.Update u) {
            change(u.xid(), u.relationOid(), 'U', u.newTuple());
        } else if (m instanceof PgOutputMessage.Delete d) {
            change(d.xid(), d.relationOid(), 'D', d.oldTuple());
        } else if (m instanceof PgOutputMessage.Truncate t) {
            for (int oid : t.relationOids()) {
                add(t.xid(), new Change(table(oid), 'T', 0, null));
            }
        }
    }

    private void change(int xid, int relationOid, char kind, TupleData tuple) {
        int key = Integer.parseInt(tuple.get(0).textValue());
        add(xid, new Change(table(relationOid), kind, key, kind == 'D' ? null : tuple.get(1).textValue()));
    }

    private String table(int relationOid) {
        String name = relations.get(relationOid);
        assertThat(name).as("a change of relation %d before its Relation message", relationOid).isNotNull();
        return name;
    }

    private void add(int xid, Change change) {
        if (streamXid != 0) {
            assertThat(xid).as("a change in a stream block carries its xid: %s", change).isNotZero();
            streaming.get(streamXid).add(new Pending(xid, change));
        } else {
            assertThat(current).as("a change outside a transaction: %s", change).isNotNull();
            assertThat(xid).as("a change outside a stream block carries no xid: %s", change).isZero();
            current.add(change);
        }
    }

    private void committed(Txn txn) {
        assertThat(Long.compareUnsigned(txn.commitLsn(), lastCommitLsn)).as("commit LSNs increase: %s after %s", txn,
                Lsn.format(lastCommitLsn)).isPositive();
        lastCommitLsn = txn.commitLsn();
        transactions.add(txn);
    }

    /** The committed transactions, in the order they arrived (a copy). */
    List<Txn> transactions() {
        return List.copyOf(transactions);
    }

    /** Logical decoding messages (pg_logical_emit_message), when the stream asked for them. */
    List<PgOutputMessage.Message> messages() {
        return messages;
    }

    /** How many Stream Start messages arrived. */
    int streamBlocks() {
        return streamBlocks;
    }

    /** True when no transaction or stream block is open and no streamed transaction awaits its end. */
    boolean complete() {
        return begin == null && streamXid == 0 && streaming.isEmpty();
    }

    /** The changes of {@code table}, applied in order to a model of key to value. */
    static Map<Integer, String> apply(Map<Integer, String> model, List<Txn> txns, String table) {
        for (Txn txn : txns) {
            for (Change c : txn.changes()) {
                if (!c.table().equals(table)) {
                    continue;
                }
                switch (c.kind()) {
                    case 'I' -> assertThat(model.put(c.key(), c.value())).as("insert of an existing key: %s", c).isNull();
                    case 'U' -> assertThat(model.put(c.key(), c.value())).as("update of a missing key: %s", c).isNotNull();
                    case 'D' -> assertThat(model.remove(c.key())).as("delete of a missing key: %s", c).isNotNull();
                    default -> model.clear();
                }
            }
        }
        return model;
    }

    /** Drops the transactions whose commit LSN is below {@code lsn}. */
    static List<Txn> from(List<Txn> txns, long lsn) {
        List<Txn> out = new ArrayList<>(txns);
        for (Iterator<Txn> it = out.iterator(); it.hasNext(); ) {
            if (Long.compareUnsigned(it.next().commitLsn(), lsn) < 0) {
                it.remove();
            }
        }
        return out;
    }
}
