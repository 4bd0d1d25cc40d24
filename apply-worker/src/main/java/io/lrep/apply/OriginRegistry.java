package io.lrep.apply;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replication origins (PostgreSQL's {@code pg_replication_origin} and its progress): a durable
 * registry of names and ids plus, per origin, the remote LSN of the last remote transaction
 * applied and the local LSN of the commit that applied it.
 *
 * <p><b>Durability.</b> Both live in ordinary storage tables of {@code pg_catalog}, created by
 * {@link #bootstrap(Transaction)}: {@code pg_replication_origin (roident oid, roname text)}
 * with PostgreSQL's columns, and {@code lrep_replication_origin_progress (roident oid,
 * remote_lsn int8)}. An apply transaction writes its origin's progress row itself
 * ({@link #recordProgress}) and carries the same origin id and LSN on its Commit record
 * ({@link Transaction#setOrigin}), so data and progress commit (and recover, from the
 * checkpoint image and WAL) together: whatever recovery restores, the progress row says exactly
 * which remote transactions it contains. The Commit record's origin is what decoding uses to
 * filter by origin; {@link #noteRecovered} merges what recovery saw on Commit records (they
 * agree with the rows; the merge only ever moves progress forward).
 *
 * <p><b>Local LSN.</b> The local commit LSN is known only after commit ({@link #onCommitted});
 * it is kept in memory. After a restart it is 0/0 until the next apply commit: everything
 * recovered is flushed, which is what the worker uses it for.
 *
 * <p>Thread-safe: reads run in their own transactions; the in-memory map is concurrent.
 */
public final class OriginRegistry {

    public static final String SCHEMA = "pg_catalog";
    public static final String ORIGIN = "pg_replication_origin";
    public static final String PROGRESS = "lrep_replication_origin_progress";
    /** PostgreSQL's limit on origin name length is 512 bytes. */
    public static final int MAX_NAME_BYTES = 512;

    /**
     * One row of {@code pg_replication_origin_status}.
     *
     * @param localId roident
     * @param externalId roname
     * @param remoteLsn the end LSN of the last remote transaction applied (0 if none)
     * @param localLsn the end of the local Commit record that applied it (0 if not known)
     */
    public record OriginStatus(int localId, String externalId, long remoteLsn, long localLsn) {}

    /** The last local commit per origin id, and the remote LSN it recorded. */
    private record LocalCommit(long remoteLsn, long localLsn) {}

    private final StorageEngine storage;
    private final Map<Integer, LocalCommit> localCommits = new ConcurrentHashMap<>();
    private volatile long lastLocalCommit;

    public OriginRegistry(StorageEngine storage) {
        this.storage = storage;
    }

    // ------------------------------------------------------------------ bootstrap

    /** Creates the two tables (at data directory initialisation, or for an older one). */
    public static void bootstrap(Transaction t) {
        t.createTable(SCHEMA, ORIGIN, List.of(
                ColumnDef.of("roident", PgType.OID).notNullColumn(),
                ColumnDef.of("roname", PgType.TEXT).notNullColumn()), List.of("roident"));
        t.createTable(SCHEMA, PROGRESS, List.of(
                ColumnDef.of("roident", PgType.OID).notNullColumn(),
                ColumnDef.of("remote_lsn", PgType.INT8).notNullColumn()), List.of("roident"));
    }

    /** Whether {@link #bootstrap} has run in this data directory. */
    public static boolean installed(Transaction t) {
        return t.findTable(SCHEMA, ORIGIN) != null;
    }

    // ------------------------------------------------------------------ registry

    /**
     * pg_replication_origin_create in the caller's transaction: the lowest free id from 1.
     * 42710 if the name exists.
     */
    public int create(Transaction t, String name) {
        checkName(name);
        TableDef origins = t.table(SCHEMA, ORIGIN);
        if (find(t, name) != null) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "replication origin \"" + name + "\" already exists");
        }
        List<Long> used = new ArrayList<>();
        for (Iterator<RowRef> it = t.scan(origins, t.statementSnapshot()); it.hasNext();) {
            used.add((Long) it.next().get(1));
        }
        int id = 1;
        while (used.contains((long) id)) {
            id++;
        }
        if (id > 0xFFFF) {
            throw new LrepException(SqlState.PROGRAM_LIMIT_EXCEEDED,
                    "could not find free replication origin ID");
        }
        t.insert(origins, new Object[] {(long) id, name});
        t.insert(t.table(SCHEMA, PROGRESS), new Object[] {(long) id, 0L});
        t.nextCommand();
        localCommits.remove(id);
        return id;
    }

    /**
     * pg_replication_origin_create in its own transaction; serialised with the other calls of
     * this method up to the commit, so that workers creating origins at once get different ids.
     */
    public synchronized int create(String name) {
        try (Transaction t = storage.begin(IsolationLevel.READ_COMMITTED, lastLocalCommit)) {
            int id = create(t, name);
            t.commit();
            return id;
        }
    }

    /** pg_replication_origin_drop in the caller's transaction; 42704 if missing (unless ifExists). */
    public void drop(Transaction t, String name, boolean ifExists) {
        int id = dropIfExists(t, name);
        if (id == 0) {
            if (ifExists) {
                return;
            }
            throw undefined(name);
        }
        localCommits.remove(id);
    }

    /**
     * replorigin_drop_by_name with missing_ok, in the caller's transaction (DROP SUBSCRIPTION):
     * the dropped origin's id, or 0 if there was none. A later origin that reuses the id starts
     * with no local commit known ({@link #create(Transaction, String)}).
     */
    public static int dropIfExists(Transaction t, String name) {
        if (!installed(t)) {
            return 0;
        }
        RowRef row = find(t, name);
        if (row == null) {
            return 0;
        }
        long id = (Long) row.get(1);
        t.delete(row);
        RowRef progress = t.get(t.table(SCHEMA, PROGRESS), new Object[] {id}, t.statementSnapshot());
        if (progress != null) {
            t.delete(progress);
        }
        t.nextCommand();
        return (int) id;
    }

    /**
     * The origin's progress (the end LSN of the last remote transaction applied) as {@code t}
     * sees it, or -1 if there is no such origin.
     */
    public static long remoteLsn(Transaction t, String name) {
        if (!installed(t)) {
            return -1;
        }
        RowRef row = find(t, name);
        if (row == null) {
            return -1;
        }
        RowRef progress = t.get(t.table(SCHEMA, PROGRESS), new Object[] {row.get(1)}, t.statementSnapshot());
        return progress == null ? 0 : (Long) progress.get(2);
    }

    /** pg_replication_origin_drop in its own transaction. */
    public void drop(String name) {
        try (Transaction t = storage.begin(IsolationLevel.READ_COMMITTED, lastLocalCommit)) {
            drop(t, name, false);
            t.commit();
        }
    }

    /** pg_replication_origin_oid: the id, or 0 if there is no such origin. */
    public int oid(String name) {
        try (Transaction t = beginRead()) {
            RowRef row = find(t, name);
            return row == null ? 0 : (int) (long) (Long) row.get(1);
        }
    }

    /** The origin's id; 42704 {@code replication origin "x" does not exist} if missing. */
    public int id(Transaction t, String name) {
        RowRef row = find(t, name);
        if (row == null) {
            throw undefined(name);
        }
        return (int) (long) (Long) row.get(1);
    }

    // ------------------------------------------------------------------ progress

    /** The progress of one origin (pg_replication_origin_progress); 42704 if missing. */
    public OriginStatus originProgress(String name) {
        try (Transaction t = beginRead()) {
            int id = id(t, name);
            return status(t, id, name);
        }
    }

    /**
     * Every origin, by id: what {@code pg_replication_origin_status} shows. Read as any reader
     * reads (not as the applying worker does), so a remote LSN shows once the data applied with
     * it is visible.
     */
    public List<OriginStatus> status() {
        List<OriginStatus> out = new ArrayList<>();
        try (Transaction t = storage.begin()) {
            TableDef origins = t.findTable(SCHEMA, ORIGIN);
            if (origins == null) {
                return out;
            }
            for (Iterator<RowRef> it = t.scan(origins, t.statementSnapshot()); it.hasNext();) {
                RowRef r = it.next();
                out.add(status(t, (int) (long) (Long) r.get(1), (String) r.get(2)));
            }
        }
        return out;
    }

    private OriginStatus status(Transaction t, int id, String name) {
        RowRef progress = t.get(t.table(SCHEMA, PROGRESS), new Object[] {(long) id}, t.statementSnapshot());
        long remote = progress == null ? 0 : (Long) progress.get(2);
        LocalCommit local = localCommits.get(id);
        long localLsn = local != null && local.remoteLsn() == remote ? local.localLsn() : 0;
        return new OriginStatus(id, name, remote, localLsn);
    }

    /**
     * Records, in the applying transaction, that it applies the remote transaction ending at
     * {@code remoteLsn} for origin {@code id}: updates the progress row and sets the Commit
     * record's origin. The progress never moves backwards.
     */
    public void recordProgress(Transaction t, int id, long remoteLsn) {
        TableDef progressTable = t.table(SCHEMA, PROGRESS);
        RowRef row = t.get(progressTable, new Object[] {(long) id}, t.statementSnapshot());
        if (row == null) {
            t.insert(progressTable, new Object[] {(long) id, remoteLsn});
        } else if (Long.compareUnsigned((Long) row.get(2), remoteLsn) < 0) {
            var result = t.update(row, new Object[] {(long) id, remoteLsn});
            if (!result.ok()) {
                throw new LrepException(SqlState.OBJECT_IN_USE, "replication origin with ID " + id
                        + " is already active for another process");
            }
        }
        t.setOrigin(id, remoteLsn);
        t.nextCommand();
    }

    /**
     * pg_replication_origin_advance: sets the origin's progress in its own transaction (may
     * move it backwards, as PostgreSQL's does when asked).
     */
    public void advance(String name, long remoteLsn) {
        try (Transaction t = storage.begin(IsolationLevel.READ_COMMITTED, lastLocalCommit)) {
            int id = id(t, name);
            TableDef progressTable = t.table(SCHEMA, PROGRESS);
            RowRef row = t.get(progressTable, new Object[] {(long) id}, t.statementSnapshot());
            if (row == null) {
                t.insert(progressTable, new Object[] {(long) id, remoteLsn});
            } else {
                t.update(row, new Object[] {(long) id, remoteLsn});
            }
            onCommitted(id, remoteLsn, t.commit());
        }
    }

    /** Called after an applying transaction committed at {@code localLsn}. */
    public void onCommitted(int id, long remoteLsn, long localLsn) {
        localCommits.put(id, new LocalCommit(remoteLsn, localLsn));
        if (Long.compareUnsigned(localLsn, lastLocalCommit) > 0) {
            lastLocalCommit = localLsn;
        }
    }

    /**
     * After recovery: the per-origin LSNs recovery read from Commit records
     * ({@code Recovery.RecoveryResult.originProgress()}). Rows behind them (which cannot
     * happen when both come from the same commits) are moved forward.
     */
    public void noteRecovered(Map<Integer, Long> originProgress) {
        if (originProgress.isEmpty()) {
            return;
        }
        try (Transaction t = storage.begin()) {
            if (t.findTable(SCHEMA, PROGRESS) == null) {
                return;
            }
            for (Map.Entry<Integer, Long> e : originProgress.entrySet()) {
                RowRef row = t.get(t.table(SCHEMA, PROGRESS), new Object[] {(long) e.getKey()}, t.statementSnapshot());
                if (row != null && Long.compareUnsigned((Long) row.get(2), e.getValue()) < 0) {
                    t.update(row, new Object[] {(long) e.getKey(), e.getValue()});
                }
            }
            t.commit();
        }
    }

    /** The highest local commit LSN this registry has seen: reads start at least there. */
    long lastLocalCommit() {
        return lastLocalCommit;
    }

    private Transaction beginRead() {
        return storage.begin(IsolationLevel.READ_COMMITTED, lastLocalCommit);
    }

    private static RowRef find(Transaction t, String name) {
        TableDef origins = t.table(SCHEMA, ORIGIN);
        for (Iterator<RowRef> it = t.scan(origins, t.statementSnapshot()); it.hasNext();) {
            RowRef r = it.next();
            if (name.equals(r.get(2))) {
                return r;
            }
        }
        return null;
    }

    private static void checkName(String name) {
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "replication origin name is too long")
                    .withDetail("Replication origin names must be no longer than " + MAX_NAME_BYTES + " bytes.");
        }
    }

    private static LrepException undefined(String name) {
        return new LrepException(SqlState.UNDEFINED_OBJECT, "replication origin \"" + name + "\" does not exist");
    }
}
