package io.lrep.bench;

import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@link Wal#append(WalRecord)}: encode, reserve ring space (one atomic add),
 * copy into the memory-mapped ring, publish. One op = one record, so ops/s = records/s.
 *
 * <p>The WAL writer drains the ring concurrently on its own thread ({@link Wal#startWriterThread()})
 * into segment files with <b>fsync off</b>: this benchmark measures the ring and the append path,
 * not the disk, so appenders stall on a full ring only when the writer's write bandwidth forces
 * it. A recycler thread removes flushed segments every 100 ms so that the run does not fill the
 * disk or the page cache. The ring file is put on tmpfs ({@code /dev/shm}, or the system property
 * {@code lrep.bench.ringDir}) as shared memory would be; segments go to the benchmark directory.
 *
 * <p>Records are {@link WalRecord.LogicalMessage}s with an empty prefix and a content length chosen
 * so that the framed size (16-byte header, body, padding) is exactly {@link #recordBytes}: see
 * {@link BenchFiles#messageOfFramedSize(int)}. Writer threads: 1, 2 and 4 via the three methods.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WalAppendBenchmark {

    /** Framed record size in bytes. */
    @Param({"64", "512"})
    public int recordBytes;

    private Path dir;
    private Path ringDir;
    private Wal wal;
    private WalRecord record;
    private Thread recycler;
    private volatile boolean stopping;
    private long recordsAtIterationStart;
    private long flushesAtIterationStart;

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchFiles.newDir("lrep-append");
        ringDir = ringDir();
        Path ringFile = (ringDir != null ? ringDir : dir).resolve("wal_buffers");
        WalConfig config = WalConfig.of(dir.resolve("pg_wal")).withRingFile(ringFile).withFsync(false);
        wal = Wal.open(config);
        wal.startWriterThread();
        record = BenchFiles.messageOfFramedSize(recordBytes);
        stopping = false;
        recycler = new Thread(this::recycleSegments, "segment-recycler");
        recycler.setDaemon(true);
        recycler.start();
    }

    /** A private tmpfs directory for the ring file, or null to keep it beside the segments. */
    static Path ringDir() {
        Path base = Path.of(System.getProperty("lrep.bench.ringDir", "/dev/shm"));
        if (!Files.isDirectory(base) || !Files.isWritable(base)) {
            return null;
        }
        try {
            return Files.createTempDirectory(base, "lrep-ring");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a ring directory in " + base, e);
        }
    }

    private void recycleSegments() {
        while (!stopping) {
            wal.removeOldSegments();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        WalStats s = wal.stats();
        recordsAtIterationStart = s.recordsWritten();
        flushesAtIterationStart = s.flushes();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        WalStats s = wal.stats();
        long records = s.recordsWritten() - recordsAtIterationStart;
        long flushes = s.flushes() - flushesAtIterationStart;
        System.out.printf("  [wal] flushed %d records in %d writer rounds (%.0f records per round)%n", records, flushes,
                flushes == 0 ? 0.0 : (double) records / flushes);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stopping = true;
        recycler.join();
        wal.close();
        BenchFiles.deleteRecursively(dir);
        BenchFiles.deleteRecursively(ringDir);
    }

    @Benchmark
    @Threads(1)
    public long appendThreads1() {
        return wal.append(record);
    }

    @Benchmark
    @Threads(2)
    public long appendThreads2() {
        return wal.append(record);
    }

    @Benchmark
    @Threads(4)
    public long appendThreads4() {
        return wal.append(record);
    }
}
