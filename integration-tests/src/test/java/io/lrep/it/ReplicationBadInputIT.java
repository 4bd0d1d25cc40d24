package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;

/**
 * Bad input on replication connections: unknown slots, a slot in use, malformed replication
 * commands, an unknown publication, bad pgoutput options and invalid LSNs each get a clear error
 * with PostgreSQL's SQLSTATE and message, and the node goes on serving (checked after each).
 */
class ReplicationBadInputIT {

    @TempDir
    static Path tmp;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start(tmp.resolve("data"), Map.of());
        ItemsWorkload.createSchema(node);
        try (Connection r = JdbcReplication.connect(node)) {
            JdbcReplication.createSlot(r, "s1");
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** The node still answers a query on a new connection, and slot s1 is free again. */
    @AfterEach
    void assertStillServing() throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = 's1'")) {
                    return rs.next() && !rs.getBoolean(1);
                }
            });
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertError(ThrowingSupplier<?> call, String sqlState, String message) {
        return assertThatThrownBy(call::get).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(e.getMessage()).isEqualTo(sqlState))
                .hasMessageContaining(message);
    }

    /** Runs a replication command on {@code c}, then checks that the connection still runs IDENTIFY_SYSTEM. */
    private static void assertCommandFails(Connection c, String command, String sqlState, String message) throws SQLException {
        try (Statement s = c.createStatement()) {
            assertError(() -> s.execute(command), sqlState, message);
            try (ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
                assertThat(rs.next()).as("the connection goes on after: " + command).isTrue();
                assertThat(rs.getString("dbname")).isEqualTo("postgres");
            }
        }
    }

    private static ChainedLogicalStreamBuilder stream(Connection c, String slot) throws SQLException {
        return c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical().withSlotName(slot);
    }

    @Test
    void shouldRejectUnknownSlotsWith42704() throws Exception {
        try (Connection c = JdbcReplication.connect(node)) {
            assertCommandFails(c, "START_REPLICATION SLOT nosuch LOGICAL 0/0", "42704", "replication slot \"nosuch\" does not exist");
            assertCommandFails(c, "DROP_REPLICATION_SLOT nosuch", "42704", "replication slot \"nosuch\" does not exist");
            assertCommandFails(c, "DROP_REPLICATION_SLOT nosuch WAIT", "42704", "replication slot \"nosuch\" does not exist");
            assertError(() -> stream(c, "nosuch").withSlotOption("proto_version", 1).withSlotOption("publication_names", "pub").start(),
                    "42704", "replication slot \"nosuch\" does not exist");
        }
    }

    @Test
    void shouldRejectASlotInUseWith55006() throws Exception {
        try (Connection first = JdbcReplication.connect(node); Connection second = JdbcReplication.connect(node)) {
            PGReplicationStream active = JdbcReplication.start(first, "s1", 0);
            int pid = first.unwrap(PGConnection.class).getBackendPID();
            String inUse = "replication slot \"s1\" is active for PID " + pid;
            assertError(() -> stream(second, "s1").withSlotOption("proto_version", 1).withSlotOption("publication_names", "pub").start(),
                    "55006", inUse);
            assertCommandFails(second, "START_REPLICATION SLOT s1 LOGICAL 0/0 (proto_version '1', publication_names 'pub')", "55006", inUse);
            assertCommandFails(second, "DROP_REPLICATION_SLOT s1", "55006", inUse);
            try (Connection sql = node.connect(); Statement s = sql.createStatement()) {
                assertError(() -> s.execute("SELECT pg_drop_replication_slot('s1')"), "55006", inUse);
            }
            active.close();
        }
    }

    @Test
    void shouldRejectMalformedReplicationCommandsWith42601() throws Exception {
        try (Connection c = JdbcReplication.connect(node)) {
            for (String command : new String[] {
                    "CREATE_REPLICATION_SLOT",
                    "CREATE_REPLICATION_SLOT s2 LOGICAL",
                    "START_REPLICATION SLOT",
                    "START_REPLICATION SLOT s1 LOGICAL",
                    "START_REPLICATION SLOT s1 LOGICAL 0/0 (proto_version '1'",
                    "DROP_REPLICATION_SLOT",
                    "DROP_REPLICATION_SLOT s1 NOW",
                    "IDENTIFY_SYSTEM please",
            }) {
                assertCommandFails(c, command, "42601", "syntax error");
            }
        }
    }

    @Test
    void shouldRejectInvalidLsnsInStartReplication() throws Exception {
        try (Connection c = JdbcReplication.connect(node)) {
            for (String lsn : new String[] {"0/XYZ", "1/2/3", "16", "lsn", "-1/0"}) {
                assertCommandFails(c, "START_REPLICATION SLOT s1 LOGICAL " + lsn + " (proto_version '1', publication_names 'pub')", "42601",
                        "syntax error");
            }
        }
    }

    @Test
    void shouldRejectBadPgoutputOptionsBeforeStreaming() throws Exception {
        try (Connection c = JdbcReplication.connect(node)) {
            assertError(() -> stream(c, "s1").withSlotOption("publication_names", "pub").start(),
                    "0A000", "client sent proto_version=0 but we only support protocol 1 or higher");
            assertError(() -> stream(c, "s1").withSlotOption("proto_version", 99).withSlotOption("publication_names", "pub").start(),
                    "0A000", "client sent proto_version=99 but we only support protocol");
            assertError(() -> stream(c, "s1").withSlotOption("proto_version", "one").withSlotOption("publication_names", "pub").start(),
                    "22023", "invalid proto_version");
            assertError(() -> stream(c, "s1").withSlotOption("proto_version", 1).start(),
                    "22023", "publication_names parameter missing");
            assertError(() -> stream(c, "s1").withSlotOption("proto_version", 1).withSlotOption("publication_names", "pub")
                    .withSlotOption("streaming", "on").start(), "22023", "requested proto_version=1 does not support streaming");
            assertError(() -> stream(c, "s1").withSlotOption("proto_version", 1).withSlotOption("publication_names", "pub")
                    .withSlotOption("nonsense", "1").start(), "XX000", "unrecognized pgoutput option: nonsense");
            // the connection was not consumed by any of these: a good stream starts on it
            PGReplicationStream ok = stream(c, "s1").withSlotOption("proto_version", 1).withSlotOption("publication_names", "pub").start();
            ok.close();
        }
    }

    @Test
    void shouldEndTheStreamWith42704WhenAPublicationDoesNotExist() throws Exception {
        try (Connection c = JdbcReplication.connect(node)) {
            PGReplicationStream s = stream(c, "s1").withSlotOption("proto_version", 1).withSlotOption("publication_names", "nosuch").start();
            try (Connection sql = node.connect(); Statement st = sql.createStatement()) {
                st.execute("INSERT INTO items VALUES (7, 'needs the publication')");
            }
            assertError(() -> {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> s.readPending() != null);
                return null;
            }, "42704", "publication \"nosuch\" does not exist");
        }
    }
}
