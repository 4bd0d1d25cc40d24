package io.lrep.bench.e2e;

import io.lrep.node.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An lrep node in a JVM of its own, as nodes are deployed: {@link Node#init} of a fresh data
 * directory, then {@code lrep start} (the {@code io.lrep.node.cli.Lrep} main class, on this JVM's
 * class path) on a free loopback port, fsync and synchronous_commit on, its output in
 * {@code <dataDir>.log}. {@link #close()} sends SIGTERM (a clean shutdown) and kills it after 30 s.
 */
final class NodeProcess implements AutoCloseable {

    /** The superuser of the nodes the benchmarks start (trust authentication). */
    static final String USER = "lrep";

    /**
     * The nodes' JVM options unless {@code --node-java-opts} says otherwise: those {@code lrep start}
     * runs with (the parallel collector, survivors promoted at once, the heap touched when
     * reserved, transparent huge pages where the kernel offers them on request) and a fixed 4 GiB
     * heap, which holds the benchmarks' tables without growing, as a database's memory is sized
     * for its data.
     */
    static final String DEFAULT_JAVA_OPTS = collector() + " -Xms4g -Xmx4g -XX:+AlwaysPreTouch"
            + (hugePagesOnRequest() ? " -XX:+UseTransparentHugePages" : "");

    /** The nodes' JVM options for short runs (tests): the same collector, a 1 GiB heap not touched ahead, so nodes start at once. */
    static final String SMALL_JAVA_OPTS = collector() + " -Xmx1g";

    /** The collector options {@code ./lrep} runs every command with. */
    private static String collector() {
        return "-XX:+UseParallelGC -XX:MaxTenuringThreshold=0 -XX:MetaspaceSize=128m";
    }

    private static final long START_TIMEOUT_NANOS = 60_000_000_000L;

    private final Process process;
    private final int port;

    private NodeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Whether the kernel backs memory with transparent huge pages when a process asks (madvise mode). */
    private static boolean hugePagesOnRequest() {
        try {
            return Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).contains("[madvise]");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The settings every benchmark node gets: loopback, fsync on, synchronous_commit on; plus {@code extra}. */
    static Map<String, String> durableSettings(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("listen_addresses", "127.0.0.1");
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        return settings;
    }

    /** Initialises {@code dataDir} and starts a node on it; returns once it accepts connections. */
    static NodeProcess start(Path dataDir, Map<String, String> settings, String javaOpts) throws IOException {
        Node.init(dataDir, Map.of(), USER, "trust", null);
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!javaOpts.isBlank()) {
            cmd.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.lrep.node.cli.Lrep", "start", "-D", dataDir.toString(),
                "-p", String.valueOf(port)));
        settings.forEach((k, v) -> cmd.addAll(List.of("-c", k + "=" + v)));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(dataDir).toFile()).start();
        NodeProcess node = new NodeProcess(process, port);
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            try {
                BenchSql.connect(port, USER).close();
                return node;
            } catch (SQLException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    node.close();
                    throw new IllegalStateException("the node in " + dataDir + " did not start (see " + log(dataDir) + ")", e);
                }
                BenchSql.pause(50);
            }
        }
    }

    /** Where a node's output goes: beside its data directory. */
    static Path log(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: lrep start shuts the node down cleanly
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
