package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.Transaction;
import java.util.List;

/** Turns parsed statements into {@link Planned} ones: name resolution, types, plans. */
final class Analyzer {

    /** One parsed statement and its text. */
    record Parsed(String text, Object statement) {}

    private final ExecSession session;
    private final Transaction txn;
    private final ParamTypes params;

    Analyzer(ExecSession session, Transaction txn, ParamTypes params) {
        this.session = session;
        this.txn = txn;
        this.params = params;
    }

    static List<Parsed> parse(String sql) {
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "parser not available");
    }

    static boolean isTransactionControl(Parsed p) {
        return false;
    }

    Planned analyze(Parsed p) {
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "statement not supported: " + p.text() + session + txn + params);
    }
}
