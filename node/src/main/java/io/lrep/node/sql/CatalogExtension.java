package io.lrep.node.sql;

import java.util.List;

/**
 * A bundle of system views and functions that a part of the node contributes to SQL: the
 * system catalogs psql and pgjdbc query, and later the publisher's and subscriber's views
 * (pg_publication, pg_stat_subscription, ...). The SQL engine is built with a list of them.
 */
public interface CatalogExtension {

    List<SystemView> views();

    List<SqlFunction> functions();

    /**
     * A session ended (its client went away or the node is stopping): release what it held,
     * such as its temporary replication slots. Runs on the session's thread; the default does
     * nothing.
     */
    default void onSessionEnd(SessionContext session) {
    }
}
