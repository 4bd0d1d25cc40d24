package io.lrep.node.sql;

/**
 * The SQL side of a node, as the protocol server sees it: one engine per node, one
 * {@link SqlSession} per client connection.
 */
public interface SqlEngine {

    /**
     * Opens a session for an authenticated connection.
     *
     * @throws io.lrep.core.error.LrepException e.g. 3D000 when the database does not exist
     */
    SqlSession openSession(SessionContext context);
}
