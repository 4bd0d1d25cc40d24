package io.lrep.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster for the benchmarks: {@code initdb} into {@code dir} (trust authentication,
 * superuser {@value #USER}), the given settings appended to postgresql.conf, started with
 * {@code pg_ctl -w} on a free loopback port. PostgreSQL refuses to run as root: when this JVM runs
 * as root, the server programs run as the {@code postgres} user through {@code runuser}.
 * {@link #close()} stops it ({@code pg_ctl -m fast}, then the postmaster's PID) and deletes {@code dir}.
 */
final class PgCluster implements AutoCloseable {

    /** The superuser. */
    static final String USER = "postgres";

    private static final long COMMAND_TIMEOUT_SECONDS = 120;
    private static final int START_ATTEMPTS = 3;

    private final Path bin;
    private final Path dir;
    private final int port;

    private PgCluster(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** PostgreSQL 15's server programs, if installed (Debian's layout). */
    static Optional<Path> binaries() {
        Path bin = Path.of(System.getProperty("lrep.bench.pgbin", "/usr/lib/postgresql/15/bin"));
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pgbench")) ? Optional.of(bin) : Optional.empty();
    }

    /** Initialises {@code dir} (created if missing) and starts a server on it. */
    static PgCluster start(Path bin, Path dir, Map<String, String> settings) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        if (isRoot()) {
            runChecked(dir, List.of("chown", "-R", USER, dir.toString()));
        }
        Path data = dir.resolve("data");
        runChecked(dir, asServerUser(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync"));
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("listen_addresses", "'127.0.0.1'");
        conf.put("unix_socket_directories", "'" + dir + "'");
        conf.putAll(settings);
        StringBuilder sb = new StringBuilder("\n# lrep benchmark\n");
        conf.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(data.resolve("postgresql.conf"), sb.toString(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        StringBuilder failures = new StringBuilder();
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            List<String> ctl = asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                    "-o", "-p " + port, "-w", "-t", "60", "start");
            String out = run(dir, ctl);
            if (out == null) {
                return new PgCluster(bin, dir, port);
            }
            // another process took the port between the probe and the server's bind: try another
            failures.append("attempt ").append(attempt).append(" on port ").append(port).append(":\n").append(out).append('\n');
            new PgCluster(bin, dir, port).stopServer();
        }
        throw new IOException("PostgreSQL in " + dir + " did not start in " + START_ATTEMPTS + " attempts:\n" + failures + log(dir));
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            stopServer();
        } finally {
            BenchSql.deleteTree(dir);
        }
    }

    private void stopServer() {
        Path data = dir.resolve("data");
        try {
            if (Files.exists(data.resolve("postmaster.pid"))
                    && run(dir, asServerUser(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "30", "stop"))
                            != null) {
                killPostmaster(data);
            }
        } catch (IOException e) {
            killPostmaster(data);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killPostmaster(data);
        }
    }

    /** Kills the postmaster named in postmaster.pid, if any, and waits for it to end. */
    private static void killPostmaster(Path data) {
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
            if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                ProcessHandle.of(Long.parseLong(lines.get(0).trim())).ifPresent(h -> {
                    h.destroyForcibly();
                    h.onExit().join();
                });
            }
        } catch (IOException | RuntimeException e) {
            // no pid file (the server is not running) or an unreadable one: nothing left to kill that we know of
        }
    }

    private static String log(Path dir) {
        try {
            Path log = dir.resolve("server.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(server log unreadable: " + e + ")";
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asServerUser(String... command) {
        List<String> all = new ArrayList<>();
        if (isRoot()) {
            all.addAll(List.of("runuser", "-u", USER, "--"));
        }
        all.addAll(List.of(command));
        return all;
    }

    /** Runs a command in {@code dir}; returns null when it exits with 0, else its output and exit code. */
    private static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lrep-bench-cmd", ".out");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void runChecked(Path dir, List<String> command) throws IOException, InterruptedException {
        String failure = run(dir, command);
        if (failure != null) {
            throw new IOException(failure);
        }
    }
}
