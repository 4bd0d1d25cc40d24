package io.lrep.node.sql.catalog;

import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SessionContext;
import java.time.Instant;
import java.util.List;

/**
 * The sessions pg_stat_activity lists. The SQL engine supplies its session registry; without
 * one, {@link #CURRENT_SESSION_ONLY} lists the querying session alone.
 */
@FunctionalInterface
public interface ActivitySource {

    /** One backend as pg_stat_activity shows it; times and query may be null when unknown. */
    record Activity(int pid, String database, String user, String applicationName, String clientAddress, String state,
            String query, Instant backendStart, Instant transactionStart, Instant queryStart, Instant stateChange,
            String backendType) {}

    /** The sessions visible to the querying one. */
    List<Activity> sessions(QueryContext context);

    /** Lists only the session that runs the query, as {@code active} (its query text is not known here). */
    ActivitySource CURRENT_SESSION_ONLY = context -> {
        SessionContext s = context.session();
        if (s == null) {
            return List.of();
        }
        String app;
        try {
            app = context.setting("application_name");
        } catch (io.lrep.core.error.LrepException e) {
            app = s.startupSettings().getOrDefault("application_name", ""); // the setting is not registered
        }
        String backendType = "false".equals(s.replication()) || s.replication() == null ? "client backend" : "walsender";
        return List.of(new Activity(s.backendPid(), s.database(), s.user(), app, s.clientAddress(), "active", null, null, null, null,
                null, backendType));
    };
}
