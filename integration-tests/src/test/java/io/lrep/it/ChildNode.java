package io.lrep.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A node running in a child JVM ({@link NodeChild}), so that it can be killed with a real
 * SIGKILL and started again on the same data directory and the same loopback port. Its output
 * (its log included: logback writes to standard output) goes to files beside the data directory
 * ({@code <name>-<n>.out/.log}). {@link #close()} kills the process if it still runs.
 */
final class ChildNode implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Map<String, String> settings;
    private final int port;
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicReference<Process> process = new AtomicReference<>();
    private Path lastLog;

    private ChildNode(Path dataDir, Map<String, String> settings, int port) {
        this.dataDir = dataDir;
        this.settings = settings;
        this.port = port;
    }

    /** Initialises {@code dataDir} (trust authentication, superuser {@link TestNode#SUPERUSER}) and starts a child node on it on a free port. */
    static ChildNode start(Path dataDir, Map<String, String> settings) throws Exception {
        io.lrep.node.Node.init(dataDir, Map.of(), TestNode.SUPERUSER, "trust", null);
        ChildNode node = new ChildNode(dataDir, settings, freePort());
        node.restart();
        return node;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    /** Processes started so far, those that could not bind the port included. */
    int starts() {
        return starts.get();
    }

    long pid() {
        return process.get().pid();
    }

    String conninfo() {
        return "host=127.0.0.1 port=" + port + " dbname=postgres user=" + TestNode.SUPERUSER;
    }

    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", TestNode.SUPERUSER);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    /**
     * Starts the node's process (again) and waits until it serves. The server binds with
     * SO_REUSEADDR (Netty's default), so a killed node's connections in TIME_WAIT do not keep it
     * off its port; a start that still finds the port taken is retried until the bound.
     */
    void restart() throws Exception {
        if (process.get() != null && process.get().isAlive()) {
            throw new IllegalStateException("node " + dataDir + " still runs (pid " + pid() + ")");
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            int n = starts.incrementAndGet();
            String name = dataDir.getFileName() + "-" + n;
            Path out = dataDir.resolveSibling(name + ".out");
            lastLog = dataDir.resolveSibling(name + ".log");
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx512m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), NodeChild.class.getName(), dataDir.toString()));
            Map<String, String> all = new HashMap<>(settings);
            all.put("port", Integer.toString(port));
            all.put("listen_addresses", "127.0.0.1");
            all.forEach((k, v) -> command.add(k + "=" + v));
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(lastLog.toFile()).start();
            process.set(p);
            try {
                await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(20))
                        .until(() -> !p.isAlive() || Files.readAllLines(out, StandardCharsets.UTF_8).contains("PORT " + port));
            } catch (ConditionTimeoutException e) {
                kill();
                throw new AssertionError("node " + dataDir + " did not start in " + START_TIMEOUT + "; its log " + lastLog + ":\n"
                        + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(lastLog, StandardCharsets.UTF_8), e);
            }
            if (p.isAlive()) {
                return;
            }
            String log = Files.readString(out, StandardCharsets.UTF_8) + Files.readString(lastLog, StandardCharsets.UTF_8);
            if (!log.contains("could not bind") || System.nanoTime() > deadline) {
                throw new AssertionError("node " + dataDir + " did not start (exit " + p.exitValue() + "); its log " + lastLog + ":\n" + log);
            }
            await().pollDelay(Duration.ofMillis(200)).until(() -> true); // the port is still held: try again shortly
        }
    }

    /** Kills the node's process with SIGKILL and waits until it is gone. */
    void kill() {
        Process p = process.get();
        if (p != null) {
            p.destroyForcibly(); // SIGKILL on Linux
            p.onExit().join();
        }
    }

    /** The log of the node's latest start. */
    Path log() {
        return lastLog;
    }

    @Override
    public void close() {
        kill();
    }
}
