package io.lrep.core.worker;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How to run one background worker: PostgreSQL's {@code BackgroundWorker} registration struct.
 * Immutable; build one with {@link #builder()}.
 *
 * @param type            free text, as {@code bgw_type}: {@code walwriter}, {@code checkpointer},
 *                        {@code logical replication launcher}, {@code logical replication apply worker}, ...
 * @param name            free text, as {@code bgw_name}; used in logs and views
 * @param factory         makes a fresh {@link BackgroundWorker} for every (re)start; it should only
 *                        construct (real work belongs in {@code onStart}) and must not return null
 * @param startTime       when the worker may start, as {@code bgw_start_time}
 * @param restartInterval how long after a failure a fresh instance starts, as {@code bgw_restart_time};
 *                        {@link #NEVER_RESTART} for never, {@link Duration#ZERO} for at once
 * @param idleParkMin     first park when {@code doWork} returned 0
 * @param idleParkMax     the park doubles per idle step up to this
 * @param notifyOwner     as {@code bgw_notify_pid}: run when the worker has started, failed to start
 *                        or stopped, on whichever thread saw it; it must only set a flag or wake
 *                        someone (e.g. {@link WorkerHandle#wakeup()} of the owner), never block.
 *                        {@link #NO_NOTIFY} when nobody is interested
 * @param dynamic         false for a static worker (registered before the supervisor starts), true
 *                        for a dynamic one; the supervisor records how it was really registered
 */
public record WorkerSpec(
        String type,
        String name,
        Supplier<BackgroundWorker> factory,
        StartTime startTime,
        Duration restartInterval,
        Duration idleParkMin,
        Duration idleParkMax,
        Runnable notifyOwner,
        boolean dynamic) {

    /** As {@code BGW_NEVER_RESTART} (-1 s): a worker that fails is not restarted. */
    public static final Duration NEVER_RESTART = Duration.ofSeconds(-1);
    /** As {@code BGW_DEFAULT_RESTART_INTERVAL}: 60 s. */
    public static final Duration DEFAULT_RESTART_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IDLE_PARK_MIN = Duration.ofMillis(1);
    public static final Duration DEFAULT_IDLE_PARK_MAX = Duration.ofMillis(10);
    /** The {@link #notifyOwner} that does nothing. */
    public static final Runnable NO_NOTIFY = () -> {};

    public WorkerSpec {
        type = requireText(type, "type", name);
        name = requireText(name, "name", type);
        if (factory == null) {
            throw invalid(name, "factory must not be null");
        }
        if (startTime == null) {
            throw invalid(name, "start time must not be null");
        }
        if (restartInterval == null || (restartInterval.isNegative() && !restartInterval.equals(NEVER_RESTART))) {
            throw invalid(name, "restart interval must be zero or more, or NEVER_RESTART (was " + restartInterval + ")");
        }
        if (idleParkMin == null || idleParkMax == null || idleParkMin.isNegative() || idleParkMin.isZero()
                || idleParkMax.compareTo(idleParkMin) < 0) {
            throw invalid(name, "idle park must satisfy 0 < min <= max (was " + idleParkMin + ", " + idleParkMax + ")");
        }
        if (notifyOwner == null) {
            notifyOwner = NO_NOTIFY;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when a failed worker is not restarted. */
    public boolean neverRestarts() {
        return restartInterval.equals(NEVER_RESTART);
    }

    /** This spec, marked static or dynamic. */
    public WorkerSpec withDynamic(boolean isDynamic) {
        if (isDynamic == dynamic) {
            return this;
        }
        return new WorkerSpec(type, name, factory, startTime, restartInterval, idleParkMin, idleParkMax, notifyOwner, isDynamic);
    }

    /** A builder seeded with this spec's values. */
    public Builder toBuilder() {
        return new Builder().type(type).name(name).factory(factory).startTime(startTime)
                .restartInterval(restartInterval).idlePark(idleParkMin, idleParkMax).notifyOwner(notifyOwner).dynamic(dynamic);
    }

    private static String requireText(String value, String what, String other) {
        if (value == null || value.isBlank()) {
            throw invalid(other == null ? "?" : other, what + " must not be empty");
        }
        return value;
    }

    private static LrepException invalid(String name, String problem) {
        return new LrepException(SqlState.INVALID_PARAMETER_VALUE, "background worker \"" + name + "\": " + problem);
    }

    /**
     * Builds a {@link WorkerSpec}. Defaults: start at {@link StartTime#NODE_START}, restart after
     * {@link #DEFAULT_RESTART_INTERVAL}, idle park 1 ms backing off to 10 ms, no owner to notify, static.
     * {@code type}, {@code name} and {@code factory} are required; a missing name defaults to the type.
     */
    public static final class Builder {
        private String type;
        private String name;
        private Supplier<BackgroundWorker> factory;
        private StartTime startTime = StartTime.NODE_START;
        private Duration restartInterval = DEFAULT_RESTART_INTERVAL;
        private Duration idleParkMin = DEFAULT_IDLE_PARK_MIN;
        private Duration idleParkMax = DEFAULT_IDLE_PARK_MAX;
        private Runnable notifyOwner = NO_NOTIFY;
        private boolean dynamic;

        private Builder() {}

        public Builder type(String value) {
            this.type = value;
            return this;
        }

        public Builder name(String value) {
            this.name = value;
            return this;
        }

        public Builder factory(Supplier<BackgroundWorker> value) {
            this.factory = value;
            return this;
        }

        public Builder startTime(StartTime value) {
            this.startTime = value;
            return this;
        }

        /** Restart this long after a failure; {@link #NEVER_RESTART} for never. */
        public Builder restartInterval(Duration value) {
            this.restartInterval = value;
            return this;
        }

        /** Same as {@code restartInterval(NEVER_RESTART)}. */
        public Builder neverRestart() {
            this.restartInterval = NEVER_RESTART;
            return this;
        }

        public Builder idlePark(Duration min, Duration max) {
            this.idleParkMin = min;
            this.idleParkMax = max;
            return this;
        }

        public Builder notifyOwner(Runnable value) {
            this.notifyOwner = Objects.requireNonNullElse(value, NO_NOTIFY);
            return this;
        }

        public Builder dynamic(boolean value) {
            this.dynamic = value;
            return this;
        }

        public WorkerSpec build() {
            return new WorkerSpec(type, name == null ? type : name, factory, startTime, restartInterval,
                    idleParkMin, idleParkMax, notifyOwner, dynamic);
        }
    }
}
