package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TypMod;
import io.lrep.core.types.Values;
import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordCodec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live storage engine of one node: a transactional catalog, MVCC tables, transactions with
 * PostgreSQL's read committed / repeatable read semantics, table and row locks with deadlock
 * detection, WAL logging of every change through a {@link WalLog}, vacuum, and the
 * {@link DurableState} that checkpoints and recovery use. Start transactions with
 * {@link #begin(IsolationLevel, long)}; every operation is on the {@link Transaction}.
 *
 * <h2>Snapshots are LSNs</h2>
 * A snapshot is an LSN {@code S}: a row version is visible iff its creator committed with commit
 * LSN (the end LSN of its Commit record) {@code <= S} and it was not ended by a transaction
 * committed with commit LSN {@code <= S}. A new snapshot is {@code max(wal.flushedLsn(),
 * notBeforeLsn)}, read under the engine lock. Commit appends its Commit record and sets its
 * commit LSN inside that same lock, so when a snapshot is taken every Commit record already
 * appended, in particular every one below the flushed LSN, has its commit LSN set, and every
 * Commit record appended later ends above the insert LSN at that moment, hence above {@code S}
 * ({@code notBeforeLsn} is a commit LSN the session already got, so it is at most that insert
 * LSN; it is capped there anyway). The set of transactions visible to {@code S} is therefore exactly "commit LSN {@code <=
 * S}", now and later, which is what makes a slot's consistent point an exact snapshot. Waiting
 * for the flush happens after the lock is released (group commit is not serialised).
 *
 * <h2>Concurrency</h2>
 * <pre>
 * engine lock:  one ReentrantLock guards the catalog, version-chain links and stamps, table locks,
 *               the wait-for graph, the snapshot registry and the counters. Every write and
 *               every commit/abort runs under it; waits (row and table locks) release it through
 *               one Condition that every transaction end signals.
 * readers:      scans and point reads walk version chains without the lock: Chain.head,
 *               RowVersion.older/ender/successor and TxnState.commitLsn/aborted are volatile;
 *               a version's values and creator are final and published by the volatile store
 *               that links it into its chain.
 * sequences:    each sequence's state is guarded by its own monitor; nextval appends WAL and,
 *               every SEQ_LOG_VALS values, waits for its flush inside that monitor only (it
 *               never takes the engine lock while holding a sequence monitor).
 * </pre>
 *
 * <h2>Parts</h2>
 * {@link Catalog} (versioned definitions), {@link Table} (a table's version chains, reads and
 * pruning), {@link LockManager} (table locks, waits, deadlock detection); this class ties them
 * to transactions, WAL and the snapshot registry that bounds vacuum: a version is removed once
 * it was ended by a commit at or below {@code min(flushed LSN, every registered snapshot)},
 * either when a write touches its chain or by {@link #vacuum()}.
 *
 * <h2>WAL</h2>
 * Each change appends its record before it changes anything (a failed append leaves no trace),
 * with the transaction's xid, assigned at its first write; DDL appends
 * {@code CatalogChange} with the object's full new definition ({@link CatalogCodec}).
 */
public final class StorageEngine implements DurableState {

    private static final Logger LOG = LoggerFactory.getLogger(StorageEngine.class);

    /** pg_catalog's oid. */
    public static final int PG_CATALOG_OID = 11;
    /** public's oid. */
    public static final int PUBLIC_OID = 2200;
    /** PostgreSQL's FirstNormalObjectId. */
    public static final int FIRST_NORMAL_OID = 16384;
    /** PostgreSQL's FirstNormalTransactionId. */
    public static final int FIRST_NORMAL_XID = 3;
    /** Values fetched ahead of each logged sequence advance (PostgreSQL's SEQ_LOG_VALS). */
    public static final int SEQ_LOG_VALS = 32;

    private static final int VACUUM_BATCH = 256;

    /** A sequence's non-transactional state; guarded by its own monitor. */
    static final class SeqState {
        long lastValue;
        boolean isCalled;
        /** The value the last SequenceAdvance logged: recovery resumes after it. */
        long logged;
        boolean hasLog;
        /** The end of that SequenceAdvance record: values are handed out once the WAL is flushed to it. */
        long loggedEnd;
    }

    final WalLog wal;
    final ReentrantLock lock = new ReentrantLock();
    /** Held by the one vacuum that may run at a time (before {@link #lock}). */
    private final Object vacuumMonitor = new Object();
    /** See {@link #versionsEnded()}. */
    private final java.util.concurrent.atomic.LongAdder versionsEnded = new java.util.concurrent.atomic.LongAdder();
    /** See {@link #catalogVersion()}; written under {@link #lock}. */
    private volatile long catalogVersion;
    private final Condition changed = lock.newCondition();

    // --- guarded by lock ---
    private final LockManager locks = new LockManager(changed);
    private final Catalog catalog = new Catalog(locks);
    private final Set<Transaction> active = new LinkedHashSet<>();
    private final TreeMap<Long, Integer> snapshots = new TreeMap<>();
    private long lowestSafeSnapshot;
    private int nextXid = FIRST_NORMAL_XID;
    private int nextOid = FIRST_NORMAL_OID;

    // --- read without the lock ---
    final ConcurrentHashMap<Integer, Table> tables = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, SeqState> sequences = new ConcurrentHashMap<>();

    public StorageEngine(WalLog wal) {
        this.wal = wal;
    }

    // =====================================================================================
    // Transactions and snapshots
    // =====================================================================================

    /**
     * Starts a transaction. Its snapshots are at least {@code notBeforeLsn} (the session's last
     * commit LSN, so it sees its own commits under {@code synchronous_commit = off}; 0 if none).
     */
    public Transaction begin(IsolationLevel isolation, long notBeforeLsn) {
        return new Transaction(this, isolation, notBeforeLsn, -1);
    }

    /** A READ COMMITTED transaction. */
    public Transaction begin() {
        return begin(IsolationLevel.READ_COMMITTED, 0);
    }

    /**
     * A REPEATABLE READ transaction whose snapshot is exactly {@code lsn} (a replication slot's
     * consistent point, for SNAPSHOT 'use').
     *
     * @throws LrepException 55000 if vacuum may already have removed versions that snapshot needs
     *     (pin it with {@link #pinSnapshot(long)} first to be safe)
     */
    public Transaction beginWithSnapshot(long lsn) {
        lock.lock();
        try {
            checkSnapshotSafe(lsn);
            Transaction t = new Transaction(this, IsolationLevel.REPEATABLE_READ, 0, lsn);
            registerSnapshot(lsn);
            t.registeredSnapshot = lsn;
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps every version visible at {@code lsn} from vacuum until the returned handle is
     * closed (for a slot's exported snapshot, or an export).
     */
    public SnapshotPin pinSnapshot(long lsn) {
        lock.lock();
        try {
            checkSnapshotSafe(lsn);
            registerSnapshot(lsn);
        } finally {
            lock.unlock();
        }
        return new SnapshotPin() {
            private boolean closed;

            @Override
            public long lsn() {
                return lsn;
            }

            @Override
            public void close() {
                lock.lock();
                try {
                    if (!closed) {
                        closed = true;
                        unregisterSnapshot(lsn);
                    }
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    /**
     * Pins the current snapshot (the flushed LSN) atomically, so that nothing is vacuumed between
     * choosing the LSN and pinning it: what a checkpoint does before {@link #exportImage}.
     */
    @Override
    public SnapshotPin pinSnapshot() {
        lock.lock();
        try {
            return pinSnapshot(wal.flushedLsn());
        } finally {
            lock.unlock();
        }
    }

    private void checkSnapshotSafe(long lsn) {
        if (lsn > wal.insertLsn()) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                    "snapshot " + Lsn.format(lsn) + " is beyond the end of WAL " + Lsn.format(wal.insertLsn()));
        }
        if (lsn < lowestSafeSnapshot) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "snapshot " + Lsn.format(lsn) + " is too old: vacuum has removed row versions below "
                            + Lsn.format(lowestSafeSnapshot));
        }
    }

    /** A fresh statement snapshot LSN for {@code t}, registered for vacuum. */
    long takeSnapshot(Transaction t) {
        lock.lock();
        try {
            // Capped at the insert LSN: a Commit appended later must end above the snapshot.
            long lsn = Math.max(wal.flushedLsn(), Math.min(t.notBeforeLsn, wal.insertLsn()));
            if (t.registeredSnapshot != -1) {
                unregisterSnapshot(t.registeredSnapshot);
            }
            registerSnapshot(lsn);
            t.registeredSnapshot = lsn;
            return lsn;
        } finally {
            lock.unlock();
        }
    }

    private void registerSnapshot(long lsn) {
        snapshots.merge(lsn, 1, Integer::sum);
    }

    private void unregisterSnapshot(long lsn) {
        snapshots.computeIfPresent(lsn, (k, n) -> n == 1 ? null : n - 1);
    }

    /** No snapshot now or later sees a version ended by a commit at or below this LSN. Under lock. */
    private long horizon() {
        long h = wal.flushedLsn();
        if (!snapshots.isEmpty()) {
            h = Math.min(h, snapshots.firstKey());
        }
        lowestSafeSnapshot = Math.max(lowestSafeSnapshot, h);
        return h;
    }

    private void ensureXid(Transaction t) {
        if (t.state.xid == 0) {
            int xid = nextXid;
            nextXid = nextXid + 1;
            if (Integer.compareUnsigned(nextXid, FIRST_NORMAL_XID) < 0) {
                nextXid = FIRST_NORMAL_XID;
            }
            t.state.xid = xid;
            t.firstLsn = wal.insertLsn();
            active.add(t);
        }
    }

    private long log(Transaction t, WalRecord r) {
        long end = wal.append(r);
        t.wroteWal = true;
        t.lastWalEnd = end;
        return end;
    }

    long commit(Transaction t) {
        long end;
        lock.lock();
        try {
            t.checkActive();
            if (t.state.xid == 0) {
                // Read-only: it made nothing, so "committed" and "aborted" look the same to everyone.
                t.state.aborted = true;
                finish(t);
                return 0;
            }
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
            end = log(t, new WalRecord.Commit(t.state.xid, micros, t.originId, t.originLsn));
            t.state.commitLsn = end;
            finish(t);
        } finally {
            lock.unlock();
        }
        if (t.synchronousCommit) {
            wal.waitForFlush(end);
        } else {
            wal.requestFlush();
        }
        return end;
    }

    void rollback(Transaction t) {
        lock.lock();
        try {
            if (t.done) {
                return;
            }
            if (t.state.xid != 0 && t.wroteWal) {
                wal.append(new WalRecord.Abort(t.state.xid));
            }
            t.state.aborted = true;
            for (RowVersion v : t.endedRows) {
                if (v.ender == t.state) {
                    v.successor = null;
                    v.ender = null;
                }
            }
            versionsEnded.add(t.createdRows.unlinkFrom(0)); // rolled-back inserts leave work for vacuum too
            for (Catalog.CatVersion v : t.endedCatalog) {
                if (v.ender == t.state) {
                    v.ender = null;
                }
            }
            for (Catalog.CatVersion v : t.createdCatalog) {
                if (catalog.unlink(v)) {
                    tables.remove(v.object.oid);
                    sequences.remove(v.object.oid);
                }
            }
            finish(t);
        } finally {
            lock.unlock();
        }
    }

    private void finish(Transaction t) {
        if (t.hasCatalogChanges()) {
            catalogVersion++;
        }
        t.done = true;
        active.remove(t);
        locks.releaseAll(t);
        if (t.registeredSnapshot != -1) {
            unregisterSnapshot(t.registeredSnapshot);
            t.registeredSnapshot = -1;
        }
        t.createdRows.clear();
        t.endedRows.clear();
        t.createdCatalog.clear();
        t.endedCatalog.clear();
        t.lockedRows.clear();
        t.savepoints.clear();
        changed.signalAll();
    }

    // =====================================================================================
    // Savepoints
    // =====================================================================================

    void savepoint(Transaction t, String name) {
        lock.lock();
        try {
            t.checkActive();
            t.savepoints.add(new Transaction.Savepoint(name, t.createdRows.mark(), t.endedRows.size(), t.createdCatalog.size(),
                    t.endedCatalog.size(), t.lockedRows.size(), Map.copyOf(t.heldLocks), wal.insertLsn()));
        } finally {
            lock.unlock();
        }
    }

    /** The index of the latest savepoint named {@code name}; 3B001 if there is none. */
    private static int findSavepoint(Transaction t, String name) {
        for (int i = t.savepoints.size() - 1; i >= 0; i--) {
            if (t.savepoints.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new LrepException(SqlState.INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"" + name + "\" does not exist");
    }

    void releaseSavepoint(Transaction t, String name) {
        lock.lock();
        try {
            t.checkActive();
            int i = findSavepoint(t, name);
            t.savepoints.subList(i, t.savepoints.size()).clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Undoes, newest first, what {@code t} did since the savepoint: WAL first (so a failed
     * append leaves everything as it was), then locks taken, versions ended, versions created
     * (each unlinked by identity, so their order does not matter), catalog versions ended and
     * created, and table locks taken.
     */
    void rollbackToSavepoint(Transaction t, String name) {
        lock.lock();
        try {
            t.checkActive();
            int i = findSavepoint(t, name);
            Transaction.Savepoint sp = t.savepoints.get(i);
            t.savepoints.subList(i + 1, t.savepoints.size()).clear();
            if (t.state.xid != 0 && Long.compareUnsigned(t.lastWalEnd, sp.walMark()) > 0) {
                log(t, new WalRecord.SubxactAbort(t.state.xid, sp.walMark()));
            }
            List<Transaction.LockedRow> locked = t.lockedRows.subList(sp.lockedRows(), t.lockedRows.size());
            for (int k = locked.size() - 1; k >= 0; k--) {
                Transaction.LockedRow l = locked.get(k);
                if (l.version().locker == t.state) {
                    l.version().locker = l.previousLocker();
                }
            }
            locked.clear();
            List<RowVersion> ended = t.endedRows.subList(sp.endedRows(), t.endedRows.size());
            for (int k = ended.size() - 1; k >= 0; k--) {
                RowVersion v = ended.get(k);
                if (v.ender == t.state) {
                    v.successor = null;
                    v.ender = null;
                }
            }
            ended.clear();
            versionsEnded.add(t.createdRows.unlinkFrom(sp.createdRows()));
            List<Catalog.CatVersion> endedCat = t.endedCatalog.subList(sp.endedCatalog(), t.endedCatalog.size());
            for (int k = endedCat.size() - 1; k >= 0; k--) {
                if (endedCat.get(k).ender == t.state) {
                    endedCat.get(k).ender = null;
                }
            }
            endedCat.clear();
            List<Catalog.CatVersion> createdCat = t.createdCatalog.subList(sp.createdCatalog(), t.createdCatalog.size());
            for (int k = createdCat.size() - 1; k >= 0; k--) {
                Catalog.CatVersion v = createdCat.get(k);
                if (catalog.unlink(v)) {
                    tables.remove(v.object.oid);
                    sequences.remove(v.object.oid);
                }
            }
            createdCat.clear();
            locks.releaseSince(t, sp.heldLocks());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int allocateOid() {
        int oid = nextOid;
        nextOid = nextOid + 1;
        if (Integer.compareUnsigned(nextOid, FIRST_NORMAL_OID) < 0) {
            nextOid = FIRST_NORMAL_OID;
        }
        return oid;
    }

    // =====================================================================================
    // Catalog reads for transactions
    // =====================================================================================

    /**
     * The catalog as every transaction without uncommitted DDL of its own sees it, as of one
     * {@link #catalogVersion()}: immutable, with hash lookups, read without the engine lock
     * (statements look up their schemas and tables many times per second; under the lock they
     * queued behind each other's writes).
     */
    private record CatalogView(long version, Map<String, SchemaDef> schemas, Map<String, Object> relations, Map<Integer, Object> byOid,
            List<SchemaDef> schemaList, List<TableDef> tables, List<SequenceDef> sequences) {

        Object relation(String schema, String name) {
            return relations.get(schema + '\0' + name);
        }

        Object byOid(int oid, Catalog.ObjType type) {
            Object def = byOid.get(oid);
            boolean match = switch (type) {
                case SCHEMA -> def instanceof SchemaDef;
                case TABLE -> def instanceof TableDef;
                case SEQUENCE -> def instanceof SequenceDef;
            };
            return match ? def : null;
        }
    }

    /** See {@link CatalogView}; rebuilt under the lock when the catalog version moved. */
    private volatile CatalogView committedView;

    private CatalogView committedView() {
        CatalogView v = committedView;
        if (v != null && v.version() == catalogVersion) {
            return v;
        }
        lock.lock();
        try {
            long version = catalogVersion;
            v = committedView;
            if (v != null && v.version() == version) {
                return v;
            }
            Map<String, SchemaDef> schemas = new HashMap<>();
            Map<Integer, String> schemaNames = new HashMap<>();
            Map<String, Object> relations = new HashMap<>();
            Map<Integer, Object> byOid = new HashMap<>();
            List<SchemaDef> schemaList = new ArrayList<>();
            List<TableDef> tables = new ArrayList<>();
            List<SequenceDef> sequences = new ArrayList<>();
            for (Catalog.CatObject o : catalog.objects.values()) {
                Catalog.CatVersion cv = Catalog.currentVersion(o, null);
                if (cv == null) {
                    continue;
                }
                byOid.put(o.oid, cv.def);
                if (cv.def instanceof SchemaDef sd) {
                    schemas.putIfAbsent(sd.name(), sd);
                    schemaNames.put(sd.oid(), sd.name());
                    schemaList.add(sd);
                } else if (cv.def instanceof TableDef td) {
                    tables.add(td);
                } else if (cv.def instanceof SequenceDef sq) {
                    sequences.add(sq);
                }
            }
            for (Catalog.CatObject o : catalog.objects.values()) { // oid order: the first of a name wins, as the scan did
                Object def = byOid.get(o.oid);
                if (def != null && !(def instanceof SchemaDef)) {
                    String schema = schemaNames.get(Catalog.schemaOidOf(def));
                    if (schema != null) {
                        relations.putIfAbsent(schema + '\0' + Catalog.nameOf(def), def);
                    }
                }
            }
            v = new CatalogView(version, schemas, relations, byOid, List.copyOf(schemaList), List.copyOf(tables), List.copyOf(sequences));
            committedView = v;
            return v;
        } finally {
            lock.unlock();
        }
    }

    TableDef findTable(Transaction t, String schema, String name) {
        if (!t.hasCatalogChanges()) {
            return committedView().relation(schema, name) instanceof TableDef d ? d : null;
        }
        lock.lock();
        try {
            return catalog.relationNamed(t.state, schema, name) instanceof TableDef d ? d : null;
        } finally {
            lock.unlock();
        }
    }

    TableDef tableByOid(Transaction t, int oid) {
        if (!t.hasCatalogChanges()) {
            return (TableDef) committedView().byOid(oid, Catalog.ObjType.TABLE);
        }
        lock.lock();
        try {
            return (TableDef) catalog.currentDef(t.state, oid, Catalog.ObjType.TABLE);
        } finally {
            lock.unlock();
        }
    }

    SequenceDef findSequence(Transaction t, String schema, String name) {
        if (!t.hasCatalogChanges()) {
            return committedView().relation(schema, name) instanceof SequenceDef d ? d : null;
        }
        lock.lock();
        try {
            return catalog.relationNamed(t.state, schema, name) instanceof SequenceDef d ? d : null;
        } finally {
            lock.unlock();
        }
    }

    SequenceDef sequenceByOid(Transaction t, int oid) {
        if (!t.hasCatalogChanges()) {
            return (SequenceDef) committedView().byOid(oid, Catalog.ObjType.SEQUENCE);
        }
        lock.lock();
        try {
            return (SequenceDef) catalog.currentDef(t.state, oid, Catalog.ObjType.SEQUENCE);
        } finally {
            lock.unlock();
        }
    }

    SchemaDef findSchema(Transaction t, String name) {
        if (!t.hasCatalogChanges()) {
            return committedView().schemas().get(name);
        }
        lock.lock();
        try {
            return catalog.schemaNamed(t.state, name);
        } finally {
            lock.unlock();
        }
    }

    <T> List<T> listCurrent(Transaction t, Catalog.ObjType type, Class<T> cls) {
        if (!t.hasCatalogChanges()) {
            CatalogView v = committedView();
            List<?> all = switch (type) {
                case SCHEMA -> v.schemaList();
                case TABLE -> v.tables();
                case SEQUENCE -> v.sequences();
            };
            List<T> out = new ArrayList<>(all.size());
            for (Object o : all) {
                out.add(cls.cast(o));
            }
            return out;
        }
        lock.lock();
        try {
            List<T> out = new ArrayList<>();
            for (Catalog.CatObject o : catalog.objects.values()) {
                if (o.type == type) {
                    Catalog.CatVersion v = Catalog.currentVersion(o, t.state);
                    if (v != null) {
                        out.add(cls.cast(v.def));
                    }
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    // =====================================================================================
    // DDL (each under lock, transactional)
    // =====================================================================================

    private void logCatalog(Transaction t, int kind, int oid, byte[] def) {
        catalogVersion++;
        log(t, new WalRecord.CatalogChange(t.state.xid, kind, oid, def));
    }

    /**
     * A number that changes whenever the catalog some transaction sees as current may have
     * changed: at every DDL statement and at the end of a transaction that made one. Caches of
     * catalog contents derived while no transaction of their own had uncommitted DDL ({@link
     * Transaction#hasCatalogChanges()}) stay valid while this number does not change.
     */
    public long catalogVersion() {
        return catalogVersion;
    }

    SchemaDef createSchema(Transaction t, String name) {
        lock.lock();
        try {
            t.checkActive();
            if (catalog.awaitNameFree(t, true, 0, name) != null) {
                throw new LrepException(SqlState.DUPLICATE_SCHEMA, "schema \"" + name + "\" already exists");
            }
            ensureXid(t);
            SchemaDef s = new SchemaDef(allocateOid(), name);
            logCatalog(t, CatalogCodec.SCHEMA_CREATE, s.oid(), CatalogCodec.encodeSchema(s));
            Catalog.CatObject o = new Catalog.CatObject(s.oid(), Catalog.ObjType.SCHEMA);
            catalog.objects.put(s.oid(), o);
            catalog.install(t, o, s);
            return s;
        } finally {
            lock.unlock();
        }
    }

    void dropSchema(Transaction t, String name, boolean cascade) {
        lock.lock();
        try {
            t.checkActive();
            SchemaDef s = catalog.requireSchema(t.state, name);
            if (s.oid() == PG_CATALOG_OID) {
                throw new LrepException(SqlState.DEPENDENT_OBJECTS_STILL_EXIST,
                        "cannot drop schema " + name + " because it is required by the database system");
            }
            s = lockSchema(t, name, true);
            List<Object> members = new ArrayList<>();
            for (Catalog.CatObject o : catalog.objects.values()) {
                if (o.type != Catalog.ObjType.SCHEMA) {
                    Catalog.CatVersion v = Catalog.currentVersion(o, t.state);
                    if (v != null && Catalog.schemaOidOf(v.def) == s.oid()) {
                        members.add(v.def);
                    }
                }
            }
            if (!members.isEmpty() && !cascade) {
                StringBuilder detail = new StringBuilder();
                for (Object m : members) {
                    if (detail.length() > 0) {
                        detail.append('\n');
                    }
                    detail.append(m instanceof TableDef ? "table " : "sequence ").append(name).append('.').append(Catalog.nameOf(m))
                            .append(" depends on schema ").append(name);
                }
                throw new LrepException(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, LrepException.Severity.ERROR,
                        "cannot drop schema " + name + " because other objects depend on it", detail.toString(),
                        "Use DROP ... CASCADE to drop the dependent objects too.", null);
            }
            for (Object m : members) {
                if (m instanceof TableDef td) {
                    dropTableLocked(t, td.oid(), td.displayName());
                }
            }
            for (Object m : members) {
                if (m instanceof SequenceDef sd && catalog.currentDef(t.state, sd.oid(), Catalog.ObjType.SEQUENCE) != null) {
                    dropSequenceLocked(t, sd);
                }
            }
            ensureXid(t);
            logCatalog(t, CatalogCodec.SCHEMA_DROP, s.oid(), new byte[0]);
            catalog.end(t, catalog.objects.get(s.oid()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Locks a schema against concurrent DROP SCHEMA (shared, for creating objects in it) or
     * against everything (exclusive, for dropping it), then looks it up again.
     */
    private SchemaDef lockSchema(Transaction t, String name, boolean exclusive) {
        SchemaDef s = catalog.requireSchema(t.state, name);
        locks.lockRelation(t, s.oid(), exclusive, "schema " + name);
        return catalog.requireSchema(t.state, name);
    }

        TableDef createTable(Transaction t, String schema, String name, List<ColumnDef> columns, List<String> primaryKey) {
        lock.lock();
        try {
            t.checkActive();
            SchemaDef s = lockSchema(t, schema, false);
            if (catalog.awaitNameFree(t, false, s.oid(), name) != null) {
                throw new LrepException(SqlState.DUPLICATE_TABLE, "relation \"" + name + "\" already exists");
            }
            List<ColumnDef> cols = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (ColumnDef c : columns) {
                if (!names.add(c.name())) {
                    throw new LrepException(SqlState.DUPLICATE_COLUMN, "column \"" + c.name() + "\" specified more than once");
                }
                cols.add(c.withAttnum(cols.size() + 1));
            }
            List<Integer> pk = new ArrayList<>();
            for (String k : primaryKey) {
                int idx = -1;
                for (int i = 0; i < cols.size(); i++) {
                    if (cols.get(i).name().equals(k)) {
                        idx = i;
                    }
                }
                if (idx < 0) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + k + "\" named in key does not exist");
                }
                if (pk.contains(idx + 1)) {
                    throw new LrepException(SqlState.DUPLICATE_COLUMN, "column \"" + k + "\" appears twice in primary key constraint");
                }
                pk.add(idx + 1);
                cols.set(idx, cols.get(idx).notNullColumn());
            }
            ensureXid(t);
            int oid = allocateOid();
            for (int i = 0; i < cols.size(); i++) {
                ColumnDef c = cols.get(i);
                if (c.isIdentity() && c.identitySequenceOid() == 0) {
                    SequenceDef seq = createIdentitySequence(t, s, name, oid, c);
                    cols.set(i, c.withIdentitySequence(seq.oid()));
                }
            }
            TableDef def = new TableDef(oid, s.oid(), s.name(), name, cols, pk, ReplicaIdentity.DEFAULT);
            logCatalog(t, CatalogCodec.TABLE_CREATE, oid, CatalogCodec.encodeTable(def));
            Catalog.CatObject o = new Catalog.CatObject(oid, Catalog.ObjType.TABLE);
            catalog.objects.put(oid, o);
            catalog.install(t, o, def);
            tables.put(oid, new Table(oid));
            locks.lockRelation(t, oid, true, name);
            return def;
        } finally {
            lock.unlock();
        }
    }

    private SequenceDef createIdentitySequence(Transaction t, SchemaDef s, String table, int tableOid, ColumnDef c) {
        String seqName = table + "_" + c.name() + "_seq";
        if (catalog.awaitNameFree(t, false, s.oid(), seqName) != null) {
            throw new LrepException(SqlState.DUPLICATE_TABLE, "relation \"" + seqName + "\" already exists");
        }
        long max = switch (c.type()) {
            case INT2 -> Short.MAX_VALUE;
            case INT4 -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
        SequenceDef seq = new SequenceDef(allocateOid(), s.oid(), s.name(), seqName, 1, 1, 1, max, false, 1, tableOid, c.attnum());
        installSequence(t, seq);
        return seq;
    }

    private void installSequence(Transaction t, SequenceDef seq) {
        logCatalog(t, CatalogCodec.SEQUENCE_CREATE, seq.oid(), CatalogCodec.encodeSequence(seq));
        Catalog.CatObject o = new Catalog.CatObject(seq.oid(), Catalog.ObjType.SEQUENCE);
        catalog.objects.put(seq.oid(), o);
        catalog.install(t, o, seq);
        SeqState st = new SeqState();
        st.lastValue = seq.start();
        sequences.putIfAbsent(seq.oid(), st);
    }

    void dropTable(Transaction t, TableDef table) {
        lock.lock();
        try {
            t.checkActive();
            dropTableLocked(t, table.oid(), table.displayName());
        } finally {
            lock.unlock();
        }
    }

    private void dropTableLocked(Transaction t, int oid, String displayName) {
        locks.lockRelation(t, oid, true, displayName);
        TableDef cur = (TableDef) catalog.currentDef(t.state, oid, Catalog.ObjType.TABLE);
        if (cur == null) {
            throw undefinedTable(displayName);
        }
        ensureXid(t);
        for (ColumnDef c : cur.columns()) {
            if (c.identitySequenceOid() != 0) {
                SequenceDef seq = (SequenceDef) catalog.currentDef(t.state, c.identitySequenceOid(), Catalog.ObjType.SEQUENCE);
                if (seq != null) {
                    dropSequenceLocked(t, seq);
                }
            }
        }
        logCatalog(t, CatalogCodec.TABLE_DROP, oid, new byte[0]);
        catalog.end(t, catalog.objects.get(oid));
    }

    static LrepException undefinedTable(String displayName) {
        return new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + displayName + "\" does not exist");
    }

    /** Locks the table exclusively, applies {@code change} to its current definition and logs it. */
    private TableDef alterTable(Transaction t, TableDef table, UnaryOperator<TableDef> change) {
        t.checkActive();
        locks.lockRelation(t, table.oid(), true, table.displayName());
        TableDef cur = (TableDef) catalog.currentDef(t.state, table.oid(), Catalog.ObjType.TABLE);
        if (cur == null) {
            throw undefinedTable(table.displayName());
        }
        TableDef next = change.apply(cur);
        ensureXid(t);
        logCatalog(t, CatalogCodec.TABLE_ALTER, cur.oid(), CatalogCodec.encodeTable(next));
        catalog.install(t, catalog.objects.get(cur.oid()), next);
        return next;
    }

    TableDef addColumn(Transaction t, TableDef table, ColumnDef column) {
        lock.lock();
        try {
            return alterTable(t, table, cur -> {
                if (cur.column(column.name()) != null) {
                    throw new LrepException(SqlState.DUPLICATE_COLUMN,
                            "column \"" + column.name() + "\" of relation \"" + cur.name() + "\" already exists");
                }
                ColumnDef c = column.withAttnum(cur.columns().size() + 1);
                if (c.missingValue() != null && !c.type().javaClass().isInstance(c.missingValue())) {
                    throw typeMismatch(c, c.missingValue());
                }
                if (c.notNull() && c.missingValue() == null && !c.isIdentity() && tables.get(cur.oid()).hasLiveRows()) {
                    throw new LrepException(SqlState.NOT_NULL_VIOLATION,
                            "column \"" + c.name() + "\" of relation \"" + cur.name() + "\" contains null values");
                }
                if (c.isIdentity()) {
                    ensureXid(t);
                    SchemaDef s = (SchemaDef) catalog.currentDef(t.state, cur.schemaOid(), Catalog.ObjType.SCHEMA);
                    SequenceDef seq = createIdentitySequence(t, s, cur.name(), cur.oid(), c);
                    c = c.withIdentitySequence(seq.oid());
                }
                List<ColumnDef> cols = new ArrayList<>(cur.columns());
                cols.add(c);
                return cur.withColumns(cols);
            });
        } finally {
            lock.unlock();
        }
    }

    TableDef dropColumn(Transaction t, TableDef table, String column) {
        lock.lock();
        try {
            return alterTable(t, table, cur -> {
                ColumnDef c = cur.column(column);
                if (c == null) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN,
                            "column \"" + column + "\" of relation \"" + cur.name() + "\" does not exist");
                }
                if (cur.isKeyColumn(c.attnum())) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                            "cannot drop column " + column + " of table " + cur.name() + " because it is part of the primary key "
                                    + cur.pkeyName());
                }
                if (c.identitySequenceOid() != 0) {
                    SequenceDef seq = (SequenceDef) catalog.currentDef(t.state, c.identitySequenceOid(), Catalog.ObjType.SEQUENCE);
                    if (seq != null) {
                        ensureXid(t);
                        dropSequenceLocked(t, seq);
                    }
                }
                List<ColumnDef> cols = new ArrayList<>(cur.columns());
                cols.set(c.attnum() - 1, c.asDropped());
                return cur.withColumns(cols);
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * ALTER COLUMN SET NOT NULL / DROP NOT NULL. SET checks the table's current rows (23502
     * naming the column); DROP refuses primary key and identity columns (42P16), as PostgreSQL.
     */
    TableDef setNotNull(Transaction t, TableDef table, String column, boolean notNull) {
        lock.lock();
        try {
            return alterTable(t, table, cur -> {
                ColumnDef c = cur.column(column);
                if (c == null) {
                    throw new LrepException(SqlState.UNDEFINED_COLUMN,
                            "column \"" + column + "\" of relation \"" + cur.name() + "\" does not exist");
                }
                if (c.notNull() == notNull) {
                    return cur;
                }
                if (!notNull && cur.isKeyColumn(c.attnum())) {
                    throw new LrepException(SqlState.INVALID_TABLE_DEFINITION, "column \"" + column + "\" is in a primary key");
                }
                if (!notNull && c.isIdentity()) {
                    throw new LrepException(SqlState.INVALID_TABLE_DEFINITION,
                            "column \"" + column + "\" of relation \"" + cur.name() + "\" is an identity column");
                }
                if (notNull && hasLiveNull(cur, c)) {
                    throw new LrepException(SqlState.NOT_NULL_VIOLATION,
                            "column \"" + column + "\" of relation \"" + cur.name() + "\" contains null values");
                }
                List<ColumnDef> cols = new ArrayList<>(cur.columns());
                cols.set(c.attnum() - 1, new ColumnDef(c.attnum(), c.name(), c.type(), c.typmod(), notNull, c.defaultExpr(),
                        c.identity(), c.identitySequenceOid(), c.dropped(), c.missingValue()));
                return cur.withColumns(cols);
            });
        } finally {
            lock.unlock();
        }
    }

    /** Whether a current row (committed, or this transaction's; DDL holds the table exclusively) has NULL in {@code c}. */
    private boolean hasLiveNull(TableDef def, ColumnDef c) {
        for (Chain ch : tables.get(def.oid()).chains()) {
            RowVersion h = ch.head;
            while (h != null && h.creator.aborted) {
                h = h.older;
            }
            if (h != null && h.isLive() && Table.materialize(def, h.values())[c.attnum() - 1] == null) {
                return true;
            }
        }
        return false;
    }

    TableDef setReplicaIdentity(Transaction t, TableDef table, ReplicaIdentity identity) {
        lock.lock();
        try {
            return alterTable(t, table, cur -> cur.withReplicaIdentity(identity));
        } finally {
            lock.unlock();
        }
    }

    TableDef renameTable(Transaction t, TableDef table, String newName) {
        lock.lock();
        try {
            return alterTable(t, table, cur -> {
                if (!cur.name().equals(newName) && catalog.awaitNameFree(t, false, cur.schemaOid(), newName) != null) {
                    throw new LrepException(SqlState.DUPLICATE_TABLE, "relation \"" + newName + "\" already exists");
                }
                return cur.withName(newName);
            });
        } finally {
            lock.unlock();
        }
    }

    SequenceDef createSequence(Transaction t, SequenceDef spec) {
        lock.lock();
        try {
            t.checkActive();
            SchemaDef s = lockSchema(t, spec.schemaName(), false);
            validateSequence(spec);
            if (catalog.awaitNameFree(t, false, s.oid(), spec.name()) != null) {
                throw new LrepException(SqlState.DUPLICATE_TABLE, "relation \"" + spec.name() + "\" already exists");
            }
            ensureXid(t);
            SequenceDef seq = spec.withIdentity(allocateOid(), s.oid());
            installSequence(t, seq);
            return seq;
        } finally {
            lock.unlock();
        }
    }

    /** ALTER SEQUENCE: replaces the definition (same oid, schema and name); the state is kept. */
    SequenceDef alterSequence(Transaction t, SequenceDef newDef) {
        lock.lock();
        try {
            t.checkActive();
            locks.lockRelation(t, newDef.oid(), true, newDef.displayName());
            SequenceDef cur = (SequenceDef) catalog.currentDef(t.state, newDef.oid(), Catalog.ObjType.SEQUENCE);
            if (cur == null) {
                throw undefinedTable(newDef.displayName());
            }
            validateSequence(newDef);
            SequenceDef next = new SequenceDef(cur.oid(), cur.schemaOid(), cur.schemaName(), cur.name(), newDef.start(),
                    newDef.increment(), newDef.min(), newDef.max(), newDef.cycle(), newDef.cache(), cur.ownedByTable(),
                    cur.ownedByAttnum());
            ensureXid(t);
            logCatalog(t, CatalogCodec.SEQUENCE_ALTER, cur.oid(), CatalogCodec.encodeSequence(next));
            catalog.install(t, catalog.objects.get(cur.oid()), next);
            return next;
        } finally {
            lock.unlock();
        }
    }

    private static void validateSequence(SequenceDef spec) {
        if (spec.increment() == 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "INCREMENT must not be zero");
        }
        if (spec.min() >= spec.max()) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                    "MINVALUE (" + spec.min() + ") must be less than MAXVALUE (" + spec.max() + ")");
        }
        if (spec.start() < spec.min()) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                    "START value (" + spec.start() + ") cannot be less than MINVALUE (" + spec.min() + ")");
        }
        if (spec.start() > spec.max()) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                    "START value (" + spec.start() + ") cannot be greater than MAXVALUE (" + spec.max() + ")");
        }
    }

    void dropSequence(Transaction t, SequenceDef seq) {
        lock.lock();
        try {
            t.checkActive();
            locks.lockRelation(t, seq.oid(), true, seq.displayName());
            SequenceDef cur = (SequenceDef) catalog.currentDef(t.state, seq.oid(), Catalog.ObjType.SEQUENCE);
            if (cur == null) {
                throw undefinedTable(seq.displayName());
            }
            if (cur.ownedByTable() != 0 && catalog.currentDef(t.state, cur.ownedByTable(), Catalog.ObjType.TABLE) instanceof TableDef owner) {
                throw new LrepException(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, LrepException.Severity.ERROR,
                        "cannot drop sequence " + cur.displayName() + " because other objects depend on it",
                        "column " + owner.columns().get(cur.ownedByAttnum() - 1).name() + " of table " + owner.displayName()
                                + " depends on sequence " + cur.displayName(),
                        "Use DROP ... CASCADE to drop the dependent objects too.", null);
            }
            ensureXid(t);
            dropSequenceLocked(t, cur);
        } finally {
            lock.unlock();
        }
    }

    private void dropSequenceLocked(Transaction t, SequenceDef seq) {
        logCatalog(t, CatalogCodec.SEQUENCE_DROP, seq.oid(), new byte[0]);
        catalog.end(t, catalog.objects.get(seq.oid()));
    }

    // =====================================================================================
    // Sequences (non-transactional state)
    // =====================================================================================

    long nextval(Transaction t, SequenceDef seq) {
        SequenceDef def = requireSequence(t, seq);
        SeqState st = sequences.get(def.oid());
        long next;
        long mustBeDurable;
        synchronized (st) {
            boolean wrapped = false;
            if (!st.isCalled) {
                next = st.lastValue;
            } else {
                long inc = def.increment();
                long candidate = st.lastValue + inc;
                boolean overflow = inc > 0 ? candidate < st.lastValue || candidate > def.max()
                        : candidate > st.lastValue || candidate < def.min();
                if (overflow) {
                    if (!def.cycle()) {
                        throw new LrepException(SqlState.SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                                "nextval: reached " + (inc > 0 ? "maximum" : "minimum") + " value of sequence \""
                                        + def.name() + "\" (" + (inc > 0 ? def.max() : def.min()) + ")");
                    }
                    candidate = inc > 0 ? def.min() : def.max();
                    wrapped = true;
                }
                next = candidate;
            }
            boolean beyondLog = !st.hasLog || (def.increment() > 0 ? next > st.logged : next < st.logged);
            if (beyondLog || wrapped) {
                long ahead = advance(def, next, SEQ_LOG_VALS - 1);
                st.loggedEnd = wal.append(new WalRecord.SequenceAdvance(0, def.oid(), ahead, true));
                st.logged = ahead;
                st.hasLog = true;
            }
            st.lastValue = next;
            st.isCalled = true;
            mustBeDurable = st.loggedEnd;
        }
        // Handing out a value before its advance is durable could repeat it after a crash. The
        // wait is outside the monitor: callers of this sequence share the flush instead of queueing
        // behind it one by one (and it costs a read of the flushed LSN once it is durable).
        if (mustBeDurable > wal.flushedLsn()) {
            wal.waitForFlush(mustBeDurable);
        }
        return next;
    }

    /** {@code steps} increments past {@code from}, clamped to the sequence's bounds. */
    private static long advance(SequenceDef def, long from, int steps) {
        long inc = def.increment();
        long v = from;
        for (int i = 0; i < steps; i++) {
            long n = v + inc;
            if (inc > 0 ? n < v || n > def.max() : n > v || n < def.min()) {
                break;
            }
            v = n;
        }
        return v;
    }

    void setval(Transaction t, SequenceDef seq, long value, boolean isCalled) {
        SequenceDef def = requireSequence(t, seq);
        if (value < def.min() || value > def.max()) {
            throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "setval: value " + value
                    + " is out of bounds for sequence \"" + def.name() + "\" (" + def.min() + ".." + def.max() + ")");
        }
        SeqState st = sequences.get(def.oid());
        synchronized (st) {
            long end = wal.append(new WalRecord.SequenceAdvance(0, def.oid(), value, isCalled));
            wal.waitForFlush(end);
            st.lastValue = value;
            st.isCalled = isCalled;
            st.logged = value;
            st.hasLog = true;
        }
    }

    /** The sequence's state as {@code {lastValue, isCalled ? 1 : 0}}. */
    long[] sequenceState(Transaction t, SequenceDef seq) {
        SequenceDef def = requireSequence(t, seq);
        SeqState st = sequences.get(def.oid());
        synchronized (st) {
            return new long[] {st.lastValue, st.isCalled ? 1 : 0};
        }
    }

    private SequenceDef requireSequence(Transaction t, SequenceDef seq) {
        lock.lock();
        try {
            t.checkActive();
            SequenceDef def = (SequenceDef) catalog.currentDef(t.state, seq.oid(), Catalog.ObjType.SEQUENCE);
            if (def == null || !sequences.containsKey(def.oid())) {
                throw undefinedTable(seq.displayName());
            }
            return def;
        } finally {
            lock.unlock();
        }
    }

    // =====================================================================================
    // Rows
    // =====================================================================================

    private TableDef lockForWrite(Transaction t, TableDef table) {
        t.checkActive();
        locks.lockRelation(t, table.oid(), false, table.displayName());
        TableDef def = (TableDef) catalog.currentDef(t.state, table.oid(), Catalog.ObjType.TABLE);
        if (def == null) {
            throw undefinedTable(table.displayName());
        }
        return def;
    }

    private static LrepException typeMismatch(ColumnDef c, Object v) {
        String actual;
        try {
            actual = TypMod.sqlName(Values.typeOf(v), TypMod.NONE);
        } catch (LrepException e) {
            actual = v.getClass().getSimpleName(); // no PostgreSQL type for the class: name the class
        }
        return new LrepException(SqlState.DATATYPE_MISMATCH, "column \"" + c.name() + "\" is of type "
                + TypMod.sqlName(c.type(), TypMod.NONE) + " but expression is of type " + actual);
    }

    /** Checks arity, types and NOT NULL; returns the full-width row to store (a copy). */
    private static Object[] validate(TableDef def, Object[] row) {
        List<ColumnDef> cols = def.columns();
        if (row.length != cols.size()) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "row for relation \"" + def.name() + "\" has " + row.length
                    + " values, expected " + cols.size());
        }
        Object[] out = new Object[row.length];
        for (int i = 0; i < row.length; i++) {
            ColumnDef c = cols.get(i);
            Object v = row[i];
            if (c.dropped()) {
                continue;
            }
            if (v == null) {
                if (c.notNull()) {
                    throw new LrepException(SqlState.NOT_NULL_VIOLATION, LrepException.Severity.ERROR,
                            "null value in column \"" + c.name() + "\" of relation \"" + def.name() + "\" violates not-null constraint",
                            "Failing row contains " + rowText(def, row) + ".", null, null);
                }
            } else if (!c.type().javaClass().isInstance(v)) {
                throw typeMismatch(c, v);
            }
            out[i] = v;
        }
        return out;
    }

    private static String rowText(TableDef def, Object[] row) {
        StringBuilder sb = new StringBuilder("(");
        boolean first = true;
        for (int i = 0; i < row.length; i++) {
            if (def.columns().get(i).dropped()) {
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(valueText(row[i]));
        }
        return sb.append(')').toString();
    }

    private static String valueText(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof byte[] b) {
            StringBuilder sb = new StringBuilder("\\x");
            for (byte x : b) {
                sb.append(String.format("%02x", x));
            }
            return sb.toString();
        }
        return v.toString();
    }

    /** Whether two full-width rows of {@code def} have equal primary keys (as {@link RowKey#equals} compares them). */
    private static boolean sameKey(TableDef def, Object[] a, Object[] b) {
        for (int attnum : def.primaryKey()) {
            if (Values.compare(def.columns().get(attnum - 1).type(), a[attnum - 1], b[attnum - 1]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The key of {@code def} with these key column values, typed by the key columns. */
    static RowKey keyFor(TableDef def, Object[] keyValues) {
        if (!def.hasPrimaryKey()) {
            return RowKey.of(keyValues);
        }
        List<Integer> pk = def.primaryKey();
        PgType[] types = new PgType[pk.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = def.columns().get(pk.get(i) - 1).type();
        }
        return RowKey.of(types, keyValues);
    }

    private static LrepException uniqueViolation(TableDef def, RowKey key) {
        StringBuilder names = new StringBuilder();
        StringBuilder vals = new StringBuilder();
        for (int i = 0; i < def.primaryKey().size(); i++) {
            if (i > 0) {
                names.append(", ");
                vals.append(", ");
            }
            names.append(def.columns().get(def.primaryKey().get(i) - 1).name());
            vals.append(valueText(key.get(i)));
        }
        return new LrepException(SqlState.UNIQUE_VIOLATION, LrepException.Severity.ERROR,
                "duplicate key value violates unique constraint \"" + def.pkeyName() + "\"",
                "Key (" + names + ")=(" + vals + ") already exists.", null, null);
    }

    /**
     * Waits out in-progress writers of {@code key}; returns the live version holding the key
     * (committed or our own) or null when the key is free for us.
     */
    private RowVersion awaitKeyFree(Transaction t, Table ts, RowKey key) {
        while (true) {
            Chain ch = ts.chain(key);
            RowVersion head = ch == null ? null : ch.head;
            while (head != null && head.creator.aborted) {
                head = head.older;
            }
            if (head == null) {
                return null;
            }
            TxnState blocker = null;
            if (head.creator != t.state && !head.creator.isCommitted()) {
                blocker = head.creator;
            } else {
                TxnState e = head.ender;
                if (e == null || e.aborted) {
                    return head;
                }
                if (e != t.state && !e.isCommitted()) {
                    blocker = e;
                } else {
                    return null;
                }
            }
            locks.awaitAny(t, Set.of(blocker), "ShareLock on transaction " + Integer.toUnsignedString(blocker.xid));
        }
    }

    /** Links a new version at the head of its key's chain, pruning what no snapshot needs. */
    private void link(Transaction t, Table ts, RowVersion v) {
        Chain ch = ts.chain(v.key);
        if (ch != null) {
            ts.prune(ch, horizon());
            if (ch.head == null) {
                ch = null;
            }
        }
        if (ch == null) {
            ts.addChain(v);
        } else {
            v.older = ch.head;
            ch.head = v;
        }
        t.createdRows.add(ts, v);
    }

    RowRef insert(Transaction t, TableDef table, Object[] row, boolean throwOnConflict) {
        lock.lock();
        try {
            TableDef def = lockForWrite(t, table);
            Object[] full = validate(def, row);
            Table ts = tables.get(def.oid());
            RowKey key = def.hasPrimaryKey() ? ts.keyOf(def, full) : ts.newRowId();
            // a key never seen (the common case) needs no wait: the engine lock is held from here to the link
            boolean newKey = !ts.hasChain(key);
            RowVersion existing = newKey ? null : awaitKeyFree(t, ts, key);
            if (existing != null) {
                if (throwOnConflict) {
                    throw uniqueViolation(def, key);
                }
                return new RowRef(def.oid(), key, Table.materialize(def, existing.values()), existing);
            }
            ensureXid(t);
            byte[] data = WalRecordCodec.encodeRow(full);
            RowVersion v = new RowVersion(key, data, t.state, t.cid);
            log(t, new WalRecord.Insert(t.state.xid, def.oid(), full, data));
            if (newKey) {
                ts.addChain(v);
                t.createdRows.add(ts, v);
            } else {
                link(t, ts, v);
            }
            return throwOnConflict ? new RowRef(def.oid(), key, Table.materialize(def, full), v) : null;
        } finally {
            lock.unlock();
        }
    }

    WriteResult update(Transaction t, RowRef ref, Object[] newRow) {
        return write(t, ref, newRow, false);
    }

    WriteResult delete(Transaction t, RowRef ref) {
        return write(t, ref, null, false);
    }

    WriteResult lockRow(Transaction t, RowRef ref) {
        return write(t, ref, null, true);
    }

    /** Update ({@code newRow != null}), delete, or (lockOnly) SELECT ... FOR UPDATE of one version. */
    private WriteResult write(Transaction t, RowRef ref, Object[] newRow, boolean lockOnly) {
        lock.lock();
        try {
            TableDef def = tableForRef(t, ref);
            def = lockForWrite(t, def);
            Object[] full = newRow == null ? null : validate(def, newRow);
            Table ts = tables.get(def.oid());
            RowVersion v = ref.version;
            while (true) {
                TxnState e = v.ender;
                if (e != null && !e.aborted) {
                    if (e == t.state) {
                        return new WriteResult(WriteResult.Status.SELF_MODIFIED, null);
                    }
                    if (!e.isCommitted()) {
                        locks.awaitAny(t, Set.of(e), "ShareLock on transaction " + Integer.toUnsignedString(e.xid));
                        continue;
                    }
                    if (t.isolation == IsolationLevel.REPEATABLE_READ) {
                        throw new LrepException(SqlState.SERIALIZATION_FAILURE, "could not serialize access due to concurrent "
                                + (v.successor != null ? "update" : "delete"));
                    }
                    return followUpdates(def, v);
                }
                TxnState locker = v.locker;
                if (locker != null && locker != t.state && !locker.isEnded()) {
                    locks.awaitAny(t, Set.of(locker), "ShareLock on transaction " + Integer.toUnsignedString(locker.xid));
                    continue;
                }
                if (lockOnly) {
                    if (locker != t.state) {
                        t.lockedRows.add(new Transaction.LockedRow(v, locker));
                    }
                    v.locker = t.state;
                    return new WriteResult(WriteResult.Status.OK, ref);
                }
                RowKey newKey = full == null || !def.hasPrimaryKey() ? v.key : ts.keyOf(def, full);
                if (full != null && !newKey.equals(v.key)) {
                    RowVersion clash = awaitKeyFree(t, ts, newKey);
                    if (!v.isLive()) {
                        continue; // someone ended v while we waited: decide again
                    }
                    if (clash != null) {
                        throw uniqueViolation(def, newKey);
                    }
                }
                ensureXid(t);
                // WAL first: if the append fails (54000) the row is left as it was.
                Object[] old = Table.materialize(def, v.values());
                Object[] oldRec = oldRecord(def, old, full);
                byte[] newData = null;
                if (full == null) {
                    log(t, new WalRecord.Delete(t.state.xid, def.oid(), oldRec, oldRec != null && isFullOld(def)));
                } else {
                    newData = WalRecordCodec.encodeRow(full);
                    log(t, new WalRecord.Update(t.state.xid, def.oid(), oldRec, oldRec != null && isFullOld(def), full, newData));
                }
                v.enderCid = t.cid;
                v.ender = t.state;
                t.endedRows.add(v);
                versionsEnded.increment();
                if (full == null) {
                    return new WriteResult(WriteResult.Status.OK, null);
                }
                RowVersion nv = new RowVersion(newKey, newData, t.state, t.cid);
                v.successor = nv;
                link(t, ts, nv);
                return new WriteResult(WriteResult.Status.OK, new RowRef(def.oid(), newKey, Table.materialize(def, full), nv));
            }
        } finally {
            lock.unlock();
        }
    }

    private TableDef tableForRef(Transaction t, RowRef ref) {
        TableDef def = (TableDef) catalog.currentDef(t.state, ref.relOid(), Catalog.ObjType.TABLE);
        if (def == null) {
            throw new LrepException(SqlState.UNDEFINED_TABLE, "relation with OID " + ref.relOid() + " does not exist");
        }
        return def;
    }

    /** READ COMMITTED after a committed concurrent update/delete of {@code v}: the newest version, or DELETED. */
    private WriteResult followUpdates(TableDef def, RowVersion v) {
        RowVersion x = v;
        while (true) {
            RowVersion s = x.successor;
            if (s == null) {
                return new WriteResult(WriteResult.Status.DELETED, null);
            }
            TxnState se = s.ender;
            if (se == null || !se.isCommitted()) {
                return new WriteResult(WriteResult.Status.UPDATED, new RowRef(def.oid(), s.key, Table.materialize(def, s.values()), s));
            }
            x = s;
        }
    }

    /**
     * Tables without a primary key log the whole old row, flagged full, whatever their replica
     * identity: it is the only way redo can find the row. A decoder applies relreplident itself
     * (DEFAULT without a key publishes no old row, as PostgreSQL does).
     */
    private static boolean isFullOld(TableDef def) {
        return !def.hasPrimaryKey() || def.replicaIdentity() == ReplicaIdentity.FULL;
    }

    /**
     * The old row an Update/Delete record carries: FULL (or no primary key) the whole row;
     * DEFAULT the key columns, omitted for an update that keeps the key. NOTHING is logged as
     * DEFAULT (redo needs the key); a decoder drops the old key for relreplident 'n'.
     */
    private static Object[] oldRecord(TableDef def, Object[] old, Object[] newRow) {
        if (isFullOld(def)) {
            return old;
        }
        if (newRow != null && sameKey(def, old, newRow)) {
            return null;
        }
        Object[] k = new Object[old.length];
        for (int a : def.primaryKey()) {
            k[a - 1] = old[a - 1];
        }
        return k;
    }

    void truncate(Transaction t, List<TableDef> tablesToTruncate, boolean restartIdentity) {
        lock.lock();
        try {
            t.checkActive();
            List<TableDef> defs = new ArrayList<>();
            for (TableDef table : tablesToTruncate) {
                locks.lockRelation(t, table.oid(), true, table.displayName());
                TableDef def = (TableDef) catalog.currentDef(t.state, table.oid(), Catalog.ObjType.TABLE);
                if (def == null) {
                    throw undefinedTable(table.displayName());
                }
                defs.add(def);
            }
            ensureXid(t);
            int[] oids = new int[defs.size()];
            for (int i = 0; i < defs.size(); i++) {
                oids[i] = defs.get(i).oid();
            }
            log(t, new WalRecord.Truncate(t.state.xid, oids, false, restartIdentity));
            for (TableDef def : defs) {
                for (Chain ch : tables.get(def.oid()).chains()) {
                    RowVersion h = ch.head;
                    if (h != null && (h.creator == t.state || h.creator.isCommitted()) && h.isLive()) {
                        h.enderCid = t.cid;
                        h.ender = t.state;
                        t.endedRows.add(h);
                        versionsEnded.increment();
                    }
                }
                if (restartIdentity) {
                    for (ColumnDef c : def.columns()) {
                        SeqState st = c.identitySequenceOid() == 0 ? null : sequences.get(c.identitySequenceOid());
                        SequenceDef sd = st == null ? null : (SequenceDef) catalog.currentDef(t.state, c.identitySequenceOid(), Catalog.ObjType.SEQUENCE);
                        if (sd != null) {
                            synchronized (st) {
                                wal.append(new WalRecord.SequenceAdvance(0, sd.oid(), sd.start(), false));
                                st.lastValue = sd.start();
                                st.isCalled = false;
                                st.logged = sd.start();
                                st.hasLog = true;
                            }
                        }
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    TableDef tableForRead(Transaction t, TableDef table) {
        lock.lock();
        try {
            t.checkActive();
            TableDef def = (TableDef) catalog.currentDef(t.state, table.oid(), Catalog.ObjType.TABLE);
            if (def == null) {
                throw undefinedTable(table.displayName());
            }
            return def;
        } finally {
            lock.unlock();
        }
    }

    RowRef get(TxnState own, TableDef def, RowKey key, Snapshot s) {
        Table ts = tables.get(def.oid());
        return ts == null ? null : ts.get(own, def, key, s);
    }

    Iterator<RowRef> scan(TxnState own, TableDef def, Snapshot s) {
        Table ts = tables.get(def.oid());
        if (ts == null) {
            throw undefinedTable(def.displayName());
        }
        return ts.scan(own, def, s);
    }

    long emitMessage(Transaction t, boolean transactional, String prefix, byte[] content) {
        lock.lock();
        try {
            t.checkActive();
            if (transactional) {
                ensureXid(t);
                return log(t, new WalRecord.LogicalMessage(t.state.xid, true, prefix, content.clone()));
            }
            return wal.append(new WalRecord.LogicalMessage(0, false, prefix, content.clone()));
        } finally {
            lock.unlock();
        }
    }

    // =====================================================================================
    // Vacuum
    // =====================================================================================

    /**
     * Removes every row and catalog version that no current or future snapshot can see, and the
     * storage of tables whose drop is that old. Holds the engine lock a batch of chains at a
     * time. Returns the number of row versions removed.
     */
    public int vacuum() {
        int[] removed = {0};
        synchronized (vacuumMonitor) {
            for (Table ts : tables.values()) {
                Chain at = null;
                do {
                    lock.lock();
                    try {
                        at = ts.compact(at, VACUUM_BATCH, horizon(), removed);
                    } finally {
                        lock.unlock();
                    }
                } while (at != null);
            }
        }
        lock.lock();
        try {
            long h = horizon();
            for (int oid : catalog.prune(h)) {
                tables.remove(oid);
                sequences.remove(oid);
            }
        } finally {
            lock.unlock();
        }
        if (removed[0] > 0) {
            LOG.debug("Vacuum removed {} row versions", removed[0]);
        }
        return removed[0];
    }

    /**
     * Row versions that updates, deletes and truncates have ended since the engine started
     * (also those of transactions that rolled back), and versions of rolled-back inserts (their
     * emptied chains wait for vacuum): what {@link Autovacuum} watches.
     */
    public long versionsEnded() {
        return versionsEnded.sum();
    }

    /** How many transactions are waiting for another right now (for tests and views). */
    public int waitingCount() {
        lock.lock();
        try {
            return locks.waitingCount();
        } finally {
            lock.unlock();
        }
    }

    /** Row versions currently stored (all chains, all versions), for tests and metrics. */
    public long versionCount() {
        long n = 0;
        for (Table ts : tables.values()) {
            n += ts.versionCount();
        }
        return n;
    }

    // =====================================================================================
    // DurableState
    // =====================================================================================

    @Override
    public void exportImage(long snapshotLsn, Consumer<WalRecord> out) {
        SnapshotPin pin = pinSnapshot(snapshotLsn);
        try {
            List<Object> defs = new ArrayList<>();
            lock.lock();
            try {
                for (Catalog.CatObject o : catalog.objects.values()) {
                    if (o.oid < FIRST_NORMAL_OID) {
                        continue;
                    }
                    Catalog.CatVersion v = Catalog.versionAsOf(o, snapshotLsn);
                    if (v != null) {
                        defs.add(v.def);
                    }
                }
            } finally {
                lock.unlock();
            }
            // Schemas, then sequences, then tables, each in creation (oid) order.
            defs.sort(java.util.Comparator.comparingInt(d -> d instanceof SchemaDef ? 0 : d instanceof SequenceDef ? 1 : 2));
            for (Object d : defs) {
                if (d instanceof SchemaDef s) {
                    out.accept(new WalRecord.CatalogChange(0, CatalogCodec.SCHEMA_CREATE, s.oid(), CatalogCodec.encodeSchema(s)));
                } else if (d instanceof SequenceDef s) {
                    out.accept(new WalRecord.CatalogChange(0, CatalogCodec.SEQUENCE_CREATE, s.oid(), CatalogCodec.encodeSequence(s)));
                } else {
                    TableDef t = (TableDef) d;
                    out.accept(new WalRecord.CatalogChange(0, CatalogCodec.TABLE_CREATE, t.oid(), CatalogCodec.encodeTable(t)));
                }
            }
            for (Object d : defs) {
                SeqState st = d instanceof SequenceDef s ? sequences.get(s.oid()) : null;
                if (st != null) {
                    long value;
                    boolean called;
                    synchronized (st) {
                        // The logged value: values up to it may have been handed out already.
                        value = st.hasLog ? st.logged : st.lastValue;
                        called = st.hasLog || st.isCalled;
                    }
                    out.accept(new WalRecord.SequenceAdvance(0, ((SequenceDef) d).oid(), value, called));
                }
            }
            for (Object d : defs) {
                if (d instanceof TableDef t) {
                    Iterator<RowRef> it = scan(null, t, new Snapshot(snapshotLsn, 0));
                    while (it.hasNext()) {
                        out.accept(new WalRecord.Insert(0, t.oid(), it.next().values()));
                    }
                }
            }
        } finally {
            pin.close();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Redo is forgiving where an image and the WAL replayed after it overlap: an insert of a
     * key that is already live replaces it, an update whose old row is missing inserts the new
     * row, a delete of a missing row does nothing. Rows of tables without a primary key are found
     * by their whole old row (which WAL carries for them, see {@code oldRecord}).
     */
    @Override
    public void redo(List<WalRecord> records, long commitEndLsn) {
        lock.lock();
        try {
            TxnState st = new TxnState();
            for (WalRecord r : records) {
                if (r.xid() != 0) {
                    st.xid = r.xid();
                    if (Integer.compareUnsigned(r.xid() + 1, nextXid) > 0) {
                        nextXid = r.xid() + 1;
                    }
                }
                redoOne(st, r);
            }
            st.commitLsn = commitEndLsn;
        } finally {
            lock.unlock();
        }
    }

    private void redoOne(TxnState st, WalRecord r) {
        if (r instanceof WalRecord.CatalogChange c) {
            redoCatalog(st, c);
        } else if (r instanceof WalRecord.Insert ins) {
            TableDef def = liveTable(ins.relOid());
            Table ts = tables.get(def.oid());
            RowKey key = def.hasPrimaryKey() ? ts.keyOf(def, ins.newRow()) : ts.newRowId();
            redoLink(st, ts, key, ins.newRow());
        } else if (r instanceof WalRecord.Update u) {
            TableDef def = liveTable(u.relOid());
            Table ts = tables.get(def.oid());
            RowVersion old = redoFind(def, ts, u.oldRow() != null ? u.oldRow() : u.newRow(), u.oldRow() != null && u.oldIsFullRow());
            RowKey key;
            if (old != null) {
                old.ender = st;
                key = def.hasPrimaryKey() ? ts.keyOf(def, u.newRow()) : old.key;
            } else {
                key = def.hasPrimaryKey() ? ts.keyOf(def, u.newRow()) : ts.newRowId();
            }
            redoLink(st, ts, key, u.newRow());
        } else if (r instanceof WalRecord.Delete d) {
            TableDef def = liveTable(d.relOid());
            Table ts = tables.get(def.oid());
            RowVersion old = d.oldRow() == null ? null : redoFind(def, ts, d.oldRow(), d.oldIsFullRow());
            if (old != null) {
                old.ender = st;
            }
        } else if (r instanceof WalRecord.Truncate tr) {
            for (int oid : tr.relOids()) {
                Table ts = tables.get(oid);
                if (ts == null) {
                    continue;
                }
                for (Chain ch : ts.chains()) {
                    RowVersion h = ch.head;
                    if (h != null && h.ender == null) {
                        h.ender = st;
                    }
                }
            }
        } else if (r instanceof WalRecord.SequenceAdvance s) {
            SeqState seq = sequences.computeIfAbsent(s.seqOid(), k -> new SeqState());
            synchronized (seq) {
                seq.lastValue = s.lastValue();
                seq.isCalled = s.isCalled();
                seq.logged = s.lastValue();
                seq.hasLog = true;
            }
        }
        // Commit, Abort, Checkpoint and logical messages change no stored state.
    }

    private TableDef liveTable(int oid) {
        Catalog.CatObject o = catalog.objects.get(oid);
        if (o != null && o.type == Catalog.ObjType.TABLE) {
            for (Catalog.CatVersion v = o.head; v != null; v = v.older) {
                if (v.ender == null) {
                    return (TableDef) v.def;
                }
            }
        }
        throw new LrepException(SqlState.DATA_CORRUPTED, "redo: relation with OID " + oid + " does not exist");
    }

    /** The live version with the old row's key (or, without a primary key, equal to the old row). */
    private static RowVersion redoFind(TableDef def, Table ts, Object[] oldRow, boolean full) {
        if (def.hasPrimaryKey()) {
            Chain ch = ts.chain(ts.keyOf(def, oldRow));
            RowVersion h = ch == null ? null : ch.head;
            return h != null && h.ender == null ? h : null;
        }
        if (!full) {
            return null;
        }
        for (Chain ch : ts.chains()) {
            RowVersion h = ch.head;
            if (h != null && h.ender == null && Table.rowsEqual(def, Table.materialize(def, h.values()), oldRow)) {
                return h;
            }
        }
        return null;
    }

    /** Redo is idempotent per key: a live version already holding the key is ended first. */
    private static void redoLink(TxnState st, Table ts, RowKey key, Object[] values) {
        RowVersion v = new RowVersion(key, WalRecordCodec.encodeRow(values), st, 0);
        Chain ch = ts.chain(key);
        if (ch == null) {
            ts.addChain(v);
            return;
        }
        RowVersion h = ch.head;
        if (h != null && h.ender == null) {
            h.ender = st;
        }
        v.older = h;
        ch.head = v;
    }

    private void redoCatalog(TxnState st, WalRecord.CatalogChange c) {
        if (Integer.compareUnsigned(c.oid() + 1, nextOid) > 0) {
            nextOid = c.oid() + 1;
        }
        Catalog.CatObject o = catalog.objects.get(c.oid());
        if (o != null) {
            for (Catalog.CatVersion v = o.head; v != null; v = v.older) {
                if (v.ender == null) {
                    v.ender = st;
                }
            }
        }
        switch (c.kind()) {
            case CatalogCodec.SCHEMA_DROP, CatalogCodec.TABLE_DROP, CatalogCodec.SEQUENCE_DROP -> {
                return;
            }
            default -> {
                // a new definition follows
            }
        }
        Object def = CatalogCodec.decode(c.definition());
        if (o == null) {
            Catalog.ObjType type = def instanceof SchemaDef ? Catalog.ObjType.SCHEMA : def instanceof TableDef ? Catalog.ObjType.TABLE : Catalog.ObjType.SEQUENCE;
            o = new Catalog.CatObject(c.oid(), type);
            catalog.objects.put(c.oid(), o);
        }
        Catalog.CatVersion v = new Catalog.CatVersion(o, def, st);
        v.older = o.head;
        o.head = v;
        if (def instanceof TableDef) {
            tables.putIfAbsent(c.oid(), new Table(c.oid()));
        } else if (def instanceof SequenceDef s && !sequences.containsKey(s.oid())) {
            SeqState seq = new SeqState();
            seq.lastValue = s.start();
            sequences.put(s.oid(), seq);
        }
    }

    @Override
    public long oldestActiveTxnStartLsn() {
        lock.lock();
        try {
            long min = Long.MAX_VALUE;
            for (Transaction t : active) {
                if (t.wroteWal || t.state.xid != 0) {
                    min = Math.min(min, t.firstLsn);
                }
            }
            return min;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int nextXid() {
        lock.lock();
        try {
            return nextXid;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int nextOid() {
        lock.lock();
        try {
            return nextOid;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void advanceCounters(int xid, int oid) {
        lock.lock();
        try {
            if (Integer.compareUnsigned(xid, nextXid) > 0) {
                nextXid = xid;
            }
            if (Integer.compareUnsigned(oid, nextOid) > 0) {
                nextOid = oid;
            }
        } finally {
            lock.unlock();
        }
    }
}
