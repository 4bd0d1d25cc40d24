package io.lrep.publisher.decoding;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.TableDef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A listener that records every callback as a line ({@link #events}) and assembles what a
 * client ends up with: committed transactions in order ({@link #committed}), streamed ones
 * put together at their stream commit and dropped at their stream abort. Checks the callback
 * grammar as it goes (begin/commit pairing, stream blocks never nested, stream end outside a
 * block).
 */
final class Recorder implements DecodingListener {

    /** One transaction as the client got it: commit LSNs and its items, each a normalised line. */
    record Txn(int xid, long commitLsn, long endLsn, long commitTimeMicros, int originId, List<String> items) {
        @Override
        public String toString() {
            return "xid " + Integer.toUnsignedString(xid) + " @" + Lsn.format(commitLsn) + "/" + Lsn.format(endLsn) + " " + items;
        }
    }

    final List<String> events = new ArrayList<>();
    final List<Txn> committed = new ArrayList<>();
    final List<String> nonTransactional = new ArrayList<>();
    final List<Long> nonTransactionalLsns = new ArrayList<>();
    private final Map<Integer, List<String>> streams = new HashMap<>();
    private List<String> current;
    private DecodedTxn currentTxn;
    private Integer openBlock;

    static String shape(TableDef t) {
        return t.name() + t.columns().stream().map(c -> c.dropped() ? "-" : c.name() + ":" + c.type().name().toLowerCase())
                .collect(Collectors.joining(",", "(", ")"));
    }

    static String item(RowChange c) {
        String rel = shape(c.relation());
        if (c instanceof RowChange.Insert i) {
            return "I " + rel + " " + Arrays.deepToString(i.newRow());
        }
        if (c instanceof RowChange.Update u) {
            return "U " + rel + " " + (u.oldRow() == null ? "-" : (u.oldIsFullRow() ? "O" : "K") + Arrays.deepToString(u.oldRow()))
                    + " " + Arrays.deepToString(u.newRow());
        }
        RowChange.Delete d = (RowChange.Delete) c;
        return "D " + rel + " " + (d.oldIsFullRow() ? "O" : "K") + Arrays.deepToString(d.oldRow());
    }

    static String truncate(List<TableDef> rels, boolean cascade, boolean restart) {
        return "T " + rels.stream().map(Recorder::shape).collect(Collectors.joining(" ")) + (cascade ? " cascade" : "")
                + (restart ? " restart" : "");
    }

    static String message(String prefix, byte[] content) {
        return "M " + prefix + " " + new String(content, StandardCharsets.UTF_8);
    }

    /** Drops what a client that lost its connection would drop: streamed parts of transactions not yet committed. */
    void disconnect() {
        streams.clear();
        openBlock = null;
        current = null;
        currentTxn = null;
    }

    /** Keeps only the transactions that end at or before {@code lsn} (what a client had confirmed). */
    void keepUpTo(long lsn) {
        committed.removeIf(t -> t.endLsn() > lsn);
        while (!nonTransactionalLsns.isEmpty() && nonTransactionalLsns.get(nonTransactionalLsns.size() - 1) >= lsn) {
            nonTransactionalLsns.remove(nonTransactionalLsns.size() - 1);
            nonTransactional.remove(nonTransactional.size() - 1);
        }
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what + " after " + events.subList(Math.max(0, events.size() - 10), events.size()));
        }
    }

    @Override
    public void onBegin(DecodedTxn txn) {
        check(current == null && openBlock == null, "begin inside a transaction or stream block");
        events.add("begin " + Integer.toUnsignedString(txn.xid()));
        current = new ArrayList<>();
        currentTxn = txn;
    }

    @Override
    public void onChange(DecodedTxn txn, RowChange change) {
        check(current != null && txn.equals(currentTxn), "change outside its transaction");
        events.add("change " + item(change));
        current.add(item(change));
    }

    @Override
    public void onTruncate(DecodedTxn txn, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
        check(current != null && txn.equals(currentTxn), "truncate outside its transaction");
        String s = truncate(relations, cascade, restartIdentity);
        events.add("truncate " + s);
        current.add(s);
    }

    @Override
    public void onMessage(DecodedTxn txn, long lsn, boolean transactional, String prefix, byte[] content) {
        String s = message(prefix, content);
        if (txn == null) {
            check(!transactional && current == null && openBlock == null, "non-transactional message inside a transaction");
            events.add("message " + s);
            nonTransactional.add(s);
            nonTransactionalLsns.add(lsn);
        } else {
            check(transactional && current != null, "transactional message outside its transaction");
            events.add("message " + s);
            current.add(s);
        }
    }

    @Override
    public void onCommit(DecodedTxn txn) {
        check(current != null && txn.equals(currentTxn), "commit without begin");
        events.add("commit " + Integer.toUnsignedString(txn.xid()));
        committed.add(new Txn(txn.xid(), txn.commitLsn(), txn.endLsn(), txn.commitTimeMicros(), txn.originId(), current));
        current = null;
        currentTxn = null;
    }

    @Override
    public void onStreamStart(int xid, boolean firstSegment) {
        check(current == null && openBlock == null, "stream start inside a block or transaction");
        check(firstSegment == !streams.containsKey(xid), "first segment flag");
        events.add("stream start " + Integer.toUnsignedString(xid) + (firstSegment ? " first" : ""));
        streams.computeIfAbsent(xid, k -> new ArrayList<>());
        openBlock = xid;
    }

    @Override
    public void onStreamStop(int xid) {
        check(openBlock != null && openBlock == xid, "stream stop without start");
        events.add("stream stop " + Integer.toUnsignedString(xid));
        openBlock = null;
    }

    @Override
    public void onStreamChange(int xid, RowChange change) {
        check(openBlock != null && openBlock == xid, "stream change outside its block");
        events.add("stream change " + item(change));
        streams.get(xid).add(item(change));
    }

    @Override
    public void onStreamTruncate(int xid, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
        check(openBlock != null && openBlock == xid, "stream truncate outside its block");
        String s = truncate(relations, cascade, restartIdentity);
        events.add("stream truncate " + s);
        streams.get(xid).add(s);
    }

    @Override
    public void onStreamMessage(int xid, long lsn, String prefix, byte[] content) {
        check(openBlock != null && openBlock == xid, "stream message outside its block");
        String s = message(prefix, content);
        events.add("stream message " + s);
        streams.get(xid).add(s);
    }

    @Override
    public void onStreamAbort(int xid, long abortLsn) {
        check(openBlock == null && streams.containsKey(xid), "stream abort inside a block or of an unknown stream");
        events.add("stream abort " + Integer.toUnsignedString(xid));
        streams.remove(xid);
    }

    @Override
    public void onStreamCommit(DecodedTxn txn) {
        check(openBlock == null && current == null && streams.containsKey(txn.xid()), "stream commit inside a block or unknown");
        events.add("stream commit " + Integer.toUnsignedString(txn.xid()));
        committed.add(new Txn(txn.xid(), txn.commitLsn(), txn.endLsn(), txn.commitTimeMicros(), txn.originId(),
                streams.remove(txn.xid())));
    }

    /** Every committed transaction's items, one list per transaction. */
    List<List<String>> items() {
        return committed.stream().map(Txn::items).collect(Collectors.toList());
    }

    long count(String eventPrefix) {
        return events.stream().filter(e -> e.startsWith(eventPrefix)).count();
    }

    static ColumnDef column(int attnum, String name, io.lrep.core.types.PgType type) {
        return new ColumnDef(attnum, name, type, -1, false, null, ColumnDef.NO_IDENTITY, 0, false, null);
    }
}
