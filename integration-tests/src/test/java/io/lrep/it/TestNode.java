package io.lrep.it;

import io.lrep.node.Node;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * One real node for a test: a fresh data directory, the protocol server on 127.0.0.1 and a
 * port the OS picks, closed (cleanly) by {@link #close()}.
 */
final class TestNode implements AutoCloseable {

    static final String SUPERUSER = "lrep";

    private final Node node;

    private TestNode(Node node) {
        this.node = node;
    }

    /** Initialises {@code dataDir} with trust authentication and starts a node on it. */
    static TestNode start(Path dataDir, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.putIfAbsent("port", "0");
        all.putIfAbsent("listen_addresses", "127.0.0.1");
        Node.init(dataDir, Map.of(), SUPERUSER, "trust", null);
        return new TestNode(Node.start(dataDir, all));
    }

    /** Starts a node again on an existing data directory (crash recovery if it was halted); a new port. */
    static TestNode restart(Path dataDir, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.putIfAbsent("port", "0");
        all.putIfAbsent("listen_addresses", "127.0.0.1");
        return new TestNode(Node.start(dataDir, all));
    }

    /** Stops the node as a crash would ({@link Node#halt()}). */
    void halt() {
        node.halt();
    }

    Node node() {
        return node;
    }

    int port() {
        return node.port();
    }

    /** A libpq connection string to this node, as the superuser: what a subscription's CONNECTION takes. */
    String conninfo() {
        return "host=127.0.0.1 port=" + port() + " dbname=postgres user=" + SUPERUSER;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    @Override
    public void close() {
        node.close();
    }
}
