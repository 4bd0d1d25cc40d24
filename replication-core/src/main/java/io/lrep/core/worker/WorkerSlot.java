package io.lrep.core.worker;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * One registration in the {@link Supervisor}, as PostgreSQL's {@code RegisteredBgWorker}. Every
 * field is guarded by the supervisor's lock; only the supervisor reads or writes them.
 */
final class WorkerSlot {
    final long id;
    final WorkerSpec spec;
    /** The name the error handler and the logs use. */
    final String source;

    WorkerState state = WorkerState.REGISTERED;
    WorkerRunner runner;
    long pid;
    Instant startedAt;
    int restarts;
    long failures;
    String lastError;
    /** onStart of some incarnation returned normally. */
    boolean everStarted;
    /** What the latest attempt threw before onStart returned, or null. */
    Throwable startFailure;
    /** Terminated by its handle: it never runs again. */
    boolean terminateRequested;
    ScheduledFuture<?> restartTask;
    /** Order of the latest launch, for stopping in reverse start order. */
    long launchSeq;

    WorkerSlot(long id, WorkerSpec spec) {
        this.id = id;
        this.spec = spec;
        this.source = "background worker \"" + spec.name() + "\" (" + spec.type() + ")";
    }

    WorkerInfo info() {
        return new WorkerInfo(id, pid, spec.type(), spec.name(), spec.dynamic(), spec.startTime(), state, startedAt,
                restarts, failures, lastError);
    }
}
