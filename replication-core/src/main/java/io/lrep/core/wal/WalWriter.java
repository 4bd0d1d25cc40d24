package io.lrep.core.wal;

import io.lrep.core.ring.WalRing;
import io.lrep.core.worker.BackgroundWorker;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The WAL writer (role {@code walwriter}): moves published records from the ring to segment
 * files, fsyncs, and then publishes the new flushed position, which wakes committers and
 * writers waiting for ring space.
 *
 * <p>Group commit: each flush takes every record published since the last one, writes them
 * with one write per segment and one fsync per touched segment. Committers that arrive while an
 * fsync runs only wake the writer; the next flush covers all of them. Records nobody asked to
 * flush wait for {@code wal_writer_delay} or {@code wal_writer_flush_after} (see {@link #doWork()}).
 *
 * <p>Threading: {@code doWork} runs on the supervisor's thread (or the {@link Wal}'s own);
 * {@link #wake()} may be called from any thread. The flush itself is under a lock so that
 * {@link Wal#close()} can run a final flush safely.
 */
public final class WalWriter implements BackgroundWorker {

    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final WalRing ring;
    private final WalConfig config;
    private final WalStats stats;
    private final ReentrantLock flushLock = new ReentrantLock();

    private final List<LongConsumer> flushListeners = new CopyOnWriteArrayList<>();
    private volatile Thread thread;
    private volatile boolean wakeRequested;
    /** When the writer first saw records waiting that nobody asked to flush, or -1; the writer's thread only. */
    private long pendingSince = -1;

    // Guarded by flushLock.
    private long flushedPosition;
    private WalSegment current;

    WalWriter(WalRing ring, WalConfig config, WalStats stats, long startLsn) {
        this.ring = ring;
        this.config = config;
        this.stats = stats;
        this.flushedPosition = startLsn;
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
    }

    /**
     * One round. A flush asked for ({@link #wake()}: a committer waiting, an asynchronous commit, a
     * writer short of ring space) runs at once; otherwise, as PostgreSQL's walwriter does, published
     * records are flushed only once {@code wal_writer_flush_after} bytes of them wait or they have
     * waited {@code wal_writer_delay} ({@link WalConfig}), so that an fsync of a transaction's records before its commit
     * does not make the commit wait behind it. Between checks it parks up to 2 ms (or until woken).
     * Returns the number of records flushed.
     */
    @Override
    public int doWork() {
        thread = Thread.currentThread();
        boolean requested = wakeRequested;
        wakeRequested = false; // cleared before the scan: a wake after this point makes the next round flush
        if (requested || idleFlushDue()) {
            pendingSince = -1;
            int n = flush();
            if (n > 0) {
                return n;
            }
        }
        if (!wakeRequested) {
            LockSupport.parkNanos(this, IDLE_WAIT_NANOS);
        }
        return 0;
    }

    private boolean idleFlushDue() {
        long pending = ring.getInsertPositionAcquire() - ring.getFlushedUpToAcquire();
        if (pending <= 0) {
            pendingSince = -1;
            return false;
        }
        if (pending >= config.writerFlushAfterBytes()) {
            return true;
        }
        long now = System.nanoTime();
        if (pendingSince < 0) {
            pendingSince = now;
            return false;
        }
        return now - pendingSince >= config.writerDelayNanos();
    }

    @Override
    public void onClose() {
        thread = null;
    }

    @Override
    public String roleName() {
        return "walwriter";
    }

    /** See {@link WalLog#addFlushListener}. */
    Runnable addFlushListener(LongConsumer listener) {
        flushListeners.add(listener);
        return () -> flushListeners.remove(listener);
    }

    /** Asks the writer to run a round now; cheap, callable from any thread. */
    public void wake() {
        wakeRequested = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Writes, fsyncs and publishes every record published in the ring so far; returns how many. */
    int flush() {
        flushLock.lock();
        try {
            long from = flushedPosition;
            long insert = ring.getInsertPositionAcquire();
            long to = from;
            int records = 0;
            while (to < insert) {
                int length = ring.publishedFrameLength(to);
                if (length < 0) {
                    break;
                }
                to += WalRecordDescriptor.align(length);
                records++;
            }
            if (records == 0) {
                return 0;
            }
            List<WalSegment> touched = write(from, to);
            if (config.fsync()) {
                long t0 = System.nanoTime();
                for (WalSegment s : touched) {
                    s.force();
                }
                stats.onFsync(System.nanoTime() - t0);
            }
            for (WalSegment s : touched) {
                if (s != current) {
                    s.close();
                }
            }
            flushedPosition = to;
            stats.onFlush(to - from, records);
            ring.publishFlushed(to);
            for (LongConsumer l : flushListeners) {
                l.accept(to);
            }
            return records;
        } finally {
            flushLock.unlock();
        }
    }

    private List<WalSegment> write(long from, long to) {
        List<WalSegment> touched = new ArrayList<>(2);
        long pos = from;
        for (ByteBuffer region : ring.regions(from, to)) {
            while (region.hasRemaining()) {
                WalSegment seg = segmentFor(pos, touched);
                if (touched.isEmpty() || touched.get(touched.size() - 1) != seg) {
                    touched.add(seg);
                }
                long offset = pos - seg.startLsn();
                int n = (int) Math.min(region.remaining(), config.segmentSizeBytes() - offset);
                ByteBuffer part = region.duplicate();
                part.limit(part.position() + n);
                seg.write(part, offset);
                region.position(region.position() + n);
                pos += n;
            }
        }
        return touched;
    }

    private WalSegment segmentFor(long lsn, List<WalSegment> touched) {
        long segno = lsn / config.segmentSizeBytes();
        if (current != null && current.segno() == segno) {
            return current;
        }
        if (current != null && !touched.contains(current)) {
            current.close(); // fsynced by the round that wrote it
        }
        Path path = config.walDir().resolve(WalSegment.fileName(config.timeline(), segno, config.segmentSizeBytes()));
        current = Files.exists(path)
                ? WalSegment.open(config.walDir(), config.timeline(), segno, config.segmentSizeBytes())
                : WalSegment.create(config.walDir(), config.timeline(), segno, config.segmentSizeBytes(), config.fsync());
        return current;
    }

    /** Closes the open segment; called by {@link Wal#close()} after the final flush. */
    void closeSegments() {
        flushLock.lock();
        try {
            if (current != null) {
                current.close();
                current = null;
            }
        } finally {
            flushLock.unlock();
        }
    }
}
