package io.lrep.bench;

import io.lrep.core.ring.WalRing;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordDescriptor;
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
 * Throughput of {@link WalRing#append(WalRecord)} alone, with no segment files: a drain thread
 * plays the WAL writer's part in memory (it scans published frames with
 * {@link WalRing#publishedFrameLength(long)}, the availability check the real writer runs, and
 * publishes them as flushed without writing them anywhere). Set against
 * {@link WalAppendBenchmark} this separates the ring's cost from the cost of writing segments.
 *
 * <p>WalRing has no append path for pre-encoded bytes ({@code append} always encodes); the codec's
 * share is measured on its own by {@link CodecBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RingAppendBenchmark {

    /** Framed record size in bytes. */
    @Param({"64", "512"})
    public int recordBytes;

    private Path dir;
    private WalRing ring;
    private WalRecord record;
    private Thread drain;
    private volatile boolean stopping;
    private volatile boolean drainRequested;

    @Setup(Level.Trial)
    public void setUp() {
        Path ringDir = WalAppendBenchmark.ringDir();
        dir = ringDir != null ? ringDir : BenchFiles.newDir("lrep-ring");
        long start = WalConfig.of(dir.resolve("pg_wal")).initialLsn();
        stopping = false;
        drain = new Thread(() -> drain(start), "ring-drain");
        drain.setDaemon(true);
        ring = new WalRing(dir.resolve("wal_buffers"), WalConfig.DEFAULT_RING_CAPACITY, start, this::requestDrain);
        record = BenchFiles.messageOfFramedSize(recordBytes);
        drain.start();
    }

    private void requestDrain() {
        drainRequested = true;
        LockSupport.unpark(drain);
    }

    /** The in-memory WAL writer: publishes every published frame as flushed, in order. */
    private void drain(long start) {
        long flushed = start;
        while (!stopping) {
            drainRequested = false;
            long insert = ring.getInsertPositionAcquire();
            long to = flushed;
            while (to < insert) {
                int length = ring.publishedFrameLength(to);
                if (length < 0) {
                    break;
                }
                to += WalRecordDescriptor.align(length);
            }
            if (to > flushed) {
                flushed = to;
                ring.publishFlushed(flushed);
            } else if (!drainRequested) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stopping = true;
        LockSupport.unpark(drain);
        drain.join();
        ring.close();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    @Threads(1)
    public long appendThreads1() {
        return ring.append(record);
    }

    @Benchmark
    @Threads(2)
    public long appendThreads2() {
        return ring.append(record);
    }

    @Benchmark
    @Threads(4)
    public long appendThreads4() {
        return ring.append(record);
    }
}
