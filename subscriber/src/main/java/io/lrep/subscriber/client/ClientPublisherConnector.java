package io.lrep.subscriber.client;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.subscriber.subscription.PublisherConnection;
import io.lrep.subscriber.subscription.PublisherConnector;
import java.util.ArrayList;
import java.util.List;

/**
 * The publisher connections of CREATE, ALTER and DROP SUBSCRIPTION over the replication
 * client: a {@code replication=database} connection with the subscription's name as
 * application_name, sending what a PostgreSQL 15 subscriber sends (reference §6.2 to §6.4).
 */
public final class ClientPublisherConnector implements PublisherConnector {

    private final ReplicationClient client;

    /** @param client the node's replication client (shared, thread-safe) */
    public ClientPublisherConnector(ReplicationClient client) {
        this.client = client;
    }

    @Override
    public void checkConninfo(String conninfo) {
        ConnInfo.parse(conninfo);
    }

    @Override
    public void checkConninfo(String conninfo, boolean mustUsePassword) {
        ConnInfo info = ConnInfo.parse(conninfo);
        String password = info.get("password");
        if (mustUsePassword && (password == null || password.isEmpty())) {
            throw new LrepException(SqlState.PROHIBITED_SQL_STATEMENT_ATTEMPTED, "password is required")
                    .withDetail("Non-superusers must provide a password in the connection string.");
        }
    }

    @Override
    public PublisherConnection connect(String conninfo, String applicationName) {
        return connect(conninfo, applicationName, false);
    }

    @Override
    public PublisherConnection connect(String conninfo, String applicationName, boolean mustUsePassword) {
        ConnInfo info = ConnInfo.parse(conninfo).with("replication", "database").withDefault("application_name", applicationName);
        ReplicationConnection connection;
        try {
            connection = client.connect(info);
        } catch (LrepException e) {
            throw new LrepException(SqlState.CONNECTION_FAILURE, "could not connect to the publisher: " + e.getMessage(), e);
        }
        checkPasswordUsed(connection, mustUsePassword);
        return new Connection(connection);
    }

    /**
     * PostgreSQL 16's check after connecting (libpqrcv_connect): when {@code mustUsePassword} and
     * the server did not ask for a password, closes {@code connection} and fails with 2F003
     * {@code password is required}.
     */
    public static void checkPasswordUsed(ReplicationConnection connection, boolean mustUsePassword) {
        if (mustUsePassword && !connection.usedPassword()) {
            connection.close();
            throw new LrepException(SqlState.PROHIBITED_SQL_STATEMENT_ATTEMPTED, "password is required")
                    .withDetail("Non-superuser cannot connect if the server does not request a password.")
                    .withHint("Target server's authentication method must be changed, or set password_required=false in the"
                            + " subscription parameters.");
        }
    }

    /** One statement's connection to the publisher. */
    private static final class Connection implements PublisherConnection {
        private final ReplicationConnection connection;

        Connection(ReplicationConnection connection) {
            this.connection = connection;
        }

        @Override
        public List<String> existingPublications(List<String> publications) {
            QueryResult r = connection.query("SELECT t.pubname FROM pg_catalog.pg_publication t WHERE t.pubname IN (" + Quoting.literals(publications) + ")");
            List<String> out = new ArrayList<>();
            for (List<String> row : r.rows()) {
                out.add(row.get(0));
            }
            return out;
        }

        @Override
        public List<RemoteTable> fetchTables(List<String> publications) {
            boolean attnames = connection.serverVersion() >= 150000;
            QueryResult r = connection.query("SELECT DISTINCT t.schemaname, t.tablename" + (attnames ? ", t.attnames" : "")
                    + " FROM pg_catalog.pg_publication_tables t WHERE t.pubname IN (" + Quoting.literals(publications) + ")");
            List<RemoteTable> out = new ArrayList<>();
            for (List<String> row : r.rows()) {
                out.add(new RemoteTable(row.get(0), row.get(1), attnames ? textArray(row.get(2)) : null));
            }
            return out;
        }

        @Override
        public long createSlot(String slotName, boolean twoPhase) {
            return createSlot(slotName, twoPhase, false);
        }

        @Override
        public long createSlot(String slotName, boolean twoPhase, boolean failover) {
            QueryResult r = connection.query("CREATE_REPLICATION_SLOT " + Quoting.identifier(slotName) + " LOGICAL pgoutput ("
                    + (twoPhase ? "TWO_PHASE, " : "") + (failover ? "FAILOVER, " : "") + "SNAPSHOT 'nothing')");
            return Lsn.parseLong(r.value(0, 1));
        }

        @Override
        public void alterSlot(String slotName, boolean failover) {
            try {
                connection.query("ALTER_REPLICATION_SLOT " + Quoting.identifier(slotName) + " ( FAILOVER " + failover + " )");
            } catch (ServerErrorException e) {
                throw new LrepException(SqlState.PROTOCOL_VIOLATION, "could not alter replication slot \"" + slotName + "\": "
                        + e.getMessage(), e);
            }
        }

        @Override
        public int serverVersion() {
            return connection.serverVersion();
        }

        @Override
        public void dropSlot(String slotName, boolean missingOk) {
            try {
                connection.query("DROP_REPLICATION_SLOT " + Quoting.identifier(slotName) + " WAIT");
            } catch (ServerErrorException e) {
                if (!(missingOk && e.sqlStateCode().equals(SqlState.UNDEFINED_OBJECT.code()))) {
                    throw e;
                }
            }
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    /** A name[] in text form, {@code {a,b,"c d"}}, as a list (names only: no nested arrays). */
    static List<String> textArray(String text) {
        if (text == null) {
            return null;
        }
        String body = text.substring(1, text.length() - 1);
        if (body.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < body.length()) {
                    cur.append(body.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
