package io.lrep.publisher.pgoutput;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.OldTupleKind;
import io.lrep.core.protocol.pgoutput.TupleData;
import io.lrep.core.protocol.replication.PgTimestamp;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.BinaryCodec;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TextCodec;
import io.lrep.publisher.decoding.DecodedTxn;
import io.lrep.publisher.decoding.DecodingListener;
import io.lrep.publisher.decoding.RowChange;
import io.lrep.publisher.publication.PublicationCatalog;
import io.lrep.publisher.publication.Publications;
import io.lrep.publisher.publication.PublishActions.Action;
import io.lrep.publisher.publication.PublishedTable;
import io.lrep.publisher.publication.RowFilter;
import io.lrep.publisher.publication.RowFilterCompiler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 15's pgoutput output plugin (pgoutput.c with proto.c) as a {@link DecodingListener}:
 * turns decoded transactions into pgoutput messages for one walsender, filtered by the
 * subscriber's publications, and hands them one at a time to a {@link PgOutputSink}.
 *
 * <h2>What is sent</h2>
 * <ul>
 *   <li><b>Transactions.</b> Begin is sent lazily, just before the first message of the
 *       transaction that is published (a change, a truncate, a transactional message), then
 *       Origin when the transaction carries a replication origin whose name is known; Commit only
 *       when Begin was sent, so a transaction with nothing published sends nothing (PostgreSQL
 *       15+). With {@code origin = none} a transaction that carries an origin sends nothing.</li>
 *   <li><b>Tables.</b> Tables in pg_catalog, information_schema and pg_toast are never published.
 *       What the publications publish for a table ({@link Publications#resolve}: actions, column
 *       list, row filter per action) is read from storage in a transaction of its own the first
 *       time the table is met, and kept until a change to pg_publication, pg_publication_rel or
 *       pg_publication_namespace is decoded (which forgets every table's, as PostgreSQL's
 *       invalidation callback does) or the table's definition changes. An unknown publication
 *       name is 42704 {@code publication "x" does not exist} then, ending the decoding call.</li>
 *   <li><b>Relation</b> (after a Type message per published column of a type that is not built in,
 *       oid 16384 or more: none of lrep's types) goes before a table's first change, again after
 *       its entry was forgotten, and in each streamed transaction before the table's first change
 *       in it, with the published columns only (attnum order, dropped columns left out; key flag
 *       on the replica identity's columns, on all of them for FULL).</li>
 *   <li><b>Changes.</b> Insert, Update and Delete when the publications publish that action,
 *       with the published columns, as text ({@link TextCodec}) or with {@code binary} in the
 *       types' send format ({@link BinaryCodec}). Old tuples as proto.c sends them: 'O' (the whole
 *       row) for REPLICA IDENTITY FULL, 'K' (the key, other columns null) for DEFAULT with a
 *       primary key and only when the key changed; none for NOTHING or DEFAULT without a key, and
 *       a Delete without an old tuple is not sent. A row filter is tested on the new row of an
 *       Insert, the old row of a Delete, and for an Update on both when there is an old tuple:
 *       both match: Update; only the new: Insert; only the old: Delete (old tuple); neither:
 *       nothing (only the new row when there is no old tuple).</li>
 *   <li><b>Truncate</b> of the truncated tables whose publications publish truncate, if any.</li>
 *   <li><b>Message</b> ({@code pg_logical_emit_message}) only with {@code messages = true};
 *       non-transactional ones outside any transaction.</li>
 *   <li><b>Streaming</b> (protocol 2+ with {@code streaming} on): Stream Start / Stream Stop
 *       around each block, the changes inside it carrying the transaction's xid, then Stream
 *       Commit or Stream Abort (with abort LSN and time for {@code streaming = parallel}). With
 *       {@code origin = none} a streamed transaction that commits with an origin ends in Stream
 *       Abort instead of Stream Commit (abort LSN: its commit's end; time: its commit time), so the
 *       subscriber throws its blocks away. PostgreSQL never sends such a transaction's blocks,
 *       since every WAL record of a transaction applied from an origin names the origin; lrep's
 *       WAL names it on the Commit record only, so its blocks go out and are taken back. No
 *       Origin message is sent in a stream, for the same reason.</li>
 * </ul>
 * The LSNs each message's XLogData carries are on {@link PgOutputSink}.
 *
 * <p>Not thread-safe: the decoder's thread calls everything.
 */
public final class PgOutputPlugin implements DecodingListener {

    private static final Logger log = LoggerFactory.getLogger(PgOutputPlugin.class);

    /** Types with an oid below this are built in and need no Type message. */
    static final int FIRST_NORMAL_OBJECT_ID = 16384;

    private static final Set<String> PUBLICATION_CATALOGS = Set.of(PublicationCatalog.PUBLICATION,
            PublicationCatalog.PUBLICATION_REL, PublicationCatalog.PUBLICATION_NAMESPACE);

    private final PgOutputOptions options;
    private final StorageEngine storage;
    private final RowFilterCompiler filters;
    private final PgOutputSink sink;
    private final IntFunction<String> originNames;
    private final Clock clock;

    private final Map<Integer, RelEntry> entries = new HashMap<>();
    private RelEntry lastEntry;

    /** The transaction being sent whole (between onBegin and onCommit), or null. */
    private DecodedTxn current;
    private boolean beginSent;
    private boolean skipCurrent;

    /** The streamed transaction whose block is open, or 0. */
    private int streamXid;
    private PgOutputMessage.StreamStart pendingStreamStart;
    private long blockLastLsn;

    private long changesSent;
    private long transactionsSent;

    /** What is known of one table: its shape, what is published of it, whether its Relation went out. */
    private static final class RelEntry {
        TableDef def;
        boolean valid;
        boolean publishable;
        boolean insert;
        boolean update;
        boolean delete;
        boolean truncate;
        RowFilter insertFilter;
        RowFilter updateFilter;
        RowFilter deleteFilter;
        /** Published columns as 0-based row indexes, in attnum order. */
        int[] columns;
        PgType[] types;
        boolean schemaSent;
        /** Streamed transactions that were sent this table's Relation. */
        final Set<Integer> streamedTxns = new HashSet<>();
    }

    /**
     * A plugin with no replication origin names (no Origin message is sent).
     *
     * @param storage where publications are read, each time in a read transaction of its own
     * @param filters compiles the publications' row filters
     */
    public PgOutputPlugin(PgOutputOptions options, StorageEngine storage, RowFilterCompiler filters, PgOutputSink sink) {
        this(options, storage, filters, sink, id -> null, Clock.systemUTC());
    }

    /**
     * @param originNames a replication origin's name by its id, null when unknown (then no Origin
     *                    message is sent, as PostgreSQL does when the lookup fails)
     * @param clock       the time a Stream Abort of {@code streaming = parallel} carries (lrep's
     *                    abort records have none)
     */
    public PgOutputPlugin(PgOutputOptions options, StorageEngine storage, RowFilterCompiler filters, PgOutputSink sink,
            IntFunction<String> originNames, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.filters = Objects.requireNonNull(filters, "filters");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.originNames = Objects.requireNonNull(originNames, "originNames");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public PgOutputOptions options() {
        return options;
    }

    /** Insert, Update, Delete and Truncate messages sent so far. */
    public long changesSent() {
        return changesSent;
    }

    /** Transactions sent so far (Commit or Stream Commit messages). */
    public long transactionsSent() {
        return transactionsSent;
    }

    // ------------------------------------------------------------------ transactions sent whole

    @Override
    public void onBegin(DecodedTxn txn) {
        current = txn;
        beginSent = false;
        skipCurrent = options.originNone() && txn.hasOrigin();
    }

    @Override
    public void onChange(DecodedTxn txn, RowChange change) {
        TableDef rel = change.relation();
        if (isPublicationCatalog(rel)) {
            invalidateAll();
        }
        if (skipCurrent) {
            return;
        }
        change(change, 0);
    }

    @Override
    public void onTruncate(DecodedTxn txn, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
        truncate(lsn, relations, cascade, restartIdentity, 0);
    }

    @Override
    public void onMessage(DecodedTxn txn, long lsn, boolean transactional, String prefix, byte[] content) {
        if (!options.messages()) {
            return;
        }
        if (transactional && txn != null) {
            if (skipCurrent) {
                return;
            }
            ensureBegin(lsn);
        }
        sink.send(new PgOutputMessage.Message(0, transactional ? PgOutputMessage.Message.TRANSACTIONAL : 0, lsn, prefix, content),
                lsn);
    }

    @Override
    public void onCommit(DecodedTxn txn) {
        boolean sent = beginSent && !skipCurrent;
        current = null;
        beginSent = false;
        skipCurrent = false;
        if (!sent) {
            log.trace("Skipped empty transaction {}", txn);
            return;
        }
        sink.send(new PgOutputMessage.Commit(txn.commitLsn(), txn.endLsn(), PgTimestamp.fromEpochMicros(txn.commitTimeMicros())),
                txn.endLsn());
        transactionsSent++;
    }

    // ------------------------------------------------------------------ streamed transactions

    @Override
    public void onStreamStart(int xid, boolean firstSegment) {
        streamXid = xid;
        pendingStreamStart = new PgOutputMessage.StreamStart(xid, firstSegment);
        blockLastLsn = 0;
    }

    @Override
    public void onStreamChange(int xid, RowChange change) {
        startBlock(change.lsn());
        if (isPublicationCatalog(change.relation())) {
            invalidateAll();
        }
        change(change, xid);
    }

    @Override
    public void onStreamTruncate(int xid, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
        startBlock(lsn);
        truncate(lsn, relations, cascade, restartIdentity, xid);
    }

    @Override
    public void onStreamMessage(int xid, long lsn, String prefix, byte[] content) {
        startBlock(lsn);
        if (options.messages()) {
            sink.send(new PgOutputMessage.Message(xid, PgOutputMessage.Message.TRANSACTIONAL, lsn, prefix, content), lsn);
        }
    }

    @Override
    public void onStreamStop(int xid) {
        startBlock(blockLastLsn);
        sink.send(new PgOutputMessage.StreamStop(), blockLastLsn);
        streamXid = 0;
    }

    @Override
    public void onStreamAbort(int xid, long abortLsn) {
        PgOutputMessage.StreamAbort abort = options.streaming() == PgOutputOptions.Streaming.PARALLEL
                ? new PgOutputMessage.StreamAbort(xid, xid, abortLsn, PgTimestamp.now(clock))
                : new PgOutputMessage.StreamAbort(xid, xid);
        sink.send(abort, abortLsn);
        forgetStreamed(xid, false);
    }

    @Override
    public void onStreamCommit(DecodedTxn txn) {
        if (options.originNone() && txn.hasOrigin()) {
            // lrep's WAL names the origin on the Commit record only, so the blocks already went out:
            // take them back, as if the transaction had aborted where it committed.
            log.debug("Stream-aborting {}: it has an origin and origin = none", txn);
            PgOutputMessage.StreamAbort abort = options.streaming() == PgOutputOptions.Streaming.PARALLEL
                    ? new PgOutputMessage.StreamAbort(txn.xid(), txn.xid(), txn.endLsn(),
                            PgTimestamp.fromEpochMicros(txn.commitTimeMicros()))
                    : new PgOutputMessage.StreamAbort(txn.xid(), txn.xid());
            sink.send(abort, txn.endLsn());
            forgetStreamed(txn.xid(), false);
            return;
        }
        sink.send(new PgOutputMessage.StreamCommit(txn.xid(), txn.commitLsn(), txn.endLsn(),
                PgTimestamp.fromEpochMicros(txn.commitTimeMicros())), txn.endLsn());
        forgetStreamed(txn.xid(), true);
        transactionsSent++;
    }

    /** Sends the block's Stream Start before its first message; every message of the block moves its last LSN. */
    private void startBlock(long lsn) {
        if (lsn != 0) {
            blockLastLsn = lsn;
        }
        if (pendingStreamStart != null) {
            sink.send(pendingStreamStart, lsn);
            pendingStreamStart = null;
        }
    }

    /** A streamed transaction ended: on commit its Relations count as sent (PostgreSQL's cleanup_rel_sync_cache). */
    private void forgetStreamed(int xid, boolean committed) {
        for (RelEntry e : entries.values()) {
            if (e.streamedTxns.remove(xid) && committed && e.valid) {
                e.schemaSent = true;
            }
        }
    }

    // ------------------------------------------------------------------ changes

    private void change(RowChange change, int xid) {
        TableDef rel = change.relation();
        RelEntry e = entry(rel);
        if (!e.publishable) {
            return;
        }
        long lsn = change.lsn();
        if (change instanceof RowChange.Insert ins) {
            if (!e.insert || e.insertFilter != null && !e.insertFilter.test(ins.newRow())) {
                return;
            }
            prepare(e, lsn, xid);
            send(new PgOutputMessage.Insert(xid, rel.oid(), tuple(e, ins.newRow())), lsn);
        } else if (change instanceof RowChange.Update upd) {
            if (!e.update) {
                return;
            }
            Object[] old = oldTuple(rel, upd.oldRow(), upd.oldIsFullRow());
            Object[] neu = upd.newRow();
            Action action = Action.UPDATE;
            RowFilter f = e.updateFilter;
            if (f != null) {
                if (old == null) {
                    if (!f.test(neu)) {
                        return;
                    }
                } else {
                    boolean oldMatches = f.test(old);
                    boolean newMatches = f.test(neu);
                    if (!oldMatches && !newMatches) {
                        return;
                    }
                    if (!oldMatches) {
                        action = Action.INSERT;
                    } else if (!newMatches) {
                        action = Action.DELETE;
                    }
                }
            }
            prepare(e, lsn, xid);
            PgOutputMessage m = switch (action) {
                case INSERT -> new PgOutputMessage.Insert(xid, rel.oid(), tuple(e, neu));
                case DELETE -> new PgOutputMessage.Delete(xid, rel.oid(), oldKind(rel), tuple(e, old));
                default -> old == null ? new PgOutputMessage.Update(xid, rel.oid(), tuple(e, neu))
                        : new PgOutputMessage.Update(xid, rel.oid(), oldKind(rel), tuple(e, old), tuple(e, neu));
            };
            send(m, lsn);
        } else if (change instanceof RowChange.Delete del) {
            if (!e.delete) {
                return;
            }
            Object[] old = oldTuple(rel, del.oldRow(), del.oldIsFullRow());
            if (old == null) {
                log.debug("Did not send DELETE of {}.{} at {}: no old tuple (replica identity {})", rel.schemaName(), rel.name(),
                        Lsn.format(lsn), rel.replicaIdentity());
                return;
            }
            if (e.deleteFilter != null && !e.deleteFilter.test(old)) {
                return;
            }
            prepare(e, lsn, xid);
            send(new PgOutputMessage.Delete(xid, rel.oid(), oldKind(rel), tuple(e, old)), lsn);
        }
    }

    private void truncate(long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity, int xid) {
        for (TableDef rel : relations) {
            if (isPublicationCatalog(rel)) {
                invalidateAll();
            }
        }
        if (xid == 0 && skipCurrent) {
            return;
        }
        List<Integer> oids = new ArrayList<>(relations.size());
        for (TableDef rel : relations) {
            RelEntry e = entry(rel);
            if (!e.publishable || !e.truncate) {
                continue;
            }
            oids.add(rel.oid());
            prepare(e, lsn, xid);
        }
        if (!oids.isEmpty()) {
            int flags = (cascade ? PgOutputMessage.Truncate.CASCADE : 0)
                    | (restartIdentity ? PgOutputMessage.Truncate.RESTART_IDENTITY : 0);
            send(new PgOutputMessage.Truncate(xid, flags, oids), lsn);
        }
    }

    private void send(PgOutputMessage m, long lsn) {
        sink.send(m, lsn);
        changesSent++;
    }

    /** Begin if not yet sent (outside a stream), then the table's Relation if it needs one. */
    private void prepare(RelEntry e, long lsn, int xid) {
        if (xid == 0) {
            ensureBegin(lsn);
        }
        boolean sent = xid == 0 ? e.schemaSent : e.streamedTxns.contains(xid);
        if (sent) {
            return;
        }
        TableDef rel = e.def;
        for (int i = 0; i < e.columns.length; i++) {
            PgType type = e.types[i];
            if (type.oid() >= FIRST_NORMAL_OBJECT_ID) {
                sink.send(new PgOutputMessage.Type(xid, type.oid(), "", type.typname()), 0);
            }
        }
        sink.send(relationMessage(e, rel, xid), 0);
        if (xid == 0) {
            e.schemaSent = true;
        } else {
            e.streamedTxns.add(xid);
        }
    }

    private void ensureBegin(long lsn) {
        if (beginSent || current == null) {
            return;
        }
        DecodedTxn t = current;
        String origin = t.hasOrigin() ? originNames.apply(t.originId()) : null;
        // PostgreSQL writes Begin as an intermediate message whenever the transaction has an origin
        sink.send(new PgOutputMessage.Begin(t.commitLsn(), PgTimestamp.fromEpochMicros(t.commitTimeMicros()), t.xid()),
                t.hasOrigin() ? 0 : lsn);
        beginSent = true;
        if (origin != null) {
            sink.send(new PgOutputMessage.Origin(t.originLsn(), origin), lsn);
        }
    }

    // ------------------------------------------------------------------ tuples

    /**
     * The old tuple pgoutput sends: the whole row for FULL, the key (other columns null) for
     * DEFAULT with a primary key, none otherwise (WAL carries the whole old row of a table
     * without a key whatever its replica identity, and the key under NOTHING, for redo's sake).
     */
    private static Object[] oldTuple(TableDef rel, Object[] oldRow, boolean oldIsFullRow) {
        if (oldRow == null) {
            return null;
        }
        ReplicaIdentity ri = rel.replicaIdentity();
        if (ri == ReplicaIdentity.FULL) {
            return oldRow;
        }
        if (ri == ReplicaIdentity.NOTHING || !rel.hasPrimaryKey()) {
            return null;
        }
        if (!oldIsFullRow) {
            return oldRow;
        }
        Object[] key = new Object[oldRow.length];
        for (int a : rel.primaryKey()) {
            key[a - 1] = oldRow[a - 1];
        }
        return key;
    }

    private static OldTupleKind oldKind(TableDef rel) {
        return rel.replicaIdentity() == ReplicaIdentity.FULL ? OldTupleKind.FULL : OldTupleKind.KEY;
    }

    private TupleData tuple(RelEntry e, Object[] row) {
        int[] cols = e.columns;
        TupleData.Value[] values = new TupleData.Value[cols.length];
        boolean binary = options.binary();
        for (int i = 0; i < cols.length; i++) {
            Object v = row[cols[i]];
            if (v == null) {
                values[i] = TupleData.Value.NULL;
            } else if (binary) {
                values[i] = TupleData.Value.binary(BinaryCodec.send(e.types[i], v));
            } else {
                values[i] = TupleData.Value.text(TextCodec.format(e.types[i], v));
            }
        }
        return TupleData.of(values);
    }

    private static PgOutputMessage.Relation relationMessage(RelEntry e, TableDef rel, int xid) {
        boolean full = rel.replicaIdentity() == ReplicaIdentity.FULL;
        boolean keyed = rel.replicaIdentity() == ReplicaIdentity.DEFAULT;
        List<PgOutputMessage.Column> columns = new ArrayList<>(e.columns.length);
        for (int idx : e.columns) {
            ColumnDef c = rel.columns().get(idx);
            boolean key = full || keyed && rel.isKeyColumn(c.attnum());
            columns.add(new PgOutputMessage.Column(key ? PgOutputMessage.Column.KEY_FLAG : 0, c.name(), c.type().oid(), c.typmod()));
        }
        String namespace = PublicationCatalog.SCHEMA.equals(rel.schemaName()) ? "" : rel.schemaName();
        return new PgOutputMessage.Relation(xid, rel.oid(), namespace, rel.name(), replicaIdentityCode(rel.replicaIdentity()),
                columns);
    }

    /** pg_class.relreplident. */
    static char replicaIdentityCode(ReplicaIdentity ri) {
        return switch (ri) {
            case DEFAULT -> 'd';
            case FULL -> 'f';
            case NOTHING -> 'n';
        };
    }

    // ------------------------------------------------------------------ the per-table cache

    private static boolean isPublicationCatalog(TableDef rel) {
        return PublicationCatalog.SCHEMA.equals(rel.schemaName()) && PUBLICATION_CATALOGS.contains(rel.name());
    }

    /** A publication catalog changed: every table's publication state and Relation go (rel_sync_cache_publication_cb). */
    private void invalidateAll() {
        for (RelEntry e : entries.values()) {
            e.valid = false;
        }
    }

    /** The table's entry, valid for this definition of it. */
    private RelEntry entry(TableDef rel) {
        RelEntry e = lastEntry;
        if (e == null || e.def != rel || !e.valid) {
            e = entries.get(rel.oid());
            if (e == null) {
                e = new RelEntry();
                entries.put(rel.oid(), e);
            } else if (e.def != rel && !e.def.equals(rel)) {
                e.valid = false; // the table's definition changed
            }
            e.def = rel;
            if (!e.valid) {
                load(e, rel);
            }
            lastEntry = e;
        }
        return e;
    }

    private void load(RelEntry e, TableDef rel) {
        e.schemaSent = false;
        e.streamedTxns.clear();
        e.publishable = false;
        e.insertFilter = e.updateFilter = e.deleteFilter = null;
        e.insert = e.update = e.delete = e.truncate = false;
        if (PublicationCatalog.publishable(rel)) {
            PublishedTable p;
            try (Transaction t = storage.begin()) {
                p = Publications.resolve(t, options.publicationNames(), rel, filters);
            }
            e.publishable = p.published();
            e.insert = p.publishes(Action.INSERT);
            e.update = p.publishes(Action.UPDATE);
            e.delete = p.publishes(Action.DELETE);
            e.truncate = p.publishes(Action.TRUNCATE);
            e.insertFilter = p.filter(Action.INSERT);
            e.updateFilter = p.filter(Action.UPDATE);
            e.deleteFilter = p.filter(Action.DELETE);
            List<Integer> listed = p.columns();
            List<Integer> idx = new ArrayList<>();
            for (ColumnDef c : rel.columns()) {
                if (!c.dropped() && (listed == null || listed.contains(c.attnum()))) {
                    idx.add(c.attnum() - 1);
                }
            }
            e.columns = idx.stream().mapToInt(Integer::intValue).toArray();
            e.types = new PgType[e.columns.length];
            for (int i = 0; i < e.columns.length; i++) {
                e.types[i] = rel.columns().get(e.columns[i]).type();
            }
            log.debug("Publishing {}.{}: {} via {}, columns {}", rel.schemaName(), rel.name(), p.actions(), p.publications(),
                    listed == null ? "all" : listed);
        }
        e.valid = true;
    }
}
