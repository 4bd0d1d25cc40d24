package io.lrep.core.worker;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a node's background workers in PostgreSQL's background-worker model (the postmaster's
 * part of it): static and dynamic registration within {@code max_worker_processes} slots,
 * start times, restart after a failure, wait for start and stop, terminate, and stopping every
 * worker in reverse start order when the node stops.
 *
 * <p>Lifecycle: build, {@link #registerStatic} the static workers, {@link #start()}, then
 * {@link #advanceTo} as the node reaches a consistent state and finishes recovery;
 * {@link #registerDynamic} while running; {@link #close()} last.
 *
 * <p>How a worker's run ends decides what happens next, as in PostgreSQL:
 * <ul>
 *   <li>{@code doWork} returned {@link BackgroundWorker#DONE} (exit code 0), or the worker was
 *       terminated: it is {@link WorkerState#STOPPED}, unregistered, and never runs again;</li>
 *   <li>{@code onStart} or {@code doWork} threw (exit code 1): the error goes to the
 *       {@link ErrorHandler} once; after the spec's restart interval a fresh instance from its
 *       factory starts ({@link WorkerState#WAITING_RESTART} meanwhile), or, for
 *       {@link WorkerSpec#NEVER_RESTART}, it is {@link WorkerState#CRASHED} and unregistered.</li>
 * </ul>
 * An unregistered worker frees its slot and leaves {@link #workers()}; its handle keeps
 * answering with its final state.
 *
 * <p>Threads: registry state is guarded by one lock; each worker runs on its own
 * {@link WorkerRunner} thread, which reports start and exit back under that lock. Restarts wait
 * on one scheduler thread ({@code supervisor}), never on a worker's thread. Waiting for a
 * worker's thread to end is done without the lock. Waiters on a handle wait on a condition of
 * that lock, signalled on every state change.
 */
public final class Supervisor implements AutoCloseable {

    /** PostgreSQL's default {@code max_worker_processes}. */
    public static final int DEFAULT_MAX_WORKER_PROCESSES = 8;
    /** How long {@link #close()} waits for each worker's thread by default. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private enum Phase { NEW, RUNNING, CLOSING, CLOSED }

    private final int maxWorkerProcesses;
    private final Duration stopTimeout;
    private final ErrorHandler errorHandler;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock:
    private final List<WorkerSlot> registered = new ArrayList<>();
    private final List<Throwable> stopFailures = new ArrayList<>();
    private final List<String> stopFailureSources = new ArrayList<>();
    private Phase phase = Phase.NEW;
    private StartTime reached;
    private long nextId = 1;
    private long nextPid = 1;
    private long nextLaunchSeq = 1;
    /** Lifetime counts per worker type: started, restarted, crashed (for metrics). */
    private final Map<String, long[]> countsByType = new HashMap<>();

    /**
     * What workers of one type did since the supervisor was built.
     *
     * @param started launches (first starts and restarts)
     * @param restarted restarts after a failure
     * @param crashed attempts that ended in a failure
     */
    public record TypeCounts(long started, long restarted, long crashed) {}
    private ScheduledThreadPoolExecutor scheduler;

    private Supervisor(Builder builder) {
        this.maxWorkerProcesses = builder.maxWorkerProcesses;
        this.stopTimeout = builder.stopTimeout;
        this.errorHandler = builder.errorHandler;
        this.clock = builder.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A supervisor with PostgreSQL's defaults. */
    public static Supervisor create() {
        return builder().build();
    }

    public int maxWorkerProcesses() {
        return maxWorkerProcesses;
    }

    /**
     * Registers a worker that starts with the supervisor (at its start time), as
     * {@code RegisterBackgroundWorker}; only before {@link #start()}.
     *
     * @throws LrepException {@code 55000} after start; {@code 53400} when every slot is taken
     */
    public WorkerHandle registerStatic(WorkerSpec spec) {
        Objects.requireNonNull(spec, "spec");
        lock.lock();
        try {
            if (phase != Phase.NEW) {
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "background worker \"" + spec.name() + "\": static background workers must be registered"
                                + " before the supervisor starts");
            }
            return new WorkerHandle(this, add(spec.withDynamic(false)));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers and, once its start time is reached, starts a worker, as
     * {@code RegisterDynamicBackgroundWorker}; only while the supervisor runs.
     *
     * @throws LrepException {@code 53400} "too many background workers" when all
     *         {@code max_worker_processes} slots are taken; {@code 55000} when not running
     */
    public WorkerHandle registerDynamic(WorkerSpec spec) {
        Objects.requireNonNull(spec, "spec");
        lock.lock();
        try {
            if (phase != Phase.RUNNING) {
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "background worker \"" + spec.name() + "\": cannot register a dynamic background worker"
                                + (phase == Phase.NEW ? " before the supervisor starts" : " after the supervisor closed"));
            }
            WorkerSlot slot = add(spec.withDynamic(true));
            if (reached.reaches(spec.startTime())) {
                launch(slot);
            }
            return new WorkerHandle(this, slot);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #registerDynamic} when {@code spec.dynamic()}, else {@link #registerStatic}. */
    public WorkerHandle register(WorkerSpec spec) {
        return spec.dynamic() ? registerDynamic(spec) : registerStatic(spec);
    }

    /**
     * Starts the supervisor and every static worker whose start time has been reached
     * ({@link StartTime#NODE_START} at least).
     *
     * @throws LrepException {@code 55000} if already started or closed
     */
    public void start() {
        lock.lock();
        try {
            if (phase != Phase.NEW) {
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "supervisor: already " + (phase == Phase.RUNNING ? "started" : "closed"));
            }
            scheduler = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "supervisor");
                t.setDaemon(true);
                return t;
            });
            scheduler.setRemoveOnCancelPolicy(true);
            scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            phase = Phase.RUNNING;
            if (reached == null || !reached.reaches(StartTime.NODE_START)) {
                reached = StartTime.NODE_START;
            }
            LOG.info("Starting supervisor: {} static background workers, max_worker_processes={}",
                    registered.size(), maxWorkerProcesses);
            launchDue();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that the node has reached {@code startTime} (and so every earlier one) and starts
     * the workers that waited for it. Never goes back; before {@link #start()} it is only
     * remembered; after {@link #close()} it does nothing.
     */
    public void advanceTo(StartTime startTime) {
        Objects.requireNonNull(startTime, "startTime");
        lock.lock();
        try {
            if (reached != null && reached.reaches(startTime)) {
                return;
            }
            reached = startTime;
            if (phase == Phase.RUNNING) {
                LOG.info("Supervisor reached {}", startTime);
                launchDue();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The latest start time reached, or null before {@link #start()} and {@link #advanceTo}. */
    public StartTime reached() {
        lock.lock();
        try {
            return reached;
        } finally {
            lock.unlock();
        }
    }

    /** Every registered worker (those holding a slot), in registration order. */
    public List<WorkerInfo> workers() {
        lock.lock();
        try {
            List<WorkerInfo> infos = new ArrayList<>(registered.size());
            for (WorkerSlot slot : registered) {
                infos.add(slot.info());
            }
            return List.copyOf(infos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops every worker, in reverse start order, waiting up to the stop timeout for each: a
     * stuck one is logged once by name and left behind, and stopping carries on. Pending
     * restarts are cancelled and workers still waiting for their start time never start.
     * Idempotent; a call from a worker's own thread does not wait for that worker.
     *
     * @throws LrepException {@code XX000} once all are stopped, if any worker threw while
     *         stopping (in {@code doWork} or {@code onClose}); each error is attached as suppressed
     */
    @Override
    public void close() {
        List<WorkerSlot> live = new ArrayList<>();
        lock.lock();
        try {
            if (phase == Phase.CLOSING || phase == Phase.CLOSED) {
                return;
            }
            LOG.info("Stopping supervisor");
            phase = Phase.CLOSING;
            for (WorkerSlot slot : List.copyOf(registered)) {
                if (slot.runner != null) {
                    live.add(slot);
                } else {
                    cancelRestart(slot);
                    finish(slot, WorkerState.STOPPED);
                }
            }
        } finally {
            lock.unlock();
        }
        live.sort(Comparator.comparingLong((WorkerSlot s) -> s.launchSeq).reversed());
        for (WorkerSlot slot : live) {
            WorkerRunner runner;
            lock.lock();
            try {
                runner = slot.runner;
                if (runner == null) {
                    continue;
                }
                setState(slot, WorkerState.STOPPING);
            } finally {
                lock.unlock();
            }
            runner.close();
        }
        List<Throwable> failures;
        List<String> failed;
        lock.lock();
        try {
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
            phase = Phase.CLOSED;
            failures = List.copyOf(stopFailures);
            failed = stopFailureSources.stream().distinct().toList();
            stopFailures.clear();
            stopFailureSources.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.info("Stopped supervisor");
        if (!failures.isEmpty()) {
            LrepException e = new LrepException(SqlState.INTERNAL_ERROR,
                    "background workers failed while stopping: " + String.join(", ", failed));
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    // ---- handle operations (WorkerHandle delegates here) ----

    WorkerInfo info(WorkerSlot slot) {
        lock.lock();
        try {
            return slot.info();
        } finally {
            lock.unlock();
        }
    }

    WorkerState state(WorkerSlot slot) {
        lock.lock();
        try {
            return slot.state;
        } finally {
            lock.unlock();
        }
    }

    void wakeup(WorkerSlot slot) {
        WorkerRunner runner;
        lock.lock();
        try {
            runner = slot.runner;
        } finally {
            lock.unlock();
        }
        if (runner != null) {
            runner.wakeup();
        }
    }

    void terminate(WorkerSlot slot) {
        lock.lock();
        try {
            if (slot.state.isTerminal() || slot.terminateRequested) {
                return;
            }
            slot.terminateRequested = true;
            switch (slot.state) {
                case REGISTERED, WAITING_RESTART -> {
                    cancelRestart(slot);
                    finish(slot, WorkerState.STOPPED);
                }
                case STARTING, RUNNING -> {
                    LOG.info("Terminating {}", slot.source);
                    setState(slot, WorkerState.STOPPING);
                    slot.runner.requestStop();
                }
                default -> {
                    // STOPPING: already on its way out, and now it will not be restarted.
                }
            }
        } finally {
            lock.unlock();
        }
    }

    WorkerState awaitStarted(WorkerSlot slot, Duration timeout) {
        long remainingNs = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (slot.everStarted) {
                    return slot.state;
                }
                if (slot.startFailure != null) {
                    throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                            slot.source + " failed to start: " + slot.startFailure, slot.startFailure);
                }
                if (slot.state.isTerminal() || remainingNs <= 0) {
                    return slot.state;
                }
                remainingNs = changed.awaitNanos(remainingNs);
            }
        } catch (InterruptedException e) {
            throw interrupted(slot, e);
        } finally {
            lock.unlock();
        }
    }

    WorkerState awaitStopped(WorkerSlot slot, Duration timeout) {
        long remainingNs = timeout.toNanos();
        lock.lock();
        try {
            while (!slot.state.isTerminal() && remainingNs > 0) {
                remainingNs = changed.awaitNanos(remainingNs);
            }
            return slot.state;
        } catch (InterruptedException e) {
            throw interrupted(slot, e);
        } finally {
            lock.unlock();
        }
    }

    private static LrepException interrupted(WorkerSlot slot, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new LrepException(SqlState.QUERY_CANCELED, "interrupted while waiting for " + slot.source, e);
    }

    // ---- internals; all called with the lock held ----

    private WorkerSlot add(WorkerSpec spec) {
        if (registered.size() >= maxWorkerProcesses) {
            throw new LrepException(SqlState.CONFIGURATION_LIMIT_EXCEEDED, LrepException.Severity.ERROR,
                    "too many background workers",
                    "Up to " + maxWorkerProcesses + " background worker" + (maxWorkerProcesses == 1 ? "" : "s")
                            + " can be registered with the current settings.",
                    "Consider increasing the configuration parameter \"max_worker_processes\".", null);
        }
        WorkerSlot slot = new WorkerSlot(nextId++, spec);
        registered.add(slot);
        LOG.debug("Registered {} id={} start_time={}", slot.source, slot.id, spec.startTime());
        return slot;
    }

    private void launchDue() {
        for (WorkerSlot slot : List.copyOf(registered)) {
            if (slot.state == WorkerState.REGISTERED && reached.reaches(slot.spec.startTime())) {
                launch(slot);
            }
        }
    }

    private void launch(WorkerSlot slot) {
        BackgroundWorker worker;
        WorkerRunner runner;
        slot.startedAt = clock.instant();
        slot.launchSeq = nextLaunchSeq++;
        slot.startFailure = null;
        try {
            worker = Objects.requireNonNull(slot.spec.factory().get(), "background worker factory returned null");
            runner = new WorkerRunner(worker, slot.source, slot.spec.idleParkMin(), slot.spec.idleParkMax(), stopTimeout,
                    (role, error) -> onWorkerError(slot, error), new SlotListener(slot));
        } catch (RuntimeException | LinkageError e) {
            // A factory that cannot make the worker is a failed start of this attempt.
            slot.pid = 0;
            onWorkerError(slot, e);
            onAttemptEnded(slot, WorkerRunner.Outcome.FAILED, false, e);
            return;
        }
        slot.pid = nextPid++;
        slot.runner = runner;
        counts(slot)[0]++;
        setState(slot, WorkerState.STARTING);
        LOG.info("Starting {} pid={} thread={}", slot.source, slot.pid, runner.roleName());
        runner.start();
    }

    /** The error handler every runner of {@code slot} reports to (lock may or may not be held). */
    private void onWorkerError(WorkerSlot slot, Throwable error) {
        lock.lock();
        try {
            slot.failures++;
            slot.lastError = String.valueOf(error);
            if (phase == Phase.CLOSING) {
                // Thrown out of close() as suppressed, so not logged here.
                stopFailures.add(error);
                stopFailureSources.add(slot.source);
                return;
            }
        } finally {
            lock.unlock();
        }
        try {
            errorHandler.onError(slot.source, error);
        } catch (RuntimeException handlerFailure) {
            // The handler broke its contract; this is the only report of the worker's error.
            LOG.error("Error handler failed on error of {}: {}", slot.source, error, handlerFailure);
        }
    }

    private void onAttemptEnded(WorkerSlot slot, WorkerRunner.Outcome outcome, boolean started, Throwable failure) {
        slot.runner = null;
        slot.pid = 0;
        if (!started && failure != null) {
            slot.startFailure = failure;
        }
        if (outcome == WorkerRunner.Outcome.FAILED) {
            counts(slot)[2]++;
            if (phase == Phase.RUNNING && !slot.terminateRequested && !slot.spec.neverRestarts()) {
                Duration interval = slot.spec.restartInterval();
                setState(slot, WorkerState.WAITING_RESTART);
                LOG.info("Restarting {} in {} ms", slot.source, interval.toMillis());
                slot.restartTask = scheduler.schedule(() -> restart(slot), interval.toNanos(), TimeUnit.NANOSECONDS);
                notifyOwner(slot);
            } else {
                finish(slot, WorkerState.CRASHED);
            }
        } else {
            LOG.info("Stopped {}{}", slot.source, outcome == WorkerRunner.Outcome.DONE ? " (done)" : "");
            finish(slot, WorkerState.STOPPED);
        }
    }

    private void restart(WorkerSlot slot) {
        lock.lock();
        try {
            if (slot.state != WorkerState.WAITING_RESTART || phase != Phase.RUNNING) {
                return;
            }
            slot.restartTask = null;
            slot.restarts++;
            counts(slot)[1]++;
            launch(slot);
        } finally {
            lock.unlock();
        }
    }

    private long[] counts(WorkerSlot slot) {
        return countsByType.computeIfAbsent(slot.spec.type(), t -> new long[3]);
    }

    /** Per worker type, what its workers did since the supervisor was built. */
    public Map<String, TypeCounts> typeCounts() {
        lock.lock();
        try {
            Map<String, TypeCounts> out = new HashMap<>();
            countsByType.forEach((type, c) -> out.put(type, new TypeCounts(c[0], c[1], c[2])));
            return out;
        } finally {
            lock.unlock();
        }
    }

    private void cancelRestart(WorkerSlot slot) {
        if (slot.restartTask != null) {
            slot.restartTask.cancel(false);
            slot.restartTask = null;
        }
    }

    /** The worker will never run again: unregister it and free its slot. */
    private void finish(WorkerSlot slot, WorkerState finalState) {
        setState(slot, finalState);
        registered.remove(slot);
        notifyOwner(slot);
    }

    private void setState(WorkerSlot slot, WorkerState state) {
        slot.state = state;
        changed.signalAll();
    }

    private void notifyOwner(WorkerSlot slot) {
        try {
            slot.spec.notifyOwner().run();
        } catch (RuntimeException e) {
            onWorkerError(slot, e);
        }
    }

    /** Runner callbacks for one slot, on the worker's thread. */
    private final class SlotListener implements WorkerRunner.Listener {
        private final WorkerSlot slot;

        SlotListener(WorkerSlot slot) {
            this.slot = slot;
        }

        @Override
        public void onRunning(WorkerRunner runner) {
            lock.lock();
            try {
                if (slot.runner != runner) {
                    return;
                }
                slot.everStarted = true;
                if (slot.state == WorkerState.STARTING) {
                    setState(slot, WorkerState.RUNNING);
                } else {
                    changed.signalAll();
                }
                notifyOwner(slot);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onExit(WorkerRunner runner, WorkerRunner.Outcome outcome, boolean started, Throwable failure) {
            lock.lock();
            try {
                if (slot.runner == runner) {
                    onAttemptEnded(slot, outcome, started, failure);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Builds a {@link Supervisor}. */
    public static final class Builder {
        private int maxWorkerProcesses = DEFAULT_MAX_WORKER_PROCESSES;
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
        private ErrorHandler errorHandler = ErrorHandler.logging();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** {@code max_worker_processes}: how many workers may be registered at once (default 8). */
        public Builder maxWorkerProcesses(int value) {
            if (value < 0) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                        "max_worker_processes: " + value + " (expected: 0 or more)");
            }
            this.maxWorkerProcesses = value;
            return this;
        }

        /** How long {@link Supervisor#close()} waits for each worker's thread (default 10 s). */
        public Builder stopTimeout(Duration value) {
            if (value == null || value.isNegative()) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                        "supervisor stop timeout: " + value + " (expected: zero or more)");
            }
            this.stopTimeout = value;
            return this;
        }

        /** Receives every worker error, once (default: logs at ERROR). */
        public Builder errorHandler(ErrorHandler value) {
            this.errorHandler = Objects.requireNonNull(value, "errorHandler");
            return this;
        }

        /** Stamps {@link WorkerInfo#startedAt()} (default: system UTC). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Supervisor build() {
            return new Supervisor(this);
        }
    }
}
