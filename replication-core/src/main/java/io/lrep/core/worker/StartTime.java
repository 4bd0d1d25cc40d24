package io.lrep.core.worker;

/**
 * When the supervisor may start a background worker, as PostgreSQL's {@code BgWorkerStartTime}.
 * The values are ordered: a node that has reached a later one has reached every earlier one, so
 * on a node that is not a standby {@link #CONSISTENT_STATE} and {@link #RECOVERY_FINISHED} are
 * reached together. The value only gates the start; a running worker is never stopped because
 * of it.
 */
public enum StartTime {
    /** As {@code BgWorkerStart_PostmasterStart}: as soon as the supervisor has started. */
    NODE_START,
    /** As {@code BgWorkerStart_ConsistentState}: a standby has reached a consistent state. */
    CONSISTENT_STATE,
    /** As {@code BgWorkerStart_RecoveryFinished}: the node is read-write. */
    RECOVERY_FINISHED;

    /** True when a node that has reached {@code this} may start a worker that waits for {@code other}. */
    public boolean reaches(StartTime other) {
        return compareTo(other) >= 0;
    }
}
