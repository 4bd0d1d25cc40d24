package io.lrep.core.wal;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link Wal}, for metrics. All getters are safe from any thread; values are
 * monotonic except {@link #lastGroupSize()}.
 */
public final class WalStats {

    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong recordsWritten = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong fsyncNanos = new AtomicLong();
    private final AtomicLong lastGroupSize = new AtomicLong();
    private final AtomicLong maxGroupSize = new AtomicLong();
    private final LongAdder readerFallbacks = new LongAdder();
    private final LongAdder ringReads = new LongAdder();
    private final LongAdder ringCopiesRejected = new LongAdder();
    /** Distributions recorded once per flush when metrics are on (null otherwise). */
    private volatile Timer fsyncTimer;
    private volatile DistributionSummary groupSizes;

    /** Records each fsync's latency in {@code fsync} and each flush's record count in {@code groupSize} from now on. */
    public void attach(Timer fsync, DistributionSummary groupSize) {
        this.fsyncTimer = fsync;
        this.groupSizes = groupSize;
    }

    void onFlush(long bytes, long records) {
        bytesWritten.addAndGet(bytes);
        recordsWritten.addAndGet(records);
        flushes.incrementAndGet();
        lastGroupSize.set(records);
        maxGroupSize.accumulateAndGet(records, Math::max);
        DistributionSummary g = groupSizes;
        if (g != null) {
            g.record(records);
        }
    }

    void onFsync(long nanos) {
        fsyncs.incrementAndGet();
        fsyncNanos.addAndGet(nanos);
        Timer t = fsyncTimer;
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void onReaderFallback() {
        readerFallbacks.increment();
    }

    void onRingCopyRejected() {
        ringCopiesRejected.increment();
    }

    void onRingRead() {
        ringReads.increment();
    }

    /** WAL bytes written to segment files (padding included). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Records written to segment files. */
    public long recordsWritten() {
        return recordsWritten.get();
    }

    /** Write rounds of the WAL writer (each followed by one fsync when fsync is on). */
    public long flushes() {
        return flushes.get();
    }

    public long fsyncs() {
        return fsyncs.get();
    }

    /** Total time spent in fsync. */
    public long fsyncNanosTotal() {
        return fsyncNanos.get();
    }

    /** Records covered by the latest flush (the group-commit group size). */
    public long lastGroupSize() {
        return lastGroupSize.get();
    }

    public long maxGroupSize() {
        return maxGroupSize.get();
    }

    /** Records per flush on average, 0 before the first flush. */
    public double averageGroupSize() {
        long f = flushes.get();
        return f == 0 ? 0 : (double) recordsWritten.get() / f;
    }

    /** Records that readers read from segment files because the ring no longer held them. */
    public long readerFallbacks() {
        return readerFallbacks.sum();
    }

    /** Records that readers took out of the ring. */
    public long ringReads() {
        return ringReads.sum();
    }

    /**
     * Ring copies that passed the lap check but failed their CRC (then read from the segment).
     * Always 0 unless the lap protocol is broken or memory is corrupt.
     */
    public long ringCopiesRejected() {
        return ringCopiesRejected.sum();
    }
}
