package io.lrep.subscriber.subscription;

import java.util.List;

/**
 * What CREATE, ALTER and DROP SUBSCRIPTION ask of the publisher, over one replication
 * connection ({@code replication=database}, application_name = the subscription's name),
 * with the commands PostgreSQL 15 sends (reference §6.2 to §6.4). Made by a
 * {@link PublisherConnector}; used by one statement on one thread, then closed.
 *
 * <p>Failures are {@link io.lrep.core.error.LrepException}s; an error the publisher returns
 * keeps its SQLSTATE (so {@link #dropSlot} can tell 42704, a missing slot).
 */
public interface PublisherConnection extends AutoCloseable {

    /** A table one of the publications publishes: a row of fetch_table_list. */
    record RemoteTable(String schema, String table, List<String> columns) {

        /** @param columns attnames (publisher 15+), or null from an older publisher */
        public RemoteTable {
            columns = columns == null ? null : List.copyOf(columns);
        }
    }

    /**
     * check_publications: {@code SELECT t.pubname FROM pg_catalog.pg_publication t WHERE
     * t.pubname IN ('p1', 'p2')}.
     *
     * @return the names of {@code publications} that exist on the publisher
     */
    List<String> existingPublications(List<String> publications);

    /**
     * fetch_table_list: {@code SELECT DISTINCT t.schemaname, t.tablename, t.attnames FROM
     * pg_catalog.pg_publication_tables t WHERE t.pubname IN ('p1', 'p2')}.
     */
    List<RemoteTable> fetchTables(List<String> publications);

    /**
     * {@code CREATE_REPLICATION_SLOT "slot" LOGICAL pgoutput (SNAPSHOT 'nothing')}, with
     * {@code TWO_PHASE} when {@code twoPhase}.
     *
     * @return the slot's consistent point
     */
    long createSlot(String slotName, boolean twoPhase);

    /**
     * {@link #createSlot(String, boolean)}, with PostgreSQL 17's {@code FAILOVER} option when
     * {@code failover}: {@code (TWO_PHASE, FAILOVER, SNAPSHOT 'nothing')}.
     */
    default long createSlot(String slotName, boolean twoPhase, boolean failover) {
        if (failover) {
            throw new UnsupportedOperationException("FAILOVER slots");
        }
        return createSlot(slotName, twoPhase);
    }

    /** PostgreSQL 17's {@code ALTER_REPLICATION_SLOT "slot" ( FAILOVER true|false )}. */
    default void alterSlot(String slotName, boolean failover) {
        throw new UnsupportedOperationException("ALTER_REPLICATION_SLOT");
    }

    /** The publisher's server_version_num. */
    default int serverVersion() {
        return 150000;
    }

    /**
     * {@code DROP_REPLICATION_SLOT slot WAIT} (the name through quote_identifier). With
     * {@code missingOk} a 42704 from the publisher (no such slot) is not an error.
     */
    void dropSlot(String slotName, boolean missingOk);

    /** Terminates the connection; never throws. */
    @Override
    void close();
}
