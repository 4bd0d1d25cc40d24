package io.lrep.node.sql.exec;

import io.lrep.core.storage.StorageEngine;
import io.lrep.node.NodeConfig;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.SessionContext;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What every session of one engine shares: storage, node settings, the function and view
 * registry, the WAL position, the checkpoint hook and the statement-timeout timer thread.
 */
public final class EngineCore implements AutoCloseable {

    /** The databases that exist (lrep has one catalog; these names are accepted). */
    public static final List<String> DATABASES = List.of("postgres", "template1");

    private final StorageEngine storage;
    private final NodeConfig config;
    final FunctionRegistry registry;
    private final LongSupplier walInsertLsn;
    private final Runnable checkpoint;
    private final Instant startTime = Instant.now();
    private final ScheduledExecutorService timer;
    private final List<CatalogExtension> extensions;
    private final RowFilterExpressions rowFilters = new RowFilterExpressions(this);
    private volatile io.lrep.node.sql.SubscriptionHooks subscriptionHooks = io.lrep.node.sql.SubscriptionHooks.NONE;

    public EngineCore(StorageEngine storage, NodeConfig config, List<CatalogExtension> extensions, LongSupplier walInsertLsn,
            Runnable checkpoint) {
        this.storage = storage;
        this.config = config;
        this.registry = new FunctionRegistry(Builtins.all(), extensions);
        this.extensions = List.copyOf(extensions);
        this.walInsertLsn = walInsertLsn;
        this.checkpoint = checkpoint;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sql-statement-timeout");
            t.setDaemon(true);
            return t;
        });
    }

    public StorageEngine storage() {
        return storage;
    }

    public NodeConfig config() {
        return config;
    }

    public FunctionRegistry registry() {
        return registry;
    }

    /** Publication row filters: their checks, and the compiler the publisher evaluates them with. */
    public RowFilterExpressions rowFilters() {
        return rowFilters;
    }

    /** What subscription DDL talks to (the replication client, the launcher); {@link io.lrep.node.sql.SubscriptionHooks#NONE} until set. */
    public void setSubscriptionHooks(io.lrep.node.sql.SubscriptionHooks hooks) {
        this.subscriptionHooks = hooks;
    }

    io.lrep.node.sql.SubscriptionHooks subscriptionHooks() {
        return subscriptionHooks;
    }

    long walInsertLsn() {
        return walInsertLsn.getAsLong();
    }

    Instant startTime() {
        return startTime;
    }

    void checkpoint() {
        checkpoint.run();
    }

    /** Tells every catalog extension that a session ended; carries on past failures and rethrows the first. */
    void sessionEnded(SessionContext session) {
        RuntimeException failure = null;
        for (CatalogExtension e : extensions) {
            try {
                e.onSessionEnd(session);
            } catch (RuntimeException ex) {
                if (failure == null) {
                    failure = ex;
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
