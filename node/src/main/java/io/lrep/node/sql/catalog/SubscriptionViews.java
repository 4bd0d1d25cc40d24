package io.lrep.node.sql.catalog;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import io.lrep.subscriber.launcher.ApplyLauncher;
import io.lrep.subscriber.launcher.SubscriptionStats;
import io.lrep.subscriber.subscription.Subscription;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The subscription statistics views of PostgreSQL 15 over {@link SubscriptionCatalog} (the
 * catalogs pg_subscription and pg_subscription_rel themselves are storage tables, queried
 * directly):
 * <ul>
 * <li>{@code pg_stat_subscription (subid, subname, pid, relid, received_lsn, last_msg_send_time,
 *     last_msg_receipt_time, latest_end_lsn, latest_end_time)}: as PostgreSQL's view is
 *     pg_subscription LEFT JOIN the running workers, a subscription without workers shows one
 *     row whose worker columns are NULL; so, until workers report here, does every subscription;
 * <li>{@code pg_stat_subscription_stats (subid, subname, apply_error_count, sync_error_count,
 *     stats_reset)}: one row per subscription, from the launcher's {@link SubscriptionStats}
 *     (zeros and a NULL stats_reset until a worker counts an error);
 * </ul>
 * and the function {@code pg_stat_reset_subscription_stats(oid) returns void}: resets one
 * subscription's statistics, or with NULL every subscription's (22023 for oid 0; an oid without
 * statistics is ignored).
 */
public final class SubscriptionViews implements CatalogExtension {

    private static final List<ColumnInfo> STAT_COLUMNS = List.of(
            ColumnInfo.of("subid", PgType.OID),
            ColumnInfo.of("subname", PgType.NAME),
            ColumnInfo.of("pid", PgType.INT4),
            ColumnInfo.of("relid", PgType.OID),
            ColumnInfo.of("received_lsn", PgType.PG_LSN),
            ColumnInfo.of("last_msg_send_time", PgType.TIMESTAMPTZ),
            ColumnInfo.of("last_msg_receipt_time", PgType.TIMESTAMPTZ),
            ColumnInfo.of("latest_end_lsn", PgType.PG_LSN),
            ColumnInfo.of("latest_end_time", PgType.TIMESTAMPTZ));

    private static final List<ColumnInfo> STATS_COLUMNS = List.of(
            ColumnInfo.of("subid", PgType.OID),
            ColumnInfo.of("subname", PgType.NAME),
            ColumnInfo.of("apply_error_count", PgType.INT8),
            ColumnInfo.of("sync_error_count", PgType.INT8),
            ColumnInfo.of("stats_reset", PgType.TIMESTAMPTZ));

    private final List<SystemView> views = List.of(
            SystemView.of("pg_stat_subscription", PG_STAT_SUBSCRIPTION_OID, STAT_COLUMNS, context -> statRows(context.transaction())),
            SystemView.of("pg_stat_subscription_stats", PG_STAT_SUBSCRIPTION_STATS_OID, STATS_COLUMNS,
                    context -> statsRows(context.transaction())));

    /** The node's launcher, whose apply workers fill the worker columns and apply_error_count; null until attached. */
    private volatile ApplyLauncher launcher;

    /** Shows the live data of {@code value}'s apply workers. */
    public void attach(ApplyLauncher value) {
        this.launcher = value;
    }

    /** PostgreSQL 15's oids of the two views. */
    static final int PG_STAT_SUBSCRIPTION_OID = 12244;
    static final int PG_STAT_SUBSCRIPTION_STATS_OID = 12336;

    @Override
    public List<SystemView> views() {
        return views;
    }

    @Override
    public List<SqlFunction> functions() {
        // not strict: NULL means every subscription; volatile: it changes state
        return List.of(new SqlFunction("pg_catalog", "pg_stat_reset_subscription_stats", List.of(PgType.OID), false, PgType.VOID, false,
                true, (c, a) -> {
                    resetStats(a[0] == null ? null : ((Number) a[0]).longValue());
                    return "";
                }, false, List.of(), null));
    }

    /** pg_stat_reset_subscription_stats: {@code subOid} null resets every subscription's statistics. */
    private void resetStats(Long subOid) {
        if (subOid != null && subOid == 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid subscription OID 0");
        }
        ApplyLauncher l = launcher;
        if (l == null) {
            return;
        }
        Instant now = Instant.now();
        if (subOid == null) {
            l.stats().resetAll(now);
        } else {
            l.stats().reset(subOid, now);
        }
    }

    private List<Object[]> statRows(Transaction t) {
        Map<Long, List<ApplyLauncher.WorkerStat>> workers = new HashMap<>();
        ApplyLauncher l = launcher;
        if (l != null) {
            for (ApplyLauncher.WorkerStat w : l.workers()) {
                workers.computeIfAbsent(w.subOid(), k -> new ArrayList<>()).add(w);
            }
        }
        List<Object[]> out = new ArrayList<>();
        for (Subscription s : SubscriptionCatalog.all(t)) {
            List<ApplyLauncher.WorkerStat> mine = workers.getOrDefault(s.oid(), List.of());
            if (mine.isEmpty()) {
                out.add(new Object[] {s.oid(), s.name(), null, null, null, null, null, null, null});
            }
            for (ApplyLauncher.WorkerStat w : mine) {
                out.add(new Object[] {s.oid(), s.name(), (int) w.pid(), w.relOid() == 0 ? null : w.relOid(), lsn(w.status().receivedLsn()),
                    w.status().lastMsgSendTime(), w.status().lastMsgReceiptTime(), lsn(w.status().latestEndLsn()), w.status().latestEndTime()});
            }
        }
        return out;
    }

    private static Lsn lsn(long value) {
        return value == 0 ? null : Lsn.of(value);
    }

    private List<Object[]> statsRows(Transaction t) {
        ApplyLauncher l = launcher;
        List<Object[]> out = new ArrayList<>();
        for (Subscription s : SubscriptionCatalog.all(t)) {
            SubscriptionStats.Entry e = l == null ? new SubscriptionStats.Entry(s.oid(), 0, 0, null) : l.stats().get(s.oid());
            out.add(new Object[] {s.oid(), s.name(), e.applyErrorCount(), e.syncErrorCount(), e.statsReset()});
        }
        return out;
    }
}
