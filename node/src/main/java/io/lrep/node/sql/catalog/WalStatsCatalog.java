package io.lrep.node.sql.catalog;

import io.lrep.core.types.PgType;
import io.lrep.core.wal.WalStats;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * {@code pg_catalog.pg_stat_wal}, PostgreSQL 15's columns over the node's {@link WalStats}: one
 * row counting the records and bytes written, the WAL writer's write rounds and fsyncs, and the
 * time spent in fsync. lrep writes no full-page images, so {@code wal_fpi} is always 0; writers
 * that wait for ring space are not counted, so {@code wal_buffers_full} is 0; write time is not
 * measured (as PostgreSQL with {@code track_wal_io_timing} off reports 0).
 */
public final class WalStatsCatalog implements CatalogExtension {

    private static final List<ColumnInfo> COLUMNS = List.of(
            ColumnInfo.of("wal_records", PgType.INT8),
            ColumnInfo.of("wal_fpi", PgType.INT8),
            ColumnInfo.of("wal_bytes", PgType.NUMERIC),
            ColumnInfo.of("wal_buffers_full", PgType.INT8),
            ColumnInfo.of("wal_write", PgType.INT8),
            ColumnInfo.of("wal_sync", PgType.INT8),
            ColumnInfo.of("wal_write_time", PgType.FLOAT8),
            ColumnInfo.of("wal_sync_time", PgType.FLOAT8),
            ColumnInfo.of("stats_reset", PgType.TIMESTAMPTZ));

    private final List<SystemView> views;

    /** @param statsReset when the counters started (the node's start) */
    public WalStatsCatalog(WalStats stats, Instant statsReset) {
        // 12293: PostgreSQL 15's oid of pg_stat_wal
        this.views = List.of(SystemView.of("pg_stat_wal", 12293, COLUMNS, context -> List.<Object[]>of(new Object[] {
            stats.recordsWritten(), 0L, BigDecimal.valueOf(stats.bytesWritten()), 0L, stats.flushes(), stats.fsyncs(), 0.0,
            stats.fsyncNanosTotal() / 1e6, statsReset})));
    }

    @Override
    public List<SystemView> views() {
        return views;
    }

    @Override
    public List<SqlFunction> functions() {
        return List.of();
    }
}
