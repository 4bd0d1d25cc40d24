package io.lrep.node.sql;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.StorageEngine;
import io.lrep.node.NodeConfig;
import io.lrep.node.sql.exec.EngineCore;
import io.lrep.node.sql.exec.ExecSession;
import io.lrep.node.sql.exec.Roles;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The node's SQL engine: parses, analyzes, plans and runs statements against storage with
 * PostgreSQL 15's semantics. One per node; {@link #openSession} makes one session per client.
 *
 * <p>Known limitations: SERIALIZABLE runs as REPEATABLE READ; UNIQUE, CHECK and FOREIGN KEY
 * constraints are rejected with 0A000; CREATE INDEX succeeds as a no-op only when it names the
 * primary key columns (0A000 otherwise); ADD PRIMARY KEY rebuilds a keyless table; interval
 * typmods other than the field qualifiers (interval(3), second precision) are ignored; SELECT ... FOR
 * UPDATE takes no row locks; UPDATE ... FROM, DELETE ... USING, WITH RECURSIVE, data-modifying
 * CTEs and CREATE VIEW are 0A000; top-level result columns of reg* types are sent as text names;
 * lock_timeout and idle_in_transaction_session_timeout are accepted but not enforced.
 *
 * <p>Closing the engine stops its statement-timeout timer thread.
 */
public final class LrepSqlEngine implements SqlEngine, AutoCloseable {

    private final EngineCore core;

    /**
     * @param walInsertLsn the WAL insert position (pg_current_wal_lsn())
     * @param checkpoint what CHECKPOINT runs (the node's checkpointer)
     */
    public LrepSqlEngine(StorageEngine storage, NodeConfig config, List<CatalogExtension> extensions, LongSupplier walInsertLsn,
            Runnable checkpoint) {
        this.core = new EngineCore(storage, config, extensions, walInsertLsn, checkpoint);
    }

    @Override
    public SqlSession openSession(SessionContext context) {
        if (!EngineCore.DATABASES.contains(context.database())) {
            throw new LrepException(SqlState.INVALID_CATALOG_NAME, "database \"" + context.database() + "\" does not exist");
        }
        boolean superuser = Roles.find(core.storage(), context.user()).map(Roles.Role::superuser).orElse(false);
        return new ExecSession(core, context, superuser);
    }

    /** Compiles publication row filters for the publisher (thread-safe). */
    public io.lrep.publisher.publication.RowFilterCompiler rowFilterCompiler() {
        return core.rowFilters();
    }

    /** Connects subscription DDL to the replication client and the launcher (before clients connect). */
    public void setSubscriptionHooks(SubscriptionHooks hooks) {
        core.setSubscriptionHooks(hooks);
    }

    @Override
    public void close() {
        core.close();
    }
}
