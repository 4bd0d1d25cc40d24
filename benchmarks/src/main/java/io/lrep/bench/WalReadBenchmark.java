package io.lrep.bench;

import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalReader;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalStats;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of a {@link WalReader} over a prefilled, flushed stretch of {@value #RECORDS} records:
 * one invocation opens a reader at the stretch's start and reads to its end, so ops/s =
 * records/s (MB/s = records/s x {@link #recordBytes}).
 *
 * <ul>
 *   <li>{@code source = ring}: the 16 MiB ring still holds the whole stretch (at most 10 MB), so
 *       every record is copied out of shared memory, lap-checked and CRC-checked.</li>
 *   <li>{@code source = segments}: the ring is the smallest allowed (4 KiB) and the stretch has
 *       lapped it hundreds of times, so every record is read from the segment files (the reader
 *       first finds that the ring no longer holds it, as a reader far behind does). The files
 *       were just written, so they are in the page cache: this is the read path's CPU cost, not
 *       the disk's.</li>
 * </ul>
 * The prefill runs with fsync off (it is not measured). Teardown prints where the records came
 * from and fails the trial if more than 1% came from the other source than the one named.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WalReadBenchmark {

    static final int RECORDS = 20_000;

    /** Where the reader finds the records: {@code ring} or {@code segments}. */
    @Param({"ring", "segments"})
    public String source;

    /** Framed record size in bytes. */
    @Param({"64", "512"})
    public int recordBytes;

    private Path dir;
    private Wal wal;
    private long start;
    private long end;

    @Setup(Level.Trial)
    public void setUp() {
        dir = BenchFiles.newDir("lrep-read");
        WalConfig config = WalConfig.of(dir.resolve("pg_wal")).withFsync(false);
        switch (source) {
            case "ring" -> config = config.withRingCapacity(WalConfig.DEFAULT_RING_CAPACITY);
            case "segments" -> config = config.withRingCapacity(4096);
            default -> throw new IllegalArgumentException("source: " + source + " (expected: ring or segments)");
        }
        wal = Wal.open(config);
        wal.startWriterThread();
        WalRecord record = BenchFiles.messageOfFramedSize(recordBytes);
        start = wal.insertLsn();
        for (int i = 0; i < RECORDS; i++) {
            end = wal.append(record);
        }
        wal.waitForFlush(end);
        if (end - start != (long) RECORDS * recordBytes) {
            throw new IllegalStateException("prefill wrote " + (end - start) + " bytes (expected: " + (long) RECORDS * recordBytes + ")");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        WalStats s = wal.stats();
        System.out.printf("  [wal] records read from the ring: %d, from segment files: %d%n", s.ringReads(), s.readerFallbacks());
        try {
            // Reading to the end, the last few records (at most a ring's worth) are still in the
            // 4 KiB ring in the segments case: allow 1% from the other source.
            long total = s.ringReads() + s.readerFallbacks();
            long other = source.equals("ring") ? s.readerFallbacks() : s.ringReads();
            if (total == 0 || other * 100 > total) {
                throw new IllegalStateException("source = " + source + " but the reader read " + s.ringReads() + " records from the ring and "
                        + s.readerFallbacks() + " from segment files");
            }
        } finally {
            wal.close();
            BenchFiles.deleteRecursively(dir);
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long readStretch() {
        long last = 0;
        int n = 0;
        try (WalReader reader = wal.openReader(start)) {
            for (WalEntry e = reader.next(); e != null; e = reader.next()) {
                last = e.endLsn();
                n++;
            }
        }
        if (n != RECORDS || last != end) {
            throw new IllegalStateException("read " + n + " records up to " + last + " (expected: " + RECORDS + " up to " + end + ")");
        }
        return last;
    }
}
