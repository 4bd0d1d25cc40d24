package io.lrep.subscriber.apply;

import io.lrep.apply.Applier;
import io.lrep.apply.ColumnDefaults;
import io.lrep.apply.OriginRegistry;
import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.PgOutputStreamDecoder;
import io.lrep.core.protocol.replication.PgTimestamp;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.XLogData;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.worker.BackgroundWorker;
import io.lrep.subscriber.client.ConnInfo;
import io.lrep.subscriber.client.ReplicationClient;
import io.lrep.subscriber.client.ReplicationConnection;
import io.lrep.subscriber.client.ReplicationStream;
import io.lrep.subscriber.subscription.Subscription;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import io.lrep.subscriber.subscription.SubscriptionRel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply worker of one subscription, as PostgreSQL 15's ApplyWorkerMain and
 * LogicalRepApplyLoop (reference §2.3, §6.5): it makes sure the origin {@code pg_<suboid>}
 * exists, connects to the publisher ({@code replication=database}, application_name = the
 * subscription's name), sends {@code IDENTIFY_SYSTEM} and
 * {@code START_REPLICATION SLOT "slot" LOGICAL <origin progress> (...)}, and feeds each
 * XLogData's pgoutput message to an {@link Applier}.
 *
 * <ul>
 *   <li><b>Tables.</b> Changes of a table apply only when it is READY in pg_subscription_rel, or
 *       SYNCDONE at or before the transaction's final LSN (should_apply_changes_for_rel); others
 *       are skipped. The states are re-read between transactions.
 *   <li><b>Feedback.</b> write = last received; flush = the newest remote end LSN whose local
 *       commit is flushed; apply = the newest remote end LSN committed locally. With no
 *       unflushed commits and no remote transaction open, flush and apply are last received.
 *       Sent when asked, after each drain when something changed, and at least every
 *       {@code wal_receiver_status_interval}.
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

    /** What the worker needs from its node. */
    public record Context(StorageEngine storage, OriginRegistry origins, ReplicationClient client, ColumnDefaults defaults,
            Path streamDir, LongSupplier localFlushLsn, Settings settings, Callbacks callbacks) {
    }

    /**
     * @param receiverTimeout {@code wal_receiver_timeout} (zero: never)
     * @param statusInterval  {@code wal_receiver_status_interval} (zero: only when asked or changed)
     */
    public record Settings(Duration receiverTimeout, Duration statusInterval) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(60), Duration.ofSeconds(10));
    }

    /** Told of the worker's errors, on its thread; must not block or throw. */
    public interface Callbacks {
        /** The worker of {@code subOid} failed with {@code error} (apply_error_count). */
        void onError(long subOid, Throwable error);

        Callbacks NONE = (subOid, error) -> { };
    }

    /** The roleName prefix; the subscription's oid follows. */
    public static final String ROLE = "logical replication worker";

    private final Context ctx;
    private final long subOid;
    private final ApplyWorkerStatus status;

    private Subscription sub;
    private Applier applier;
    private ReplicationConnection connection;
    private ReplicationStream stream;
    private PgOutputStreamDecoder decoder;
    private boolean finished;

    /** Local table oid per remote relation oid (0: no such local table). */
    private final Map<Integer, Integer> localOid = new HashMap<>();
    /** pg_subscription_rel states of this subscription, by local table oid. */
    private Map<Long, SubscriptionRel> rels = Map.of();
    private long remoteFinalLsn;

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

    public ApplyWorker(Context ctx, long subOid, ApplyWorkerStatus status) {
        this.ctx = ctx;
        this.subOid = subOid;
        this.status = status;
    }

    /** The origin name of a subscription's apply worker: {@code pg_<suboid>}. */
    public static String originName(long subOid) {
        return "pg_" + subOid;
    }

    @Override
    public String roleName() {
        return ROLE + " " + subOid;
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
            return step();
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
        LOG.info("logical replication apply worker for subscription {} has stopped", sub == null ? subOid : "\"" + sub.name() + "\"");
    }

    // ------------------------------------------------------------------ start

    private void start() {
        sub = readSubscription();
        if (sub == null || !sub.enabled() || sub.slotName() == null) {
            finished = true;
            return;
        }
        String origin = originName(subOid);
        if (ctx.origins().oid(origin) == 0) {
            ctx.origins().create(origin);
        }
        applier = new Applier(ctx.storage(), ctx.origins(), origin, ctx.streamDir().resolve(String.valueOf(subOid)), ctx.defaults());
        applier.setSynchronousCommit(synchronousCommit(sub.synchronousCommit()));
        applier.setSkipLsn(sub.skipLsn(), this::clearSkipLsn);
        reloadRels();

        ConnInfo info = ConnInfo.parse(sub.conninfo()).with("replication", "database")
                .withDefault("application_name", sub.name())
                .with("options", "-c datestyle=ISO -c intervalstyle=postgres -c extra_float_digits=3");
        connection = ctx.client().connect(info);
        connection.query("IDENTIFY_SYSTEM");
        int server = connection.serverVersion();
        int proto = server >= 150000 ? 3 : server >= 140000 ? 2 : 1;
        long startLsn = applier.remoteLsn();
        LOG.info("logical replication apply worker for subscription \"{}\" has started", sub.name());
        stream = connection.startReplication(startCommand(sub, startLsn, proto, server));
        decoder = new PgOutputStreamDecoder(proto);
        long now = System.nanoTime();
        lastReceiveNanos = now;
        lastSendNanos = now;
        lastRereadNanos = now;
        lastReceived = startLsn;
        lastAppliedCount = applier.transactionsApplied();
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
    public static String startCommand(Subscription sub, long startLsn, int protoVersion, int serverVersion) {
        StringBuilder sb = new StringBuilder("START_REPLICATION SLOT \"").append(sub.slotName().replace("\"", "\"\""))
                .append("\" LOGICAL ").append(Lsn.format(startLsn)).append(" (proto_version '").append(protoVersion).append('\'');
        if (sub.streaming() && serverVersion >= 140000) {
            sb.append(", streaming 'on'");
        }
        String names = sub.publications().stream().map(p -> "\"" + p.replace("\"", "\"\"") + "\"").collect(Collectors.joining(","));
        sb.append(", publication_names ").append(literal(names));
        if (sub.binary() && serverVersion >= 140000) {
            sb.append(", binary 'true'");
        }
        if (sub.origin() != null && !"any".equals(sub.origin())) {
            sb.append(", origin '").append(sub.origin()).append('\'');
        }
        return sb.append(')').toString();
    }

    private static String literal(String s) {
        String body = s.replace("'", "''");
        return body.contains("\\") ? "E'" + body.replace("\\", "\\\\") + "'" : "'" + body + "'";
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
            // a bounded drain, so that a stop request and the feedback are not starved by a busy publisher
            m = work < MAX_DRAIN ? stream.receive(Duration.ZERO) : null;
        }
        if (stream.serverEnded()) {
            stream.end(Duration.ofSeconds(10));
            LOG.info("publisher ended the replication stream of subscription \"{}\"", sub.name());
            finished = true;
            return DONE;
        }
        long now = System.nanoTime();
        if (work > 0) {
            lastReceiveNanos = now;
            pingSent = false;
        }
        sendFeedback(lastReceived, false, false);
        if (!applier.inRemoteTransaction() && !applier.inStreamBlock() && now - lastRereadNanos >= REREAD_NANOS) {
            lastRereadNanos = now;
            if (subscriptionChanged()) {
                finished = true;
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

    private void handle(ReplicationMessage m) {
        Instant receipt = Instant.now();
        if (m instanceof XLogData x) {
            lastReceived = maxLsn(lastReceived, maxLsn(x.walStart(), x.walEnd()));
            status.onMessage(lastReceived, PgTimestamp.toInstant(x.sendTimeMicros()), receipt, false);
            PgOutputMessage msg = decoder.decode(x.payload());
            apply(msg);
        } else if (m instanceof PrimaryKeepalive k) {
            lastReceived = maxLsn(lastReceived, k.walEnd());
            status.onMessage(lastReceived, PgTimestamp.toInstant(k.sendTimeMicros()), receipt, true);
            sendFeedback(lastReceived, k.replyRequested(), false);
        }
    }

    private void apply(PgOutputMessage msg) {
        if (msg instanceof PgOutputMessage.Begin b) {
            remoteFinalLsn = b.finalLsn();
        } else if (msg instanceof PgOutputMessage.Relation r) {
            localOid.put(r.relationOid(), resolveLocal(r.namespace(), r.name()));
            reloadRels(); // as logicalrep_rel_open: a table added by REFRESH PUBLICATION is known before its first change
        }
        PgOutputMessage filtered = filter(msg);
        if (filtered == null) {
            return;
        }
        applier.apply(filtered);
        if (applier.transactionsApplied() != lastAppliedCount) {
            lastAppliedCount = applier.transactionsApplied();
            lsnMapping.addLast(new long[] {applier.remoteLsn(), applier.lastLocalCommit()});
        }
    }

    /** The message without the changes of tables that are not ready (should_apply_changes_for_rel); null to drop it whole. */
    private PgOutputMessage filter(PgOutputMessage m) {
        if (m instanceof PgOutputMessage.Insert i) {
            return shouldApply(i.relationOid()) ? m : null;
        } else if (m instanceof PgOutputMessage.Update u) {
            return shouldApply(u.relationOid()) ? m : null;
        } else if (m instanceof PgOutputMessage.Delete d) {
            return shouldApply(d.relationOid()) ? m : null;
        } else if (m instanceof PgOutputMessage.Truncate t) {
            List<Integer> keep = new ArrayList<>();
            for (int oid : t.relationOids()) {
                if (shouldApply(oid)) {
                    keep.add(oid);
                }
            }
            if (keep.isEmpty()) {
                return null;
            }
            return keep.size() == t.relationOids().size() ? m : new PgOutputMessage.Truncate(t.xid(), t.options(), keep);
        }
        return m;
    }

    private boolean shouldApply(int remoteOid) {
        Integer local = localOid.get(remoteOid);
        if (local == null || local == 0) {
            return true; // unknown relation or no local table: the applier reports it as PostgreSQL does
        }
        SubscriptionRel rel = rels.get((long) local);
        if (rel == null) {
            return false;
        }
        return rel.state() == SubscriptionRel.READY
                || (rel.state() == SubscriptionRel.SYNCDONE && Long.compareUnsigned(rel.lsn(), remoteFinalLsn) <= 0);
    }

    private int resolveLocal(String namespace, String name) {
        try (Transaction t = ctx.storage().begin()) {
            TableDef def = t.findTable(namespace, name);
            return def == null ? 0 : def.oid();
        }
    }

    private void reloadRels() {
        try (Transaction t = ctx.storage().begin()) {
            Map<Long, SubscriptionRel> m = new HashMap<>();
            for (SubscriptionRel r : SubscriptionCatalog.rels(t, subOid)) {
                m.put(r.relOid(), r);
            }
            rels = m;
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
            applier.setSynchronousCommit(synchronousCommit(now.synchronousCommit()));
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
        ctx.callbacks().onError(subOid, e);
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
