package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.lsn.Lsn;
import io.lrep.publisher.slot.ReplicationSlot;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/** pg_replication_slots and the slot functions, through pgjdbc against a node. */
class ReplicationSlotsSqlTest {

    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Path init(Map<String, String> settings) {
        Path dir = tmp.resolve("data");
        Node.init(dir, settings);
        return dir;
    }

    private Connection connect() throws SQLException {
        return NodeClients.connect(node);
    }

    private static List<List<String>> query(Connection c, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String one(Connection c, String sql) throws SQLException {
        return query(c, sql).get(0).get(0);
    }

    private static void assertSqlError(Connection c, String sql, String state, String message) {
        assertThatThrownBy(() -> query(c, sql)).isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo(state);
            assertThat(e.getServerErrorMessage().getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldShowSlotsWithPostgresColumnsAndCreateAndDropThem() throws SQLException {
        node = Node.start(init(Map.of("port", "0")), Map.of());
        try (Connection c = connect(); Connection other = connect()) {
            assertThat(one(c, "SHOW max_replication_slots")).isEqualTo("10");
            assertThat(one(c, "SHOW max_slot_wal_keep_size")).isEqualTo("-1");

            List<String> created = query(c, "SELECT * FROM pg_create_logical_replication_slot('sub1', 'pgoutput')").get(0);
            assertThat(created.get(0)).isEqualTo("sub1");
            long lsn = Lsn.parseLong(created.get(1));
            assertThat(lsn).isPositive();

            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM pg_replication_slots")) {
                ResultSetMetaData md = rs.getMetaData();
                List<String> cols = new ArrayList<>();
                List<String> types = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    cols.add(md.getColumnName(i));
                    types.add(md.getColumnTypeName(i));
                }
                assertThat(cols).containsExactly("slot_name", "plugin", "slot_type", "datoid", "database", "temporary", "active",
                        "active_pid", "xmin", "catalog_xmin", "restart_lsn", "confirmed_flush_lsn", "wal_status", "safe_wal_size",
                        "two_phase", "failover", "synced");
                assertThat(types).containsExactly("name", "name", "text", "oid", "name", "bool", "bool", "int4", "oid", "oid", "pg_lsn",
                        "pg_lsn", "text", "int8", "bool", "bool", "bool");
            }
            assertThat(query(c, "SELECT * FROM pg_replication_slots")).containsExactly(Arrays.asList("sub1", "pgoutput", "logical", "5",
                    "postgres", "f", "f", null, null, null, Lsn.format(lsn), Lsn.format(lsn), "reserved", null, "f", "f", "f"));

            // a temporary slot, created in the select list: a record, held by its creator
            String pid = one(c, "SELECT pg_backend_pid()");
            String rec = one(c, "SELECT pg_create_logical_replication_slot('tmp1', 'pgoutput', true)");
            assertThat(rec).startsWith("(tmp1,").endsWith(")");
            assertThat(query(c, "SELECT temporary, active, active_pid FROM pg_replication_slots WHERE slot_name = 'tmp1'"))
                    .containsExactly(List.of("t", "t", pid));
            assertSqlError(other, "SELECT pg_drop_replication_slot('tmp1')", "55006",
                    "replication slot \"tmp1\" is active for PID " + pid);

            // physical slots: lsn only when reserving
            assertThat(query(c, "SELECT slot_name, lsn FROM pg_create_physical_replication_slot('phys1')"))
                    .containsExactly(Arrays.asList("phys1", null));
            assertThat(one(c, "SELECT lsn FROM pg_create_physical_replication_slot('phys2', true)")).isNotNull();
            assertThat(query(c, "SELECT slot_type, plugin, database, wal_status, restart_lsn IS NULL FROM pg_replication_slots "
                    + "WHERE slot_name LIKE 'phys%' ORDER BY slot_name")).containsExactly(
                    Arrays.asList("physical", null, null, null, "t"),
                    Arrays.asList("physical", null, null, "reserved", "f"));

            assertSqlError(c, "SELECT * FROM pg_create_logical_replication_slot('sub1', 'pgoutput')", "42710",
                    "replication slot \"sub1\" already exists");
            assertSqlError(c, "SELECT * FROM pg_create_logical_replication_slot('Sub-1', 'pgoutput')", "42602",
                    "replication slot name \"Sub-1\" contains invalid character");
            assertSqlError(c, "SELECT * FROM pg_create_logical_replication_slot('s9', 'test_decoding')", "58P01",
                    "could not access file \"test_decoding\": No such file or directory");
            assertSqlError(c, "SELECT pg_drop_replication_slot('nope')", "42704", "replication slot \"nope\" does not exist");

            query(c, "SELECT pg_drop_replication_slot('phys1')");
            assertThat(query(c, "SELECT slot_name FROM pg_replication_slots ORDER BY 1")).extracting(r -> r.get(0))
                    .containsExactly("phys2", "sub1", "tmp1");
        }
        // the temporary slot goes with its session
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.slots().get("tmp1").isEmpty());
        assertThat(node.slots().list()).extracting(ReplicationSlot::name).containsExactly("phys2", "sub1");
    }

    @Test
    void shouldRefuseUsersWithoutReplicationPrivilege() throws SQLException {
        node = Node.start(init(Map.of("port", "0")), Map.of());
        try (Connection c = connect()) {
            execute(c, "CREATE ROLE plain LOGIN");
        }
        Properties props = new Properties();
        props.setProperty("user", "plain");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port() + "/postgres", props)) {
            assertSqlError(c, "SELECT * FROM pg_create_logical_replication_slot('s', 'pgoutput')", "42501",
                    "must be superuser or replication role to use replication slots");
        }
    }

    @Test
    void shouldKeepSlotsAcrossARestartAndAHalt() throws SQLException {
        Path dir = init(Map.of("port", "0"));
        node = Node.start(dir, Map.of());
        long lsn;
        try (Connection c = connect()) {
            lsn = Lsn.parseLong(one(c, "SELECT lsn FROM pg_create_logical_replication_slot('kept', 'pgoutput')"));
            query(c, "SELECT * FROM pg_create_logical_replication_slot('temp', 'pgoutput', true)");
            execute(c, "CREATE TABLE t (id int PRIMARY KEY)");
            execute(c, "INSERT INTO t VALUES (1), (2)");
        }
        long flushed = node.wal().flushedLsn();
        node.slots().advance("kept", flushed, lsn);
        node.close();

        node = Node.start(dir, Map.of());
        ReplicationSlot kept = node.slots().slot("kept");
        assertThat(kept.confirmedFlushLsn()).isEqualTo(flushed);
        assertThat(kept.restartLsn()).isEqualTo(lsn);
        assertThat(node.slots().get("temp")).isEmpty();
        try (Connection c = connect()) {
            query(c, "SELECT * FROM pg_create_logical_replication_slot('after_halt', 'pgoutput')");
            query(c, "SELECT * FROM pg_create_logical_replication_slot('temp2', 'pgoutput', true)");
            node.halt();
        }
        node = Node.start(dir, Map.of());
        assertThat(node.slots().list()).extracting(ReplicationSlot::name).containsExactly("after_halt", "kept");
        assertThat(node.wal().oldestLsn()).isLessThanOrEqualTo(lsn);
    }

    @Test
    void shouldInvalidateASlotThatFallsBehindMaxSlotWalKeepSizeAtCheckpoint() throws SQLException {
        node = Node.start(init(Map.of("port", "0", "max_slot_wal_keep_size", "0", "fsync", "off")), Map.of());
        try (Connection c = connect()) {
            query(c, "SELECT * FROM pg_create_logical_replication_slot('behind', 'pgoutput')");
            assertThat(one(c, "SELECT safe_wal_size FROM pg_replication_slots")).isNotNull();
            execute(c, "CREATE TABLE big (id int PRIMARY KEY, v text)");
            for (int i = 0; i < 4; i++) {
                execute(c, "INSERT INTO big SELECT g, repeat('x', 1000) FROM generate_series(" + (i * 5000 + 1) + ", " + (i + 1) * 5000
                        + ") g");
            }
            node.checkpoint();
            node.checkpoint();
            assertThat(query(c, "SELECT wal_status, restart_lsn, safe_wal_size FROM pg_replication_slots"))
                    .containsExactly(Arrays.asList("lost", null, null));
        }
        assertThatThrownBy(() -> node.slots().acquireForDecoding("behind", 1, "postgres"))
                .hasMessage("can no longer get changes from replication slot \"behind\"");
    }
}
