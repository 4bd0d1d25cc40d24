package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/** pgjdbc, a real client nobody here wrote, against a node: SQL, prepared statements, batches, transactions, errors. */
class JdbcIT {

    @TempDir
    static Path tmp;

    static TestNode node;

    @BeforeAll
    static void start() throws SQLException {
        node = TestNode.start(tmp.resolve("data"), Map.of());
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE kinds (id int PRIMARY KEY, i8 bigint, n numeric(12,3), t text NOT NULL, b boolean, "
                    + "d date, ts timestamp, u uuid, bin bytea, f float8)");
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void shouldRoundTripEveryTypeThroughPreparedStatementsAndBatches() throws SQLException {
        UUID uuid = UUID.randomUUID();
        try (Connection c = node.connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kinds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int id = 1; id <= 10; id++) { // past prepareThreshold: pgjdbc switches to a named, binary statement
                    ps.setInt(1, id);
                    ps.setLong(2, 10_000_000_000L + id);
                    ps.setBigDecimal(3, new BigDecimal("123.456"));
                    ps.setString(4, "row " + id);
                    ps.setBoolean(5, id % 2 == 0);
                    ps.setObject(6, LocalDate.of(2024, 2, 29));
                    ps.setTimestamp(7, Timestamp.valueOf("2024-01-31 13:45:00.123"));
                    ps.setObject(8, uuid);
                    ps.setBytes(9, new byte[] {1, 2, (byte) 0xFF});
                    ps.setDouble(10, 0.1 * id);
                    ps.addBatch();
                }
                assertThat(ps.executeBatch()).hasSize(10).containsOnly(1);
            }
            try (PreparedStatement q = c.prepareStatement("SELECT * FROM kinds WHERE id = ?")) {
                for (int round = 0; round < 7; round++) {
                    q.setInt(1, 4);
                    try (ResultSet rs = q.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong("i8")).isEqualTo(10_000_000_004L);
                        assertThat(rs.getBigDecimal("n")).isEqualByComparingTo("123.456");
                        assertThat(rs.getString("t")).isEqualTo("row 4");
                        assertThat(rs.getBoolean("b")).isTrue();
                        assertThat(rs.getObject("d", LocalDate.class)).isEqualTo(LocalDate.of(2024, 2, 29));
                        assertThat(rs.getTimestamp("ts")).isEqualTo(Timestamp.valueOf("2024-01-31 13:45:00.123"));
                        assertThat(rs.getObject("u")).isEqualTo(uuid);
                        assertThat(rs.getBytes("bin")).containsExactly(1, 2, (byte) 0xFF);
                        assertThat(rs.getDouble("f")).isEqualTo(0.1 * 4);
                        assertThat(rs.next()).isFalse();
                    }
                }
            }
        }
    }

    @Test
    void shouldCommitAndRollBackTransactions() throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE tx (k int PRIMARY KEY, v text)");
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO tx VALUES (1, 'kept')");
            c.commit();
            s.executeUpdate("INSERT INTO tx VALUES (2, 'dropped')");
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("SELECT k, v FROM tx ORDER BY k")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getInt(1) + "=" + rs.getString(2));
                }
                assertThat(rows).containsExactly("1=kept");
            }
        }
    }

    @Test
    void shouldFetchInChunksWithAFetchSize() throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.setFetchSize(7);
            try (ResultSet rs = s.executeQuery("SELECT g FROM generate_series(1, 100) g")) {
                long sum = 0;
                while (rs.next()) {
                    sum += rs.getInt(1);
                }
                assertThat(sum).isEqualTo(5050);
            }
            c.commit();
        }
    }

    private static String sqlState(ThrowingRunnable r) {
        try {
            r.run();
        } catch (SQLException e) {
            return e.getSQLState();
        }
        throw new AssertionError("expected an error");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws SQLException;
    }

    @Test
    void shouldReportPostgresqlErrorCodesAndKeepTheConnectionUsable() throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE e (id int PRIMARY KEY, v text NOT NULL)");
            s.execute("INSERT INTO e VALUES (1, 'a')");
            assertThat(sqlState(() -> s.execute("INSERT INTO e VALUES (1, 'b')"))).isEqualTo("23505");
            assertThat(sqlState(() -> s.execute("INSERT INTO e VALUES (2, NULL)"))).isEqualTo("23502");
            assertThat(sqlState(() -> s.execute("SELECT * FROM missing"))).isEqualTo("42P01");
            assertThat(sqlState(() -> s.execute("SELECT nope FROM e"))).isEqualTo("42703");
            assertThat(sqlState(() -> s.execute("SELECT 1/0"))).isEqualTo("22012");
            assertThatThrownBy(() -> s.execute("SELEC 1")).isInstanceOf(PSQLException.class)
                    .satisfies(e -> {
                        PSQLException pe = (PSQLException) e;
                        assertThat(pe.getSQLState()).isEqualTo("42601");
                        assertThat(pe.getServerErrorMessage().getPosition()).isEqualTo(1);
                    });
            c.setAutoCommit(false);
            assertThat(sqlState(() -> s.execute("SELECT * FROM missing"))).isEqualTo("42P01");
            assertThat(sqlState(() -> s.execute("SELECT 1"))).isEqualTo("25P02");
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM e")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void shouldFailTheSecondWriterUnderRepeatableReadWith40001() throws SQLException {
        try (Connection a = node.connect(); Connection b = node.connect(); Statement sa = a.createStatement();
                Statement sb = b.createStatement()) {
            sa.execute("CREATE TABLE rr (id int PRIMARY KEY, v int)");
            sa.execute("INSERT INTO rr VALUES (1, 0)");
            b.setAutoCommit(false);
            b.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (ResultSet rs = sb.executeQuery("SELECT v FROM rr WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
            }
            sa.executeUpdate("UPDATE rr SET v = 1 WHERE id = 1");
            assertThat(sqlState(() -> sb.executeUpdate("UPDATE rr SET v = 2 WHERE id = 1"))).isEqualTo("40001");
            b.rollback();
        }
    }

    @Test
    void shouldShowOtherSessionsInPgStatActivity() throws SQLException {
        try (Connection watcher = node.connect(); Connection other = node.connect(); Statement so = other.createStatement();
                Statement sw = watcher.createStatement()) {
            int otherPid;
            try (ResultSet rs = so.executeQuery("SELECT pg_backend_pid()")) {
                assertThat(rs.next()).isTrue();
                otherPid = rs.getInt(1);
            }
            try (ResultSet rs = sw.executeQuery("SELECT usename, datname, state, query, backend_type FROM pg_stat_activity WHERE pid = "
                    + otherPid)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("usename")).isEqualTo(TestNode.SUPERUSER);
                assertThat(rs.getString("datname")).isEqualTo("postgres");
                assertThat(rs.getString("state")).isEqualTo("idle");
                assertThat(rs.getString("query")).isEqualTo("SELECT pg_backend_pid()");
                assertThat(rs.getString("backend_type")).isEqualTo("client backend");
            }
            try (ResultSet rs = sw.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("the watcher itself is running its query").isEqualTo(1);
            }
        }
    }

    @Test
    void shouldCountWalRecordsAndFlushesInPgStatWal() throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            long[] before = walCounters(s);
            s.execute("CREATE TABLE wal_counted (id int PRIMARY KEY)");
            s.execute("INSERT INTO wal_counted VALUES (1), (2), (3)");
            long[] after = walCounters(s);
            assertThat(after[0] - before[0]).as("records: the table, three inserts, two commits").isGreaterThanOrEqualTo(6);
            assertThat(after[1]).as("bytes").isGreaterThan(before[1]);
            assertThat(after[2] - before[2]).as("each commit waited for a flush").isGreaterThanOrEqualTo(1);
        }
    }

    private static long[] walCounters(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT wal_records, wal_bytes, wal_write, wal_fpi FROM pg_stat_wal")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong("wal_fpi")).isZero();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    @Test
    void shouldListTablesThroughDatabaseMetaData() throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE meta_visible (id int PRIMARY KEY)");
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getDatabaseProductName()).isEqualTo("PostgreSQL");
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, "public", "meta%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
                }
            }
            assertThat(tables).containsExactly("public.meta_visible:TABLE");
        }
    }
}
