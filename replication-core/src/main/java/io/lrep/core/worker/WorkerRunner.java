package io.lrep.core.worker;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one {@link BackgroundWorker} instance on a thread of its own, named by the worker's
 * {@link BackgroundWorker#roleName()}: {@code onStart} once, then {@code doWork} until it is
 * stopped, returns {@link BackgroundWorker#DONE} or throws, then {@code onClose} once, even after
 * {@code onStart} or {@code doWork} threw. A runner runs its worker at most once; a restart is a
 * new runner with a new instance.
 *
 * <p>When {@code doWork} returns 0 the thread parks, first for the minimum idle interval, then
 * twice as long per idle step up to the maximum; any work, or a {@link #wakeup()}, resets it.
 *
 * <p>Every exception the worker throws goes to the {@link ErrorHandler} exactly once; one thrown
 * by {@code onClose} after an earlier failure is attached to it as suppressed. The
 * {@link Listener} then learns how the run ended, still on the worker thread.
 *
 * <p>Threads: only the runner's thread calls the worker. Other threads only call
 * {@link #wakeup()}, {@link #requestStop()} and {@link #close()}.
 * <pre>
 * running:  volatile; written false by a stopping thread, read by the worker thread before
 *           every doWork. The stopper then unparks the thread, so a parked worker sees it at
 *           once and one in doWork sees it when that step returns.
 * woken:    volatile; set by wakeup() before it unparks the thread; cleared by the worker
 *           thread after a park. Unpark leaves a permit, so a wakeup that arrives between
 *           doWork and park makes the park return at once: no wakeup is lost.
 * </pre>
 * The thread is never interrupted: an interrupt would close a worker's NIO channels under it.
 * A worker that does not return from a step is "stuck": {@link #close()} gives up waiting
 * after its timeout and logs it once. Threads are daemons so a stuck worker cannot keep the
 * JVM alive.
 */
final class WorkerRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerRunner.class);

    /** How a run ended. */
    enum Outcome {
        /** {@code doWork} returned a negative number: the job is finished. */
        DONE,
        /** Stopped on request. */
        STOPPED,
        /** {@code onStart} or {@code doWork} threw. */
        FAILED
    }

    /** Learns about the run, on the worker thread. */
    interface Listener {
        /** {@code onStart} returned normally. */
        default void onRunning(WorkerRunner runner) {}

        /**
         * The run is over: {@code onClose} has been called and the thread is about to end.
         *
         * @param started true if {@code onStart} returned normally
         * @param failure what {@code onStart} or {@code doWork} threw, or null
         */
        default void onExit(WorkerRunner runner, Outcome outcome, boolean started, Throwable failure) {}
    }

    private static final Listener NO_LISTENER = new Listener() {};

    private final BackgroundWorker worker;
    private final String roleName;
    private final String displayName;
    private final long idleParkMinNs;
    private final long idleParkMaxNs;
    private final Duration closeTimeout;
    private final ErrorHandler errorHandler;
    private final Listener listener;
    private final Thread thread;
    private final AtomicBoolean startCalled = new AtomicBoolean();
    private final AtomicBoolean stuckLogged = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile boolean woken;

    /**
     * @param displayName  names the worker in logs and to the error handler; null for its role name
     * @param closeTimeout how long {@link #close()} waits for the thread
     */
    WorkerRunner(BackgroundWorker worker, String displayName, Duration idleParkMin, Duration idleParkMax,
            Duration closeTimeout, ErrorHandler errorHandler, Listener listener) {
        this.worker = Objects.requireNonNull(worker, "worker");
        this.roleName = Objects.requireNonNull(worker.roleName(), "roleName");
        this.displayName = displayName == null ? "background worker " + roleName : displayName;
        this.idleParkMinNs = idleParkMin.toNanos();
        this.idleParkMaxNs = Math.max(idleParkMinNs, idleParkMax.toNanos());
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
        this.listener = listener == null ? NO_LISTENER : listener;
        this.thread = new Thread(this::run, roleName);
        this.thread.setDaemon(true);
    }

    WorkerRunner(BackgroundWorker worker, ErrorHandler errorHandler) {
        this(worker, null, WorkerSpec.DEFAULT_IDLE_PARK_MIN, WorkerSpec.DEFAULT_IDLE_PARK_MAX, Duration.ofSeconds(10),
                errorHandler, null);
    }

    String roleName() {
        return roleName;
    }

    /** Starts the thread; a second call does nothing. */
    void start() {
        if (startCalled.compareAndSet(false, true)) {
            thread.start();
        }
    }

    /** Ends the worker's idle park now (and resets its idle backoff). */
    void wakeup() {
        woken = true;
        LockSupport.unpark(thread);
    }

    /** Asks the worker to stop after its current step; does not wait. Idempotent. */
    void requestStop() {
        running = false;
        LockSupport.unpark(thread);
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * Waits for the thread to end.
     *
     * @return true if it ended (or never started) within the timeout
     */
    boolean awaitExit(Duration timeout) {
        if (!startCalled.get() || Thread.currentThread() == thread) {
            return !thread.isAlive();
        }
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout.toNanos())));
        } catch (InterruptedException e) {
            // Keep the interrupt for the caller; the answer is "not yet".
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * Stops the worker and waits for its thread up to the close timeout; a worker still running
     * then is logged once as stuck and left behind. Idempotent; from the worker's own thread it
     * only asks to stop.
     */
    @Override
    public void close() {
        requestStop();
        if (!awaitExit(closeTimeout) && Thread.currentThread() != thread && stuckLogged.compareAndSet(false, true)) {
            LOG.warn("{} did not stop within {} ms; leaving its thread {} behind",
                    displayName, closeTimeout.toMillis(), roleName);
        }
    }

    private void run() {
        MDC.put("role", roleName);
        Throwable failure = null;
        Throwable closeFailure = null;
        boolean started = false;
        Outcome outcome = Outcome.STOPPED;
        try {
            worker.onStart();
            started = true;
            listener.onRunning(this);
            outcome = loop();
        } catch (Throwable t) {
            // Handed to the error handler below, once, after onClose.
            failure = t;
            outcome = Outcome.FAILED;
        }
        try {
            worker.onClose();
        } catch (Throwable t) {
            if (failure != null) {
                failure.addSuppressed(t);
            } else {
                closeFailure = t;
            }
        }
        report(failure);
        report(closeFailure);
        try {
            listener.onExit(this, outcome, started, failure);
        } catch (Throwable t) {
            report(t);
        } finally {
            MDC.remove("role");
        }
    }

    private Outcome loop() throws Exception {
        long idleNs = idleParkMinNs;
        while (running) {
            int workCount = worker.doWork();
            if (workCount < 0) {
                return Outcome.DONE;
            }
            if (workCount > 0) {
                idleNs = idleParkMinNs;
                continue;
            }
            if (!running) {
                break;
            }
            LockSupport.parkNanos(this, idleNs);
            if (woken) {
                woken = false;
                idleNs = idleParkMinNs;
            } else {
                idleNs = Math.min(idleNs << 1, idleParkMaxNs);
            }
        }
        return Outcome.STOPPED;
    }

    private void report(Throwable t) {
        if (t == null) {
            return;
        }
        try {
            errorHandler.onError(displayName, t);
        } catch (Throwable handlerFailure) {
            // The handler broke its contract; nothing else would report either error.
            LOG.error("Error handler failed on error of {}: {}", displayName, t, handlerFailure);
        }
    }
}
