package io.lrep.node.http;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.Transaction;
import io.lrep.core.wal.Wal;
import io.lrep.core.worker.Supervisor;
import io.lrep.core.worker.WorkerInfo;
import io.lrep.node.server.ConnectionRegistry;
import io.lrep.node.sql.catalog.ActivitySource;
import io.lrep.publisher.publication.Publication;
import io.lrep.publisher.publication.PublicationCatalog;
import io.lrep.publisher.slot.ReplicationSlot;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.walsender.WalSenders;
import io.lrep.subscriber.client.ConnInfo;
import io.lrep.subscriber.subscription.Subscription;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import io.lrep.subscriber.launcher.ApplyLauncher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The node's meters: a Prometheus registry the node owns, with the meters of every module bound
 * to it, and the figures of {@code /status}. Keyed meters (per slot, walsender, subscription,
 * worker type) are brought up to date by {@link #refresh()}, which {@link #scrape()} calls.
 */
public final class NodeMetrics {

    private final String nodeName;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Wal wal;
    private final Supervisor supervisor;
    private final SlotManager slots;
    private final WalSenders walSenders;
    private final ConnectionRegistry connections;
    private final StorageEngine storage;
    private final List<Runnable> refreshers = new ArrayList<>();
    private final io.lrep.subscriber.metrics.Meters subscriptions;

    public NodeMetrics(String nodeName, Wal wal, Supervisor supervisor, SlotManager slots, WalSenders walSenders,
            ConnectionRegistry connections, ApplyLauncher launcher, StorageEngine storage) {
        this.nodeName = nodeName;
        this.wal = wal;
        this.supervisor = supervisor;
        this.slots = slots;
        this.walSenders = walSenders;
        this.connections = connections;
        this.storage = storage;
        io.lrep.core.metrics.Meters.bindWal(registry, wal);
        refreshers.add(io.lrep.core.metrics.Meters.bindWorkers(registry, supervisor));
        refreshers.add(io.lrep.publisher.metrics.Meters.bind(registry, slots, walSenders, wal::insertLsn, connections::applicationName));
        refreshers.add(Meters.bind(registry, connections));
        this.subscriptions = io.lrep.subscriber.metrics.Meters.bind(registry, launcher, storage, Clock.systemUTC());
    }

    /** The registry every meter of the node is in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Brings the keyed meters up to date. */
    public synchronized void refresh() {
        refreshers.forEach(Runnable::run);
        subscriptions.refresh();
    }

    /** Every meter, in the Prometheus text format (version 0.0.4), after a {@link #refresh()}. */
    public String scrape() {
        refresh();
        return registry.scrape();
    }

    /** What {@code /status} shows, as a tree of maps and lists for Jackson. */
    public synchronized Map<String, Object> status() {
        long now = wal.insertLsn();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", nodeName);
        out.put("time_ms", System.currentTimeMillis());
        List<String> publications = new ArrayList<>();
        Map<String, Subscription> catalog = new HashMap<>();
        try (Transaction t = storage.begin()) {
            if (PublicationCatalog.installed(t)) {
                for (Publication p : PublicationCatalog.all(t)) {
                    publications.add(p.name());
                }
            }
            if (SubscriptionCatalog.installed(t)) {
                SubscriptionCatalog.all(t).forEach(s -> catalog.put(s.name(), s));
            }
        }
        Map<String, io.lrep.subscriber.metrics.Meters.SubscriptionFigures> subs = subscriptions.refresh();
        List<ReplicationSlot> slotList = slots.list();
        boolean publisher = !publications.isEmpty() || !slotList.isEmpty();
        boolean subscriber = !subs.isEmpty();
        out.put("role", publisher && subscriber ? "both" : publisher ? "publisher" : subscriber ? "subscriber" : "none");
        out.put("wal_lsn", Lsn.format(now));
        out.put("wal_bytes_written", wal.stats().bytesWritten());
        out.put("publications", publications);
        Map<String, io.lrep.publisher.metrics.Meters.SlotFigures> slotFigures = io.lrep.publisher.metrics.Meters.slotFigures(slots, now);
        List<Map<String, Object>> slotRows = new ArrayList<>();
        for (ReplicationSlot s : slotList) {
            io.lrep.publisher.metrics.Meters.SlotFigures f = slotFigures.get(s.name());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", s.name());
            row.put("type", s.logical() ? "logical" : "physical");
            row.put("active", s.active());
            row.put("restart_lsn", lsn(s.restartLsn()));
            row.put("confirmed_flush_lsn", lsn(s.confirmedFlushLsn()));
            row.put("retained_bytes", f == null ? 0 : f.retainedBytes());
            row.put("lag_bytes", f == null ? 0 : f.lagBytes());
            row.put("invalidated", s.invalidated());
            slotRows.add(row);
        }
        out.put("slots", slotRows);
        Map<String, String> clients = new HashMap<>();
        for (ActivitySource.Activity a : connections.activities()) {
            if ("walsender".equals(a.backendType()) && a.clientAddress() != null) {
                clients.putIfAbsent(a.applicationName(), a.clientAddress());
            }
        }
        List<Map<String, Object>> senders = new ArrayList<>();
        io.lrep.publisher.metrics.Meters.walSenderFigures(walSenders, now, connections::applicationName).forEach((app, f) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("application_name", app);
            row.put("client_addr", clients.get(app));
            row.put("sent_lsn", lsn(f.sentLsn()));
            row.put("lag_bytes", Map.of("sent", f.lagBytes()[0], "write", f.lagBytes()[1], "flush", f.lagBytes()[2],
                    "replay", f.lagBytes()[3]));
            row.put("lag_seconds", Map.of("write", f.lagSeconds()[0], "flush", f.lagSeconds()[1], "replay", f.lagSeconds()[2]));
            senders.add(row);
        });
        out.put("walsenders", senders);
        List<Map<String, Object>> subRows = new ArrayList<>();
        subs.forEach((name, f) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            Subscription sub = catalog.get(name);
            row.put("publisher", sub == null ? null : publisherAddress(sub.conninfo()));
            row.put("publications", sub == null ? List.of() : sub.publications());
            row.put("enabled", f.enabled());
            row.put("worker_running", f.workerRunning());
            row.put("received_lsn", lsn(f.receivedLsn()));
            row.put("applied_lsn", lsn(f.appliedLsn()));
            row.put("apply_lag_seconds", f.applyLagSeconds());
            row.put("transactions", f.transactions());
            row.put("rows", f.rows());
            row.put("apply_errors", f.applyErrors());
            row.put("sync_errors", f.syncErrors());
            row.put("tables", f.tables());
            subRows.add(row);
        });
        out.put("subscriptions", subRows);
        List<Map<String, Object>> workers = new ArrayList<>();
        for (WorkerInfo w : supervisor.workers()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("type", w.type());
            row.put("name", w.name());
            row.put("pid", w.pid());
            row.put("state", w.state().name().toLowerCase(java.util.Locale.ROOT));
            row.put("restarts", w.restarts());
            row.put("failures", w.failures());
            workers.add(row);
        }
        out.put("workers", workers);
        return out;
    }

    /** The host:port pairs a conninfo connects to, comma-separated; the conninfo's error when it has none. */
    static String publisherAddress(String conninfo) {
        try {
            return ConnInfo.parse(conninfo).hosts().stream().map(ConnInfo.HostAddress::toString).collect(Collectors.joining(","));
        } catch (io.lrep.core.error.LrepException e) {
            // the catalog accepted it, so the apply worker reports the same error where it connects; the page shows it
            return "(" + e.getMessage() + ")";
        }
    }

    private static String lsn(long value) {
        return value == 0 ? null : Lsn.format(value);
    }
}
