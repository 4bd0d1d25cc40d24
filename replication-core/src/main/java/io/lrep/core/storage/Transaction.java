package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One transaction on a {@link StorageEngine}: catalog DDL, sequences and row reads and writes.
 * Used by one thread at a time (its session); the engine serialises it against others.
 *
 * <p><b>Visibility.</b> Reads take a {@link Snapshot} from {@link #statementSnapshot()}: READ
 * COMMITTED takes a new LSN per statement, REPEATABLE READ keeps the one of its first statement.
 * The transaction sees its own writes of earlier commands: every write is stamped with the
 * current command id and {@link #nextCommand()} (called by the SQL layer between statements)
 * makes them visible, so a statement never sees its own effects (PostgreSQL's cid). Catalog
 * changes are visible to the transaction at once and to others after commit.
 *
 * <p><b>Writes.</b> The first write assigns a 32-bit xid; every change appends its WAL record at
 * once. DML holds a shared lock on each table it writes, DDL an exclusive one, both until the
 * transaction ends; reads take no lock. A write to a row another running transaction has
 * updated, deleted or locked ({@link #lockRow}), or a key another one is inserting, waits for
 * that transaction (40P01 if the wait closes a cycle), then proceeds or reports what happened
 * ({@link WriteResult}); under REPEATABLE READ a committed concurrent change fails with 40001. A statement that fails leaves earlier statements' writes in place: the SQL
 * layer rolls the whole transaction back, or back to a savepoint.
 *
 * <p><b>Savepoints.</b> {@link #savepoint}, {@link #rollbackToSavepoint} and {@link
 * #releaseSavepoint} are PostgreSQL's subtransactions without subxids: the transaction keeps one
 * xid, and ROLLBACK TO undoes what it did since the savepoint in place (row versions it created
 * are unlinked, versions it ended live again, catalog changes are undone, row and table locks
 * taken since are released) and logs {@link io.lrep.core.wal.WalRecord.SubxactAbort} so that
 * recovery and logical decoding drop the same changes. One difference: a transaction already
 * waiting for a row this one wrote or locked after the savepoint keeps waiting until this
 * transaction ends (PostgreSQL wakes it at ROLLBACK TO); new writers of the row do not wait.
 */
public final class Transaction implements AutoCloseable {

    private final StorageEngine engine;
    final TxnState state = new TxnState();
    final IsolationLevel isolation;
    final long notBeforeLsn;

    // guarded by the engine lock
    long registeredSnapshot = -1;
    long firstLsn = Long.MAX_VALUE;
    boolean wroteWal;
    boolean done;
    final Map<Integer, Boolean> heldLocks = new HashMap<>();
    final CreatedRows createdRows = new CreatedRows();
    final List<RowVersion> endedRows = new ArrayList<>();
    final List<Catalog.CatVersion> createdCatalog = new ArrayList<>();
    final List<Catalog.CatVersion> endedCatalog = new ArrayList<>();
    /** Row locks taken, with the version's locker before (to restore on ROLLBACK TO). */
    final List<LockedRow> lockedRows = new ArrayList<>();
    /** The savepoints defined, oldest first. */
    final List<Savepoint> savepoints = new ArrayList<>();
    /** The end LSN of the last WAL record this transaction appended, or 0. */
    long lastWalEnd;

    /** A version this transaction locked FOR UPDATE, and who had locked it before. */
    record LockedRow(RowVersion version, TxnState previousLocker) {}

    /**
     * A savepoint: how far each undo list reached, which table locks were held, and the WAL
     * insert position when it was set.
     */
    record Savepoint(String name, int createdRows, int endedRows, int createdCatalog, int endedCatalog, int lockedRows,
            Map<Integer, Boolean> heldLocks, long walMark) {}

    // owned by the session thread
    int cid;
    boolean synchronousCommit = true;
    int originId;
    long originLsn;
    private long repeatableSnapshot;

    Transaction(StorageEngine engine, IsolationLevel isolation, long notBeforeLsn, long fixedSnapshot) {
        this.engine = engine;
        this.isolation = isolation;
        this.notBeforeLsn = notBeforeLsn;
        this.repeatableSnapshot = fixedSnapshot;
    }

    void checkActive() {
        if (done) {
            throw new LrepException(SqlState.INVALID_TRANSACTION_STATE,
                    "transaction " + Integer.toUnsignedString(state.xid) + " has already ended");
        }
    }

    public IsolationLevel isolation() {
        return isolation;
    }

    /** The xid, or 0 while the transaction has not written. */
    public int xid() {
        return state.xid;
    }

    public boolean isActive() {
        return !done;
    }

    /** {@code synchronous_commit} for this transaction (default on): whether commit waits for the flush. */
    public void setSynchronousCommit(boolean on) {
        this.synchronousCommit = on;
    }

    /** The replication origin whose remote transaction this one applies; carried by the Commit record. */
    public void setOrigin(int id, long lsn) {
        this.originId = id;
        this.originLsn = lsn;
    }

    /** Makes this transaction's writes so far visible to its next statement snapshot. */
    public void nextCommand() {
        cid++;
    }

    /** The current command id. */
    public int commandId() {
        return cid;
    }

    /** The snapshot for the statement about to run (see the class comment). */
    public Snapshot statementSnapshot() {
        checkActive();
        if (isolation == IsolationLevel.REPEATABLE_READ) {
            if (repeatableSnapshot == -1) {
                repeatableSnapshot = engine.takeSnapshot(this);
            }
            return new Snapshot(repeatableSnapshot, cid);
        }
        return new Snapshot(engine.takeSnapshot(this), cid);
    }

    /**
     * Commits: appends the Commit record and, with synchronous commit on, waits until it is
     * flushed. Returns the commit LSN (the end of the Commit record), or 0 for a transaction
     * that wrote nothing.
     */
    public long commit() {
        return engine.commit(this);
    }

    /** Rolls back (no-op once ended): every version this transaction made is removed. */
    public void rollback() {
        engine.rollback(this);
    }

    /** Rolls back if still active. */
    @Override
    public void close() {
        rollback();
    }

    // ---------------------------------------------------------------- savepoints

    /** SAVEPOINT {@code name}: a new savepoint; an older one of the same name stays, hidden by it. */
    public void savepoint(String name) {
        engine.savepoint(this, name);
    }

    /**
     * ROLLBACK TO SAVEPOINT {@code name} (the latest of that name): undoes every change made
     * since it and destroys the savepoints set after it; the savepoint itself stays defined.
     *
     * @throws LrepException 3B001 {@code savepoint "name" does not exist}
     */
    public void rollbackToSavepoint(String name) {
        engine.rollbackToSavepoint(this, name);
    }

    /**
     * RELEASE SAVEPOINT {@code name} (the latest of that name): forgets it and every savepoint
     * set after it; their changes stay, part of the transaction.
     *
     * @throws LrepException 3B001 {@code savepoint "name" does not exist}
     */
    public void releaseSavepoint(String name) {
        engine.releaseSavepoint(this, name);
    }

    /** The names of the savepoints defined, oldest first. */
    public List<String> savepointNames() {
        List<String> names = new ArrayList<>();
        for (Savepoint s : savepoints) {
            names.add(s.name());
        }
        return names;
    }

    // ---------------------------------------------------------------- catalog

    public SchemaDef createSchema(String name) {
        return engine.createSchema(this, name);
    }

    public void dropSchema(String name, boolean cascade) {
        engine.dropSchema(this, name, cascade);
    }

    /**
     * Creates a table; {@code columns} get attnums in order; {@code primaryKey} names its key
     * columns (which become NOT NULL; empty for none). Identity columns get an owned sequence
     * {@code <table>_<column>_seq}. Replica identity starts DEFAULT.
     */
    public TableDef createTable(String schema, String name, List<ColumnDef> columns, List<String> primaryKey) {
        return engine.createTable(this, schema, name, columns, primaryKey);
    }

    public void dropTable(String schema, String name) {
        engine.dropTable(this, table(schema, name));
    }

    public void dropTable(TableDef table) {
        engine.dropTable(this, table);
    }

    /** ADD COLUMN; rows written before read {@code column.missingValue()} in it. */
    public TableDef addColumn(TableDef table, ColumnDef column) {
        return engine.addColumn(this, table, column);
    }

    public TableDef dropColumn(TableDef table, String column) {
        return engine.dropColumn(this, table, column);
    }

    /**
     * ALTER COLUMN SET NOT NULL ({@code notNull}) or DROP NOT NULL. 23502 if a row holds NULL;
     * 42P16 to drop it from a primary key or identity column; 42703 for no such column.
     */
    public TableDef setNotNull(TableDef table, String column, boolean notNull) {
        return engine.setNotNull(this, table, column, notNull);
    }

    public TableDef setReplicaIdentity(TableDef table, ReplicaIdentity identity) {
        return engine.setReplicaIdentity(this, table, identity);
    }

    public TableDef renameTable(TableDef table, String newName) {
        return engine.renameTable(this, table, newName);
    }

    /** Creates a sequence from {@code spec} (its oid and schema oid are assigned). */
    public SequenceDef createSequence(SequenceDef spec) {
        return engine.createSequence(this, spec);
    }

    /** ALTER SEQUENCE: {@code newDef} (matched by oid) replaces the options; last value is kept. */
    public SequenceDef alterSequence(SequenceDef newDef) {
        return engine.alterSequence(this, newDef);
    }

    public void dropSequence(String schema, String name) {
        engine.dropSequence(this, sequence(schema, name));
    }

    /** The table as this transaction sees it; 42P01 if there is none. */
    public TableDef table(String schema, String name) {
        TableDef t = engine.findTable(this, schema, name);
        if (t == null) {
            throw StorageEngine.undefinedTable("public".equals(schema) ? name : schema + "." + name);
        }
        return t;
    }

    /** The table as this transaction sees it, or null. */
    public TableDef findTable(String schema, String name) {
        return engine.findTable(this, schema, name);
    }

    /** The current definition of table {@code oid}, or null. */
    public TableDef table(int oid) {
        return engine.tableByOid(this, oid);
    }

    /** The sequence as this transaction sees it; 42P01 if there is none. */
    public SequenceDef sequence(String schema, String name) {
        SequenceDef s = engine.findSequence(this, schema, name);
        if (s == null) {
            throw StorageEngine.undefinedTable("public".equals(schema) ? name : schema + "." + name);
        }
        return s;
    }

    public SequenceDef findSequence(String schema, String name) {
        return engine.findSequence(this, schema, name);
    }

    public SequenceDef sequence(int oid) {
        return engine.sequenceByOid(this, oid);
    }

    public SchemaDef findSchema(String name) {
        return engine.findSchema(this, name);
    }

    public List<SchemaDef> schemas() {
        return engine.listCurrent(this, Catalog.ObjType.SCHEMA, SchemaDef.class);
    }

    /** True while this transaction has uncommitted DDL of its own (see {@link StorageEngine#catalogVersion()}). */
    public boolean hasCatalogChanges() {
        return !createdCatalog.isEmpty() || !endedCatalog.isEmpty();
    }

    public List<TableDef> tables() {
        return engine.listCurrent(this, Catalog.ObjType.TABLE, TableDef.class);
    }

    public List<SequenceDef> sequences() {
        return engine.listCurrent(this, Catalog.ObjType.SEQUENCE, SequenceDef.class);
    }

    // ---------------------------------------------------------------- sequences

    /**
     * The sequence's next value. Non-transactional (a rollback does not give it back); never
     * repeats a value after a crash (advances are logged {@link StorageEngine#SEQ_LOG_VALS} ahead
     * and flushed before a value from the new range is handed out). 2200H at the limit.
     */
    public long nextval(SequenceDef seq) {
        return engine.nextval(this, seq);
    }

    /** setval(seq, value, isCalled); 22003 if out of bounds. Non-transactional. */
    public void setval(SequenceDef seq, long value, boolean isCalled) {
        engine.setval(this, seq, value, isCalled);
    }

    /** The sequence's last_value. */
    public long sequenceLastValue(SequenceDef seq) {
        return engine.sequenceState(this, seq)[0];
    }

    /** The sequence's is_called. */
    public boolean sequenceIsCalled(SequenceDef seq) {
        return engine.sequenceState(this, seq)[1] != 0;
    }

    // ---------------------------------------------------------------- rows

    /**
     * Inserts a full-width row (attnum order, dropped columns null). Waits for a running
     * transaction that holds the same key; 23505 if the key exists, 23502 for a null in a NOT
     * NULL column, 42804 for a value of the wrong class. Returns the new version.
     */
    public RowRef insert(TableDef table, Object[] row) {
        return engine.insert(this, table, row, true);
    }

    /**
     * {@link #insert} that does not throw on a duplicate key: returns the conflicting row's
     * current version (for ON CONFLICT), or null when the row was inserted.
     */
    public RowRef tryInsert(TableDef table, Object[] row) {
        return engine.insert(this, table, row, false);
    }

    /** The version of the row with this key that the snapshot sees, or null. */
    public RowRef get(TableDef table, Object[] key, Snapshot snapshot) {
        TableDef def = engine.tableForRead(this, table);
        return engine.get(state, def, StorageEngine.keyFor(def, key), snapshot);
    }

    /** Every row of {@code schema.table} the current statement sees, in key order; none when there is no such table. */
    public List<RowRef> rows(String schema, String table) {
        List<RowRef> out = new ArrayList<>();
        TableDef def = findTable(schema, table);
        if (def != null) {
            for (Iterator<RowRef> it = scan(def, statementSnapshot()); it.hasNext();) {
                out.add(it.next());
            }
        }
        return out;
    }

    /**
     * Updates a catalog row ({@code newRow}) or deletes it ({@code null}), as PostgreSQL's
     * simple_heap_update: 40001 {@code tuple concurrently updated} when another transaction
     * changed it first.
     */
    public void writeCatalogRow(RowRef row, Object[] newRow) {
        WriteResult w = newRow == null ? delete(row) : update(row, newRow);
        if (!w.ok()) {
            throw new LrepException(SqlState.SERIALIZATION_FAILURE, "tuple concurrently updated");
        }
    }

    /** Every row the snapshot sees, in key order. The iterator does not block writers. */
    public Iterator<RowRef> scan(TableDef table, Snapshot snapshot) {
        TableDef def = engine.tableForRead(this, table);
        return engine.scan(state, def, snapshot);
    }

    /** Replaces the row version {@code row} with {@code newRow}; see {@link WriteResult}. */
    public WriteResult update(RowRef row, Object[] newRow) {
        return engine.update(this, row, newRow);
    }

    /** Deletes the row version {@code row}; see {@link WriteResult}. */
    public WriteResult delete(RowRef row) {
        return engine.delete(this, row);
    }

    /**
     * SELECT ... FOR UPDATE of the row version {@code row}: later writers and lockers of it wait
     * until this transaction ends. Same outcomes as {@link #update}; {@code OK} carries {@code row}.
     */
    public WriteResult lockRow(RowRef row) {
        return engine.lockRow(this, row);
    }

    /** TRUNCATE (transactional); RESTART IDENTITY resets owned sequences (not transactionally). */
    public void truncate(boolean restartIdentity, TableDef... tables) {
        engine.truncate(this, Arrays.asList(tables), restartIdentity);
    }

    /** Appends pg_logical_emit_message; transactional messages assign an xid. */
    public long emitMessage(boolean transactional, String prefix, byte[] content) {
        return engine.emitMessage(this, transactional, prefix, content);
    }

    @Override
    public String toString() {
        return "Transaction(" + state + ", " + isolation + ")";
    }
}
