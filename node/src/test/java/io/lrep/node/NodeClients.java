package io.lrep.node;

import io.lrep.node.sql.Portal;
import io.lrep.node.sql.Prepared;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlSession;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** pgjdbc connections to a node started by a test, as the operating-system user (the default superuser). */
final class NodeClients {

    private NodeClients() {}

    /** Connection properties: the user, bounded timeouts. */
    static Properties properties() {
        Properties props = new Properties();
        props.setProperty("user", System.getProperty("user.name", "postgres"));
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "60");
        return props;
    }

    /**
     * Adds what pgjdbc needs for a walsender connection: {@code replication} is
     * {@code database} (logical) or {@code true} (physical).
     */
    static Properties replication(Properties props, String replication) {
        props.setProperty("replication", replication);
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("assumeMinServerVersion", "9.4");
        return props;
    }

    static Connection connect(Node node, Properties props) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port() + "/postgres", props);
    }

    static Connection connect(Node node) throws SQLException {
        return connect(node, properties());
    }

    /**
     * Runs {@code sql} in a session of the node's SQL engine (no socket), as the OS user; returns
     * the last statement's rows, columns joined with {@code |} (arrays as {@code [a, b]}).
     */
    static List<String> sql(Node node, String sql) {
        try (SqlSession s = node.sqlEngine().openSession(new SessionContext(System.getProperty("user.name", "postgres"), "postgres", 1,
                Map.of(), "false", "127.0.0.1"))) {
            List<String> rows = new ArrayList<>();
            for (Prepared p : s.prepareAll(sql)) {
                rows.clear();
                Portal portal = s.bind(p, new Object[0]);
                s.execute(portal, 0, row -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < row.length; i++) {
                        b.append(i == 0 ? "" : "|").append(row[i] instanceof Object[] a ? List.of(a).toString() : String.valueOf(row[i]));
                    }
                    rows.add(b.toString());
                    return true;
                });
            }
            s.endOfQuery();
            return List.copyOf(rows);
        }
    }
}
