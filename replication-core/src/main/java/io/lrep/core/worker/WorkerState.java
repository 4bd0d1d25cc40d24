package io.lrep.core.worker;

/** The life of one registered background worker, as the supervisor reports it. */
public enum WorkerState {
    /** Registered; waiting for its {@link StartTime} (or for the supervisor to start). */
    REGISTERED,
    /** Its thread runs {@link BackgroundWorker#onStart()}. */
    STARTING,
    /** {@code onStart} returned; the worker runs {@link BackgroundWorker#doWork()}. */
    RUNNING,
    /** Asked to stop (terminate or supervisor close); its thread has not exited yet. */
    STOPPING,
    /** Exited normally, was terminated, or the supervisor closed: it will not run again. */
    STOPPED,
    /** Failed and will not be restarted ({@link WorkerSpec#NEVER_RESTART}, or it failed while stopping). */
    CRASHED,
    /** Failed; a fresh instance starts after the restart interval. */
    WAITING_RESTART;

    /** True for {@link #STOPPED} and {@link #CRASHED}: the worker will never run again. */
    public boolean isTerminal() {
        return this == STOPPED || this == CRASHED;
    }
}
