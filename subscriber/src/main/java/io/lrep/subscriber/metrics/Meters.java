package io.lrep.subscriber.metrics;

import io.lrep.core.metrics.KeyedMeters;
import io.lrep.core.protocol.replication.PgTimestamp;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.Transaction;
import io.lrep.subscriber.apply.ApplyWorkerStatus;
import io.lrep.subscriber.launcher.ApplyLauncher;
import io.lrep.subscriber.subscription.Subscription;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import io.lrep.subscriber.subscription.SubscriptionRel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of the subscriber, per subscription (tag {@code subscription}): received and
 * applied LSN, apply lag, transactions and rows applied, errors, table synchronisation. The
 * figures are read from the launcher's workers at a scrape; a worker's counts start at 0, so
 * those of workers that exited are kept here and added (read from the exited worker's status,
 * so nothing it did is lost), which keeps the counters monotonic. A worker that started and
 * exited between two scrapes is not seen.
 */
public final class Meters {

    public static final String RECEIVED_LSN = "lrep.subscription.received.lsn";
    public static final String APPLIED_LSN = "lrep.subscription.applied.lsn";
    public static final String APPLY_LAG = "lrep.subscription.apply.lag";
    public static final String TRANSACTIONS = "lrep.subscription.transactions";
    public static final String ROWS = "lrep.subscription.rows";
    public static final String APPLY_ERRORS = "lrep.subscription.apply.errors";
    public static final String SYNC_ERRORS = "lrep.subscription.sync.errors";
    public static final String SYNC_ROWS = "lrep.subscription.sync.rows";
    public static final String TABLES = "lrep.subscription.tables";

    /** The catalog table states (pg_subscription_rel.srsubstate) by tag value. */
    private static final Map<String, Character> STATES = new LinkedHashMap<>();

    static {
        STATES.put("init", SubscriptionRel.INIT);
        STATES.put("datasync", SubscriptionRel.DATASYNC);
        STATES.put("finishedcopy", SubscriptionRel.FINISHEDCOPY);
        STATES.put("syncdone", SubscriptionRel.SYNCDONE);
        STATES.put("ready", SubscriptionRel.READY);
    }

    /**
     * One subscription's figures at a scrape.
     *
     * @param applyLagSeconds now minus the commit time of the last applied remote transaction;
     *     0 when caught up and idle (the last message from the publisher was a keepalive) or
     *     before anything was applied
     * @param tables the subscription's tables per state tag
     */
    public record SubscriptionFigures(long subOid, boolean enabled, boolean workerRunning, long receivedLsn, long appliedLsn,
            double applyLagSeconds, long transactions, long rows, long applyErrors, long syncErrors, long rowsCopied,
            Map<String, Integer> tables) {}

    private final ApplyLauncher launcher;
    private final StorageEngine storage;
    private final Clock clock;
    private final Map<Long, Progress> progress = new HashMap<>();
    private final KeyedMeters<SubscriptionFigures> meters;

    private Meters(MeterRegistry registry, ApplyLauncher launcher, StorageEngine storage, Clock clock) {
        this.launcher = launcher;
        this.storage = storage;
        this.clock = clock;
        this.meters = new KeyedMeters<>(registry, Meters::register);
    }

    /**
     * Registers the subscription meters; {@link #refresh()} brings them up to date (call it
     * before a scrape).
     */
    public static Meters bind(MeterRegistry registry, ApplyLauncher launcher, StorageEngine storage, Clock clock) {
        Meters m = new Meters(registry, launcher, storage, clock);
        m.refresh();
        return m;
    }

    /** Reads every subscription's figures and updates the meters; returns the figures by subscription name. */
    public synchronized Map<String, SubscriptionFigures> refresh() {
        List<Subscription> subs;
        List<SubscriptionRel> rels;
        try (Transaction t = storage.begin()) {
            boolean installed = SubscriptionCatalog.installed(t);
            subs = installed ? SubscriptionCatalog.all(t) : List.of();
            rels = installed ? SubscriptionCatalog.allRels(t) : List.of();
        }
        Map<Long, List<ApplyWorkerStatus>> statuses = new HashMap<>();
        Map<Long, ApplyWorkerStatus> applyWorkers = new HashMap<>();
        for (ApplyLauncher.WorkerStat w : launcher.workers()) {
            statuses.computeIfAbsent(w.subOid(), k -> new ArrayList<>()).add(w.status());
            if (w.relOid() == 0) {
                applyWorkers.put(w.subOid(), w.status());
            }
        }
        long nowMicros = PgTimestamp.now(clock);
        Map<String, SubscriptionFigures> out = new HashMap<>();
        Map<Long, Progress> kept = new HashMap<>();
        for (Subscription s : subs) {
            Progress p = progress.computeIfAbsent(s.oid(), k -> new Progress());
            kept.put(s.oid(), p);
            ApplyWorkerStatus apply = applyWorkers.get(s.oid());
            boolean idle = false;
            if (apply != null) {
                p.receivedLsn = Math.max(p.receivedLsn, apply.receivedLsn());
                p.appliedLsn = Math.max(p.appliedLsn, apply.appliedLsn());
                p.lastCommitMicros = Math.max(p.lastCommitMicros, apply.lastAppliedCommitTimeMicros());
                idle = apply.receivedLsn() == 0 || apply.latestEndLsn() >= apply.receivedLsn();
            }
            double lag = idle || p.lastCommitMicros == 0 ? 0 : Math.max(0, nowMicros - p.lastCommitMicros) / 1_000_000.0;
            Map<String, Integer> tables = new LinkedHashMap<>();
            STATES.keySet().forEach(k -> tables.put(k, 0));
            for (SubscriptionRel r : rels) {
                if (r.subOid() == s.oid()) {
                    STATES.forEach((k, c) -> {
                        if (c == r.state()) {
                            tables.merge(k, 1, Integer::sum);
                        }
                    });
                }
            }
            long[] done = launcher.progress(s.oid());
            out.put(s.name(), new SubscriptionFigures(s.oid(), s.enabled(), apply != null, p.receivedLsn, p.appliedLsn, lag,
                    done[0], done[1], launcher.applyErrorCount(s.oid()), launcher.syncErrorCount(s.oid()), done[2], tables));
        }
        progress.keySet().retainAll(kept.keySet());
        meters.update(out);
        return out;
    }

    /** The last known positions of one subscription's apply worker (kept while none runs). */
    private static final class Progress {
        private long receivedLsn;
        private long appliedLsn;
        private long lastCommitMicros;
    }

    private static List<Meter> register(MeterRegistry r, String sub, Supplier<SubscriptionFigures> current) {
        List<Meter> m = new ArrayList<>();
        m.add(gauge(r, RECEIVED_LSN, sub, current, f -> f.receivedLsn(), BaseUnits.BYTES,
                "received_lsn of pg_stat_subscription (the last known while no worker runs)"));
        m.add(gauge(r, APPLIED_LSN, sub, current, f -> f.appliedLsn(), BaseUnits.BYTES,
                "end LSN of the last remote transaction applied"));
        m.add(gauge(r, APPLY_LAG, sub, current, f -> f.applyLagSeconds(), "seconds",
                "now minus the commit time of the last applied remote transaction; 0 when caught up and idle"));
        m.add(counter(r, TRANSACTIONS, sub, current, f -> f.transactions(), "transactions", "remote transactions applied"));
        m.add(counter(r, ROWS, sub, current, f -> f.rows(), "rows", "row changes applied"));
        m.add(counter(r, APPLY_ERRORS, sub, current, f -> f.applyErrors(), "errors",
                "apply_error_count of pg_stat_subscription_stats"));
        m.add(counter(r, SYNC_ERRORS, sub, current, f -> f.syncErrors(), "errors",
                "sync_error_count of pg_stat_subscription_stats"));
        m.add(counter(r, SYNC_ROWS, sub, current, f -> f.rowsCopied(), "rows", "rows copied by table synchronisation"));
        for (String state : STATES.keySet()) {
            m.add(Gauge.builder(TABLES, current, c -> c.get() == null ? 0 : c.get().tables().getOrDefault(state, 0))
                    .tags("subscription", sub, "state", state).baseUnit("tables")
                    .description("the subscription's tables in each pg_subscription_rel state").register(r));
        }
        return m;
    }

    private static Gauge gauge(MeterRegistry r, String name, String sub, Supplier<SubscriptionFigures> current,
            ToDoubleFunction<SubscriptionFigures> f, String unit, String description) {
        return Gauge.builder(name, current, c -> c.get() == null ? 0 : f.applyAsDouble(c.get())).tag("subscription", sub)
                .baseUnit(unit).description(description).register(r);
    }

    private static FunctionCounter counter(MeterRegistry r, String name, String sub, Supplier<SubscriptionFigures> current,
            ToDoubleFunction<SubscriptionFigures> f, String unit, String description) {
        return FunctionCounter.builder(name, current, c -> c.get() == null ? 0 : f.applyAsDouble(c.get())).tag("subscription", sub)
                .baseUnit(unit).description(description).register(r);
    }
}
