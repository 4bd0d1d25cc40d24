package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.Transaction;

/** The bridge to storage's subtransactions (SAVEPOINT, RELEASE, ROLLBACK TO). */
final class Savepoints {

    private Savepoints() {}

    static void create(Transaction txn, String name) {
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "SAVEPOINT is not supported yet");
    }

    static void release(Transaction txn, String name) {
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "RELEASE SAVEPOINT is not supported yet");
    }

    static void rollbackTo(Transaction txn, String name) {
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "ROLLBACK TO SAVEPOINT is not supported yet");
    }

    /** The transaction's xid (0 while it has not written). */
    static int ensureXid(Transaction txn) {
        return txn.xid();
    }
}
