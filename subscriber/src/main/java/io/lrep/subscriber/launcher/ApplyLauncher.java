package io.lrep.subscriber.launcher;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.Transaction;
import io.lrep.core.worker.BackgroundWorker;
import io.lrep.core.worker.StartTime;
import io.lrep.core.worker.Supervisor;
import io.lrep.core.worker.WorkerHandle;
import io.lrep.core.worker.WorkerSpec;
import io.lrep.subscriber.apply.ApplyWorker;
import io.lrep.subscriber.apply.ApplyWorkerStatus;
import io.lrep.subscriber.apply.SyncWorkerState;
import io.lrep.subscriber.subscription.Subscription;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import io.lrep.subscriber.subscription.SubscriptionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's logical replication launcher (reference §2.2): a static background worker
 * ({@code logical replication launcher}) that, on start, when {@link #listener() woken} after a
 * subscription change commits, when one of its workers exits, and at least every
 * {@code wal_retrieve_retry_interval}, reads pg_subscription and
 * <ul>
 *   <li>starts an {@link ApplyWorker} (a dynamic background worker that is never restarted by
 *       the supervisor) for each enabled subscription with a slot that has none, at most
 *       {@code max_logical_replication_workers} at once and no more often than
 *       {@code wal_retrieve_retry_interval} per subscription (so a failing worker is restarted
 *       after that interval);</li>
 *   <li>stops the workers of subscriptions that are disabled or dropped.</li>
 * </ul>
 * It also keeps the table-sync workers that apply workers start ({@link ApplyWorker.SyncWorkers}):
 * they count against {@code max_logical_replication_workers} too.
 *
 * <p>Threads: the launcher's state is used by its worker thread; {@link #listener()},
 * {@link #workers()}, {@link #applyErrorCount} and {@link #stopWorkers} may be called from any
 * thread.
 */
public final class ApplyLauncher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyLauncher.class);

    /** bgw_type and bgw_name of the launcher. */
    public static final String TYPE = "logical replication launcher";
    /** bgw_type of an apply worker in PostgreSQL 15. */
    public static final String WORKER_TYPE = "logical replication worker";

    /**
     * @param maxWorkers    {@code max_logical_replication_workers}
     * @param retryInterval {@code wal_retrieve_retry_interval}
     */
    public record Settings(int maxWorkers, Duration retryInterval) {
    }

    /** One running worker, for pg_stat_subscription: the apply worker ({@code relOid} 0) or a table-sync worker. */
    public record WorkerStat(long subOid, long relOid, long pid, ApplyWorkerStatus status) {
    }

    private record Running(WorkerHandle handle, ApplyWorkerStatus status, SyncWorkerState sync) {
    }

    private record SyncKey(long subOid, long relOid) {
    }

    private final Supervisor supervisor;
    private final ApplyWorker.Context context;
    private final Settings settings;
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private final Map<SyncKey, Running> syncing = new ConcurrentHashMap<>();
    /** Per subscription: transactions, rows applied and rows copied by its workers that have been forgotten. */
    private final Map<Long, long[]> forgotten = new HashMap<>();
    private final SubscriptionStats stats;
    /** Committed changes of each subscription ({@link ApplyWorker.SyncWorkers#changes}). */
    private final Map<Long, AtomicLong> changes = new ConcurrentHashMap<>();
    private final Map<Long, Throwable> lastErrors = new ConcurrentHashMap<>();
    /** Launcher thread only: System.nanoTime of each subscription's last worker start. */
    private final Map<Long, Long> lastStartNanos = new HashMap<>();
    private final AtomicBoolean wanted = new AtomicBoolean(true);
    private volatile WorkerHandle handle;
    private volatile boolean closed;
    /** Subscriptions whose workers were stopped by a statement not committed yet, until System.nanoTime. */
    private final Map<Long, Long> held = new ConcurrentHashMap<>();
    private static final Duration HOLD = Duration.ofMinutes(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** @param context what each apply worker needs; its callbacks are told of errors after they are counted here */
    public ApplyLauncher(Supervisor supervisor, ApplyWorker.Context context, Settings settings) {
        this(supervisor, context, settings, new SubscriptionStats());
    }

    /**
     * @param context what each apply worker needs; its callbacks are told of errors after they are counted here
     * @param stats   where the workers' errors are counted (pg_stat_subscription_stats)
     */
    public ApplyLauncher(Supervisor supervisor, ApplyWorker.Context context, Settings settings, SubscriptionStats stats) {
        this.supervisor = supervisor;
        this.stats = stats;
        ApplyWorker.Callbacks outer = context.callbacks();
        this.context = new ApplyWorker.Context(context.storage(), context.origins(), context.client(), context.defaults(),
                context.streamDir(), context.localFlushLsn(), context.systemIdentifier(), context.settings(), (subOid, tableSync, error) -> {
                    stats.countError(subOid, tableSync);
                    if (!tableSync) {
                        lastErrors.put(subOid, error);
                    }
                    outer.onError(subOid, tableSync, error);
                });
        this.settings = settings;
    }

    /** The launcher's registration: static, after recovery, restarted 5 s after a failure (as ApplyLauncherRegister). */
    public WorkerSpec spec() {
        return WorkerSpec.builder().type(TYPE).name(TYPE).factory(Launcher::new).startTime(StartTime.RECOVERY_FINISHED)
                .restartInterval(Duration.ofSeconds(5)).idlePark(Duration.ofMillis(1), Duration.ofMillis(100)).build();
    }

    /** Registers the launcher with {@code supervisor} (static before it starts, dynamic after). */
    public WorkerHandle register() {
        WorkerSpec spec = spec();
        WorkerHandle h = supervisor.reached() == null ? supervisor.registerStatic(spec) : supervisor.registerDynamic(spec);
        handle = h;
        return h;
    }

    /** Wakes the launcher after a subscription change commits (ApplyLauncherWakeupAtCommit). */
    public SubscriptionListener listener() {
        return new SubscriptionListener() {
            @Override
            public void onCommitted(Change change) {
                changes.computeIfAbsent(change.subOid(), k -> new AtomicLong()).incrementAndGet();
                if (change.kind() == SubscriptionListener.Kind.DROPPED) {
                    stats.drop(change.subOid());
                }
                held.remove(change.subOid());
                wakeup();
            }

            @Override
            public void onDropping(long subOid) {
                stopWorkers(subOid, STOP_TIMEOUT);
            }

            @Override
            public void onTableRemoved(long subOid, long relOid) {
                Running r = syncing.get(new SyncKey(subOid, relOid));
                if (r != null) {
                    stop(r);
                    r.handle().awaitStopped(STOP_TIMEOUT);
                }
            }
        };
    }

    /** Makes the launcher scan pg_subscription now. */
    public void wakeup() {
        wanted.set(true);
        WorkerHandle h = handle;
        if (h != null) {
            h.wakeup();
        }
    }

    /** The running apply and table-sync workers. */
    public List<WorkerStat> workers() {
        List<WorkerStat> out = new ArrayList<>();
        for (Map.Entry<Long, Running> e : running.entrySet()) {
            addIfLive(out, e.getKey(), 0, e.getValue());
        }
        for (Map.Entry<SyncKey, Running> e : syncing.entrySet()) {
            addIfLive(out, e.getKey().subOid(), e.getKey().relOid(), e.getValue());
        }
        return out;
    }

    private static void addIfLive(List<WorkerStat> out, long subOid, long relOid, Running r) {
        long pid = r.handle().info().pid();
        if (pid != 0 && !r.handle().state().isTerminal()) {
            out.add(new WorkerStat(subOid, relOid, pid, r.status()));
        }
    }

    /** apply_error_count of pg_stat_subscription_stats: errors of the subscription's apply workers since the last reset. */
    public long applyErrorCount(long subOid) {
        return stats.get(subOid).applyErrorCount();
    }

    /** sync_error_count of pg_stat_subscription_stats: errors of the subscription's table-sync workers since the last reset. */
    public long syncErrorCount(long subOid) {
        return stats.get(subOid).syncErrorCount();
    }

    /** The cumulative statistics the workers' errors are counted in. */
    public SubscriptionStats stats() {
        return stats;
    }

    /**
     * The last error of the subscription's apply workers since the node started, or null; an
     * {@link io.lrep.apply.ApplyError} carries the failing transaction's finish LSN (what
     * ALTER SUBSCRIPTION ... SKIP takes).
     */
    public Throwable lastApplyError(long subOid) {
        return lastErrors.get(subOid);
    }

    /**
     * Stops the subscription's worker and waits for it to exit, as logicalrep_worker_stop (DROP
     * SUBSCRIPTION does this before it drops the slot the worker streams from). The
     * subscription gets no new worker until a change of it commits, or for a minute.
     */
    public void stopWorkers(long subOid, Duration timeout) {
        // not restarted until the dropping statement commits (or, if it rolls back, for HOLD)
        held.put(subOid, System.nanoTime() + HOLD.toNanos());
        List<Running> stopping = new ArrayList<>();
        Running r = running.get(subOid);
        if (r != null) {
            stopping.add(r);
        }
        syncing.forEach((k, v) -> {
            if (k.subOid() == subOid) {
                stopping.add(v);
            }
        });
        stopping.forEach(ApplyLauncher::stop);
        for (Running s : stopping) {
            s.handle().awaitStopped(timeout);
        }
    }

    /** Asks a worker to stop (a table-sync worker's copy is cancelled). */
    private static void stop(Running r) {
        if (r.sync() != null) {
            r.sync().cancel();
        }
        r.handle().terminate();
    }

    /**
     * Stops the launcher, then every apply worker, waiting up to 10 s for each (the node does
     * this before it closes the replication client the workers use). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        WorkerHandle h = handle;
        if (h != null) {
            h.terminate();
            h.awaitStopped(STOP_TIMEOUT);
        }
        List<Running> all = new ArrayList<>(running.values());
        all.addAll(syncing.values());
        all.forEach(ApplyLauncher::stop);
        for (Running r : all) {
            r.handle().awaitStopped(STOP_TIMEOUT);
        }
    }

    /** The registry of table-sync workers that apply workers use. */
    private final class Syncs implements ApplyWorker.SyncWorkers {
        @Override
        public SyncWorkerState find(long subOid, long relOid) {
            Running r = syncing.get(new SyncKey(subOid, relOid));
            return r == null ? null : r.sync();
        }

        @Override
        public int count(long subOid) {
            int n = 0;
            for (Map.Entry<SyncKey, Running> e : syncing.entrySet()) {
                if (e.getKey().subOid() == subOid && !e.getValue().handle().state().isTerminal()) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public boolean start(long subOid, String subName, long relOid) {
            return launchSync(subOid, subName, relOid);
        }

        @Override
        public LongSupplier changes(long subOid) {
            return changes.computeIfAbsent(subOid, k -> new AtomicLong())::get;
        }
    }

    // ------------------------------------------------------------------ the worker

    /** One scan of pg_subscription: start missing workers, stop unwanted ones. */
    void scan() {
        if (closed) {
            return;
        }
        forgetExited();
        List<Subscription> subs;
        try (Transaction t = context.storage().begin()) {
            subs = SubscriptionCatalog.installed(t) ? SubscriptionCatalog.all(t) : List.of();
        }
        Map<Long, Subscription> byOid = new HashMap<>();
        for (Subscription s : subs) {
            byOid.put(s.oid(), s);
        }
        for (Map.Entry<Long, Running> e : running.entrySet()) {
            Subscription s = byOid.get(e.getKey());
            if (s == null || !s.enabled()) {
                stop(e.getValue());
            }
        }
        for (Map.Entry<SyncKey, Running> e : syncing.entrySet()) {
            Subscription s = byOid.get(e.getKey().subOid());
            if (s == null || !s.enabled()) {
                stop(e.getValue());
            }
        }
        lastStartNanos.keySet().retainAll(byOid.keySet());
        synchronized (this) {
            forgotten.keySet().retainAll(byOid.keySet());
        }
        long now = System.nanoTime();
        long retryNanos = settings.retryInterval().toNanos();
        boolean warned = false;
        for (Subscription s : subs) {
            if (!s.enabled() || s.slotName() == null || running.containsKey(s.oid())) {
                continue;
            }
            Long heldUntil = held.get(s.oid());
            if (heldUntil != null) {
                if (now - heldUntil < 0) {
                    continue;
                }
                held.remove(s.oid());
            }
            Long last = lastStartNanos.get(s.oid());
            if (last != null && now - last < retryNanos) {
                continue;
            }
            if (workerCount() >= settings.maxWorkers()) {
                if (!warned) {
                    LOG.warn("out of logical replication worker slots");
                    warned = true;
                }
                continue;
            }
            lastStartNanos.put(s.oid(), now);
            launch(s);
        }
    }

    /** Drops the workers that have exited, keeping what they applied in {@link #progress}. */
    private synchronized void forgetExited() {
        running.entrySet().removeIf(e -> e.getValue().handle().state().isTerminal() && forget(e.getKey(), e.getValue()));
        syncing.entrySet().removeIf(e -> e.getValue().handle().state().isTerminal() && forget(e.getKey().subOid(), e.getValue()));
    }

    private boolean forget(long subOid, Running r) {
        long[] total = forgotten.computeIfAbsent(subOid, k -> new long[3]);
        add(total, r.status());
        return true;
    }

    private static void add(long[] total, ApplyWorkerStatus s) {
        total[0] += s.transactionsApplied();
        total[1] += s.rowsApplied();
        total[2] += s.rowsCopied();
    }

    /**
     * What the subscription's workers have done since the node started, exited ones included:
     * {transactions applied, rows applied, rows copied by table synchronisation}.
     */
    public synchronized long[] progress(long subOid) {
        long[] total = forgotten.getOrDefault(subOid, new long[3]).clone();
        Running apply = running.get(subOid);
        if (apply != null) {
            add(total, apply.status());
        }
        syncing.forEach((k, r) -> {
            if (k.subOid() == subOid) {
                add(total, r.status());
            }
        });
        return total;
    }

    private int workerCount() {
        int n = 0;
        for (Running r : running.values()) {
            n += r.handle().state().isTerminal() ? 0 : 1;
        }
        for (Running r : syncing.values()) {
            n += r.handle().state().isTerminal() ? 0 : 1;
        }
        return n;
    }

    private void launch(Subscription s) {
        long oid = s.oid();
        ApplyWorkerStatus status = new ApplyWorkerStatus(oid);
        Syncs syncs = new Syncs();
        WorkerHandle h = register(WorkerSpec.builder().type(WORKER_TYPE)
                .name("logical replication worker for subscription " + oid)
                .factory(() -> new ApplyWorker(context, oid, status, syncs)));
        if (h != null) {
            running.put(oid, new Running(h, status, null));
            LOG.info("starting logical replication worker for subscription \"{}\"", s.name());
        }
    }

    /** logicalrep_worker_launch of a table-sync worker, on the apply worker's thread. */
    private synchronized boolean launchSync(long subOid, String subName, long relOid) {
        if (closed || workerCount() >= settings.maxWorkers()) {
            LOG.warn("out of logical replication worker slots");
            return false;
        }
        SyncKey key = new SyncKey(subOid, relOid);
        Running old = syncing.get(key);
        if (old != null) {
            if (!old.handle().state().isTerminal()) {
                return false;
            }
            forget(key.subOid(), syncing.remove(key));
        }
        ApplyWorkerStatus status = new ApplyWorkerStatus(subOid);
        SyncWorkerState sync = new SyncWorkerState(subOid, relOid);
        WorkerHandle h = register(WorkerSpec.builder().type(WORKER_TYPE)
                .name("logical replication worker for subscription " + subOid + " sync " + relOid)
                .factory(() -> new ApplyWorker(context, sync, status)));
        if (h == null) {
            return false;
        }
        syncing.put(key, new Running(h, status, sync));
        LOG.info("starting logical replication worker for subscription \"{}\", table {}", subName, relOid);
        return true;
    }

    /** Registers a dynamic worker that is never restarted and wakes the launcher when it exits; null when no slot is free. */
    private WorkerHandle register(WorkerSpec.Builder builder) {
        WorkerSpec spec = builder.startTime(StartTime.RECOVERY_FINISHED).neverRestart().notifyOwner(this::wakeup).dynamic(true).build();
        try {
            return supervisor.registerDynamic(spec);
        } catch (LrepException e) {
            if (e.sqlState() != SqlState.CONFIGURATION_LIMIT_EXCEEDED) {
                throw e;
            }
            LOG.warn("out of background worker slots", e); // retried later
            return null;
        }
    }

    /** The launcher's background worker body. */
    private final class Launcher implements BackgroundWorker {
        private long lastScanNanos;

        @Override
        public void onStart() {
            LOG.info("logical replication launcher started");
            wanted.set(true);
        }

        @Override
        public int doWork() {
            long now = System.nanoTime();
            if (!wanted.getAndSet(false) && now - lastScanNanos < settings.retryInterval().toNanos()) {
                return 0;
            }
            lastScanNanos = now;
            scan();
            return 1;
        }

        @Override
        public void onClose() {
            LOG.info("logical replication launcher stopped");
        }

        @Override
        public String roleName() {
            return TYPE;
        }
    }
}
