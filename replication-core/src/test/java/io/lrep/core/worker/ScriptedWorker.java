package io.lrep.core.worker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link BackgroundWorker} for tests that records its calls into a shared journal
 * ({@code "onStart:name"}, {@code "onClose:name"}) and behaves as configured.
 */
final class ScriptedWorker implements BackgroundWorker {

    /** What {@code doWork} does. */
    enum Work { IDLE, BUSY, DONE, THROW, BLOCK }

    final String name;
    final List<String> journal;
    final AtomicInteger doWorkCalls = new AtomicInteger();
    final List<String> threads = new CopyOnWriteArrayList<>();
    Work work = Work.IDLE;
    boolean throwOnStart;
    boolean throwOnClose;
    /** BLOCK waits for this latch, ignoring stop requests: a stuck worker. */
    CountDownLatch release = new CountDownLatch(1);
    volatile long failedAtNanos;
    volatile long startedAtNanos;

    ScriptedWorker(String name, List<String> journal) {
        this.name = name;
        this.journal = journal;
    }

    ScriptedWorker work(Work value) {
        this.work = value;
        return this;
    }

    ScriptedWorker throwOnStart() {
        this.throwOnStart = true;
        return this;
    }

    ScriptedWorker throwOnClose() {
        this.throwOnClose = true;
        return this;
    }

    @Override
    public void onStart() {
        threads.add(Thread.currentThread().getName());
        startedAtNanos = System.nanoTime();
        journal.add("onStart:" + name);
        if (throwOnStart) {
            failedAtNanos = System.nanoTime();
            throw new IllegalStateException(name + " cannot start");
        }
    }

    @Override
    public int doWork() throws InterruptedException {
        threads.add(Thread.currentThread().getName());
        int call = doWorkCalls.incrementAndGet();
        switch (work) {
            case BUSY:
                return 1;
            case DONE:
                return DONE;
            case THROW:
                failedAtNanos = System.nanoTime();
                throw new IllegalStateException(name + " failed in doWork call " + call);
            case BLOCK:
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + " was never released");
                }
                return 0;
            default:
                return 0;
        }
    }

    @Override
    public void onClose() {
        threads.add(Thread.currentThread().getName());
        journal.add("onClose:" + name);
        if (throwOnClose) {
            throw new IllegalStateException(name + " cannot close");
        }
    }

    @Override
    public String roleName() {
        return "test-" + name;
    }
}
