package io.lrep.node.sql.catalog;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.replication.PgTimestamp;
import io.lrep.core.types.PgInterval;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import io.lrep.publisher.decoding.DecodingStats;
import io.lrep.publisher.slot.ReplicationSlot;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.slot.SlotType;
import io.lrep.publisher.walsender.WalSenderStatus;
import io.lrep.publisher.walsender.WalSenders;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL 15's monitoring views of the publisher side: {@code pg_stat_replication} (one row
 * per streaming walsender: sent, write, flush and replay positions and the lags measured as
 * PostgreSQL's lag tracker does) and {@code pg_stat_replication_slots} (one row per logical
 * slot: spill, stream and total counters of decoding since the node started).
 *
 * <p>lrep has no xid and inet types: {@code backend_xmin} is always NULL (typed oid) and
 * {@code client_addr} is text, as in pg_stat_activity; there is no synchronous replication, so
 * {@code sync_priority} is 0 and {@code sync_state} {@code async}.
 */
public final class ReplicationStatsCatalog implements CatalogExtension {

    private static final List<ColumnInfo> REPLICATION = List.of(
            ColumnInfo.of("pid", PgType.INT4),
            ColumnInfo.of("usesysid", PgType.OID),
            ColumnInfo.of("usename", PgType.NAME),
            ColumnInfo.of("application_name", PgType.TEXT),
            ColumnInfo.of("client_addr", PgType.TEXT),
            ColumnInfo.of("client_hostname", PgType.TEXT),
            ColumnInfo.of("client_port", PgType.INT4),
            ColumnInfo.of("backend_start", PgType.TIMESTAMPTZ),
            ColumnInfo.of("backend_xmin", PgType.OID),
            ColumnInfo.of("state", PgType.TEXT),
            ColumnInfo.of("sent_lsn", PgType.PG_LSN),
            ColumnInfo.of("write_lsn", PgType.PG_LSN),
            ColumnInfo.of("flush_lsn", PgType.PG_LSN),
            ColumnInfo.of("replay_lsn", PgType.PG_LSN),
            ColumnInfo.of("write_lag", PgType.INTERVAL),
            ColumnInfo.of("flush_lag", PgType.INTERVAL),
            ColumnInfo.of("replay_lag", PgType.INTERVAL),
            ColumnInfo.of("sync_priority", PgType.INT4),
            ColumnInfo.of("sync_state", PgType.TEXT),
            ColumnInfo.of("reply_time", PgType.TIMESTAMPTZ));

    private static final List<ColumnInfo> SLOTS = List.of(
            ColumnInfo.of("slot_name", PgType.TEXT),
            ColumnInfo.of("spill_txns", PgType.INT8),
            ColumnInfo.of("spill_count", PgType.INT8),
            ColumnInfo.of("spill_bytes", PgType.INT8),
            ColumnInfo.of("stream_txns", PgType.INT8),
            ColumnInfo.of("stream_count", PgType.INT8),
            ColumnInfo.of("stream_bytes", PgType.INT8),
            ColumnInfo.of("total_txns", PgType.INT8),
            ColumnInfo.of("total_bytes", PgType.INT8),
            ColumnInfo.of("stats_reset", PgType.TIMESTAMPTZ));

    private final List<SystemView> views;

    /**
     * @param catalog the system catalog (for role oids)
     * @param activity the sessions, for who each walsender's client is
     * @param statsReset when the slot counters started (the node's start)
     */
    public ReplicationStatsCatalog(WalSenders walSenders, SlotManager slots, SystemCatalog catalog, ActivitySource activity,
            Instant statsReset) {
        this.views = List.of(
                SystemView.of("pg_stat_replication", 12227, REPLICATION, context -> replicationRows(context, walSenders, catalog, activity)),
                SystemView.of("pg_stat_replication_slots", 12262, SLOTS, context -> slotRows(walSenders, slots, statsReset)));
    }

    @Override
    public List<SystemView> views() {
        return views;
    }

    @Override
    public List<SqlFunction> functions() {
        return List.of();
    }

    private static List<Object[]> replicationRows(QueryContext context, WalSenders walSenders, SystemCatalog catalog,
            ActivitySource activity) {
        Map<Integer, ActivitySource.Activity> sessions = new HashMap<>();
        for (ActivitySource.Activity a : activity.sessions(context)) {
            sessions.put(a.pid(), a);
        }
        Map<String, Long> roleOids = new HashMap<>();
        for (CatalogReader.Role r : catalog.reader(context).roles()) {
            roleOids.put(r.name(), r.oid());
        }
        List<Object[]> rows = new ArrayList<>();
        for (WalSenderStatus w : walSenders.statuses()) {
            ActivitySource.Activity a = sessions.get(w.pid());
            String user = a == null ? null : a.user();
            rows.add(new Object[] {w.pid(), user == null ? null : roleOids.get(user), user, a == null ? null : a.applicationName(),
                a == null ? null : a.clientAddress(), null, null, a == null ? null : a.backendStart(), null, w.state().sqlName(),
                lsn(w.sentLsn()), lsn(w.writeLsn()), lsn(w.flushLsn()), lsn(w.replayLsn()), lag(w.writeLagMicros()),
                lag(w.flushLagMicros()), lag(w.replayLagMicros()), 0, "async",
                w.replyTimeMicros() == null ? null : PgTimestamp.toInstant(w.replyTimeMicros())});
        }
        return rows;
    }

    private static List<Object[]> slotRows(WalSenders walSenders, SlotManager slots, Instant statsReset) {
        List<Object[]> rows = new ArrayList<>();
        for (ReplicationSlot s : slots.list()) {
            if (s.type() != SlotType.LOGICAL) {
                continue;
            }
            DecodingStats d = walSenders.slotStats(s.name());
            rows.add(new Object[] {s.name(), d.spillTxns(), d.spillCount(), d.spillBytes(), d.streamTxns(), d.streamCount(),
                d.streamBytes(), d.totalTxns(), d.totalBytes(), statsReset});
        }
        return rows;
    }

    private static Lsn lsn(long value) {
        return value == 0 ? null : Lsn.of(value);
    }

    private static PgInterval lag(Long micros) {
        return micros == null ? null : PgInterval.ofMicros(micros);
    }
}
