package io.lrep.subscriber.apply;

import io.lrep.apply.Applier;
import io.lrep.apply.ColumnDefaults;
import io.lrep.apply.OriginRegistry;
import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.PgOutputStreamDecoder;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.XLogData;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.worker.BackgroundWorker;
import io.lrep.subscriber.client.ClientPublisherConnector;
import io.lrep.subscriber.client.ConnInfo;
import io.lrep.subscriber.client.ReplicationClient;
import io.lrep.subscriber.client.ReplicationConnection;
import io.lrep.subscriber.client.Quoting;
import io.lrep.subscriber.client.ReplicationStream;
import io.lrep.subscriber.client.ServerErrorException;
import io.lrep.subscriber.subscription.Subscription;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import io.lrep.subscriber.subscription.SubscriptionRel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply worker of one subscription, or one of its table-sync workers, as PostgreSQL 15's
 * ApplyWorkerMain, LogicalRepApplyLoop and tablesync.c (reference §2.3, §2.4, §6.5, §6.6).
 *
 * <p><b>Apply worker</b> ({@code relOid} 0): it makes sure the origin {@code pg_<suboid>}
 * exists, connects to the publisher ({@code replication=database}, application_name = the
 * subscription's name), sends {@code IDENTIFY_SYSTEM} and
 * {@code START_REPLICATION SLOT "slot" LOGICAL <origin progress> (...)}, and feeds each
 * XLogData's pgoutput message to an {@link Applier}.
 *
 * <p><b>Table-sync worker</b> (process_syncing_tables_for_sync, LogicalRepSyncTableStart): for
 * a table in state {@code i} or {@code d} (a restart first drops the leftover slot and origin)
 * it sets {@code d}, opens {@code BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ} on the
 * publisher, creates the slot {@code pg_<suboid>_sync_<relid>_<sysid>} with
 * {@code SNAPSHOT 'use'}, creates the origin {@code pg_<suboid>_<relid>} at the slot's
 * consistent point, copies the table ({@link TableCopy}) and commits the rows together with
 * state {@code f}. From {@code f} (also after a crash) it waits in SYNCWAIT until the apply
 * worker sets CATCHUP with a target LSN, streams its own slot from its origin's progress,
 * applying only its table, until it has reached the target, then commits {@code s} with that
 * LSN, drops its slot and exits.
 *
 * <ul>
 *   <li><b>Tables.</b> The apply worker applies a table's changes only when it is READY in
 *       pg_subscription_rel, or SYNCDONE at or before the transaction's final LSN
 *       (should_apply_changes_for_rel); others are skipped. The states are re-read between
 *       transactions. Between transactions (process_syncing_tables_for_apply) it starts a
 *       table-sync worker for each table that is not ready and has none (at most
 *       {@code max_sync_workers_per_subscription}, each table at most once per
 *       {@code wal_retrieve_retry_interval}), tells a worker in SYNCWAIT to catch up to
 *       {@code max(its LSN, the apply position)} and waits for it to finish, and turns a
 *       SYNCDONE table whose LSN it has reached into READY (dropping the sync origin).
 *   <li><b>Feedback.</b> write = last received; flush = the newest remote end LSN whose local
 *       commit is flushed; apply = the newest remote end LSN committed locally, or with
 *       {@code synchronous_commit} on, flushed (as a PostgreSQL worker that waits for each
 *       commit's flush reports it). With no unflushed commits and no remote transaction open,
 *       flush and apply are last received. Sent when asked, after each drain when something
 *       changed, and at least every {@code wal_receiver_status_interval}.
 *   <li><b>Commits.</b> The worker never waits for a local commit's flush: it goes on with the
 *       next remote transaction while the WAL writer flushes earlier commits together (group
 *       commit), so one worker is not held to one transaction per flush. Nothing it reports is
 *       lost by a crash (flush and, with {@code synchronous_commit}, apply count flushed
 *       commits only), and local readers see a commit only once it is flushed.
 *   <li><b>Timeout.</b> Nothing received for half of {@code wal_receiver_timeout}: a status
 *       update asking for a reply; for all of it: the worker fails.
 *   <li><b>Exit.</b> When the subscription is dropped or disabled, or an option the stream was
 *       started with changes, the worker finishes ({@link #DONE}) and the launcher starts a new
 *       one as needed. Any error is thrown (the supervisor logs it once), counted in
 *       {@link Callbacks#onError}, and with {@code disable_on_error} the subscription is disabled.
 * </ul>
 *
 * <p>All methods run on the worker's thread.
 */
public final class ApplyWorker implements BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(ApplyWorker.class);
    /** One receive waits at most this long, so that a stop request is seen promptly. */
    private static final Duration RECEIVE_WAIT = Duration.ofMillis(50);
    /** At most this many messages per step. */
    private static final int MAX_DRAIN = 1000;
    /** How often the subscription and its table states are re-read between transactions. */
    private static final long REREAD_NANOS = Duration.ofMillis(500).toNanos();

    /**
     * What the worker needs from its node.
     *
     * @param systemIdentifier this node's system identifier (in table-sync slot names)
     */
    public record Context(StorageEngine storage, OriginRegistry origins, ReplicationClient client, ColumnDefaults defaults,
            Path streamDir, LongSupplier localFlushLsn, long systemIdentifier, Settings settings, Callbacks callbacks) {
    }

    /**
     * @param receiverTimeout {@code wal_receiver_timeout} (zero: never)
     * @param statusInterval  {@code wal_receiver_status_interval} (zero: only when asked or changed)
     * @param maxSyncWorkers  {@code max_sync_workers_per_subscription}
     * @param retryInterval   {@code wal_retrieve_retry_interval}: how often a table's sync worker may be started
     */
    public record Settings(Duration receiverTimeout, Duration statusInterval, int maxSyncWorkers, Duration retryInterval) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(60), Duration.ofSeconds(10), 2, Duration.ofSeconds(5));
    }

    /** Told of the worker's errors, on its thread; must not block or throw. */
    public interface Callbacks {
        /**
         * The worker of {@code subOid} failed with {@code error}: apply_error_count, or
         * sync_error_count when {@code tableSync}.
         */
        void onError(long subOid, boolean tableSync, Throwable error);

        Callbacks NONE = (subOid, tableSync, error) -> { };
    }

    /** The table-sync workers of the node, as the apply worker sees them (the launcher's registry). */
    public interface SyncWorkers {
        /** The state of the running sync worker of the table, or null. */
        SyncWorkerState find(long subOid, long relOid);

        /** How many sync workers of the subscription run. */
        int count(long subOid);

        /** Starts a table-sync worker (logicalrep_worker_launch); false when no worker slot is free. */
        boolean start(long subOid, String subName, long relOid);

        /**
         * A number that changes when a change of the subscription commits (ALTER SUBSCRIPTION,
         * REFRESH PUBLICATION): the apply worker re-reads its tables' states when it does, as
         * PostgreSQL's catalog invalidations make it. Taken once; reading it is a volatile read.
         */
        LongSupplier changes(long subOid);

        SyncWorkers NONE = new SyncWorkers() {
            @Override
            public SyncWorkerState find(long subOid, long relOid) {
                return null;
            }

            @Override
            public int count(long subOid) {
                return 0;
            }

            @Override
            public boolean start(long subOid, String subName, long relOid) {
                return false;
            }

            @Override
            public LongSupplier changes(long subOid) {
                return () -> 0;
            }
        };
    }

    /** The roleName prefix; the subscription's oid follows. */
    public static final String ROLE = "logical replication worker";
    /** How long one wait of the apply worker for a catching-up sync worker lasts before it looks again. */
    private static final Duration CATCHUP_POLL = Duration.ofSeconds(1);

    private final Context ctx;
    private final long subOid;
    /** The table of a table-sync worker; 0 for the apply worker. */
    private final long relOid;
    private final ApplyWorkerStatus status;
    /** A table-sync worker's shared state (null for the apply worker). */
    private final SyncWorkerState sync;
    private final SyncWorkers syncWorkers;

    private Subscription sub;
    private Applier applier;
    private ReplicationConnection connection;
    private ReplicationStream stream;
    private PgOutputStreamDecoder decoder;
    private boolean finished;
    /** synchronous_commit is not off: a transaction counts as applied in the feedback only once its local commit is flushed. */
    private boolean durableApply;

    /** Local table oid per remote Relation message (0: no such local table), valid for {@link #localOidsVersion}. */
    private final Map<PgOutputMessage.Relation, Integer> localOids = new IdentityHashMap<>();
    private long localOidsVersion = -1;
    /** pg_subscription_rel states of this subscription, by local table oid. */
    private Map<Long, SubscriptionRel> rels = Map.of();
    /** The subscription's change count ({@link SyncWorkers#changes}), and its value when {@link #rels} was last read. */
    private LongSupplier changes = () -> 0;
    private long seenChanges;
    /** Whether every table in {@link #rels} is READY (nothing for process_syncing_tables to do). */
    private boolean allReady;
    /** Apply worker: System.nanoTime of each table's last sync worker start. */
    private final Map<Long, Long> syncStarts = new HashMap<>();
    /** Table-sync worker: where its stream starts (the copy's consistent point or the origin's progress). */
    private long syncStartLsn;
    private String syncSlot;
    private int protoVersion;

    /** (remote end LSN, local commit LSN) of applied transactions not known to be flushed: lsn_mapping. */
    private final Deque<long[]> lsnMapping = new ArrayDeque<>();
    private long lastReceived;
    private long lastWritePos;
    private long lastFlushPos;
    private long lastRecvPos;
    private long lastSendNanos;
    private long lastReceiveNanos;
    private boolean pingSent;
    private long lastRereadNanos;
    private long lastAppliedCount;

    /** The apply worker of subscription {@code subOid}. */
    public ApplyWorker(Context ctx, long subOid, ApplyWorkerStatus status, SyncWorkers syncWorkers) {
        this(ctx, subOid, 0, status, null, syncWorkers);
    }

    /** The table-sync worker of table {@code sync.relOid()} of subscription {@code sync.subOid()}. */
    public ApplyWorker(Context ctx, SyncWorkerState sync, ApplyWorkerStatus status) {
        this(ctx, sync.subOid(), sync.relOid(), status, sync, SyncWorkers.NONE);
    }

    private ApplyWorker(Context ctx, long subOid, long relOid, ApplyWorkerStatus status, SyncWorkerState sync, SyncWorkers syncWorkers) {
        this.ctx = ctx;
        this.subOid = subOid;
        this.relOid = relOid;
        this.status = status;
        this.sync = sync;
        this.syncWorkers = syncWorkers;
    }

    /** The origin name of a subscription's apply worker: {@code pg_<suboid>}. */
    public static String originName(long subOid) {
        return "pg_" + subOid;
    }

    /** The origin name of a table-sync worker: {@code pg_<suboid>_<relid>} (ReplicationOriginNameForTablesync). */
    public static String syncOriginName(long subOid, long relOid) {
        return "pg_" + subOid + "_" + relOid;
    }

    @Override
    public String roleName() {
        return relOid == 0 ? ROLE + " " + subOid : ROLE + " " + subOid + " sync " + relOid;
    }

    private boolean tableSync() {
        return relOid != 0;
    }

    @Override
    public void onStart() {
        try {
            start();
        } catch (RuntimeException e) {
            onFailure(e);
            throw e;
        }
    }

    @Override
    public int doWork() {
        if (finished) {
            return DONE;
        }
        try {
            return tableSync() && stream == null ? awaitCatchup() : step();
        } catch (RuntimeException e) {
            onFailure(e);
            throw e;
        }
    }

    @Override
    public void onClose() {
        if (applier != null) {
            applier.close();
        }
        if (connection != null) {
            connection.close();
        }
        if (sync != null) {
            sync.markExited();
        } else {
            LOG.info("logical replication apply worker for subscription {} has stopped", sub == null ? subOid : "\"" + sub.name() + "\"");
        }
    }

    // ------------------------------------------------------------------ start

    private void start() {
        sub = readSubscription();
        if (sub == null || !sub.enabled() || sub.slotName() == null) {
            finished = true;
            return;
        }
        if (tableSync()) {
            startTableSync();
            return;
        }
        String origin = originName(subOid);
        if (ctx.origins().oid(origin) == 0) {
            ctx.origins().create(origin);
        }
        applier = newApplier(origin, String.valueOf(subOid));
        applier.setSkipLsn(sub.skipLsn(), this::clearSkipLsn);
        changes = syncWorkers.changes(subOid);
        seenChanges = changes.getAsLong();
        reloadRels();
        connection = connect(sub.name());
        connection.query("IDENTIFY_SYSTEM");
        LOG.info("logical replication apply worker for subscription \"{}\" has started", sub.name());
        startStreaming(sub.slotName(), applier.remoteLsn());
    }

    private Applier newApplier(String origin, String spoolName) {
        Applier a = new Applier(ctx.storage(), ctx.origins(), origin, ctx.streamDir().resolve(spoolName), ctx.defaults());
        // the worker never waits for a commit's flush; synchronous_commit decides what the feedback reports as applied
        a.setSynchronousCommit(false);
        durableApply = synchronousCommit(sub.synchronousCommit());
        a.setChangeFilter(this::shouldApply);
        status.attach(a);
        return a;
    }

    /** A replication connection to the publisher, with {@code appName} as the fallback application_name. */
    private ReplicationConnection connect(String appName) {
        ConnInfo info = ConnInfo.parse(sub.conninfo()).with("replication", "database")
                .withDefault("application_name", appName)
                .with("options", "-c datestyle=ISO -c intervalstyle=postgres -c extra_float_digits=3");
        ReplicationConnection c = ctx.client().connect(info);
        try (Transaction t = ctx.storage().begin()) { // password_required (PostgreSQL 16): a non-superuser owner needs one
            ClientPublisherConnector.checkPasswordUsed(c, SubscriptionCatalog.mustUsePassword(t, sub));
        }
        int server = c.serverVersion();
        protoVersion = server >= 150000 ? 3 : server >= 140000 ? 2 : 1;
        return c;
    }

    private void startStreaming(String slotName, long startLsn) {
        stream = connection.startReplication(startCommand(sub, slotName, startLsn, protoVersion, connection.serverVersion()));
        decoder = new PgOutputStreamDecoder(protoVersion);
        long now = System.nanoTime();
        lastReceiveNanos = now;
        lastSendNanos = now;
        lastRereadNanos = now;
        lastReceived = startLsn;
        lastAppliedCount = applier.transactionsApplied();
    }

    // ------------------------------------------------------------------ table sync

    /** LogicalRepSyncTableStart: the copy (unless done before), then SYNCWAIT. */
    private void startTableSync() {
        SubscriptionRel rel;
        TableDef table;
        try (Transaction t = ctx.storage().begin()) {
            rel = SubscriptionCatalog.rel(t, subOid, relOid).orElse(null);
            table = t.table((int) relOid);
        }
        if (rel == null || !rel.syncing() || table == null) {
            finished = true; // the table left the subscription, or its sync is done
            return;
        }
        String origin = syncOriginName(subOid, relOid);
        syncSlot = SubscriptionCatalog.syncSlotName(subOid, relOid, ctx.systemIdentifier());
        connection = connect(syncSlot);
        if (rel.state() == SubscriptionRel.FINISHEDCOPY) {
            applier = newApplier(origin, subOid + "_" + relOid);
            syncStartLsn = applier.remoteLsn();
        } else {
            copyTable(rel, table, origin);
        }
        sync.set(SyncWorkerState.SYNCWAIT, syncStartLsn);
    }

    private void copyTable(SubscriptionRel rel, TableDef table, String origin) {
        if (rel.state() == SubscriptionRel.DATASYNC) {
            // a copy that did not commit: its slot and origin go, and it starts again
            dropSlot(syncSlot, true);
            try (Transaction t = ctx.storage().begin()) {
                OriginRegistry.dropIfExists(t, origin);
                t.commit();
            }
        }
        setRelState(SubscriptionRel.DATASYNC, 0);
        sync.set(SubscriptionRel.DATASYNC, 0);
        LOG.info("logical replication table synchronization worker for subscription \"{}\", table \"{}\" has started",
                sub.name(), table.name());
        connection.query("BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ");
        String create = "CREATE_REPLICATION_SLOT " + Quoting.identifier(syncSlot) + " LOGICAL pgoutput"
                + (connection.serverVersion() >= 150000 ? " (" + (sub.failover() ? "FAILOVER, " : "") + "SNAPSHOT 'use')" : " USE_SNAPSHOT");
        syncStartLsn = Lsn.parseLong(connection.query(create).value(0, 1));
        ctx.origins().create(origin);
        ctx.origins().advance(origin, syncStartLsn);
        applier = newApplier(origin, subOid + "_" + relOid);

        TableCopy.RemoteTable remote = TableCopy.fetch(connection, table.schemaName(), table.name(), sub.publications());
        applier.apply(remote.relation());
        long rows;
        try (Transaction t = ctx.storage().begin()) {
            t.setSynchronousCommit(true);
            rows = TableCopy.copy(connection, remote, applier, t, sync::cancelled);
            connection.query("COMMIT");
            SubscriptionCatalog.setRelState(t, subOid, relOid, SubscriptionRel.FINISHEDCOPY, syncStartLsn);
            t.commit();
        }
        sync.set(SubscriptionRel.FINISHEDCOPY, syncStartLsn);
        LOG.info("logical replication table synchronization worker for subscription \"{}\", table \"{}\" copied {} rows at {}",
                sub.name(), table.name(), rows, Lsn.format(syncStartLsn));
    }

    /** A table-sync worker's step before it streams: waits (briefly) for CATCHUP. */
    private int awaitCatchup() {
        char state = sync.awaitChange(SyncWorkerState.SYNCWAIT, RECEIVE_WAIT);
        if (state != SyncWorkerState.CATCHUP) {
            long now = System.nanoTime();
            if (now - lastRereadNanos >= REREAD_NANOS) {
                lastRereadNanos = now;
                Subscription s = readSubscription();
                if (s == null || !s.enabled()) {
                    finished = true;
                    return DONE;
                }
            }
            return 0;
        }
        if (Long.compareUnsigned(sync.lsn(), syncStartLsn) <= 0) {
            finishTableSync(syncStartLsn); // the apply worker is not past the copy: nothing to catch up
            return DONE;
        }
        startStreaming(syncSlot, syncStartLsn);
        return 1;
    }

    /**
     * process_syncing_tables_for_sync: once the sync worker's position reaches the CATCHUP
     * target, SYNCDONE is committed with that position, the stream ends and the slot is dropped.
     */
    private void syncReached(long currentLsn) {
        if (sync.state() == SyncWorkerState.CATCHUP && Long.compareUnsigned(currentLsn, sync.lsn()) >= 0) {
            finishTableSync(currentLsn);
        }
    }

    private void finishTableSync(long lsn) {
        setRelState(SubscriptionRel.SYNCDONE, lsn);
        sync.set(SubscriptionRel.SYNCDONE, lsn);
        if (stream != null) {
            stream.end(Duration.ofSeconds(10));
        }
        dropSlot(syncSlot, false);
        finished = true;
        LOG.info("logical replication table synchronization worker for subscription \"{}\", table {} has finished at {}",
                sub.name(), relOid, Lsn.format(lsn));
    }

    /** Sets this table's state in pg_subscription_rel, committed and flushed. */
    private void setRelState(char state, long lsn) {
        try (Transaction t = ctx.storage().begin()) {
            t.setSynchronousCommit(true);
            SubscriptionCatalog.setRelState(t, subOid, relOid, state, lsn);
            t.commit();
        }
    }

    /** DROP_REPLICATION_SLOT slot WAIT on the publisher; a missing slot is fine when {@code missingOk}. */
    private void dropSlot(String slot, boolean missingOk) {
        try {
            connection.query("DROP_REPLICATION_SLOT " + Quoting.identifier(slot) + " WAIT");
        } catch (ServerErrorException e) {
            if (!(missingOk && e.sqlStateCode().equals(SqlState.UNDEFINED_OBJECT.code()))) {
                throw e;
            }
        }
    }

    /**
     * process_syncing_tables_for_apply, between remote transactions: starts sync workers,
     * lets a waiting one catch up to {@code currentLsn} (and waits for it), and makes SYNCDONE
     * tables READY once {@code currentLsn} has reached their LSN.
     */
    private void processSyncingTables(long currentLsn) {
        if (allReady) {
            return;
        }
        boolean changed = false;
        for (SubscriptionRel rel : rels.values()) {
            if (rel.state() == SubscriptionRel.READY) {
                continue;
            }
            if (rel.state() == SubscriptionRel.SYNCDONE) {
                if (Long.compareUnsigned(rel.lsn(), currentLsn) <= 0) {
                    try (Transaction t = ctx.storage().begin()) {
                        OriginRegistry.dropIfExists(t, syncOriginName(subOid, rel.relOid()));
                        SubscriptionCatalog.setRelState(t, subOid, rel.relOid(), SubscriptionRel.READY, currentLsn);
                        t.commit();
                    }
                    changed = true;
                }
                continue;
            }
            SyncWorkerState worker = syncWorkers.find(subOid, rel.relOid());
            if (worker != null && !worker.exited()) {
                if (worker.state() == SyncWorkerState.SYNCWAIT) {
                    long target = Long.compareUnsigned(worker.lsn(), currentLsn) >= 0 ? worker.lsn() : currentLsn;
                    worker.set(SyncWorkerState.CATCHUP, target);
                    // wait_for_relation_state_change: this worker must not move past the hand-off until the sync is done
                    while (worker.awaitChange(SyncWorkerState.CATCHUP, CATCHUP_POLL) == SyncWorkerState.CATCHUP && !worker.exited()) {
                        LOG.debug("waiting for the table synchronization of table {} to catch up to {}", rel.relOid(), Lsn.format(target));
                    }
                    changed = true;
                }
                continue;
            }
            long now = System.nanoTime();
            Long last = syncStarts.get(rel.relOid());
            if (syncWorkers.count(subOid) < ctx.settings().maxSyncWorkers()
                    && (last == null || now - last >= ctx.settings().retryInterval().toNanos())
                    && syncWorkers.start(subOid, sub.name(), rel.relOid())) {
                syncStarts.put(rel.relOid(), now);
            }
        }
        if (changed) {
            reloadRels();
        }
    }

    /**
     * The START_REPLICATION command a PostgreSQL 15 apply worker sends (reference §6.5), plus
     * PostgreSQL 16's {@code origin} option when the subscription's origin is not {@code any}.
     *
     * <p>{@code origin} is sent exactly when it filters ({@code origin = none}), whatever the
     * publisher's version: lrep publishers report server_version 15.x yet know the option, and
     * there is no reliable way to tell them from PostgreSQL 15 by version. A publisher that does
     * not know it (PostgreSQL before 16) then refuses START_REPLICATION ({@code unrecognized
     * pgoutput option}), so a subscription asking not to receive replicated changes never
     * silently receives them. With the default {@code origin = any} it is never sent, so any
     * publisher accepts the command.
     */
    public static String startCommand(Subscription sub, String slotName, long startLsn, int protoVersion, int serverVersion) {
        StringBuilder sb = new StringBuilder("START_REPLICATION SLOT \"").append(slotName.replace("\"", "\"\""))
                .append("\" LOGICAL ").append(Lsn.format(startLsn)).append(" (proto_version '").append(protoVersion).append('\'');
        if (sub.streaming() && serverVersion >= 140000) {
            sb.append(", streaming 'on'");
        }
        String names = sub.publications().stream().map(p -> "\"" + p.replace("\"", "\"\"") + "\"").collect(Collectors.joining(","));
        sb.append(", publication_names ").append(Quoting.literal(names));
        if (sub.binary() && serverVersion >= 140000) {
            sb.append(", binary 'true'");
        }
        if (sub.origin() != null && !"any".equals(sub.origin())) {
            sb.append(", origin '").append(sub.origin()).append('\'');
        }
        return sb.append(')').toString();
    }

    /** synchronous_commit "off" (or a false boolean) is off; every other level waits for the local flush. */
    static boolean synchronousCommit(String value) {
        if (value == null) {
            return false;
        }
        String v = value.toLowerCase(Locale.ROOT);
        return !(v.equals("off") || v.equals("false") || v.equals("no") || v.equals("0"));
    }

    // ------------------------------------------------------------------ main loop

    private int step() {
        int work = 0;
        ReplicationMessage m = stream.receive(RECEIVE_WAIT);
        while (m != null) {
            work++;
            handle(m);
            if (finished) {
                return DONE; // a table-sync worker reached its target
            }
            // a bounded drain, so that a stop request and the feedback are not starved by a busy publisher
            m = work < MAX_DRAIN ? stream.receive(Duration.ZERO) : null;
        }
        if (stream.serverEnded()) {
            stream.end(Duration.ofSeconds(10));
            LOG.info("data stream from publisher has ended");
            finished = true;
            return DONE;
        }
        long now = System.nanoTime();
        if (work > 0) {
            lastReceiveNanos = now;
            pingSent = false;
        }
        sendFeedback(lastReceived, false, false);
        if (!applier.inRemoteTransaction() && !applier.inStreamBlock()) {
            if (now - lastRereadNanos >= REREAD_NANOS) {
                lastRereadNanos = now;
                if (subscriptionChanged()) {
                    finished = true;
                    return DONE;
                }
            }
            processSyncing(lastReceived);
            if (finished) {
                return DONE;
            }
        }
        long timeoutNanos = ctx.settings().receiverTimeout().toNanos();
        if (work == 0 && timeoutNanos > 0) {
            long silent = now - lastReceiveNanos;
            if (silent >= timeoutNanos) {
                throw new LrepException(SqlState.CONNECTION_FAILURE, "terminating logical replication worker due to timeout");
            }
            if (!pingSent && silent >= timeoutNanos / 2) {
                sendFeedback(lastReceived, true, true);
                pingSent = true;
            }
        }
        return Math.max(work, 1);
    }

    /** process_syncing_tables: the sync worker's or the apply worker's part. */
    private void processSyncing(long currentLsn) {
        if (tableSync()) {
            syncReached(currentLsn);
        } else {
            processSyncingTables(currentLsn);
        }
    }

    private void handle(ReplicationMessage m) {
        long receipt = System.currentTimeMillis();
        if (m instanceof XLogData x) {
            lastReceived = maxLsn(lastReceived, maxLsn(x.walStart(), x.walEnd()));
            status.onMessage(lastReceived, x.sendTimeMicros(), receipt, false);
            apply(decoder.decode(x.payload()));
        } else if (m instanceof PrimaryKeepalive k) {
            lastReceived = maxLsn(lastReceived, k.walEnd());
            status.onMessage(lastReceived, k.sendTimeMicros(), receipt, true);
            sendFeedback(lastReceived, k.replyRequested(), false);
        }
    }

    private void apply(PgOutputMessage msg) {
        applier.apply(msg);
        if (applier.transactionsApplied() != lastAppliedCount) {
            lastAppliedCount = applier.transactionsApplied();
            lsnMapping.addLast(new long[] {applier.remoteLsn(), applier.lastLocalCommit()});
            processSyncing(applier.remoteLsn());
        }
    }

    /**
     * should_apply_changes_for_rel: a table-sync worker applies only its table; the apply
     * worker a READY table, or a SYNCDONE one whose LSN the transaction has reached.
     */
    private boolean shouldApply(PgOutputMessage.Relation remote, long finalLsn) {
        int local = localOid(remote);
        if (tableSync()) {
            return local == relOid;
        }
        if (local == 0) {
            return true; // no local table: the applier reports it as PostgreSQL does
        }
        long now = changes.getAsLong();
        if (now != seenChanges) {
            seenChanges = now;
            reloadRels();
        }
        SubscriptionRel rel = rels.get((long) local);
        if (rel == null) {
            return false;
        }
        return rel.state() == SubscriptionRel.READY
                || (rel.state() == SubscriptionRel.SYNCDONE && Long.compareUnsigned(rel.lsn(), finalLsn) <= 0);
    }

    /** The oid of the local table of the same name as {@code remote} (0: none), cached until the catalog changes. */
    private int localOid(PgOutputMessage.Relation remote) {
        long version = ctx.storage().catalogVersion();
        if (version != localOidsVersion || localOids.size() > 1000) {
            localOids.clear();
            localOidsVersion = version;
        }
        Integer oid = localOids.get(remote); // by identity: the applier keeps one Relation per remote relation
        if (oid == null) {
            try (Transaction t = ctx.storage().begin()) {
                TableDef def = t.findTable(remote.namespace(), remote.name());
                oid = def == null ? 0 : def.oid();
            }
            localOids.put(remote, oid);
        }
        return oid;
    }

    private void reloadRels() {
        try (Transaction t = ctx.storage().begin()) {
            Map<Long, SubscriptionRel> m = new HashMap<>();
            boolean ready = true;
            for (SubscriptionRel r : SubscriptionCatalog.rels(t, subOid)) {
                m.put(r.relOid(), r);
                ready &= r.state() == SubscriptionRel.READY;
            }
            rels = m;
            allReady = ready;
        }
    }

    private Subscription readSubscription() {
        try (Transaction t = ctx.storage().begin()) {
            return SubscriptionCatalog.find(t, subOid).orElse(null);
        }
    }

    /** maybe_reread_subscription: true when the worker must exit (dropped, disabled, or a stream option changed). */
    private boolean subscriptionChanged() {
        Subscription now = readSubscription();
        if (now == null) {
            LOG.info("logical replication apply worker for subscription \"{}\" will stop because the subscription was removed", sub.name());
            return true;
        }
        if (!now.enabled()) {
            LOG.info("logical replication apply worker for subscription \"{}\" will stop because the subscription was disabled", sub.name());
            return true;
        }
        if (!now.conninfo().equals(sub.conninfo()) || !now.name().equals(sub.name()) || !java.util.Objects.equals(now.slotName(), sub.slotName())
                || now.binary() != sub.binary() || now.streaming() != sub.streaming() || !now.publications().equals(sub.publications())
                || !java.util.Objects.equals(now.origin(), sub.origin())) {
            LOG.info("logical replication apply worker for subscription \"{}\" will restart because of a parameter change", sub.name());
            return true;
        }
        if (!java.util.Objects.equals(now.synchronousCommit(), sub.synchronousCommit())) {
            durableApply = synchronousCommit(now.synchronousCommit());
        }
        if (now.skipLsn() != applier.skipLsn()) {
            applier.setSkipLsn(now.skipLsn(), this::clearSkipLsn);
        }
        sub = now;
        reloadRels();
        return false;
    }

    /**
     * clear_subscription_skip_lsn: in the local transaction that records the progress of the
     * transaction finishing at {@code finishLsn}, sets subskiplsn back to 0/0 if it is still
     * {@code skipLsn}; warns when the transaction was not the one to skip.
     */
    private void clearSkipLsn(Transaction t, long skipLsn, long finishLsn) {
        SubscriptionCatalog.find(t, subOid).ifPresent(cur -> {
            if (cur.skipLsn() == skipLsn) {
                SubscriptionCatalog.update(t, cur.withSkipLsn(0));
            }
        });
        if (skipLsn != finishLsn) {
            LOG.warn("skip-LSN of subscription \"{}\" cleared: remote transaction's finish WAL location (LSN) {} did not match skip-LSN {}",
                    sub.name(), Lsn.format(finishLsn), Lsn.format(skipLsn));
        }
    }

    // ------------------------------------------------------------------ feedback

    /** send_feedback of PostgreSQL 15's worker.c, with flush limited to what is durable here. */
    private void sendFeedback(long recvPos, boolean force, boolean requestReply) {
        long localFlush = ctx.localFlushLsn().getAsLong();
        long write = 0;
        long flush = 0;
        boolean pending = false;
        while (!lsnMapping.isEmpty()) {
            long[] pos = lsnMapping.peekFirst();
            write = pos[0];
            if (Long.compareUnsigned(pos[1], localFlush) <= 0) {
                flush = pos[0];
                lsnMapping.pollFirst();
            } else {
                write = lsnMapping.peekLast()[0];
                pending = true;
                break;
            }
        }
        if (!pending && !applier.inRemoteTransaction() && !applier.inStreamBlock()) {
            // nothing applied waits for a flush and no transaction is half received: all received is done
            flush = recvPos;
            write = recvPos;
        }
        if (durableApply) {
            write = flush; // synchronous_commit: applied means durable here
        }
        write = maxLsn(write, lastWritePos);
        flush = maxLsn(flush, lastFlushPos);
        long now = System.nanoTime();
        if (!force && recvPos == lastRecvPos && write == lastWritePos && flush == lastFlushPos
                && now - lastSendNanos < ctx.settings().statusInterval().toNanos()) {
            return;
        }
        if (!force && ctx.settings().statusInterval().isZero() && recvPos == lastRecvPos && write == lastWritePos && flush == lastFlushPos) {
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("=> StandbyStatus(write={}, flush={}, apply={})", Lsn.format(recvPos), Lsn.format(flush), Lsn.format(write));
        }
        stream.sendStatus(recvPos, flush, write, requestReply);
        lastSendNanos = now;
        lastRecvPos = recvPos;
        lastWritePos = write;
        lastFlushPos = flush;
    }

    private static long maxLsn(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    // ------------------------------------------------------------------ errors

    /** Counts the error and, with disable_on_error, disables the subscription; the caller rethrows (the supervisor logs it). */
    private void onFailure(RuntimeException e) {
        if (applier != null) {
            try {
                applier.reset();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
        if (sync != null && sync.cancelled()) {
            return; // stopped on request (DROP, DISABLE, REFRESH), not an error of the subscription
        }
        ctx.callbacks().onError(subOid, tableSync(), e);
        Subscription s = sub;
        if (s != null && s.disableOnError()) {
            try (Transaction t = ctx.storage().begin()) {
                SubscriptionCatalog.find(t, subOid).ifPresent(cur -> SubscriptionCatalog.update(t, cur.withEnabled(false)));
                t.commit();
                LOG.info("subscription \"{}\" has been disabled because of an error", s.name());
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
    }
}
