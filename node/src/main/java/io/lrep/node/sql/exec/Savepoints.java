package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.Transaction;

/** The bridge to storage's subtransactions (SAVEPOINT, RELEASE, ROLLBACK TO). */
final class Savepoints {

    private Savepoints() {}

    static void create(Transaction txn, String name) {
        txn.savepoint(name);
    }

    static void release(Transaction txn, String name) {
        txn.releaseSavepoint(name);
    }

    static void rollbackTo(Transaction txn, String name) {
        if (txn == null) {
            throw new LrepException(SqlState.INVALID_SAVEPOINT_SPECIFICATION, "savepoint \"" + name + "\" does not exist");
        }
        txn.rollbackToSavepoint(name);
    }

    /** The transaction's xid (0 while it has not written). */
    static int ensureXid(Transaction txn) {
        return txn.xid();
    }
}
