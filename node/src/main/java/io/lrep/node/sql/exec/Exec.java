package io.lrep.node.sql.exec;

import io.lrep.core.storage.Snapshot;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.Transaction;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SessionContext;
import java.time.Instant;

/**
 * One run of one statement: its parameters, transaction, snapshot and timestamps, and the
 * session it belongs to. Functions and system views see it as their {@link QueryContext}.
 */
public final class Exec implements QueryContext {

    final ExecSession session;
    final Object[] params;
    final Transaction txn;
    private Snapshot snapshot;
    final Instant statementTime;
    private int ticks;

    /** Point lookups and full scans this statement made (tests check that a key lookup is used). */
    long gets;
    long scans;

    Exec(ExecSession session, Object[] params, Transaction txn, Snapshot snapshot, Instant statementTime) {
        this.session = session;
        this.params = params;
        this.txn = txn;
        this.snapshot = snapshot;
        this.statementTime = statementTime;
    }

    private java.util.Map<Object, Object> cache;

    /** A value computed once per run of the statement (uncorrelated subqueries). */
    @SuppressWarnings("unchecked")
    <T> T cached(Object key, java.util.function.Supplier<T> compute) {
        if (cache == null) {
            cache = new java.util.IdentityHashMap<>();
        }
        if (cache.containsKey(key)) {
            return (T) cache.get(key);
        }
        T v = compute.get();
        cache.put(key, v);
        return v;
    }

    /** Throws 57014 when the statement was cancelled or timed out; cheap enough to call per row. */
    public void checkCancel() {
        if ((++ticks & 63) == 0 || session.cancelRequested) {
            session.checkInterrupts();
        }
    }

    ExecSession execSession() {
        return session;
    }

    void setSnapshot(Snapshot s) {
        this.snapshot = s;
    }

    @Override
    public StorageEngine storage() {
        return session.engine.storage();
    }

    @Override
    public Transaction transaction() {
        return txn;
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public SessionContext session() {
        return session.context();
    }

    @Override
    public String setting(String name) {
        return session.settings.show(name);
    }

    @Override
    public String setSetting(String name, String value, boolean isLocal) {
        session.settings.set(name, value, isLocal, true);
        return session.settings.show(name);
    }
}
