package io.lrep.core.storage;

import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalReader;
import io.lrep.core.wal.WalRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MemoryWalLog} that records the retention calls ({@link #holdFrom},
 * {@link #removeOldSegments}) and can pretend old WAL is gone ({@link #setOldestLsn}).
 */
final class FakeRetentionWal implements WalLog {

    /** One retention call: "hold" with its LSN, or "remove". */
    record Call(String what, String holder, long lsn) {}

    final MemoryWalLog delegate;
    private final List<Call> calls = new ArrayList<>();
    private long oldestLsn = -1;

    FakeRetentionWal(MemoryWalLog delegate) {
        this.delegate = delegate;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized void setOldestLsn(long lsn) {
        oldestLsn = lsn;
    }

    @Override
    public long append(WalRecord record) {
        return delegate.append(record);
    }

    @Override
    public void waitForFlush(long lsn) {
        delegate.waitForFlush(lsn);
    }

    @Override
    public boolean awaitFlushedBeyond(long lsn, long timeoutNanos) {
        return delegate.awaitFlushedBeyond(lsn, timeoutNanos);
    }

    @Override
    public long insertLsn() {
        return delegate.insertLsn();
    }

    @Override
    public long flushedLsn() {
        return delegate.flushedLsn();
    }

    @Override
    public synchronized long oldestLsn() {
        return oldestLsn >= 0 ? oldestLsn : delegate.oldestLsn();
    }

    @Override
    public WalReader openReader(long fromLsn) {
        return delegate.openReader(fromLsn);
    }

    @Override
    public synchronized void holdFrom(String holder, long lsn) {
        calls.add(new Call("hold", holder, lsn));
        delegate.holdFrom(holder, lsn);
    }

    @Override
    public synchronized void release(String holder) {
        calls.add(new Call("release", holder, 0));
        delegate.release(holder);
    }

    @Override
    public synchronized int removeOldSegments() {
        calls.add(new Call("remove", null, 0));
        return delegate.removeOldSegments();
    }

    @Override
    public Runnable addFlushListener(java.util.function.LongConsumer listener) {
        return () -> { };
    }
}
