package io.lrep.core.worker;

import java.time.Instant;

/**
 * A snapshot of one registered background worker, for views such as
 * {@code pg_stat_activity}'s background-worker rows. Immutable.
 *
 * @param id        the registration's number, stable across restarts
 * @param pid       a pid-like number that is new on every (re)start; 0 while no thread runs it
 * @param type      e.g. {@code logical replication launcher}
 * @param name      e.g. {@code logical replication apply worker for subscription 16394}
 * @param dynamic   registered after the supervisor started
 * @param startTime when it may start
 * @param state     what it is doing
 * @param startedAt when its current (or last) incarnation was started, or null if never
 * @param restarts  how many times a fresh instance was started after a failure
 * @param failures  how many exceptions it has thrown (including in {@code onClose})
 * @param lastError the last exception as text, or null
 */
public record WorkerInfo(
        long id,
        long pid,
        String type,
        String name,
        boolean dynamic,
        StartTime startTime,
        WorkerState state,
        Instant startedAt,
        int restarts,
        long failures,
        String lastError) {}
