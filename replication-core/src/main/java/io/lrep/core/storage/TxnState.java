package io.lrep.core.storage;

/**
 * The commit status of one transaction as row and catalog versions see it. {@code commitLsn} is
 * 0 while the transaction runs and is set once, under the engine's commit lock, to the end LSN
 * of its Commit record (a volatile write that publishes it to lock-free readers);
 * {@code aborted} is set once on rollback.
 */
final class TxnState {

    /** The state of the built-in objects and of nothing else: committed before any WAL. */
    static final TxnState BOOTSTRAP = committed(1);

    volatile int xid;
    volatile long commitLsn;
    volatile boolean aborted;

    static TxnState committed(long lsn) {
        TxnState s = new TxnState();
        s.commitLsn = lsn;
        return s;
    }

    boolean isCommitted() {
        return commitLsn != 0;
    }

    boolean isEnded() {
        return commitLsn != 0 || aborted;
    }

    /** Committed with its commit at or below the snapshot LSN. */
    boolean committedAtOrBefore(long snapshotLsn) {
        long c = commitLsn;
        return c != 0 && Long.compareUnsigned(c, snapshotLsn) <= 0;
    }

    @Override
    public String toString() {
        return "txn(xid=" + Integer.toUnsignedString(xid) + (aborted ? ", aborted" : commitLsn != 0 ? ", committed" : "") + ")";
    }
}
