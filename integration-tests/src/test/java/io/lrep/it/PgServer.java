package io.lrep.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for interop tests: {@code initdb} into a fresh temporary
 * directory with scram-sha-256 password authentication on 127.0.0.1 (PostgreSQL's default),
 * {@code wal_level = logical}, a free loopback port, started with {@code pg_ctl -w} and stopped
 * (fast, then by PID) by {@link #close()}, which also deletes the directory.
 *
 * <p>PostgreSQL refuses to run as root; when the tests run as root the server programs run as
 * the {@code postgres} user through {@code runuser}. {@link #start} skips the test (a JUnit
 * assumption, with a message) only when the server programs are not installed.
 */
final class PgServer implements AutoCloseable {

    static final String SUPERUSER = "postgres";
    static final String PASSWORD = "pg-secret";

    private static final int START_ATTEMPTS = 3;
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final int serverVersionNum;

    private PgServer(Path bin, Path dir, int port) throws SQLException {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.serverVersionNum = Integer.parseInt(queryValue("SHOW server_version_num"));
    }

    /**
     * Initialises and starts a server; {@code settings} go into postgresql.conf after the
     * defaults here (e.g. {@code logical_decoding_work_mem}). Skips the test when PostgreSQL's
     * server programs are missing.
     */
    static PgServer start(Map<String, String> settings) throws Exception {
        Optional<Path> initdb = Stream.of("17", "16", "15").map(v -> Path.of("/usr/lib/postgresql", v, "bin", "initdb"))
                .filter(Files::isExecutable).findFirst();
        assumeTrue(initdb.isPresent(), Binaries.missing("initdb and postgres"));
        Path bin = initdb.get().getParent();
        Path dir = Files.createTempDirectory("lrep-pgserver");
        try {
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, PASSWORD + "\n");
            if (isRoot()) {
                run(dir, List.of("chown", "-R", SUPERUSER, dir.toString()));
            }
            Path data = dir.resolve("data");
            runChecked(dir, asServerUser(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                    "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
                    "--no-sync"));
            Map<String, String> conf = new LinkedHashMap<>();
            conf.put("listen_addresses", "'127.0.0.1'");
            conf.put("unix_socket_directories", "'" + dir + "'");
            conf.put("wal_level", "logical");
            conf.put("max_wal_senders", "20");
            conf.put("max_replication_slots", "20");
            conf.put("fsync", "off");
            conf.put("shared_buffers", "16MB");
            conf.putAll(settings);
            StringBuilder sb = new StringBuilder("\n# lrep interop tests\n");
            conf.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
            Files.writeString(data.resolve("postgresql.conf"), sb.toString(), StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);

            String failures = "";
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                int port = freePort();
                Processes.Result r = run(dir, asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                        "-l", dir.resolve("server.log").toString(), "-o", "-p " + port, "-w", "-t", "60", "start"));
                if (r.exitCode() == 0) {
                    return new PgServer(bin, dir, port);
                }
                // another process took the port between our probe and the server's bind: try another
                failures += "attempt " + attempt + " on port " + port + ":\n" + r.all() + readLog(dir) + "\n";
                killPostmaster(data);
            }
            throw new IOException("PostgreSQL did not start in " + START_ATTEMPTS + " attempts:\n" + failures);
        } catch (Exception | AssertionError e) {
            deleteTree(dir);
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** {@code server_version_num}, e.g. 150015. */
    int serverVersionNum() {
        return serverVersionNum;
    }

    /** A libpq conninfo for the superuser, with its password, as a subscription's CONNECTION takes it. */
    String conninfo() {
        return "host=127.0.0.1 port=" + port + " dbname=postgres user=" + SUPERUSER + " password=" + PASSWORD;
    }

    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    /** Runs each statement in its own transaction (autocommit) on a new connection. */
    void execute(String... sql) throws SQLException {
        try (Connection c = connect()) {
            Sql.execute(c, sql);
        }
    }

    /** Every row of a query, columns joined with {@code |}, NULL as {@code null}. */
    List<String> rows(String sql) throws SQLException {
        try (Connection c = connect()) {
            return Sql.rows(c, sql);
        }
    }

    private String queryValue(String sql) throws SQLException {
        return rows(sql).get(0);
    }

    /** Restarts the server on the same port ({@code pg_ctl -m fast -w restart}): every connection is ended. */
    void restart() throws IOException, InterruptedException {
        runChecked(dir, asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                "-o", "-p " + port, "-m", "fast", "-w", "-t", "60", "restart"));
    }

    /** The server's log so far, for failure messages. */
    String log() {
        return readLog(dir);
    }

    @Override
    public void close() throws IOException {
        try {
            Processes.Result r = run(dir, asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast",
                    "-w", "-t", "30", "stop"));
            if (r.exitCode() != 0) {
                killPostmaster(data);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killPostmaster(data);
        } finally {
            deleteTree(dir);
        }
    }

    /** Kills the postmaster named in postmaster.pid, if any, and waits for it to end. */
    private static void killPostmaster(Path data) throws IOException {
        OptionalLong pid = postmasterPid(data);
        if (pid.isPresent()) {
            ProcessHandle.of(pid.getAsLong()).ifPresent(h -> {
                h.destroyForcibly();
                h.onExit().join();
            });
        }
    }

    private static OptionalLong postmasterPid(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return OptionalLong.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        return lines.isEmpty() || lines.get(0).isBlank() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asServerUser(String... command) {
        List<String> all = new ArrayList<>();
        if (isRoot()) {
            all.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        all.addAll(List.of(command));
        return all;
    }

    private static Processes.Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        return Processes.run(dir, Map.of(), command, COMMAND_TIMEOUT_SECONDS);
    }

    private static void runChecked(Path dir, List<String> command) throws IOException, InterruptedException {
        Processes.Result r = run(dir, command);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + r.exitCode() + ":\n" + r.all());
        }
    }

    private static String readLog(Path dir) {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(server log unreadable: " + e + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
