package io.lrep.subscriber.subscription;

/**
 * Opens {@link PublisherConnection}s for subscription DDL; implemented over the replication
 * client. Thread-safe.
 */
public interface PublisherConnector {

    /**
     * Checks a subscription's conninfo as libpq parses it (walrcv_check_conninfo), without
     * connecting: 42601 {@code invalid connection string syntax: ...} when it does not parse.
     */
    void checkConninfo(String conninfo);

    /**
     * {@link #checkConninfo(String)}, and with {@code mustUsePassword} (PostgreSQL 16's
     * walrcv_check_conninfo) a conninfo without a non-empty password is 2F003
     * {@code password is required}.
     */
    default void checkConninfo(String conninfo, boolean mustUsePassword) {
        checkConninfo(conninfo);
    }

    /**
     * Connects to the publisher named by {@code conninfo}, as subscription {@code applicationName}.
     * A failure is 08006 {@code could not connect to the publisher: <reason>}.
     */
    PublisherConnection connect(String conninfo, String applicationName);

    /**
     * {@link #connect(String, String)}; with {@code mustUsePassword} a connection the server let
     * in without asking for a password is closed and 2F003 {@code password is required}
     * (PostgreSQL 16's walrcv_connect).
     */
    default PublisherConnection connect(String conninfo, String applicationName, boolean mustUsePassword) {
        return connect(conninfo, applicationName);
    }

    /** A connector without a replication client: conninfo is not checked, and connecting fails. */
    PublisherConnector NONE = new PublisherConnector() {
        @Override
        public void checkConninfo(String conninfo) {
            // nothing to check it with: the replication client validates when there is one
        }

        @Override
        public PublisherConnection connect(String conninfo, String applicationName) {
            throw new io.lrep.core.error.LrepException(io.lrep.core.error.SqlState.CONNECTION_FAILURE,
                    "could not connect to the publisher: no replication client on this node");
        }
    };
}
