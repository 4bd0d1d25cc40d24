package io.lrep.core.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * An in-memory {@link WalLog} for tests of storage and recovery. Each record takes
 * {@link #RECORD_SIZE} bytes of LSN space. Nothing is flushed until {@link #waitForFlush(long)}
 * or {@link #flushAll()}; {@link #crash()} returns a new log that holds only what was flushed,
 * as a restart after a crash would find it.
 */
public final class MemoryWalLog implements WalLog {

    public static final long START_LSN = 0x1000000L;
    public static final long RECORD_SIZE = 64;

    private final List<WalEntry> entries = new ArrayList<>();
    private long insertLsn;
    private long flushedLsn;
    private final List<LongConsumer> flushListeners = new CopyOnWriteArrayList<>();

    public MemoryWalLog() {
        this(List.of());
    }

    private MemoryWalLog(List<WalEntry> durable) {
        entries.addAll(durable);
        insertLsn = durable.isEmpty() ? START_LSN : durable.get(durable.size() - 1).endLsn();
        flushedLsn = insertLsn;
    }

    @Override
    public synchronized long append(WalRecord record) {
        long start = insertLsn;
        insertLsn += RECORD_SIZE;
        entries.add(new WalEntry(start, insertLsn, record));
        return insertLsn;
    }

    @Override
    public void waitForFlush(long lsn) {
        long flushed;
        synchronized (this) {
            if (lsn <= flushedLsn || flushedLsn == insertLsn) {
                return;
            }
            flushedLsn = Math.min(Math.max(lsn, flushedLsn), insertLsn);
            flushed = flushedLsn;
            notifyAll();
        }
        for (LongConsumer l : flushListeners) {
            l.accept(flushed);
        }
    }

    @Override
    public Runnable addFlushListener(LongConsumer listener) {
        flushListeners.add(listener);
        return () -> flushListeners.remove(listener);
    }

    /** Makes everything appended so far durable. */
    public synchronized void flushAll() {
        waitForFlush(insertLsn);
    }

    @Override
    public synchronized boolean awaitFlushedBeyond(long lsn, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (flushedLsn <= lsn) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized long insertLsn() {
        return insertLsn;
    }

    @Override
    public synchronized long flushedLsn() {
        return flushedLsn;
    }

    @Override
    public synchronized long oldestLsn() {
        return entries.isEmpty() ? insertLsn : entries.get(0).startLsn();
    }

    @Override
    public synchronized WalReader openReader(long fromLsn) {
        return new WalReader() {
            private long position = fromLsn;

            @Override
            public WalEntry next() {
                synchronized (MemoryWalLog.this) {
                    for (WalEntry e : entries) {
                        if (e.startLsn() >= position && e.endLsn() <= flushedLsn) {
                            position = e.endLsn();
                            return e;
                        }
                    }
                    return null;
                }
            }

            @Override
            public long position() {
                return position;
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
    }

    @Override
    public void holdFrom(String holder, long lsn) {
        // everything is kept
    }

    @Override
    public void release(String holder) {
        // everything is kept
    }

    @Override
    public int removeOldSegments() {
        return 0;
    }

    /** What a restart after a crash now would find: only the flushed records. */
    public synchronized MemoryWalLog crash() {
        List<WalEntry> durable = new ArrayList<>();
        for (WalEntry e : entries) {
            if (e.endLsn() <= flushedLsn) {
                durable.add(e);
            }
        }
        return new MemoryWalLog(durable);
    }
}
