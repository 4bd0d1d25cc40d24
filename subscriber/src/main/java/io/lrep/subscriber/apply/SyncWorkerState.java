package io.lrep.subscriber.apply;

import io.lrep.subscriber.subscription.SubscriptionRel;
import java.time.Duration;

/**
 * What a table-sync worker and its subscription's apply worker share, as the relstate and
 * relstate_lsn of PostgreSQL's LogicalRepWorker in shared memory: the states {@code w}
 * (SYNCWAIT: the copy is done, the sync worker waits) and {@code c} (CATCHUP: the apply worker
 * lets it stream up to {@link #lsn()}) live only here; the others mirror pg_subscription_rel.
 *
 * <p>Thread-safe: the two workers and the launcher use it.
 */
public final class SyncWorkerState {

    /** SYNCWAIT, never stored in the catalog. */
    public static final char SYNCWAIT = 'w';
    /** CATCHUP, never stored in the catalog. */
    public static final char CATCHUP = 'c';

    private final long subOid;
    private final long relOid;
    private char state = SubscriptionRel.INIT;
    private long lsn;
    private boolean exited;
    private volatile boolean cancelled;

    public SyncWorkerState(long subOid, long relOid) {
        this.subOid = subOid;
        this.relOid = relOid;
    }

    public long subOid() {
        return subOid;
    }

    public long relOid() {
        return relOid;
    }

    public synchronized char state() {
        return state;
    }

    /** relstate_lsn: the copy's consistent point in SYNCWAIT, the catch-up target in CATCHUP. */
    public synchronized long lsn() {
        return lsn;
    }

    /** Sets the state and its LSN and wakes whoever waits for a change. */
    public synchronized void set(char newState, long newLsn) {
        state = newState;
        lsn = newLsn;
        notifyAll();
    }

    /** The worker has exited (finished, failed or stopped). */
    public synchronized void markExited() {
        exited = true;
        notifyAll();
    }

    public synchronized boolean exited() {
        return exited;
    }

    /** Waits up to {@code timeout} for the state to leave {@code from} or the worker to exit; returns the state then. */
    public synchronized char awaitChange(char from, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state == from && !exited) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return state;
    }

    /** Asks a running copy to stop (the worker is being terminated). */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }
}
