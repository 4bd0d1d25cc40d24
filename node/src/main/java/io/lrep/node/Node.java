package io.lrep.node;

import io.lrep.core.error.LrepException;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.Autovacuum;
import io.lrep.core.storage.Checkpointer;
import io.lrep.core.storage.ControlFile;
import io.lrep.core.storage.DataDirectory;
import io.lrep.core.storage.Recovery;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalSegment;
import io.lrep.core.worker.StartTime;
import io.lrep.core.worker.Supervisor;
import io.lrep.core.worker.WorkerSpec;
import io.lrep.node.http.HttpEndpoint;
import io.lrep.node.http.NodeMetrics;
import io.lrep.node.server.ConnectionRegistry;
import io.lrep.node.server.HbaConfig;
import io.lrep.node.server.ProtocolServer;
import io.lrep.node.server.ReplicationCommands;
import io.lrep.node.server.ServerConfig;
import io.lrep.node.server.StorageRoleLookup;
import io.lrep.node.sql.LrepSqlEngine;
import io.lrep.node.sql.SubscriptionHooks;
import io.lrep.node.sql.catalog.ActivitySource;
import io.lrep.node.sql.catalog.PublicationViews;
import io.lrep.node.sql.catalog.SubscriptionViews;
import io.lrep.node.sql.catalog.ReplicationOriginCatalog;
import io.lrep.node.sql.catalog.ReplicationSlotsCatalog;
import io.lrep.node.sql.catalog.ReplicationStatsCatalog;
import io.lrep.node.sql.catalog.SystemCatalog;
import io.lrep.node.sql.catalog.WalStatsCatalog;
import io.lrep.publisher.slot.SlotConfig;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.walsender.WalSender;
import io.lrep.publisher.walsender.WalSenders;
import io.lrep.subscriber.client.ClientPublisherConnector;
import io.lrep.subscriber.client.ReplicationClient;
import io.lrep.subscriber.apply.ApplyWorker;
import io.lrep.subscriber.launcher.ApplyLauncher;
import io.lrep.subscriber.launcher.SubscriptionStats;
import io.lrep.apply.ColumnDefaults;
import io.lrep.apply.OriginRegistry;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One lrep node: a data directory, its WAL, its storage engine and the supervisor that runs its
 * background workers. {@link #start(Path, Map)} opens the directory (taking its lock), replays
 * WAL from the last checkpoint, then starts the workers; {@link #close()} is a clean shutdown:
 * workers stop in reverse start order after a shutdown checkpoint, then storage closes.
 *
 * <p>Start-up either completes or leaves nothing running: a failure at any step closes what
 * the earlier steps opened, in reverse order, and rethrows.
 */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final int WAL_PAGE_BYTES = 8192;

    private final String name;
    private final DataDirectory dataDirectory;
    private final NodeConfig config;
    private final ControlFile control;
    private final Wal wal;
    private final StorageEngine storage;
    private final Recovery.RecoveryResult recovery;
    private final Checkpointer checkpointer;
    private final Supervisor supervisor;
    private final LrepSqlEngine engine;
    private final ProtocolServer server;
    /** The client subscription DDL reaches publishers with (later also the subscriber's workers). */
    private final ReplicationClient replicationClient;
    private final ApplyLauncher launcher;
    private final int port;
    private final SlotManager slots;
    /** pg_stat_subscription_stats, saved at a clean shutdown (null when the node serves nothing). */
    private final SubscriptionStats subscriptionStats;
    /** The node's meters (null when it serves nothing) and its HTTP endpoint (null when metrics_port is 0). */
    private final NodeMetrics metrics;
    private final HttpEndpoint http;
    private final int metricsPort;
    private volatile boolean closed;

    private Node(String name, DataDirectory dataDirectory, NodeConfig config, ControlFile control, Wal wal, StorageEngine storage,
            Recovery.RecoveryResult recovery, Checkpointer checkpointer, Supervisor supervisor, LrepSqlEngine engine,
            ProtocolServer server, int port, SlotManager slots, ReplicationClient replicationClient,
            ApplyLauncher launcher, SubscriptionStats subscriptionStats, NodeMetrics metrics, HttpEndpoint http, int metricsPort) {
        this.name = name;
        this.metrics = metrics;
        this.http = http;
        this.metricsPort = metricsPort;
        this.subscriptionStats = subscriptionStats;
        this.dataDirectory = dataDirectory;
        this.config = config;
        this.control = control;
        this.wal = wal;
        this.storage = storage;
        this.recovery = recovery;
        this.checkpointer = checkpointer;
        this.supervisor = supervisor;
        this.engine = engine;
        this.server = server;
        this.replicationClient = replicationClient;
        this.launcher = launcher;
        this.port = port;
        this.slots = slots;
    }

    /**
     * Creates a data directory, as initdb does: the layout, a control file with a new system
     * identifier, and an {@code lrep.conf} with {@code settings} set and every other setting
     * commented out at its default.
     */
    public static void init(Path dataDir, Map<String, String> settings) {
        init(dataDir, settings, System.getProperty("user.name", "postgres"), "trust", null);
    }

    /**
     * Creates a data directory, as initdb does: the layout, a control file with a new system
     * identifier, an {@code lrep.conf} with {@code settings} set and every other setting
     * commented out at its default, an {@code hba.conf} whose loopback rules use
     * {@code authMethod} ("trust", "md5", "scram-sha-256", ...), and the system tables with the
     * superuser {@code superuser} (its rolpassword {@code passwordVerifier}, or null).
     */
    public static void init(Path dataDir, Map<String, String> settings, String superuser, String authMethod, String passwordVerifier) {
        NodeConfig.Builder check = NodeConfig.builder();
        settings.forEach(check::set);
        DataDirectory.createLayout(dataDir, NodeConfig.defaultFileText(settings));
        try {
            Files.writeString(dataDir.resolve(HBA_FILE), defaultHba(authMethod), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not write file \"" + dataDir.resolve(HBA_FILE) + "\": " + e.getMessage(), e);
        }
        ControlFile control = ControlFile.create(dataDir, ControlFile.newSystemIdentifier());
        try (Node node = start(dataDir, Map.of(), false)) {
            SystemTables.bootstrap(node.storage(), superuser, passwordVerifier);
        }
        LOG.info("Initialized data directory {} (system identifier {}, superuser \"{}\")", dataDir,
                Long.toUnsignedString(control.systemId()), superuser);
    }

    /** The name of the client authentication file in the data directory (PostgreSQL's pg_hba.conf). */
    public static final String HBA_FILE = "hba.conf";

    private static String defaultHba(String method) {
        return """
                # lrep client authentication, in the format of PostgreSQL's pg_hba.conf:
                # TYPE  DATABASE        USER            ADDRESS                 METHOD
                # TYPE is local or host; DATABASE is all, replication, or names; METHOD is trust,
                # reject, password, md5 or scram-sha-256. The first matching line decides.

                host    all             all             127.0.0.1/32            %1$s
                host    all             all             ::1/128                 %1$s
                host    replication     all             127.0.0.1/32            %1$s
                host    replication     all             ::1/128                 %1$s
                """.formatted(method);
    }

    /**
     * Opens {@code dataDir}, recovers, starts the node's workers and its protocol server on
     * {@code listen_addresses}:{@code port} (port 0 picks a free one); settings override lrep.conf.
     */
    public static Node start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, true);
    }

    private static Node start(Path dataDir, Map<String, String> overrides, boolean serve) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            DataDirectory dd = DataDirectory.open(dataDir);
            opened.push(dd);
            NodeConfig config = NodeConfig.load(dd.configFile(), overrides);
            String name = config.get("cluster_name").isEmpty() ? dataDir.getFileName().toString() : config.get("cluster_name");
            MDC.put("node", name);
            LOG.info("Starting node {} in {}", name, dataDir);
            ControlFile control = ControlFile.read(dataDir);

            WalConfig walConfig = WalConfig.of(dd.walDir())
                    .withRingFile(dd.ringFile())
                    .withRingCapacity(Math.toIntExact(config.getLong("wal_buffers") * WAL_PAGE_BYTES))
                    .withSegmentSize(WalSegment.DEFAULT_SIZE)
                    .withTimeline(control.timeline())
                    .withFsync(config.getBool("fsync"))
                    .withWriter(TimeUnit.MILLISECONDS.toNanos(config.getMillis("wal_writer_delay")), config.getBytes("wal_writer_flush_after"));
            Wal wal = Wal.open(walConfig);
            opened.push(wal);

            // The WAL writer, the checkpointer and the autovacuum launcher are PostgreSQL's auxiliary processes: they do not
            // count against max_worker_processes, so the supervisor has room for them on top.
            Supervisor supervisor = Supervisor.builder().maxWorkerProcesses(config.getInt("max_worker_processes") + 3).build();
            opened.push(supervisor);
            supervisor.registerStatic(WorkerSpec.builder()
                    .type("walwriter").name("walwriter")
                    .factory(wal::writer)
                    .startTime(StartTime.NODE_START)
                    .restartInterval(Duration.ofSeconds(1))
                    // the writer waits on its own wake-up signal inside doWork; the runner need not park
                    .idlePark(Duration.ofNanos(1000), Duration.ofNanos(1000))
                    .build());
            supervisor.start();

            StorageEngine storage = new StorageEngine(wal);
            Recovery.RecoveryResult recovery = Recovery.run(dataDir, control, wal, storage);
            supervisor.advanceTo(StartTime.CONSISTENT_STATE);

            // Slots hold their WAL before the first checkpoint may remove any.
            SlotManager slots = SlotManager.open(dd.slotDir(), SlotConfig.of(config.getInt("max_replication_slots"),
                    config.getBytes("max_slot_wal_keep_size"), walConfig.segmentSizeBytes(), config.getBool("fsync")), wal,
                    storage::oldestActiveTxnStartLsn, () -> control.latestCheckpoint().redoLsn());
            opened.push(slots);

            Checkpointer checkpointer = new Checkpointer(dataDir, control, wal, storage,
                    Duration.ofMillis(config.getMillis("checkpoint_timeout")), storage::vacuum);
            checkpointer.setSegmentRemovalHook(slots::onCheckpoint);
            supervisor.registerDynamic(WorkerSpec.builder()
                    .type("checkpointer").name("checkpointer")
                    .factory(() -> checkpointer)
                    .startTime(StartTime.RECOVERY_FINISHED)
                    .restartInterval(Duration.ofSeconds(1))
                    .build());
            if (config.getBool("autovacuum")) {
                Autovacuum autovacuum = new Autovacuum(storage, Duration.ofMillis(config.getMillis("autovacuum_naptime")),
                        config.getInt("autovacuum_vacuum_threshold"));
                supervisor.registerDynamic(WorkerSpec.builder()
                        .type("autovacuum launcher").name("autovacuum launcher")
                        .factory(() -> autovacuum)
                        .startTime(StartTime.RECOVERY_FINISHED)
                        .restartInterval(Duration.ofSeconds(1))
                        .idlePark(Duration.ofMillis(100), Duration.ofSeconds(1))
                        .build());
            }
            supervisor.advanceTo(StartTime.RECOVERY_FINISHED);

            if (serve) {
                SystemTables.upgrade(storage);
            }
            ConnectionRegistry connections = new ConnectionRegistry();
            WalSenders walSenders = new WalSenders();
            ActivitySource activity = serve ? context -> connections.activities() : ActivitySource.CURRENT_SESSION_ONLY;
            SystemCatalog systemCatalog = new SystemCatalog(List::of, activity);
            Instant started = Instant.now();
            SubscriptionViews subscriptionViews = new SubscriptionViews();
            // origin progress is brought up to what recovery replayed, so that it survives a crash
            OriginRegistry origins = new OriginRegistry(storage);
            if (serve) {
                origins.noteRecovered(recovery.originProgress());
            }
            LrepSqlEngine engine = new LrepSqlEngine(storage, config,
                    List.of(systemCatalog, new WalStatsCatalog(wal.stats(), started), new ReplicationSlotsCatalog(slots), new PublicationViews(),
                            subscriptionViews, new ReplicationOriginCatalog(origins),
                            new ReplicationStatsCatalog(walSenders, slots, systemCatalog, activity, started)),
                    wal::insertLsn, () -> checkpointer.checkpointNow());
            opened.push(engine);
            ReplicationClient replicationClient = new ReplicationClient(1);
            opened.push(replicationClient);
            // cumulative statistics survive a clean restart, not a crash (as PostgreSQL's pg_stat/)
            SubscriptionStats subscriptionStats = serve ? SubscriptionStats.restore(statsDir(dd), recovery.crashRecovery()) : null;
            ApplyLauncher launcher = logicalReplicationLauncher(dd, config, storage, wal, supervisor, replicationClient, origins,
                    control.systemId(), subscriptionStats == null ? new SubscriptionStats() : subscriptionStats);
            opened.push(launcher);
            subscriptionViews.attach(launcher);
            engine.setSubscriptionHooks(new SubscriptionHooks(new ClientPublisherConnector(replicationClient), launcher.listener(),
                    control.systemId()));
            ProtocolServer server = null;
            int port = -1;
            if (serve && config.getInt("max_logical_replication_workers") > 0) {
                launcher.register();
            }
            if (serve) {
                ReplicationCommands replication = new ReplicationCommands(
                        new ReplicationCommands.Identity(control.systemId(), control.timeline()), wal, slots, storage,
                        engine.rowFilterCompiler(),
                        WalSender.Settings.of(config.getMillis("wal_sender_timeout"), config.getBytes("logical_decoding_work_mem")),
                        walSenders);
                server = new ProtocolServer(name, engine, new StorageRoleLookup(storage), HbaConfig.load(dataDir.resolve(HBA_FILE)),
                        ServerConfig.of(config), connections, replication);
                opened.push(server);
                port = server.start(listenHost(config.get("listen_addresses")), config.getInt("port"));
            }
            NodeMetrics metrics = null;
            HttpEndpoint http = null;
            int metricsPort = -1;
            if (serve) {
                metrics = new NodeMetrics(name, wal, supervisor, slots, walSenders, connections, launcher, storage);
                int asked = config.getInt("metrics_port");
                if (asked != 0) {
                    http = new HttpEndpoint(metrics);
                    opened.push(http);
                    metricsPort = http.start(name, listenHost(config.get("listen_addresses")), Math.max(asked, 0));
                }
            }

            LOG.info("database system is ready: WAL ends at {}, redo replayed {} transactions", Lsn.format(wal.insertLsn()),
                    recovery.transactionsReplayed());
            Node node = new Node(name, dd, config, control, wal, storage, recovery, checkpointer, supervisor, engine, server, port, slots,
                    replicationClient, launcher, subscriptionStats, metrics, http, metricsPort);
            dd.markReady(port);
            return node;
        } catch (RuntimeException e) {
            closeInOrder(e, opened.toArray(new AutoCloseable[0])); // newest first
            throw e;
        } finally {
            MDC.remove("node");
        }
    }

    /** The logical replication launcher and what its apply workers need. */
    private static ApplyLauncher logicalReplicationLauncher(DataDirectory dd, NodeConfig config, StorageEngine storage, Wal wal,
            Supervisor supervisor, ReplicationClient client, OriginRegistry origins, long systemId, SubscriptionStats stats) {
        ApplyWorker.Settings settings = new ApplyWorker.Settings(Duration.ofMillis(config.getMillis("wal_receiver_timeout")),
                Duration.ofMillis(config.getMillis("wal_receiver_status_interval")), config.getInt("max_sync_workers_per_subscription"),
                Duration.ofMillis(config.getMillis("wal_retrieve_retry_interval")));
        ApplyWorker.Context context = new ApplyWorker.Context(storage, origins, client, ColumnDefaults.BASIC,
                dd.root().resolve("pg_logical").resolve("streams"), wal::flushedLsn, systemId, settings, ApplyWorker.Callbacks.NONE);
        return new ApplyLauncher(supervisor, context, new ApplyLauncher.Settings(config.getInt("max_logical_replication_workers"),
                Duration.ofMillis(config.getMillis("wal_retrieve_retry_interval"))), stats);
    }

    /** Where the cumulative statistics are kept over a clean shutdown (PostgreSQL's pg_stat). */
    private static Path statsDir(DataDirectory dd) {
        return dd.root().resolve("pg_stat");
    }

    public String name() {
        return name;
    }

    public Path dataDir() {
        return dataDirectory.root();
    }

    public NodeConfig config() {
        return config;
    }

    public StorageEngine storage() {
        return storage;
    }

    public Wal wal() {
        return wal;
    }

    public Supervisor supervisor() {
        return supervisor;
    }

    public ControlFile controlFile() {
        return control;
    }

    /** Where clients reach the node, for the start-up line. */
    public String listenDescription() {
        return server == null ? "" : ", listening on " + config.get("listen_addresses") + " port " + port;
    }

    /** The port the protocol server listens on, or -1 when it serves none. */
    public int port() {
        return port;
    }

    /**
     * The port the HTTP metrics and status endpoint listens on, or -1 when it is off
     * ({@code metrics_port} 0); {@code metrics_port = -1} picks a free port, returned here.
     */
    public int metricsPort() {
        return metricsPort;
    }

    /** The node's meters, or null when the node serves nothing. */
    public NodeMetrics metrics() {
        return metrics;
    }

    /** The node's SQL engine. */
    public LrepSqlEngine sqlEngine() {
        return engine;
    }

    /** Re-reads {@code hba.conf} for connections from now on, as PostgreSQL's reload does. */
    public void reloadHba() {
        if (server != null) {
            server.reloadHba(HbaConfig.load(dataDirectory.root().resolve(HBA_FILE)));
        }
    }

    /** The address to bind: {@code *} means every IPv4 address; of a list, the first. */
    private static String listenHost(String listenAddresses) {
        String first = listenAddresses.split(",")[0].trim();
        return first.equals("*") || first.isEmpty() ? "0.0.0.0" : first;
    }

    /** The node's replication slots. */
    public SlotManager slots() {
        return slots;
    }

    /** The logical replication launcher (its apply workers' status and errors). */
    public ApplyLauncher launcher() {
        return launcher;
    }

    /** What start-up recovery did. */
    public Recovery.RecoveryResult recovery() {
        return recovery;
    }

    /** Runs a checkpoint now, as the CHECKPOINT command does. */
    public Checkpointer.Result checkpoint() {
        return checkpointer.checkpointNow();
    }

    /**
     * Clean shutdown: a shutdown checkpoint while the WAL writer still runs, then every worker
     * stops in reverse start order, then WAL and the data directory close. Idempotent; carries
     * on past failures and rethrows the first with the rest suppressed.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        MDC.put("node", name);
        LOG.info("Shutting down node {}", name);
        RuntimeException failure = stopServing(null);
        try {
            checkpointer.shutdownCheckpoint();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (subscriptionStats != null) {
            // after the launcher stopped every worker, so that no error is counted after the save
            failure = closeInOrder(failure, () -> subscriptionStats.save(statsDir(dataDirectory), config.getBool("fsync")));
        }
        failure = stopRest(failure, slots);
        LOG.info("Stopped node {}", name);
        MDC.remove("node");
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Stops the node as a crash would leave it, for tests and the demo: no shutdown checkpoint,
     * nothing flushed that the WAL writer had not flushed already, in-flight transactions are
     * simply abandoned, and replication slots keep only what they had saved. The next start runs
     * crash recovery.
     */
    public void halt() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.warn("Halting node {} without a shutdown checkpoint", name);
        slots.halt(); // as a crash: what the closing connections release is not saved any more
        RuntimeException failure = stopRest(stopServing(null), null);
        if (failure != null) {
            throw failure;
        }
    }

    /** Stops accepting clients and closes their sessions (open transactions roll back). */
    private RuntimeException stopServing(RuntimeException failure) {
        return closeInOrder(failure, http, launcher, server, engine, replicationClient);
    }

    /** Stops the workers, then saves the slots (if given), then WAL, then releases the data directory. */
    private RuntimeException stopRest(RuntimeException failure, SlotManager slotsToSave) {
        return closeInOrder(failure, supervisor, slotsToSave, wal, dataDirectory);
    }

    /** Closes each (skipping nulls), carrying on past failures: the first is returned, later ones suppressed on it. */
    private static RuntimeException closeInOrder(RuntimeException failure, AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException re ? re : new LrepException(SqlState.INTERNAL_ERROR, e.getMessage(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    @Override
    public String toString() {
        return "Node[" + name + " " + dataDirectory.root() + "]";
    }
}
