package io.lrep.core.metrics;

import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalStats;
import io.lrep.core.worker.Supervisor;
import io.lrep.core.worker.WorkerInfo;
import io.lrep.core.worker.WorkerState;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The meters of replication-core: WAL (read from {@link WalStats}, counted there once) and
 * background workers (read from the {@link Supervisor}). Names are {@code lrep.<component>.<measure>}
 * with the unit in {@code baseUnit}; tag values come from small sets.
 */
public final class Meters {

    public static final String WAL_WRITTEN = "lrep.wal.written";
    public static final String WAL_RECORDS = "lrep.wal.records";
    public static final String WAL_FLUSHES = "lrep.wal.flushes";
    public static final String WAL_FSYNC = "lrep.wal.fsync";
    public static final String WAL_GROUP_SIZE = "lrep.wal.group.size";
    public static final String WAL_RING_OCCUPANCY = "lrep.wal.ring.occupancy";
    public static final String WAL_RING_CAPACITY = "lrep.wal.ring.capacity";
    public static final String WAL_READER_FALLBACKS = "lrep.wal.reader.fallbacks";
    public static final String WORKERS_RUNNING = "lrep.workers.running";
    public static final String WORKERS_STARTED = "lrep.workers.started";
    public static final String WORKERS_RESTARTED = "lrep.workers.restarted";
    public static final String WORKERS_CRASHED = "lrep.workers.crashed";
    /** The unit of a count of records, rows, transactions. */
    public static final String RECORDS = "records";

    private Meters() {}

    /** Registers the WAL meters of {@code wal}. */
    public static void bindWal(MeterRegistry registry, Wal wal) {
        WalStats stats = wal.stats();
        FunctionCounter.builder(WAL_WRITTEN, stats, WalStats::bytesWritten).baseUnit(BaseUnits.BYTES)
                .description("WAL bytes written to segment files").register(registry);
        FunctionCounter.builder(WAL_RECORDS, stats, WalStats::recordsWritten).baseUnit(RECORDS)
                .description("WAL records written to segment files").register(registry);
        FunctionCounter.builder(WAL_FLUSHES, stats, WalStats::flushes).baseUnit("flushes")
                .description("write rounds of the WAL writer (each one fsync when fsync is on)").register(registry);
        FunctionCounter.builder(WAL_READER_FALLBACKS, stats, WalStats::readerFallbacks).baseUnit(RECORDS)
                .description("records readers read from segment files because the ring no longer held them").register(registry);
        long capacity = wal.config().ringCapacityBytes();
        Gauge.builder(WAL_RING_OCCUPANCY, wal, w -> Math.max(0, w.insertLsn() - w.flushedLsn())).baseUnit(BaseUnits.BYTES)
                .description("WAL in the shared-memory ring not yet flushed to segment files").register(registry);
        Gauge.builder(WAL_RING_CAPACITY, () -> capacity).baseUnit(BaseUnits.BYTES)
                .description("size of the shared-memory WAL ring").register(registry);
        Timer fsync = Timer.builder(WAL_FSYNC).description("latency of the WAL writer's fsync")
                .publishPercentileHistogram().register(registry);
        DistributionSummary group = DistributionSummary.builder(WAL_GROUP_SIZE).baseUnit(RECORDS)
                .description("records per WAL flush (group commit size)").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 1024)
                .register(registry);
        stats.attach(fsync, group);
    }

    /**
     * Registers the worker meters of {@code supervisor}, per worker type; the returned action
     * brings the set of types up to date (call it before a scrape).
     */
    public static Runnable bindWorkers(MeterRegistry registry, Supervisor supervisor) {
        KeyedMeters<WorkerFigures> meters = new KeyedMeters<>(registry, (r, type, current) -> List.of(
                Gauge.builder(WORKERS_RUNNING, current, c -> c.get() == null ? 0 : c.get().running()).tag("type", type)
                        .description("workers of the type that are running").register(r),
                FunctionCounter.builder(WORKERS_STARTED, current, c -> c.get() == null ? 0 : c.get().counts().started())
                        .tag("type", type).description("worker launches, restarts included").register(r),
                FunctionCounter.builder(WORKERS_RESTARTED, current, c -> c.get() == null ? 0 : c.get().counts().restarted())
                        .tag("type", type).description("restarts after a failure").register(r),
                FunctionCounter.builder(WORKERS_CRASHED, current, c -> c.get() == null ? 0 : c.get().counts().crashed())
                        .tag("type", type).description("worker runs that ended in a failure").register(r)));
        Runnable refresh = () -> {
            Map<String, Supervisor.TypeCounts> counts = supervisor.typeCounts();
            Map<String, Integer> running = new HashMap<>();
            for (WorkerInfo w : supervisor.workers()) {
                running.merge(w.type(), w.state() == WorkerState.RUNNING ? 1 : 0, Integer::sum);
            }
            Map<String, WorkerFigures> figures = new HashMap<>();
            counts.forEach((type, c) -> figures.put(type, new WorkerFigures(running.getOrDefault(type, 0), c)));
            meters.update(figures);
        };
        refresh.run();
        return refresh;
    }

    /** One worker type's figures at a scrape. */
    record WorkerFigures(int running, Supervisor.TypeCounts counts) {}
}
