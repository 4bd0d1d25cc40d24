package io.lrep.node.sql;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * One client connection's SQL state: its transaction, settings, prepared statements are the
 * server's business (it keeps the names), but everything about meaning is here. Called by one
 * thread at a time (the connection's), except {@link #cancel()}.
 *
 * <p>Errors are {@link io.lrep.core.error.LrepException}s with PostgreSQL's SQLSTATE; a syntax
 * error carries its 1-based character position ({@link io.lrep.core.error.LrepException#position()}). After an error
 * inside a transaction block the session is in the failed state ('E') and rejects everything
 * but ROLLBACK (25P02), as PostgreSQL.
 *
 * <p>Transactions follow PostgreSQL's protocol rules: statements outside BEGIN/COMMIT run in an
 * implicit transaction that ends at the end of a simple Query message (all its statements
 * together) or at Sync in the extended protocol; the server calls {@link #endOfQuery()} at those
 * points, and {@link #abortImplicit()} when a statement of such a message failed.
 */
public interface SqlSession extends AutoCloseable {

    /** Parses and analyzes every statement of a simple Query message (possibly none). */
    List<Prepared> prepareAll(String sql);

    /**
     * Parses and analyzes one statement for a Parse message. {@code parameterTypeOids[i] == 0}
     * leaves $i+1's type to be inferred.
     *
     * @throws io.lrep.core.error.LrepException 42601 when the text holds more than one statement
     */
    Prepared prepare(String sql, int[] parameterTypeOids);

    /**
     * Binds parameter values (already decoded to the parameter types' Java classes by the
     * server; null = SQL NULL) into a portal.
     */
    Portal bind(Prepared statement, Object[] parameters);

    /**
     * Runs a portal, pushing at most {@code maxRows} rows (0 = no limit) to {@code sink}.
     * A COPY portal returns {@link ExecuteResult#COPY}; the server then runs the copy through
     * {@link Portal#copy()}.
     */
    ExecuteResult execute(Portal portal, int maxRows, RowSink sink);

    /** The end of a simple Query message or a Sync: commits an implicit transaction. */
    void endOfQuery();

    /** A statement in an implicit transaction failed: roll it back (no failed state outside a block). */
    void abortImplicit();

    /** ReadyForQuery's status: 'I' idle, 'T' in a transaction block, 'E' in a failed block. */
    char transactionStatus();

    /**
     * Makes the snapshot at {@code lsn} (a new replication slot's consistent point) the
     * snapshot of the open transaction block, as CREATE_REPLICATION_SLOT ... (SNAPSHOT 'use')
     * does: the block must be REPEATABLE READ and READ ONLY and must not have run a query yet
     * (PostgreSQL's errors otherwise). The caller keeps the snapshot pinned until this returns.
     */
    default void useSnapshot(long lsn) {
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "CREATE_REPLICATION_SLOT ... (SNAPSHOT 'use') is not supported");
    }

    /** Cancels the statement running now, if any (57014 "canceling statement due to user request"). Any thread. */
    void cancel();

    /** Settings PostgreSQL reports with ParameterStatus that changed since the last call (SET TimeZone, application_name, ...). */
    Map<String, String> drainParameterChanges();

    /** The current values of all reported settings (sent after authentication). */
    Map<String, String> reportedParameters();

    /** Notices raised since the last call. */
    List<Notice> drainNotices();

    /** The session's TimeZone, for timestamptz text output. */
    ZoneId timeZone();

    /** Rolls back an open transaction and releases what the session holds. */
    @Override
    void close();
}
