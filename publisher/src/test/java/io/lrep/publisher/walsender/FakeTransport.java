package io.lrep.publisher.walsender;

import io.lrep.core.protocol.replication.ReplicationMessage;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A client connection for tests. With a manual clock, {@link #receive} never blocks: when
 * nothing is queued it moves the clock on by the timeout, as if the wait had run out. Without
 * one it waits in real time. {@link #onSend} lets a test answer what the walsender sends (on
 * the walsender's thread); {@link #sent()} is everything sent, decoded (CopyDone as null).
 */
final class FakeTransport implements WalSenderTransport {

    private final AtomicLong manualClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ClientMessage> inbox = new ArrayDeque<>();
    private final List<ReplicationMessage> sent = new ArrayList<>();
    private boolean woken;
    private int pending;
    private int flushesWithData;
    private volatile Consumer<ReplicationMessage> onSend = m -> { };

    FakeTransport(AtomicLong manualClock) {
        this.manualClock = manualClock;
    }

    void onSend(Consumer<ReplicationMessage> hook) {
        this.onSend = hook;
    }

    void client(ClientMessage m) {
        lock.lock();
        try {
            inbox.add(m);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void clientSends(ReplicationMessage m) {
        client(new CopyData(m.toCopyData().data()));
    }

    /** Everything sent; null stands for CopyDone. */
    List<ReplicationMessage> sent() {
        lock.lock();
        try {
            return new ArrayList<>(sent);
        } finally {
            lock.unlock();
        }
    }

    int flushesWithData() {
        lock.lock();
        try {
            return flushesWithData;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sendCopyData(ByteBuf payload) {
        byte[] bytes = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), bytes);
        ReplicationMessage m = ReplicationMessage.decode(bytes);
        lock.lock();
        try {
            sent.add(m);
            pending++;
        } finally {
            lock.unlock();
        }
        onSend.accept(m);
    }

    @Override
    public void sendCopyDone() {
        lock.lock();
        try {
            sent.add(null);
            pending++;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            if (pending > 0) {
                flushesWithData++;
                pending = 0;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ClientMessage receive(long timeoutNanos) {
        lock.lock();
        try {
            if (manualClock != null) {
                if (inbox.isEmpty() && timeoutNanos != 0 && !woken) {
                    // no limit: as if something unrelated woke the wait after a while
                    manualClock.addAndGet(timeoutNanos < 0 ? 10_000_000 : TimeUnit.NANOSECONDS.toMicros(timeoutNanos));
                }
                woken = false;
                return inbox.poll();
            }
            long deadline = System.nanoTime() + timeoutNanos;
            while (inbox.isEmpty() && !woken) {
                if (timeoutNanos < 0) {
                    changed.await();
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            if (inbox.isEmpty()) {
                woken = false;
            }
            return inbox.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Closed();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wakeup() {
        lock.lock();
        try {
            woken = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
