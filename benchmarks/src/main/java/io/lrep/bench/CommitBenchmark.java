package io.lrep.bench;

import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalStats;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Commit throughput under {@code synchronous_commit = on} with real fsync: what group commit is
 * for. One op = one committed transaction, so ops/s = commits/s.
 *
 * <ul>
 *   <li>{@code storageCommitThreadsN}: N sessions each run begin; INSERT one small row (a unique
 *       int8 key per thread, an int4 value); COMMIT, through {@link StorageEngine} over a real
 *       {@link Wal} whose writer thread writes and fsyncs segment files.</li>
 *   <li>{@code walCommitThreadsN}: the WAL alone: append a {@link WalRecord.Commit} and
 *       {@link Wal#waitForFlush(long)} for it, to separate the storage engine's cost.</li>
 * </ul>
 * Each measured iteration prints the iteration's commits per WAL flush (the commit group size)
 * and {@link WalStats#averageGroupSize()} (records per flush: two per storage transaction, an
 * Insert and a Commit). The WAL lives in the benchmark directory ({@code lrep.bench.dir} or the
 * temporary directory), which must be on the disk to measure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class CommitBenchmark {

    private Path dir;
    private Wal wal;
    private StorageEngine storage;
    private TableDef table;
    private final AtomicInteger sessions = new AtomicInteger();
    private final LongAdder commits = new LongAdder();
    private long commitsAtIterationStart;
    private long recordsAtIterationStart;
    private long flushesAtIterationStart;

    /** One session's state: its own key range, so that no two sessions ever touch the same row. */
    @State(Scope.Thread)
    public static class Session {
        long nextKey;
        int xid;

        @Setup(Level.Trial)
        public void setUp(CommitBenchmark bench) {
            int id = bench.sessions.incrementAndGet();
            nextKey = (long) id << 40;
            xid = id << 24;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchFiles.newDir("lrep-commit");
        wal = Wal.open(WalConfig.of(dir.resolve("pg_wal")).withFsync(true));
        wal.startWriterThread();
        storage = new StorageEngine(wal);
        try (Transaction t = storage.begin()) {
            table = t.createTable("public", "bench", List.of(
                    ColumnDef.of("id", PgType.INT8).notNullColumn(),
                    ColumnDef.of("v", PgType.INT4)), List.of("id"));
            t.commit();
        }
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        WalStats s = wal.stats();
        commitsAtIterationStart = commits.sum();
        recordsAtIterationStart = s.recordsWritten();
        flushesAtIterationStart = s.flushes();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        WalStats s = wal.stats();
        long n = commits.sum() - commitsAtIterationStart;
        long records = s.recordsWritten() - recordsAtIterationStart;
        long flushes = s.flushes() - flushesAtIterationStart;
        System.out.printf("  [wal] %d commits, %d records in %d flushes: %.1f commits per flush, %.1f records per flush"
                + " (averageGroupSize since start %.1f, max %d); fsync %.2f ms on average%n", n, records, flushes,
                flushes == 0 ? 0.0 : (double) n / flushes, flushes == 0 ? 0.0 : (double) records / flushes,
                s.averageGroupSize(), s.maxGroupSize(), s.fsyncs() == 0 ? 0.0 : s.fsyncNanosTotal() / 1e6 / s.fsyncs());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            wal.close();
        } finally {
            BenchFiles.deleteRecursively(dir);
        }
    }

    private long storageCommit(Session session) {
        try (Transaction t = storage.begin()) {
            t.setSynchronousCommit(true);
            t.insert(table, new Object[] {session.nextKey++, 1});
            long lsn = t.commit();
            commits.increment();
            return lsn;
        }
    }

    private long walCommit(Session session) {
        long lsn = wal.append(new WalRecord.Commit(session.xid++, 0, 0, 0));
        wal.waitForFlush(lsn);
        commits.increment();
        return lsn;
    }

    @Benchmark
    @Threads(1)
    public long storageCommitThreads1(Session session) {
        return storageCommit(session);
    }

    @Benchmark
    @Threads(8)
    public long storageCommitThreads8(Session session) {
        return storageCommit(session);
    }

    @Benchmark
    @Threads(32)
    public long storageCommitThreads32(Session session) {
        return storageCommit(session);
    }

    @Benchmark
    @Threads(1)
    public long walCommitThreads1(Session session) {
        return walCommit(session);
    }

    @Benchmark
    @Threads(8)
    public long walCommitThreads8(Session session) {
        return walCommit(session);
    }

    @Benchmark
    @Threads(32)
    public long walCommitThreads32(Session session) {
        return walCommit(session);
    }
}
