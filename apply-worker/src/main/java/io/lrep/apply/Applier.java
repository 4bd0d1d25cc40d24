package io.lrep.apply;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.TupleData;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.storage.WriteResult;
import io.lrep.core.types.BinaryCodec;
import io.lrep.core.types.TextCodec;
import io.lrep.core.types.Values;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a decoded pgoutput stream to local storage, exactly once, as PostgreSQL's apply
 * worker (worker.c's apply_handle_* functions): each remote transaction in one local
 * transaction whose commit records the origin's progress (see {@link OriginRegistry}).
 *
 * <ul>
 *   <li><b>Exactly once.</b> A remote transaction whose commit LSN is below the origin's
 *       progress (the end LSN of the last one applied) was applied before: it is skipped whole.
 *       Any other is applied and its Commit records its end LSN as the new progress in the same
 *       local commit, so after a crash the progress and the data agree and the stream resumes
 *       right after the last transaction that is durable. Empty transactions advance it too.
 *   <li><b>Changes.</b> Insert fills local columns the publisher does not send with their
 *       default (a duplicate key raises 23505); Update and Delete find the row by the local
 *       primary key from the old key ('K'), old row ('O') or new row, or, for a table without
 *       one, by every column of the old row (REPLICA IDENTITY FULL); a row not found is skipped
 *       with a log line. Unchanged-TOAST ('u') values keep the local value. Values are converted
 *       from their text (or binary) form to the local column's type.
 *   <li><b>Streaming.</b> Stream blocks are spooled to files per xid ({@link StreamSpool});
 *       Stream Commit applies the file in one transaction, Stream Abort drops it (or the
 *       aborted subtransaction's tail).
 *   <li><b>Skipping.</b> {@link #setSkipLsn} names a remote transaction by its finish LSN
 *       (ALTER SUBSCRIPTION ... SKIP, PostgreSQL 15's maybe_start_skipping_changes): its changes
 *       are not applied, but its commit records its progress in a local transaction. The first
 *       local commit while a skip LSN is set (the skipped transaction's, or any other non-empty
 *       one's, as clear_subscription_skip_lsn) tells the {@link SkipListener} in that same
 *       transaction, and the skip LSN is forgotten.
 *   <li><b>Errors.</b> A failing change raises an {@link ApplyError} that carries PostgreSQL's
 *       error context (origin, command, relation, xid, finish LSN). An exception leaves the local transaction open; the caller calls
 *       {@link #reset()} (rolls back, clears spooled streams) and restarts from
 *       {@link #remoteLsn()}.
 * </ul>
 *
 * <p>Used by one thread (the apply worker's).
 */
public final class Applier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    private final StorageEngine storage;
    private final OriginRegistry origins;
    private final String originName;
    private final int originId;
    private final RelationMap relations;
    private final StreamSpool spool;
    private final ColumnDefaults defaults;
    private boolean synchronousCommit = true;

    private long remoteLsn;
    private long lastLocalCommit;
    private long lastAppliedCommitTime;
    /** The open local transaction of a non-streamed remote one, or null. */
    private Transaction txn;
    private boolean inRemoteTxn;
    private boolean skipping;
    private long remoteFinalLsn;
    private String remoteOrigin;
    private long transactionsApplied;
    private long transactionsSkipped;
    /** Row changes applied and rows of an initial copy inserted (plain fields: metrics read them racily). */
    private long rowsApplied;
    private long rowsCopied;
    private int remoteXid;
    private long skipLsn;
    private boolean userSkipping;
    private SkipListener skipListener = (t, lsn, finishLsn) -> { };
    private ChangeFilter filter = (relation, finalLsn) -> true;

    /** Told, in the local transaction that will commit, that a skip LSN is being cleared. */
    @FunctionalInterface
    public interface SkipListener {
        /**
         * @param t         the local transaction recording the finished transaction's progress
         * @param skipLsn   the skip LSN that was set
         * @param finishLsn the finish LSN of the transaction (equal to skipLsn when it was skipped)
         */
        void onCleared(Transaction t, long skipLsn, long finishLsn);
    }

    /**
     * Which relations' changes are applied (should_apply_changes_for_rel): asked for each change
     * when it is applied, so for a streamed transaction at its Stream Commit, with the
     * transaction's finish LSN.
     */
    @FunctionalInterface
    public interface ChangeFilter {
        /**
         * @param relation the publisher's Relation message of the changed table
         * @param finalLsn the finish (commit) LSN of the remote transaction
         */
        boolean accept(PgOutputMessage.Relation relation, long finalLsn);
    }

    /**
     * @param originName the replication origin (must exist) whose progress this applier keeps
     * @param streamDir where streamed transactions are spooled (cleared now)
     */
    public Applier(StorageEngine storage, OriginRegistry origins, String originName, Path streamDir,
            ColumnDefaults defaults) {
        this.storage = storage;
        this.origins = origins;
        this.originName = originName;
        OriginRegistry.OriginStatus status = origins.originProgress(originName);
        this.originId = status.localId();
        this.remoteLsn = status.remoteLsn();
        this.lastLocalCommit = Math.max(status.localLsn(), origins.lastLocalCommit());
        this.relations = new RelationMap(storage);
        this.spool = new StreamSpool(streamDir);
        this.spool.clear();
        this.defaults = defaults;
    }

    /** {@code synchronous_commit} of the local apply transactions (the subscription's). */
    public void setSynchronousCommit(boolean on) {
        this.synchronousCommit = on;
    }

    /**
     * Skips the remote transaction whose finish LSN is {@code lsn} (0: none), as subskiplsn;
     * {@code listener} is told when the skip LSN is cleared (see the class comment).
     */
    public void setSkipLsn(long lsn, SkipListener listener) {
        this.skipLsn = lsn;
        this.skipListener = listener;
    }

    /** Sets which relations' changes are applied (all by default); changes of others are left out silently. */
    public void setChangeFilter(ChangeFilter filter) {
        this.filter = filter;
    }

    /** The skip LSN in effect (0: none). */
    public long skipLsn() {
        return skipLsn;
    }

    /** The origin's progress: the end LSN of the last remote transaction applied (where to resume). */
    public long remoteLsn() {
        return remoteLsn;
    }

    /** The local commit LSN of the last applied transaction (0 if none yet). */
    public long lastLocalCommit() {
        return lastLocalCommit;
    }

    /** The remote commit time of the last applied transaction (microseconds since 2000-01-01), 0 if none. */
    public long lastAppliedCommitTimeMicros() {
        return lastAppliedCommitTime;
    }

    /** Whether a remote transaction (Begin seen, no Commit yet) is open. */
    public boolean inRemoteTransaction() {
        return inRemoteTxn;
    }

    /** Whether a stream block (Stream Start seen, no Stream Stop yet) is open. */
    public boolean inStreamBlock() {
        return spool.inStream();
    }

    /** The origin the current remote transaction came from (Origin message), or null. */
    public String remoteOrigin() {
        return remoteOrigin;
    }

    public long transactionsApplied() {
        return transactionsApplied;
    }

    /** Insert, update, delete and truncate messages applied (a metrics figure, read from any thread without synchronisation). */
    public long rowsApplied() {
        return rowsApplied;
    }

    /** Rows of initial copies inserted (a metrics figure, as {@link #rowsApplied()}). */
    public long rowsCopied() {
        return rowsCopied;
    }

    public long transactionsSkipped() {
        return transactionsSkipped;
    }

    public String originName() {
        return originName;
    }

    public RelationMap relations() {
        return relations;
    }

    /** Applies one message. */
    public void apply(PgOutputMessage m) {
        if (spool.inStream() && spoolable(m)) {
            spool.write(m, changeXid(m));
            return;
        }
        if (m instanceof PgOutputMessage.Begin b) {
            onBegin(b);
        } else if (m instanceof PgOutputMessage.Commit c) {
            onCommit(c);
        } else if (m instanceof PgOutputMessage.Relation r) {
            relations.onRelation(r);
        } else if (m instanceof PgOutputMessage.Type) {
            return; // types are resolved by the local column type
        } else if (m instanceof PgOutputMessage.Origin o) {
            remoteOrigin = o.name();
        } else if (m instanceof PgOutputMessage.Message) {
            return; // logical decoding messages are not applied
        } else if (isChange(m)) {
            change(m);
        } else if (m instanceof PgOutputMessage.StreamStart s) {
            if (inRemoteTxn) {
                throw violation("STREAM START message inside a remote transaction");
            }
            spool.start(s.xid(), s.firstSegment());
        } else if (m instanceof PgOutputMessage.StreamStop) {
            spool.stop();
        } else if (m instanceof PgOutputMessage.StreamCommit sc) {
            onStreamCommit(sc);
        } else if (m instanceof PgOutputMessage.StreamAbort sa) {
            if (spool.inStream()) {
                throw violation("STREAM ABORT message without STREAM STOP");
            }
            spool.abort(sa.xid(), sa.subXid());
        } else {
            throw violation("invalid logical replication message type \"" + (char) m.typeByte() + "\"");
        }
    }

    private static boolean isChange(PgOutputMessage m) {
        return m instanceof PgOutputMessage.Insert || m instanceof PgOutputMessage.Update
                || m instanceof PgOutputMessage.Delete || m instanceof PgOutputMessage.Truncate;
    }

    private static boolean spoolable(PgOutputMessage m) {
        return m instanceof PgOutputMessage.Relation || m instanceof PgOutputMessage.Type
                || m instanceof PgOutputMessage.Insert || m instanceof PgOutputMessage.Update
                || m instanceof PgOutputMessage.Delete || m instanceof PgOutputMessage.Truncate
                || m instanceof PgOutputMessage.Message || m instanceof PgOutputMessage.Origin;
    }

    private static int changeXid(PgOutputMessage m) {
        if (m instanceof PgOutputMessage.Insert i) {
            return i.xid();
        } else if (m instanceof PgOutputMessage.Update u) {
            return u.xid();
        } else if (m instanceof PgOutputMessage.Delete d) {
            return d.xid();
        } else if (m instanceof PgOutputMessage.Truncate t) {
            return t.xid();
        }
        return 0;
    }

    // ------------------------------------------------------------------ transactions

    private void onBegin(PgOutputMessage.Begin b) {
        if (inRemoteTxn) {
            throw violation("BEGIN message inside a remote transaction");
        }
        inRemoteTxn = true;
        remoteOrigin = null;
        remoteFinalLsn = b.finalLsn();
        remoteXid = b.xid();
        skipping = alreadyApplied(b.finalLsn());
        if (skipping) {
            LOG.debug("skipping remote transaction {} at {}: already applied up to {}", Integer.toUnsignedString(b.xid()),
                    Lsn.format(b.finalLsn()), Lsn.format(remoteLsn));
        } else if (skipLsn != 0 && b.finalLsn() == skipLsn) {
            skipping = true;
            userSkipping = true;
            LOG.info("logical replication starts skipping transaction at LSN {}", Lsn.format(skipLsn));
        }
    }

    private void onCommit(PgOutputMessage.Commit c) {
        if (!inRemoteTxn) {
            throw violation("COMMIT message without BEGIN");
        }
        if (c.commitLsn() != remoteFinalLsn) {
            throw violation("incorrect commit LSN " + Lsn.format(c.commitLsn()) + " in commit message (expected "
                    + Lsn.format(remoteFinalLsn) + ")");
        }
        inRemoteTxn = false;
        if (userSkipping) {
            skipping = false;
            userSkipping = false;
            LOG.info("logical replication completed skipping transaction at LSN {}", Lsn.format(c.commitLsn()));
            commitLocal(c.commitLsn(), c.endLsn(), c.commitTimeMicros());
            return;
        }
        if (skipping) {
            skipping = false;
            transactionsSkipped++;
            return;
        }
        commitLocal(c.commitLsn(), c.endLsn(), c.commitTimeMicros());
    }

    private void onStreamCommit(PgOutputMessage.StreamCommit sc) {
        if (inRemoteTxn || spool.inStream()) {
            throw violation("STREAM COMMIT message inside a transaction or stream block");
        }
        if (alreadyApplied(sc.commitLsn())) {
            spool.discard(sc.xid());
            transactionsSkipped++;
            return;
        }
        if (skipLsn != 0 && sc.commitLsn() == skipLsn) {
            LOG.info("logical replication starts skipping transaction at LSN {}", Lsn.format(skipLsn));
            spool.discard(sc.xid());
            LOG.info("logical replication completed skipping transaction at LSN {}", Lsn.format(sc.commitLsn()));
            commitLocal(sc.commitLsn(), sc.endLsn(), sc.commitTimeMicros());
            return;
        }
        inRemoteTxn = true;
        remoteOrigin = null;
        remoteFinalLsn = sc.commitLsn();
        remoteXid = sc.xid();
        for (Iterator<PgOutputMessage> it = spool.read(sc.xid()); it.hasNext();) {
            PgOutputMessage m = it.next();
            if (m instanceof PgOutputMessage.Relation r) {
                relations.onRelation(r);
            } else if (m instanceof PgOutputMessage.Origin o) {
                remoteOrigin = o.name();
            } else if (isChange(m)) {
                change(m);
            }
            // Type and Message: nothing to apply
        }
        inRemoteTxn = false;
        commitLocal(sc.commitLsn(), sc.endLsn(), sc.commitTimeMicros());
        spool.discard(sc.xid());
    }

    private boolean alreadyApplied(long commitLsn) {
        return Long.compareUnsigned(commitLsn, remoteLsn) < 0;
    }

    private void commitLocal(long finishLsn, long endLsn, long commitTimeMicros) {
        Transaction t = local();
        if (skipLsn != 0) {
            skipListener.onCleared(t, skipLsn, finishLsn);
            skipLsn = 0;
        }
        origins.recordProgress(t, originId, endLsn);
        long local = t.commit();
        txn = null;
        origins.onCommitted(originId, endLsn, local);
        remoteLsn = endLsn;
        if (local != 0) {
            lastLocalCommit = local;
        }
        lastAppliedCommitTime = commitTimeMicros;
        transactionsApplied++;
    }

    private Transaction local() {
        if (txn == null) {
            txn = storage.begin(IsolationLevel.READ_COMMITTED, lastLocalCommit);
            txn.setSynchronousCommit(synchronousCommit);
        }
        return txn;
    }

    /**
     * After an error: rolls back the local transaction, forgets the open remote transaction and
     * every spooled stream. The caller resumes the stream from {@link #remoteLsn()}.
     */
    public void reset() {
        if (txn != null) {
            txn.rollback();
            txn = null;
        }
        inRemoteTxn = false;
        skipping = false;
        userSkipping = false;
        spool.clear();
        relations.invalidate();
    }

    @Override
    public void close() {
        reset();
    }

    // ------------------------------------------------------------------ changes

    /**
     * Inserts one row of a table's initial copy (the table-sync worker's COPY) in {@code t},
     * as an Insert of the announced relation {@code relationOid} is applied: columns by name,
     * local columns the publisher does not send get their default. {@code t} is the caller's;
     * it commits it with the copy's other rows.
     */
    public void insertCopied(Transaction t, int relationOid, List<String> fields) {
        RelationMap.Mapped m = relations.open(t, relationOid);
        checkWidth(m, fields.size());
        Object[] row = new Object[m.table().columns().size()];
        boolean[] sent = new boolean[row.length];
        for (int i = 0; i < fields.size(); i++) {
            int attnum = m.localAttnum()[i];
            ColumnDef c = m.table().columns().get(attnum - 1);
            String f = fields.get(i);
            row[attnum - 1] = f == null ? null : TextCodec.parse(c.type(), c.typmod(), f);
            sent[attnum - 1] = true;
        }
        insertRow(t, m.table(), row, sent);
        rowsCopied++;
    }


    private void change(PgOutputMessage received) {
        if (!inRemoteTxn) {
            throw violation(received.messageName() + " message outside a remote transaction");
        }
        if (skipping) {
            return;
        }
        PgOutputMessage m = filtered(received);
        if (m == null) {
            return;
        }
        Transaction t = local();
        try {
            if (m instanceof PgOutputMessage.Insert i) {
                insert(t, i);
            } else if (m instanceof PgOutputMessage.Update u) {
                update(t, u);
            } else if (m instanceof PgOutputMessage.Delete d) {
                delete(t, d);
            } else {
                truncate(t, (PgOutputMessage.Truncate) m);
            }
        } catch (LrepException e) {
            throw new ApplyError(e, ApplyError.context(originName, m.messageName().toUpperCase(Locale.ROOT), targetName(m),
                    remoteXid, remoteFinalLsn), remoteFinalLsn, remoteXid);
        }
        t.nextCommand();
        rowsApplied++;
    }

    /** The change without what the filter leaves out; null when nothing is left. */
    private PgOutputMessage filtered(PgOutputMessage m) {
        if (m instanceof PgOutputMessage.Truncate tr) {
            List<Integer> keep = new ArrayList<>();
            for (int oid : tr.relationOids()) {
                if (accepted(oid)) {
                    keep.add(oid);
                }
            }
            return keep.isEmpty() ? null : keep.size() == tr.relationOids().size() ? m
                    : new PgOutputMessage.Truncate(tr.xid(), tr.options(), keep);
        }
        int oid = m instanceof PgOutputMessage.Insert i ? i.relationOid()
                : m instanceof PgOutputMessage.Update u ? u.relationOid() : ((PgOutputMessage.Delete) m).relationOid();
        return accepted(oid) ? m : null;
    }

    /** Whether changes of remote relation {@code oid} apply; one never announced is left to {@link RelationMap#open} to report. */
    private boolean accepted(int oid) {
        PgOutputMessage.Relation r = relations.remote(oid);
        return r == null || filter.accept(r, remoteFinalLsn);
    }

    /** The remote relation a change is for, as "schema.name" (null for TRUNCATE or one never announced). */
    private String targetName(PgOutputMessage m) {
        int oid = m instanceof PgOutputMessage.Insert i ? i.relationOid()
                : m instanceof PgOutputMessage.Update u ? u.relationOid()
                : m instanceof PgOutputMessage.Delete d ? d.relationOid() : 0;
        PgOutputMessage.Relation r = oid == 0 ? null : relations.remote(oid);
        return r == null ? null : r.namespace() + "." + r.name();
    }

    private void insert(Transaction t, PgOutputMessage.Insert ins) {
        RelationMap.Mapped m = relations.open(t, ins.relationOid());
        TableDef table = m.table();
        Object[] row = new Object[table.columns().size()];
        boolean[] sent = new boolean[row.length];
        TupleData tuple = ins.newTuple();
        checkWidth(m, tuple);
        for (int i = 0; i < tuple.size(); i++) {
            TupleData.Value v = tuple.get(i);
            if (v.kind() == TupleData.Kind.UNCHANGED_TOAST) {
                continue;
            }
            int attnum = m.localAttnum()[i];
            row[attnum - 1] = convert(table.columns().get(attnum - 1), v);
            sent[attnum - 1] = true;
        }
        insertRow(t, table, row, sent);
    }

    /** Inserts {@code row}, its columns not {@code sent} set to their local defaults. */
    private void insertRow(Transaction t, TableDef table, Object[] row, boolean[] sent) {
        for (ColumnDef c : table.columns()) {
            if (!c.dropped() && !sent[c.attnum() - 1]) {
                row[c.attnum() - 1] = defaults.valueFor(t, table, c);
            }
        }
        t.insert(table, row);
    }

    private void update(Transaction t, PgOutputMessage.Update up) {
        RelationMap.Mapped m = relations.open(t, up.relationOid());
        checkUpdatable(m);
        TupleData newTuple = up.newTuple();
        checkWidth(m, newTuple);
        TupleData identity = up.hasOldTuple() ? up.oldTuple() : newTuple;
        RowRef row = find(t, m, identity);
        while (row != null) {
            Object[] values = row.values().clone();
            for (int i = 0; i < newTuple.size(); i++) {
                TupleData.Value v = newTuple.get(i);
                if (v.kind() != TupleData.Kind.UNCHANGED_TOAST) {
                    int attnum = m.localAttnum()[i];
                    values[attnum - 1] = convert(m.table().columns().get(attnum - 1), v);
                }
            }
            WriteResult r = t.update(row, values);
            switch (r.status()) {
                case OK -> {
                    return;
                }
                case UPDATED -> row = r.row(); // a local writer changed it and committed: update its version
                default -> row = null;
            }
        }
        LOG.info("logical replication did not find row to be updated in replication target relation \"{}\"",
                m.table().name());
    }

    private void delete(Transaction t, PgOutputMessage.Delete del) {
        RelationMap.Mapped m = relations.open(t, del.relationOid());
        checkUpdatable(m);
        checkWidth(m, del.oldTuple());
        RowRef row = find(t, m, del.oldTuple());
        while (row != null) {
            WriteResult r = t.delete(row);
            switch (r.status()) {
                case OK -> {
                    return;
                }
                case UPDATED -> row = r.row();
                default -> row = null;
            }
        }
        LOG.info("logical replication did not find row to be deleted in replication target relation \"{}\"",
                m.table().name());
    }

    private void truncate(Transaction t, PgOutputMessage.Truncate tr) {
        Set<TableDef> tables = new LinkedHashSet<>();
        for (int oid : tr.relationOids()) {
            tables.add(relations.open(t, oid).table());
        }
        // As PostgreSQL: the publisher's CASCADE is not replayed; RESTART IDENTITY is.
        t.truncate(tr.restartIdentity(), tables.toArray(TableDef[]::new));
    }

    /** The local row the identity tuple designates, or null. */
    private RowRef find(Transaction t, RelationMap.Mapped m, TupleData identity) {
        TableDef table = m.table();
        if (table.hasPrimaryKey()) {
            List<Integer> pk = table.primaryKey();
            Object[] key = new Object[pk.size()];
            for (int k = 0; k < key.length; k++) {
                int index = remoteIndex(m, pk.get(k));
                key[k] = convert(table.columns().get(pk.get(k) - 1), identity.get(index));
            }
            return t.get(table, key, t.statementSnapshot());
        }
        List<Object> wanted = new ArrayList<>();
        for (int i = 0; i < identity.size(); i++) {
            TupleData.Value v = identity.get(i);
            int attnum = m.localAttnum()[i];
            wanted.add(v.kind() == TupleData.Kind.UNCHANGED_TOAST ? null : convert(table.columns().get(attnum - 1), v));
        }
        for (Iterator<RowRef> it = t.scan(table, t.statementSnapshot()); it.hasNext();) {
            RowRef r = it.next();
            boolean match = true;
            for (int i = 0; i < identity.size() && match; i++) {
                if (identity.get(i).kind() == TupleData.Kind.UNCHANGED_TOAST) {
                    continue;
                }
                int attnum = m.localAttnum()[i];
                Object mine = r.get(attnum);
                Object theirs = wanted.get(i);
                match = mine == null ? theirs == null
                        : theirs != null && Values.equal(table.columns().get(attnum - 1).type(), mine, theirs);
            }
            if (match) {
                return r;
            }
        }
        return null;
    }

    private static int remoteIndex(RelationMap.Mapped m, int attnum) {
        for (int i = 0; i < m.localAttnum().length; i++) {
            if (m.localAttnum()[i] == attnum) {
                return i;
            }
        }
        throw new IllegalStateException("key column " + attnum + " of an updatable relation is not mapped");
    }

    private static void checkUpdatable(RelationMap.Mapped m) {
        if (m.updatable()) {
            return;
        }
        if (!m.table().hasPrimaryKey()) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "logical replication target relation \""
                    + m.qualifiedName() + "\" has neither REPLICA IDENTITY index nor PRIMARY KEY and published relation "
                    + "does not have REPLICA IDENTITY FULL");
        }
        throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "publisher did not send replica identity "
                + "column expected by the logical replication target relation \"" + m.qualifiedName() + "\"");
    }

    private static void checkWidth(RelationMap.Mapped m, TupleData tuple) {
        checkWidth(m, tuple.size());
    }

    private static void checkWidth(RelationMap.Mapped m, int width) {
        if (width != m.localAttnum().length) {
            throw violation("tuple of " + width + " columns for remote relation \"" + m.remote().namespace() + "."
                    + m.remote().name() + "\" of " + m.localAttnum().length + " columns");
        }
    }

    /** A wire value as the local column's type. */
    static Object convert(ColumnDef column, TupleData.Value v) {
        return switch (v.kind()) {
            case NULL, UNCHANGED_TOAST -> null;
            case TEXT -> TextCodec.parse(column.type(), column.typmod(), v.textValue());
            case BINARY -> BinaryCodec.receive(column.type(), column.typmod(), v.bytes());
        };
    }

    private static LrepException violation(String message) {
        return new LrepException(SqlState.PROTOCOL_VIOLATION, message);
    }
}
