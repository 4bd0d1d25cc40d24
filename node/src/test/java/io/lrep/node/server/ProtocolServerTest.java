package io.lrep.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lrep.core.protocol.auth.Md5Password;
import io.lrep.core.protocol.auth.ScramSha256;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

class ProtocolServerTest {

    private static final String HBA_TRUST = "host all all 127.0.0.1/32 trust\n";

    private final FakeSqlEngine engine = new FakeSqlEngine();
    private final Map<String, Role> roles = new HashMap<>();
    private ProtocolServer server;
    private int port;

    ProtocolServerTest() {
        addRole("alice", true, -1, null);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void addRole(String name, boolean canLogin, int connLimit, String secret) {
        roles.put(name, new Role(16384 + roles.size(), name, false, canLogin, false, connLimit, secret, null));
    }

    private void start(String hba) {
        start(hba, ServerConfig.defaults());
    }

    private void start(String hba, ServerConfig config) {
        RoleLookup lookup = name -> Optional.ofNullable(roles.get(name));
        server = new ProtocolServer("test", engine, lookup, HbaConfig.parse(Path.of("hba.conf"), hba), config);
        port = server.start("127.0.0.1", 0);
    }

    private Connection connect(String user, String password, String database) throws SQLException {
        return connect(user, password, database, new Properties());
    }

    private Connection connect(String user, String password, String database, Properties props) throws SQLException {
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "20");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }

    private static String sqlState(ThrowingRunnable r) {
        try {
            r.run();
        } catch (SQLException e) {
            return e.getSQLState() + " " + e.getMessage();
        }
        throw new AssertionError("no error");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws SQLException;
    }

    @Test
    void shouldConnectWithTrustAndRunSimpleQueries() throws Exception {
        start(HBA_TRUST);
        Properties p = new Properties();
        p.setProperty("preferQueryMode", "simple");
        p.setProperty("ApplicationName", "tester");
        p.setProperty("assumeMinServerVersion", "10");
        try (Connection c = connect("alice", null, "db1", p); Statement s = c.createStatement()) {
            assertThat(c.getMetaData().getDatabaseProductVersion()).isEqualTo("15.0");
            try (ResultSet rs = s.executeQuery("select rows 7")) {
                List<String> seen = new ArrayList<>();
                while (rs.next()) {
                    seen.add(rs.getInt(1) + ":" + rs.getString(2));
                }
                assertThat(seen).hasSize(7).startsWith("0:null", "1:row 1");
            }
            assertThat(s.executeUpdate("insert")).isEqualTo(1);
        }
        FakeSqlEngine.FakeSession session = engine.sessions.get(0);
        assertThat(session.context.database()).isEqualTo("db1");
        assertThat(session.context.startupSettings()).containsEntry("application_name", "tester");
        await().atMost(Duration.ofSeconds(5)).until(() -> session.closed);
        // a refused connection gives its slot back when its channel has closed, which may trail the client's error
        await().atMost(Duration.ofSeconds(5)).until(() -> server.registry().size() == 0);
    }

    @Test
    void shouldAuthenticateWithPasswordMd5AndScram() throws Exception {
        addRole("md5user", true, -1, Md5Password.encrypt("secret", "md5user"));
        addRole("scramuser", true, -1, ScramSha256.createVerifier("s3cr3t"));
        for (String method : List.of("password", "md5", "scram-sha-256")) {
            start("host all all 127.0.0.1/32 " + method + "\n");
            if (!method.equals("scram-sha-256")) {
                try (Connection c = connect("md5user", "secret", "db")) {
                    assertThat(c.isValid(2)).isTrue();
                }
            }
            // md5 with a SCRAM secret falls back to SCRAM, as PostgreSQL
            try (Connection c = connect("scramuser", "s3cr3t", "db")) {
                assertThat(c.isValid(2)).isTrue();
            }
            if (method.equals("scram-sha-256")) {
                // an md5 secret cannot answer SCRAM
                assertThat(sqlState(() -> connect("md5user", "secret", "db").close()))
                        .isEqualTo("28P01 FATAL: password authentication failed for user \"md5user\"");
            }
            assertThat(sqlState(() -> connect("scramuser", "wrong", "db").close()))
                    .isEqualTo("28P01 FATAL: password authentication failed for user \"scramuser\"");
            // an unknown user looks like a wrong password
            assertThat(sqlState(() -> connect("nobody", "x", "db").close()))
                    .isEqualTo("28P01 FATAL: password authentication failed for user \"nobody\"");
            server.close();
        }
        server = null;
    }

    @Test
    void shouldRefuseWhatHbaAndRolesForbid() throws Exception {
        addRole("nologin", false, -1, null);
        start("host all bob 127.0.0.1/32 reject\nhost sales,db all 127.0.0.1/32 trust\n");
        assertThat(sqlState(() -> connect("carol", null, "other").close()))
                .isEqualTo("28000 FATAL: no pg_hba.conf entry for host \"127.0.0.1\", user \"carol\", database \"other\", no encryption");
        assertThat(sqlState(() -> connect("bob", null, "db").close()))
                .isEqualTo("28000 FATAL: pg_hba.conf rejects connection for host \"127.0.0.1\", user \"bob\", database \"db\", no encryption");
        assertThat(sqlState(() -> connect("ghost", null, "db").close())).isEqualTo("28000 FATAL: role \"ghost\" does not exist");
        assertThat(sqlState(() -> connect("nologin", null, "db").close()))
                .isEqualTo("28000 FATAL: role \"nologin\" is not permitted to log in");
        addRole("nodb", true, -1, null);
        start2("host all all 127.0.0.1/32 trust\n");
        assertThat(sqlState(() -> connect("alice", null, "nodb").close())).isEqualTo("3D000 FATAL: database \"nodb\" does not exist");
        Properties repl = new Properties();
        repl.setProperty("replication", "database");
        repl.setProperty("preferQueryMode", "simple");
        repl.setProperty("assumeMinServerVersion", "10");
        assertThat(sqlState(() -> connect("alice", null, "db", repl).close()))
                .isEqualTo("28000 FATAL: must be superuser or replication role to start walsender");
        // a refused connection gives its slot back when its channel has closed, which may trail the client's error
        await().atMost(Duration.ofSeconds(5)).until(() -> server.registry().size() == 0);
    }

    private void start2(String hba) {
        server.close();
        start(hba);
    }

    @Test
    void shouldLimitConnections() throws Exception {
        addRole("limited", true, 1, null);
        start(HBA_TRUST, ServerConfig.defaults().withMaxConnections(3));
        try (Connection a = connect("limited", null, "db")) {
            assertThat(a.isValid(2)).isTrue();
            assertThat(sqlState(() -> connect("limited", null, "db").close()))
                    .isEqualTo("53300 FATAL: too many connections for role \"limited\"");
            try (Connection b = connect("alice", null, "db"); Connection c = connect("alice", null, "db")) {
                assertThat(b.isValid(2) && c.isValid(2)).isTrue();
                assertThat(sqlState(() -> connect("alice", null, "db").close())).isEqualTo("53300 FATAL: sorry, too many clients already");
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.registry().size() == 0);
        try (Connection again = connect("alice", null, "db")) {
            assertThat(again.isValid(2)).isTrue();
        }
    }

    @Test
    void shouldRunExtendedQueriesWithBinaryParametersAndResults() throws Exception {
        start(HBA_TRUST);
        Properties p = new Properties();
        p.setProperty("prepareThreshold", "2");
        try (Connection c = connect("alice", null, "db", p);
                PreparedStatement ps = c.prepareStatement("select echo ?, ?, ?, ?")) {
            for (int i = 0; i < 6; i++) {
                ps.setInt(1, 40 + i);
                ps.setLong(2, 1L << 40);
                ps.setString(3, "text " + i);
                ps.setTimestamp(4, java.sql.Timestamp.valueOf("2024-01-02 03:04:05.123456"));
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(40 + i);
                    assertThat(rs.getLong(2)).isEqualTo(1L << 40);
                    assertThat(rs.getString(3)).isEqualTo("text " + i);
                    assertThat(rs.getTimestamp(4)).isEqualTo(java.sql.Timestamp.valueOf("2024-01-02 03:04:05.123456"));
                    assertThat(rs.next()).isFalse();
                }
            }
            ps.setNull(1, java.sql.Types.INTEGER);
            ps.setNull(2, java.sql.Types.BIGINT);
            ps.setString(3, null);
            ps.setNull(4, java.sql.Types.TIMESTAMP);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(1)).isNull();
                assertThat(rs.getObject(3)).isNull();
            }
        }
    }

    @Test
    void shouldFetchThroughAPortalInBatches() throws Exception {
        start(HBA_TRUST);
        try (Connection c = connect("alice", null, "db")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("select rows 25")) {
                ps.setFetchSize(10);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        assertThat(rs.getInt(1)).isEqualTo(n++);
                    }
                    assertThat(n).isEqualTo(25);
                }
            }
            c.commit();
        }
    }

    @Test
    void shouldPropagateErrorsWithPositionAndRecover() throws Exception {
        start(HBA_TRUST);
        for (String mode : List.of("simple", "extended")) {
            Properties p = new Properties();
            p.setProperty("preferQueryMode", mode);
            try (Connection c = connect("alice", null, "db", p); Statement s = c.createStatement()) {
                PSQLException e = (PSQLException) catchSql(() -> s.executeQuery("select error"));
                assertThat(e.getSQLState()).isEqualTo("42601");
                assertThat(e.getServerErrorMessage().getPosition()).isEqualTo(8);
                assertThat(e.getServerErrorMessage().getMessage()).isEqualTo("syntax error at or near \"error\"");
                e = (PSQLException) catchSql(() -> s.executeQuery("select internal"));
                assertThat(e.getSQLState()).isEqualTo("XX000");
                assertThat(e.getServerErrorMessage().getMessage()).isEqualTo("boom");
                // the connection goes on
                try (ResultSet rs = s.executeQuery("select rows 1")) {
                    assertThat(rs.next()).isTrue();
                }
                // in a block, an error fails the block until ROLLBACK
                c.setAutoCommit(false);
                assertThat(catchSql(() -> s.executeQuery("select error")).getSQLState()).isEqualTo("42601");
                assertThat(catchSql(() -> s.executeQuery("select rows 1")).getSQLState()).isEqualTo("25P02");
                c.rollback();
                try (ResultSet rs = s.executeQuery("select rows 2")) {
                    assertThat(rs.next()).isTrue();
                }
                c.commit();
            }
        }
    }

    private static SQLException catchSql(ThrowingRunnable r) {
        try {
            r.run();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("no error");
    }

    @Test
    void shouldCancelARunningStatement() throws Exception {
        start(HBA_TRUST);
        try (Connection c = connect("alice", null, "db"); Statement s = c.createStatement()) {
            CompletableFuture<SQLException> failed = CompletableFuture.supplyAsync(() -> catchSql(() -> s.executeQuery("select block")));
            CountDownLatch blocking = engine.blocking;
            await().atMost(Duration.ofSeconds(5)).until(() -> blocking.getCount() == 0);
            s.cancel();
            SQLException e = failed.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(e.getSQLState()).isEqualTo("57014");
            assertThat(e.getMessage()).contains("canceling statement due to user request");
            try (ResultSet rs = s.executeQuery("select rows 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void shouldDeliverNoticesAndParameterChanges() throws Exception {
        start(HBA_TRUST);
        try (Connection c = connect("alice", null, "db"); Statement s = c.createStatement()) {
            s.execute("notice");
            SQLWarning w = s.getWarnings();
            assertThat((Throwable) w).hasMessageContaining("hello from the fake");
            s.execute("set application_name = renamed");
            assertThat(c.getClientInfo("ApplicationName")).isEqualTo("renamed");
        }
    }

    @Test
    void shouldCopyInAndOut() throws Exception {
        start(HBA_TRUST);
        try (Connection c = connect("alice", null, "db")) {
            org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            long n = copy.copyIn("copy in", new java.io.StringReader("1\ta\n2\tb\n3\tc\n"));
            assertThat(n).isEqualTo(3);
            assertThat(engine.copiedIn).containsExactly("1\ta", "2\tb", "3\tc");
            java.io.StringWriter out = new java.io.StringWriter();
            assertThat(copy.copyOut("copy out", out)).isEqualTo(3);
            assertThat(out.toString()).isEqualTo("1\tone\n2\ttwo\n3\t\\N\n");
            SQLException e = catchSql(() -> {
                try {
                    copy.copyIn("copy in", new java.io.StringReader("1\nbad\n2\n"));
                } catch (java.io.IOException io) {
                    throw new AssertionError(io);
                }
            });
            assertThat(e.getSQLState()).isEqualTo("22P02");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select rows 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void shouldRejectReplicationCommandsForNow() throws Exception {
        roles.put("repl", new Role(20000, "repl", false, true, true, -1, null, null));
        start(HBA_TRUST);
        Properties p = new Properties();
        p.setProperty("replication", "database");
        p.setProperty("preferQueryMode", "simple");
        p.setProperty("assumeMinServerVersion", "10");
        try (Connection c = connect("repl", null, "db", p); Statement s = c.createStatement()) {
            SQLException e = catchSql(() -> s.execute("IDENTIFY_SYSTEM"));
            assertThat(e.getSQLState()).isEqualTo("0A000");
            try (ResultSet rs = s.executeQuery("select rows 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void shouldFailStartupOnBadOptions() throws Exception {
        start(HBA_TRUST);
        Properties p = new Properties();
        p.setProperty("options", "-c search_path=a\\ b -c work_mem=64MB");
        try (Connection c = connect("alice", null, "db", p)) {
            assertThat(c.isValid(2)).isTrue();
            assertThat(engine.sessions.get(0).context.startupSettings()).containsEntry("search_path", "a b").containsEntry("work_mem", "64MB");
        }
        Properties bad = new Properties();
        bad.setProperty("options", "-Z");
        assertThatThrownBy(() -> connect("alice", null, "db", bad).close()).isInstanceOf(PSQLException.class)
                .hasMessageContaining("invalid command-line argument for server process: -Z");
    }
}
