package io.lrep.node.sql;

import java.util.Map;

/**
 * Who a session is: the authenticated role, the database, and the settings the client sent in
 * its StartupMessage (application_name, client_encoding, DateStyle, TimeZone, ... and
 * {@code -c name=value} pairs from {@code options}), applied as if by SET at session start.
 *
 * @param backendPid the process id PostgreSQL would show (pg_backend_pid(), BackendKeyData)
 * @param replication the StartupMessage's replication parameter: "false", "true" or "database"
 * @param clientAddress the client's address as text, for pg_stat_activity
 */
public record SessionContext(String user, String database, int backendPid, Map<String, String> startupSettings,
        String replication, String clientAddress) {}
