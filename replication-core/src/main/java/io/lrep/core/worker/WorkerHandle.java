package io.lrep.core.worker;

import java.time.Duration;
import java.util.Objects;

/**
 * Refers to one registered background worker, as PostgreSQL's {@code BackgroundWorkerHandle}.
 * Thread-safe; it stays valid after the worker is unregistered and then reports its final state.
 */
public final class WorkerHandle {
    private final Supervisor supervisor;
    private final WorkerSlot slot;

    WorkerHandle(Supervisor supervisor, WorkerSlot slot) {
        this.supervisor = supervisor;
        this.slot = slot;
    }

    /** The registration's stable id (as in {@link WorkerInfo#id()}). */
    public long id() {
        return slot.id;
    }

    public WorkerSpec spec() {
        return slot.spec;
    }

    public WorkerState state() {
        return supervisor.state(slot);
    }

    public WorkerInfo info() {
        return supervisor.info(slot);
    }

    /**
     * Waits until the worker has started, as {@code WaitForBackgroundWorkerStartup}.
     *
     * @return the state once {@code onStart} has returned ({@link WorkerState#RUNNING} or a later
     *         state); {@link WorkerState#STOPPED} if it was stopped before it started; the current
     *         state ({@link WorkerState#REGISTERED} or {@link WorkerState#STARTING}) if the timeout
     *         passed first
     * @throws io.lrep.core.error.LrepException {@code 55000} if its latest attempt failed before
     *         {@code onStart} returned (the error is the cause); {@code 57014} if interrupted
     */
    public WorkerState awaitStarted(Duration timeout) {
        return supervisor.awaitStarted(slot, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Waits until the worker will never run again, as {@code WaitForBackgroundWorkerShutdown}.
     *
     * @return {@link WorkerState#STOPPED} or {@link WorkerState#CRASHED}, or the current state if
     *         the timeout passed first
     * @throws io.lrep.core.error.LrepException {@code 57014} if interrupted
     */
    public WorkerState awaitStopped(Duration timeout) {
        return supervisor.awaitStopped(slot, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Asks the worker to stop, as {@code TerminateBackgroundWorker}: it finishes its current
     * step, runs {@code onClose}, and is not restarted; one not started yet never starts. Does not
     * wait (see {@link #awaitStopped}). Idempotent.
     */
    public void terminate() {
        supervisor.terminate(slot);
    }

    /** Ends the worker's idle park now, as setting its latch. Does nothing if it is not running. */
    public void wakeup() {
        supervisor.wakeup(slot);
    }

    @Override
    public String toString() {
        return "WorkerHandle[" + slot.source + " id=" + slot.id + "]";
    }
}
