package io.lrep.node;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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
}
