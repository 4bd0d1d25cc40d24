package io.lrep.subscriber.subscription;

/**
 * Told when a subscription change has committed, as PostgreSQL wakes the logical replication
 * launcher at commit (ApplyLauncherWakeupAtCommit). Called on the committing session's thread
 * after the commit is durable; must return quickly (wake a worker, never block). Not called for
 * changes that rolled back.
 */
@FunctionalInterface
public interface SubscriptionListener {

    /** What happened to a subscription. */
    enum Kind { CREATED, ALTERED, DROPPED }

    /**
     * One committed change.
     *
     * @param subOid the subscription's oid
     * @param name   its name after the change (before it, for DROPPED)
     */
    record Change(Kind kind, long subOid, String name) {
    }

    void onCommitted(Change change);

    /**
     * Called inside DROP SUBSCRIPTION, before the subscription's slot is dropped on the
     * publisher: stop the subscription's workers and wait for them to exit, as
     * logicalrep_worker_stop (a worker still streaming would keep the slot active). Runs on the
     * session's thread, before the commit; the default does nothing.
     */
    default void onDropping(long subOid) {
    }

    /**
     * Called inside ALTER SUBSCRIPTION ... REFRESH PUBLICATION for a table that leaves the
     * subscription, before its table-sync slot is dropped: stop that table's sync worker and
     * wait for it to exit. The default does nothing.
     */
    default void onTableRemoved(long subOid, long relOid) {
    }

    /** Listens to nothing. */
    SubscriptionListener NONE = change -> { };
}
