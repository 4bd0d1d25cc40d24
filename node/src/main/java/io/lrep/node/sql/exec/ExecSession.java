package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.CopyStream;
import io.lrep.node.sql.ExecuteResult;
import io.lrep.node.sql.Notice;
import io.lrep.node.sql.Portal;
import io.lrep.node.sql.Prepared;
import io.lrep.node.sql.RowSink;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlSession;
import io.lrep.core.types.PgType;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's SQL state, as {@link SqlSession} describes: the transaction state
 * machine (idle, implicit transaction, block, failed block), settings, sequence state, notices,
 * cancellation and statement timeouts.
 *
 * <pre>
 * idle --stmt--> implicit --endOfQuery--> idle (commit)      implicit --error--> idle (abortImplicit)
 * idle/implicit --BEGIN--> block --COMMIT/ROLLBACK--> idle    block --error--> failed ('E')
 * failed --ROLLBACK/COMMIT--> idle (rolled back)              failed --ROLLBACK TO--> block
 * </pre>
 * The storage transaction starts lazily at the first statement that needs one, with the
 * isolation level BEGIN / SET TRANSACTION / default_transaction_isolation chose (SERIALIZABLE
 * runs as REPEATABLE READ), and passes the session's last commit LSN so the session always sees
 * its own asynchronous commits.
 */
public final class ExecSession implements SqlSession {

    private static final Logger LOG = LoggerFactory.getLogger(ExecSession.class);

    final EngineCore engine;
    private final SessionContext context;
    final SessionSettings settings;
    private final boolean superuser;

    // transaction state (connection thread)
    Transaction txn;
    private boolean inBlock;
    private boolean failed;
    private boolean implicitFailed;
    private Instant txnTime;
    private long lastCommitLsn;
    private int statementsInTxn;
    private final List<String> savepoints = new ArrayList<>();
    private final List<Notice> notices = new ArrayList<>();
    /** Run once the current transaction has committed (subscription DDL waking the launcher); dropped on rollback. */
    private final List<Runnable> afterCommit = new ArrayList<>();

    // sequences
    private final Map<Integer, Long> currvals = new HashMap<>();
    private Long lastval;

    // cancellation: cancel() may come from any thread
    private final Object cancelLock = new Object();
    private Thread running;
    volatile boolean cancelRequested;
    private volatile boolean timedOut;

    /** The last statement's point lookups and scans, for tests. */
    long lastGets;
    long lastScans;

    public ExecSession(EngineCore engine, SessionContext context, boolean superuser) {
        this.engine = engine;
        this.context = context;
        this.superuser = superuser;
        this.settings = new SessionSettings(engine.config(), context.user(), superuser);
        if (context.startupSettings() != null) {
            for (Map.Entry<String, String> e : context.startupSettings().entrySet()) {
                settings.setAtStartup(e.getKey(), e.getValue());
            }
        }
        settings.drainChanges();
    }

    SessionContext context() {
        return context;
    }

    boolean superuser() {
        return superuser;
    }

    // =====================================================================================
    // Parse, bind
    // =====================================================================================

    @Override
    public List<Prepared> prepareAll(String sql) {
        List<Analyzer.Parsed> parsed = Analyzer.parse(sql);
        List<Prepared> out = new ArrayList<>();
        if (parsed.isEmpty()) {
            out.add(new Stmt(sql, null, ParamTypes.none()));
            return out;
        }
        for (Analyzer.Parsed p : parsed) {
            out.add(new Stmt(p.text(), p, ParamTypes.none()));
        }
        return out;
    }

    @Override
    public Prepared prepare(String sql, int[] parameterTypeOids) {
        List<Analyzer.Parsed> parsed = Analyzer.parse(sql);
        if (parsed.size() > 1) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement");
        }
        Stmt s = new Stmt(sql, parsed.isEmpty() ? null : parsed.get(0), new ParamTypes(parameterTypeOids));
        if (s.parsed != null) {
            try {
                s.planned(this);
            } catch (RuntimeException e) {
                throw onError(e);
            }
        }
        return s;
    }

    /** A statement: parsed at once, analyzed when first needed (so earlier statements of a Query run first). */
    final class Stmt implements Prepared {
        final String sql;
        final Analyzer.Parsed parsed;
        final ParamTypes paramTypes;
        private Planned planned;

        Stmt(String sql, Analyzer.Parsed parsed, ParamTypes paramTypes) {
            this.sql = sql;
            this.parsed = parsed;
            this.paramTypes = paramTypes;
        }

        Planned planned(ExecSession s) {
            if (planned == null) {
                planned = s.analyze(this);
            }
            return planned;
        }

        void replan(ExecSession s) {
            planned = s.analyze(this);
        }

        @Override
        public String sql() {
            return sql;
        }

        @Override
        public List<PgType> parameterTypes() {
            if (parsed != null && planned == null) {
                planned(ExecSession.this);
            }
            return paramTypes.resolved();
        }

        @Override
        public List<ColumnInfo> columns() {
            return parsed == null ? List.of() : planned(ExecSession.this).columns;
        }

        @Override
        public boolean isEmpty() {
            return parsed == null;
        }
    }

    private Planned analyze(Stmt s) {
        if (failed && !Analyzer.isTransactionControl(s.parsed)) {
            throw abortedError();
        }
        boolean needsTxn = !Analyzer.isTransactionControl(s.parsed);
        if (needsTxn) {
            ensureTxn();
        }
        return new Analyzer(this, txn, s.paramTypes).analyze(s.parsed);
    }

    @Override
    public Portal bind(Prepared statement, Object[] parameters) {
        Stmt s = (Stmt) statement;
        ExecPortal p = new ExecPortal(s, parameters == null ? new Object[0] : parameters.clone());
        if (s.parsed != null) {
            try {
                p.planned = s.planned(this);
            } catch (RuntimeException e) {
                throw onError(e);
            }
        }
        return p;
    }

    /** A bound statement and, once started, its run state (kept across suspensions). */
    final class ExecPortal implements Portal {
        final Stmt stmt;
        final Object[] params;
        Planned planned;
        Exec exec;
        RowIter iter;
        List<Object[]> buffered;
        int bufferedPos;
        long count;
        String tag;
        String pendingTag;
        boolean started;
        CopyStream copy;

        ExecPortal(Stmt stmt, Object[] params) {
            this.stmt = stmt;
            this.params = params;
        }

        @Override
        public Kind kind() {
            if (planned instanceof Planned.Copy c) {
                return c.in ? Kind.COPY_IN : Kind.COPY_OUT;
            }
            return planned != null && !planned.columns.isEmpty() ? Kind.ROWS : Kind.COMMAND;
        }

        @Override
        public List<ColumnInfo> columns() {
            return planned == null ? List.of() : planned.columns;
        }

        @Override
        public CopyStream copy() {
            return copy;
        }
    }

    // =====================================================================================
    // Execute
    // =====================================================================================

    @Override
    public ExecuteResult execute(Portal portal, int maxRows, RowSink sink) {
        ExecPortal p = (ExecPortal) portal;
        if (p.stmt.parsed == null) {
            return ExecuteResult.complete("");
        }
        if (p.tag != null) {
            return ExecuteResult.complete(p.tag);
        }
        if (p.planned instanceof Planned.Txn t) {
            try {
                return ExecuteResult.complete(transactionControl(t));
            } catch (RuntimeException e) {
                throw onError(e);
            }
        }
        if (failed) {
            throw abortedError();
        }
        ScheduledFuture<?> timeout = null;
        startRunning();
        try {
            long timeoutMs = settings.statementTimeoutMs();
            if (timeoutMs > 0) {
                timeout = engine.timer().schedule(this::timeout, timeoutMs, TimeUnit.MILLISECONDS);
            }
            if (!p.started) {
                start(p);
                if (p.planned instanceof Planned.Copy) {
                    return ExecuteResult.COPY;
                }
            }
            return pump(p, maxRows, sink);
        } catch (RuntimeException e) {
            p.tag = "";
            throw onError(e);
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
            stopRunning();
        }
    }

    private void start(ExecPortal p) {
        Planned planned = p.planned;
        if (planned instanceof Planned.Command c && c.notInBlock != null && inBlock) {
            throw new LrepException(SqlState.ACTIVE_SQL_TRANSACTION, c.notInBlock + " cannot run inside a transaction block");
        }
        ensureTxn();
        if (!planned.deps.isEmpty() && stale(planned.deps)) {
            List<ColumnInfo> before = planned.columns;
            p.stmt.replan(this);
            planned = p.stmt.planned(this);
            if (!sameShape(before, planned.columns)) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cached plan must not change result type");
            }
            p.planned = planned;
        }
        String verb = planned.writeVerb();
        if (verb != null && settings.transactionReadOnly()) {
            throw new LrepException(SqlState.READ_ONLY_SQL_TRANSACTION, "cannot execute " + verb + " in a read-only transaction");
        }
        statementsInTxn++;
        Exec ex = new Exec(this, p.params, txn, null, Instant.now());
        p.exec = ex;
        p.started = true;
        if (planned instanceof Planned.Query q) {
            ex.setSnapshot(txn.statementSnapshot());
            p.iter = q.plan.open(ex, null);
        } else if (planned instanceof Planned.Command c) {
            if (!c.utility) {
                ex.setSnapshot(txn.statementSnapshot());
            }
            Planned.Outcome o = c.action.run(ex);
            p.buffered = o.rows();
            p.bufferedPos = 0;
            p.pendingTag = o.tag();
        } else if (planned instanceof Planned.Copy c) {
            ex.setSnapshot(txn.statementSnapshot());
            p.copy = new SessionCopy(c.factory.start(ex), p);
        }
    }

    private ExecuteResult pump(ExecPortal p, int maxRows, RowSink sink) {
        if (p.buffered != null) {
            int sent = 0;
            while (p.bufferedPos < p.buffered.size()) {
                if (maxRows > 0 && sent >= maxRows) {
                    return ExecuteResult.SUSPENDED;
                }
                Object[] row = p.buffered.get(p.bufferedPos++);
                sent++;
                if (!sink.row(row)) {
                    break;
                }
            }
            String tag = p.pendingTag;
            finishStatement(p);
            p.tag = tag;
            return ExecuteResult.complete(tag);
        }
        int sent = 0;
        while (true) {
            if (maxRows > 0 && sent >= maxRows) {
                return ExecuteResult.SUSPENDED;
            }
            Object[] row = p.iter.next();
            if (row == null) {
                break;
            }
            p.exec.checkCancel();
            p.count++;
            sent++;
            if (!sink.row(row.clone())) {
                break;
            }
        }
        finishStatement(p);
        p.tag = "SELECT " + p.count;
        return ExecuteResult.complete(p.tag);
    }

    private void finishStatement(ExecPortal p) {
        if (p.exec != null) {
            lastGets = p.exec.gets;
            lastScans = p.exec.scans;
        }
        if (txn != null) {
            txn.nextCommand();
        }
    }

    private static boolean sameShape(List<ColumnInfo> a, List<ColumnInfo> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).type() != b.get(i).type()) {
                return false;
            }
        }
        return true;
    }

    /** Whether a table the plan depends on changed since it was planned. */
    private boolean stale(List<TableDef> deps) {
        for (TableDef d : deps) {
            TableDef cur = txn.table(d.oid());
            if (cur == null || !cur.equals(d)) {
                return true;
            }
        }
        return false;
    }

    /** Wraps a COPY stream so that its errors put the session in the failed state and its end completes the statement. */
    private final class SessionCopy implements CopyStream {
        private final CopyStream inner;
        private final ExecPortal portal;

        SessionCopy(CopyStream inner, ExecPortal portal) {
            this.inner = inner;
            this.portal = portal;
        }

        @Override
        public int columnCount() {
            return inner.columnCount();
        }

        @Override
        public boolean csv() {
            return inner.csv();
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            guard(() -> {
                inner.write(data, offset, length);
                return null;
            });
        }

        @Override
        public String finish() {
            String tag = guard(inner::finish);
            finishStatement(portal);
            portal.tag = tag;
            return tag;
        }

        @Override
        public void fail(String message) {
            inner.fail(message);
            onError(new LrepException(SqlState.QUERY_CANCELED, "COPY from stdin failed: " + message));
        }

        @Override
        public byte[] read() {
            byte[] b = guard(inner::read);
            if (b == null) {
                finishStatement(portal);
                portal.tag = inner.commandTag();
            }
            return b;
        }

        @Override
        public String commandTag() {
            return inner.commandTag();
        }

        private <T> T guard(java.util.function.Supplier<T> body) {
            startRunning();
            try {
                return body.get();
            } catch (RuntimeException e) {
                throw onError(e);
            } finally {
                stopRunning();
            }
        }
    }

    // =====================================================================================
    // Transactions
    // =====================================================================================

    /** Starts the storage transaction if there is none. */
    void ensureTxn() {
        if (txn != null) {
            return;
        }
        String iso = settings.transactionIsolation();
        IsolationLevel level = iso.equals("repeatable read") || iso.equals("serializable") ? IsolationLevel.REPEATABLE_READ
                : IsolationLevel.READ_COMMITTED;
        txn = engine.storage().begin(level, lastCommitLsn);
        txn.setSynchronousCommit(settings.synchronousCommit());
        if (txnTime == null) {
            txnTime = Instant.now();
        }
    }

    Instant transactionTime() {
        if (txnTime == null) {
            txnTime = Instant.now();
        }
        return txnTime;
    }

    private String transactionControl(Planned.Txn t) {
        switch (t.op) {
            case BEGIN:
                if (inBlock) {
                    notice("WARNING", SqlState.ACTIVE_SQL_TRANSACTION, "there is already a transaction in progress");
                    return "BEGIN";
                }
                inBlock = true;
                if (txn == null) {
                    settings.beginTransaction(t.isolation, t.readOnly);
                } else {
                    settings.setTransaction(t.isolation, t.readOnly);
                }
                transactionTime();
                return "BEGIN";
            case COMMIT:
                if (!inBlock) {
                    notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress");
                    return t.chain ? "COMMIT" : "COMMIT";
                }
                if (failed) {
                    rollbackAll();
                    chain(t);
                    return "ROLLBACK";
                }
                commitAll();
                chain(t);
                return "COMMIT";
            case ROLLBACK:
                if (!inBlock) {
                    notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress");
                    return "ROLLBACK";
                }
                rollbackAll();
                chain(t);
                return "ROLLBACK";
            case SET_TRANSACTION:
                if (failed) {
                    throw abortedError();
                }
                if (statementsInTxn > 0 && t.isolation != null) {
                    throw new LrepException(SqlState.ACTIVE_SQL_TRANSACTION, "SET TRANSACTION ISOLATION LEVEL must be called before any query");
                }
                if (!inBlock) {
                    notice("WARNING", SqlState.NO_ACTIVE_SQL_TRANSACTION, "SET TRANSACTION can only be used in transaction blocks");
                    return "SET";
                }
                if (t.isolation != null && txn != null) {
                    txn.rollback();
                    txn = null;
                }
                settings.setTransaction(t.isolation, t.readOnly);
                return "SET";
            case SAVEPOINT:
                if (failed) {
                    throw abortedError();
                }
                requireBlock("SAVEPOINT");
                ensureTxn();
                Savepoints.create(txn, t.savepoint);
                savepoints.add(t.savepoint);
                settings.savepoint();
                return "SAVEPOINT";
            case RELEASE: {
                if (failed) {
                    throw abortedError();
                }
                requireBlock("RELEASE SAVEPOINT");
                int i = findSavepoint(t.savepoint);
                Savepoints.release(txn, t.savepoint);
                while (savepoints.size() > i) {
                    savepoints.remove(savepoints.size() - 1);
                }
                settings.release(i);
                return "RELEASE";
            }
            case ROLLBACK_TO: {
                requireBlock("ROLLBACK TO SAVEPOINT");
                int i = findSavepoint(t.savepoint);
                if (txn == null) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "ROLLBACK TO SAVEPOINT after an error is not supported");
                }
                Savepoints.rollbackTo(txn, t.savepoint);
                while (savepoints.size() > i + 1) {
                    savepoints.remove(savepoints.size() - 1);
                }
                settings.rollbackTo(i);
                failed = false;
                txn.nextCommand();
                return "ROLLBACK";
            }
            default:
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, t.op + " is not supported");
        }
    }

    /** COMMIT/ROLLBACK AND CHAIN: a new block right away. */
    private void chain(Planned.Txn t) {
        if (t.chain) {
            inBlock = true;
            settings.beginTransaction(null, null);
            transactionTime();
        }
    }

    private void requireBlock(String what) {
        if (!inBlock) {
            throw new LrepException(SqlState.NO_ACTIVE_SQL_TRANSACTION, what + " can only be used in transaction blocks");
        }
    }

    private int findSavepoint(String name) {
        for (int i = savepoints.size() - 1; i >= 0; i--) {
            if (savepoints.get(i).equals(name)) {
                return i;
            }
        }
        throw new LrepException(SqlState.INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"" + name + "\" does not exist");
    }

    private void commitAll() {
        Transaction t = txn;
        txn = null;
        List<Runnable> committed = List.of();
        try {
            if (t != null) {
                t.setSynchronousCommit(settings.synchronousCommit());
                long lsn = t.commit();
                if (lsn > 0) {
                    lastCommitLsn = lsn;
                }
            }
            settings.commit();
            committed = List.copyOf(afterCommit);
        } catch (RuntimeException e) {
            if (t != null) {
                t.rollback();
            }
            settings.rollback();
            throw e;
        } finally {
            endTransaction();
        }
        for (Runnable r : committed) {
            r.run();
        }
    }

    /** Runs {@code r} after the current transaction commits (not if it rolls back). */
    void afterCommit(Runnable r) {
        afterCommit.add(r);
    }

    private void rollbackAll() {
        if (txn != null) {
            txn.rollback();
            txn = null;
        }
        settings.rollback();
        endTransaction();
    }

    private void endTransaction() {
        afterCommit.clear();
        inBlock = false;
        failed = false;
        implicitFailed = false;
        txnTime = null;
        statementsInTxn = 0;
        savepoints.clear();
    }

    @Override
    public void endOfQuery() {
        if (inBlock) {
            return;
        }
        if (implicitFailed) {
            rollbackAll();
            return;
        }
        commitAll();
    }

    @Override
    public void abortImplicit() {
        if (inBlock) {
            return;
        }
        rollbackAll();
    }

    /** An error in a statement: the block fails (or the implicit transaction is rolled back). Returns what to throw. */
    private LrepException onError(RuntimeException e) {
        LrepException le;
        if (e instanceof LrepException x) {
            le = x;
        } else {
            LOG.error("Internal error in session {}", context.backendPid(), e);
            le = new LrepException(SqlState.INTERNAL_ERROR, "internal error: " + e, e);
        }
        if (le.sqlState() == SqlState.QUERY_CANCELED && timedOut) {
            le = new LrepException(SqlState.QUERY_CANCELED, "canceling statement due to statement timeout");
        }
        if (inBlock) {
            failed = true;
            if (savepoints.isEmpty() && txn != null) {
                txn.rollback();
                txn = null;
            }
        } else {
            implicitFailed = true;
            if (txn != null) {
                txn.rollback();
                txn = null;
            }
        }
        return le;
    }

    private static LrepException abortedError() {
        return new LrepException(SqlState.IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block");
    }

    @Override
    public char transactionStatus() {
        return failed ? 'E' : inBlock ? 'T' : 'I';
    }

    @Override
    public void useSnapshot(long lsn) {
        String command = "CREATE_REPLICATION_SLOT ... (SNAPSHOT 'use')";
        if (!inBlock) {
            throw new LrepException(SqlState.INTERNAL_ERROR, command + " must be called inside a transaction");
        }
        if (failed) {
            throw abortedError();
        }
        if (!settings.transactionIsolation().equals("repeatable read")) {
            throw new LrepException(SqlState.INTERNAL_ERROR, command + " must be called in REPEATABLE READ isolation mode transaction");
        }
        if (!settings.transactionReadOnly()) {
            throw new LrepException(SqlState.INTERNAL_ERROR, command + " must be called in a read-only transaction");
        }
        if (statementsInTxn > 0) {
            throw new LrepException(SqlState.INTERNAL_ERROR, command + " must be called before any query");
        }
        if (!savepoints.isEmpty()) {
            throw new LrepException(SqlState.INTERNAL_ERROR, command + " must not be called in a subtransaction");
        }
        if (txn != null) {
            txn.rollback(); // nothing ran in it: only its snapshot is replaced
        }
        txn = engine.storage().beginWithSnapshot(lsn);
        txn.setSynchronousCommit(settings.synchronousCommit());
    }

    // =====================================================================================
    // Cancel, timeout, sleep
    // =====================================================================================

    private void startRunning() {
        synchronized (cancelLock) {
            running = Thread.currentThread();
            cancelRequested = false;
            timedOut = false;
        }
    }

    private void stopRunning() {
        synchronized (cancelLock) {
            running = null;
            cancelRequested = false;
            // An interrupt aimed at this statement must not leak into the caller's thread.
            Thread.interrupted();
        }
    }

    @Override
    public void cancel() {
        synchronized (cancelLock) {
            if (running != null) {
                cancelRequested = true;
                running.interrupt();
            }
        }
    }

    private void timeout() {
        synchronized (cancelLock) {
            if (running != null) {
                timedOut = true;
                cancelRequested = true;
                running.interrupt();
            }
        }
    }

    /** Throws 57014 if the running statement was cancelled or timed out. */
    void checkInterrupts() {
        if (cancelRequested) {
            cancelRequested = false;
            Thread.interrupted();
            throw new LrepException(SqlState.QUERY_CANCELED,
                    timedOut ? "canceling statement due to statement timeout" : "canceling statement due to user request");
        }
    }

    /** pg_sleep: sleeps, waking for cancellation. */
    void sleep(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
        while (true) {
            checkInterrupts();
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            } catch (InterruptedException e) {
                // cancel() or the timeout interrupted us: checkInterrupts reports which.
                Thread.currentThread().interrupt();
                checkInterrupts();
                Thread.interrupted();
            }
        }
    }

    // =====================================================================================
    // Names, sequences
    // =====================================================================================

    /** The search path's schemas that exist, pg_catalog first when {@code implicit}. */
    List<String> existingSearchPath(boolean implicit) {
        ensureTxn();
        List<String> out = new ArrayList<>();
        if (implicit) {
            out.add("pg_catalog");
        }
        for (String s : settings.searchPath()) {
            if (txn.findSchema(s) != null && !out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The schema new objects go to: the first existing schema of search_path; 3F000 if none. */
    String creationSchema() {
        for (String s : settings.searchPath()) {
            if (txn.findSchema(s) != null) {
                return s;
            }
        }
        throw new LrepException(SqlState.UNDEFINED_SCHEMA, "no schema has been selected to create in");
    }

    /** A sequence named by text ('s', 'public.s', '"S"'), as nextval('...') reads it. */
    SequenceDef sequenceByName(String text) {
        ensureTxn();
        List<String> parts = Names.splitQualified(text);
        String schema = parts.size() > 1 ? parts.get(parts.size() - 2) : null;
        String name = parts.get(parts.size() - 1);
        if (schema != null) {
            SequenceDef s = txn.findSequence(schema, name);
            if (s == null) {
                throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + schema + "." + name + "\" does not exist");
            }
            return s;
        }
        for (String sc : existingSearchPath(true)) {
            SequenceDef s = txn.findSequence(sc, name);
            if (s != null) {
                return s;
            }
        }
        if (txn.findTable(creationSchemaOrPublic(), name) != null) {
            throw new LrepException(SqlState.WRONG_OBJECT_TYPE, "\"" + name + "\" is not a sequence");
        }
        throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + name + "\" does not exist");
    }

    private String creationSchemaOrPublic() {
        for (String s : settings.searchPath()) {
            if (txn.findSchema(s) != null) {
                return s;
            }
        }
        return "public";
    }

    SequenceDef sequenceByOid(long oid) {
        ensureTxn();
        SequenceDef s = txn.sequence((int) oid);
        if (s == null) {
            throw new LrepException(SqlState.UNDEFINED_TABLE, "could not open relation with OID " + oid);
        }
        return s;
    }

    /** regclass input: the oid of the table, sequence or view a (possibly qualified) name means; 42P01 if none. */
    long relationOid(String text) {
        ensureTxn();
        List<String> parts = Names.splitQualified(text);
        String name = parts.get(parts.size() - 1);
        List<String> schemas = parts.size() > 1 ? List.of(parts.get(parts.size() - 2)) : existingSearchPath(true);
        for (String sc : schemas) {
            TableDef t = txn.findTable(sc, name);
            if (t != null) {
                return t.oid();
            }
            SequenceDef s = txn.findSequence(sc, name);
            if (s != null) {
                return s.oid();
            }
            io.lrep.node.sql.SystemView v = engine.registry.view(sc, name);
            if (v != null) {
                return v.oid();
            }
        }
        throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + text + "\" does not exist");
    }

    /** regclass output: the relation's name (qualified when not visible first on the search path), or the oid. */
    String relationName(long oid) {
        ensureTxn();
        TableDef t = txn.table((int) oid);
        if (t != null) {
            return t.schemaName().equals("public") || t.schemaName().equals("pg_catalog") ? t.name() : t.schemaName() + "." + t.name();
        }
        SequenceDef s = txn.sequence((int) oid);
        if (s != null) {
            return s.schemaName().equals("public") ? s.name() : s.schemaName() + "." + s.name();
        }
        return Long.toString(oid);
    }

    long nextval(SequenceDef s) {
        ensureTxn();
        if (settings.transactionReadOnly()) {
            throw new LrepException(SqlState.READ_ONLY_SQL_TRANSACTION, "cannot execute nextval() in a read-only transaction");
        }
        long v = txn.nextval(s);
        currvals.put(s.oid(), v);
        lastval = v;
        return v;
    }

    long currval(SequenceDef s) {
        Long v = currvals.get(s.oid());
        if (v == null) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "currval of sequence \"" + s.name() + "\" is not yet defined in this session");
        }
        return v;
    }

    long lastval() {
        if (lastval == null) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "lastval is not yet defined in this session");
        }
        return lastval;
    }

    long setval(SequenceDef s, long value, boolean isCalled) {
        ensureTxn();
        txn.setval(s, value, isCalled);
        if (isCalled) {
            currvals.put(s.oid(), value);
        }
        return value;
    }

    long assignXid() {
        ensureTxn();
        return Integer.toUnsignedLong(Savepoints.ensureXid(txn));
    }

    // =====================================================================================
    // Notices, settings
    // =====================================================================================

    void notice(String severity, SqlState state, String message) {
        notices.add(new Notice(severity, state.code(), message, null, null));
    }

    @Override
    public Map<String, String> drainParameterChanges() {
        return settings.drainChanges();
    }

    @Override
    public Map<String, String> reportedParameters() {
        return settings.reported();
    }

    @Override
    public List<Notice> drainNotices() {
        if (notices.isEmpty()) {
            return List.of();
        }
        List<Notice> out = new ArrayList<>(notices);
        notices.clear();
        return out;
    }

    @Override
    public ZoneId timeZone() {
        return settings.zone();
    }

    boolean inBlock() {
        return inBlock;
    }

    String user() {
        return context.user();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        try {
            if (txn != null) {
                txn.rollback();
                txn = null;
            }
        } finally {
            engine.sessionEnded(context);
        }
    }
}
