package io.lrep.bench.e2e;

import static io.lrep.bench.e2e.BenchSql.count;
import static io.lrep.bench.e2e.BenchSql.execute;
import static io.lrep.bench.e2e.BenchSql.pause;
import static io.lrep.bench.e2e.BenchSql.percentile;
import static io.lrep.bench.e2e.BenchSql.say;
import static io.lrep.bench.e2e.BenchSql.single;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lrep against PostgreSQL 15's own logical replication, end to end, same workloads, same run.
 *
 * <p>Starts, on 127.0.0.1 with ports the OS picks, two lrep nodes (publisher and subscriber, each
 * in a JVM of its own, fsync and synchronous_commit on) and, when PostgreSQL 15's programs are
 * installed, two PostgreSQL clusters (initdb into temporary directories, wal_level = logical, fsync
 * and synchronous_commit on, shared_buffers 256MB). Each side gets the table
 * {@code accounts(id bigint primary key, balance bigint, note text)} on both servers, a publication
 * of it and a subscription with {@code synchronous_commit = 'on'}, and runs, lrep first:
 * <ul>
 *   <li>W1 initial sync of {@code --rows} rows (copy_data = true), until every table is 'r' and the count matches;</li>
 *   <li>W2 one transaction of {@code --rows} INSERTs, with the subscription's streaming off, then on;</li>
 *   <li>W3 the real {@code pgbench} (BEGIN; INSERT with an id from a sequence; UPDATE by random key; END),
 *       {@code --clients} clients, {@code --seconds} after {@code --warmup} seconds not counted;</li>
 *   <li>W4 commit-to-visible latency of {@code --latency-txns} single-row transactions.</li>
 * </ul>
 * After each workload the subscriber's table must equal the publisher's (count and a SHA-256 over
 * all rows in key order); a mismatch makes the exit code 1. The result is a Markdown table (also
 * written to {@code --out=FILE}). Everything started is stopped and deleted, also on Ctrl-C.
 *
 * <p>Before W1 both systems copy and replicate {@code --warmup-rows} rows of another table, not
 * counted (lrep's JVMs compile their hot paths in it).
 *
 * <p>Run: {@code benchmarks/compare/run.sh [--short] [--rows=1000000] [--warmup-rows=ROWS/2] [--seconds=60] [--warmup=30]
 * [--latency-txns=2000] [--clients=8] [--systems=lrep,postgresql] [--out=FILE] [--dir=DIR]
 * [--node-java-opts="-XX:+UseParallelGC -Xms4g ..."]}.
 */
public final class CompareBench {

    static final String LREP = "lrep";
    static final String POSTGRESQL = "PostgreSQL";

    private static final String SUBSCRIPTION = "sub_accounts";
    private static final String PUBLICATION = "pub_accounts";
    private static final String TABLE_DDL = "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint, note text)";
    private static final String WARM_DDL = "CREATE TABLE warm (id bigint PRIMARY KEY, balance bigint, note text)";
    private static final long WAIT_NANOS = 600_000_000_000L;
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");

    private final Options options;
    private final Results results = new Results();
    private final List<String> failures = new ArrayList<>();
    private final List<AutoCloseable> running = new ArrayList<>();
    private volatile Process pgbench;

    /** The run's parameters, from {@code --name=value} arguments. */
    record Options(int rows, int warmupRows, int seconds, int warmupSeconds, int latencyTxns, int clients, List<String> systems, Path out,
            Path dir, String nodeJavaOpts) {

        static Options parse(Map<String, String> args) {
            boolean shortMode = Boolean.parseBoolean(args.getOrDefault("short", "false"));
            List<String> systems = new ArrayList<>();
            for (String s : args.getOrDefault("systems", "lrep,postgresql").split(",")) {
                systems.add(s.trim().equalsIgnoreCase(LREP) ? LREP : s.trim().equalsIgnoreCase(POSTGRESQL) ? POSTGRESQL : fail(s));
            }
            int rows = Integer.parseInt(args.getOrDefault("rows", shortMode ? "20000" : "1000000"));
            return new Options(rows, Integer.parseInt(args.getOrDefault("warmup-rows", Integer.toString(rows / 2))),
                    Integer.parseInt(args.getOrDefault("seconds", shortMode ? "5" : "60")),
                    Integer.parseInt(args.getOrDefault("warmup", shortMode ? "2" : "30")),
                    Integer.parseInt(args.getOrDefault("latency-txns", shortMode ? "200" : "2000")),
                    Integer.parseInt(args.getOrDefault("clients", "8")), systems,
                    args.containsKey("out") ? Path.of(args.get("out")) : null,
                    Path.of(args.getOrDefault("dir", System.getProperty("java.io.tmpdir"))),
                    args.getOrDefault("node-java-opts", shortMode ? NodeProcess.SMALL_JAVA_OPTS : NodeProcess.DEFAULT_JAVA_OPTS));
        }

        private static String fail(String system) {
            throw new IllegalArgumentException("systems: " + system + " (expected: lrep, postgresql)");
        }
    }

    /** What a run found: the Markdown report and the correctness failures (none when all tables matched). */
    record Outcome(String report, List<String> failures, String postgresqlSkipped) {
    }

    CompareBench(Options options) {
        this.options = options;
    }

    /**
     * Runs the comparison; exits 1 when a subscriber's table differed from its publisher's, 2 on an error.
     *
     * @param argv {@code --name=value} options (see the class comment)
     */
    public static void main(String[] argv) {
        try {
            Outcome outcome = new CompareBench(Options.parse(BenchSql.parseArgs(argv))).run();
            System.exit(outcome.failures().isEmpty() ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
    }

    /** Starts the servers, runs the workloads on each system in turn, stops and deletes everything. */
    Outcome run() throws Exception {
        Files.createDirectories(options.dir());
        Path dir = Files.createTempDirectory(options.dir(), "lrep-compare-");
        // PostgreSQL's programs may run as another user (postgres, when this runs as root): let it in.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Thread cleanup = new Thread(() -> stopAll(dir), "compare-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        Optional<Path> pgBin = PgCluster.binaries();
        String skipped = null;
        String pgVersion = "-";
        String lrepVersion = "-";
        try {
            say("data directories under %s; %s", dir, options);
            for (String system : options.systems()) {
                if (system.equals(POSTGRESQL) && pgBin.isEmpty()) {
                    skipped = "PostgreSQL 15's server programs and pgbench were not found in " + Path.of(
                            System.getProperty("lrep.bench.pgbin", "/usr/lib/postgresql/15/bin")) + " (apt-get install postgresql-15)";
                    say("PostgreSQL skipped: %s", skipped);
                    continue;
                }
                Pair pair = system.equals(LREP) ? startLrep(dir) : startPostgresql(pgBin.get(), dir);
                if (system.equals(POSTGRESQL)) {
                    pgVersion = pair.version();
                } else {
                    lrepVersion = pair.version();
                }
                runWorkloads(pair, system.equals(LREP) ? 0 : 1, pgBin.orElse(null));
                closeLast();
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook is stopping everything already
            }
            stopAll(dir);
        }
        String report = report(lrepVersion, pgVersion, skipped);
        System.out.println();
        System.out.print(report);
        if (options.out() != null) {
            Files.writeString(options.out(), report);
        }
        return new Outcome(report, List.copyOf(failures), skipped);
    }

    // ---------------------------------------------------------------- the systems

    /** One system under test: a publisher and a subscriber. */
    private record Pair(String name, int pubPort, int subPort, String user, String version) {
        Connection publisher() throws SQLException {
            return BenchSql.connect(pubPort, user);
        }

        Connection subscriber() throws SQLException {
            return BenchSql.connect(subPort, user);
        }

        String conninfo() {
            return "host=127.0.0.1 port=" + pubPort + " dbname=postgres user=" + user;
        }
    }

    private Pair startLrep(Path dir) throws IOException {
        Map<String, String> sub = Map.of("wal_receiver_status_interval", "1", "wal_retrieve_retry_interval", "100");
        NodeProcess pub = NodeProcess.start(dir.resolve("lrep-pub"), NodeProcess.durableSettings(Map.of()), options.nodeJavaOpts());
        running.add(pub);
        NodeProcess subscriber = NodeProcess.start(dir.resolve("lrep-sub"), NodeProcess.durableSettings(sub), options.nodeJavaOpts());
        running.add(subscriber);
        String version = serverVersion(pub.port(), NodeProcess.USER);
        say("lrep %s: publisher on port %d (pid %d), subscriber on port %d (pid %d), each in its own JVM: %s", version, pub.port(), pub.pid(),
                subscriber.port(), subscriber.pid(), options.nodeJavaOpts());
        return new Pair(LREP, pub.port(), subscriber.port(), NodeProcess.USER, version);
    }

    private static String serverVersion(int port, String user) {
        try (Connection c = BenchSql.connect(port, user)) {
            return single(c, "SHOW server_version");
        } catch (SQLException e) {
            throw new IllegalStateException("the publisher on port " + port + " does not answer", e);
        }
    }

    /** The settings of both PostgreSQL clusters. */
    static Map<String, String> postgresqlSettings() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("wal_level", "logical");
        conf.put("fsync", "on");
        conf.put("synchronous_commit", "on");
        conf.put("shared_buffers", "'256MB'");
        conf.put("max_connections", "50");
        conf.put("max_wal_senders", "20");
        conf.put("max_replication_slots", "20");
        conf.put("max_worker_processes", "16");
        conf.put("max_logical_replication_workers", "8");
        conf.put("max_sync_workers_per_subscription", "4");
        conf.put("wal_receiver_status_interval", "1");
        conf.put("wal_retrieve_retry_interval", "100");
        return conf;
    }

    private Pair startPostgresql(Path bin, Path dir) throws IOException, InterruptedException {
        PgCluster pub = PgCluster.start(bin, dir.resolve("pg-pub"), postgresqlSettings());
        running.add(pub);
        PgCluster sub = PgCluster.start(bin, dir.resolve("pg-sub"), postgresqlSettings());
        running.add(sub);
        String version = serverVersion(pub.port(), PgCluster.USER);
        say("PostgreSQL %s: publisher on port %d, subscriber on port %d", version, pub.port(), sub.port());
        return new Pair(POSTGRESQL, pub.port(), sub.port(), PgCluster.USER, version);
    }

    /** Stops the servers of the last system (the next one gets the machine to itself). */
    private synchronized void closeLast() {
        while (!running.isEmpty()) {
            close(running.remove(running.size() - 1));
        }
    }

    private synchronized void stopAll(Path dir) {
        Process p = pgbench;
        if (p != null) {
            p.destroyForcibly();
        }
        closeLast();
        BenchSql.deleteTree(dir);
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            say("stopping %s failed: %s", c, e); // carry on: the others must stop too
        }
    }

    // ---------------------------------------------------------------- the workloads

    private void runWorkloads(Pair pair, int column, Path pgBin) throws Exception {
        int n = options.rows();
        try (Connection p = pair.publisher(); Connection s = pair.subscriber()) {
            execute(p, TABLE_DDL, "INSERT INTO accounts SELECT g, g * 10, md5(g::text) FROM generate_series(1, " + n + ") g",
                    "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE accounts");
            execute(s, TABLE_DDL);
            warmUp(pair, p, s);

            // W1: initial sync
            long t0 = System.nanoTime();
            execute(s, "CREATE SUBSCRIPTION " + SUBSCRIPTION + " CONNECTION '" + pair.conninfo() + "' PUBLICATION " + PUBLICATION
                    + " WITH (copy_data = true, synchronous_commit = 'on', streaming = off)");
            awaitSynced(s, SUBSCRIPTION, "accounts", n);
            double w1 = seconds(t0);
            say("%s W1: %,d rows copied in %.2f s", pair.name(), n, w1);
            results.put("W1 initial sync", "seconds until 'r' and count matches", column, w1, Goal.NONE);
            results.put("W1 initial sync", "rows/s", column, n / w1, Goal.atLeast(2));
            check(pair, "W1", p, s);

            // W2: one big transaction, streaming off then on
            long next = n + 1L;
            for (String streaming : List.of("off", "on")) {
                execute(s, "ALTER SUBSCRIPTION " + SUBSCRIPTION + " SET (streaming = " + streaming + ")");
                awaitStreaming(p, s);
                long last = next + n - 1;
                t0 = System.nanoTime();
                p.setAutoCommit(false);
                execute(p, "INSERT INTO accounts SELECT g, g * 10, md5(g::text) FROM generate_series(" + next + ", " + last + ") g");
                p.commit();
                p.setAutoCommit(true);
                double committed = seconds(t0);
                awaitRow(s, last, "W2");
                double w2 = seconds(t0);
                say("%s W2 streaming %s: %,d rows, publisher commit after %.2f s, last row visible on the subscriber after %.2f s", pair.name(),
                        streaming, n, committed, w2);
                String workload = "W2 one " + String.format(Locale.ROOT, "%,d", n) + "-row txn, streaming " + streaming;
                results.put(workload, "seconds from start to last row visible", column, w2, Goal.NONE);
                results.put(workload, "rows/s end to end", column, n / w2, Goal.atLeast(3));
                check(pair, "W2 streaming " + streaming, p, s);
                next = last + 1;
            }

            // W3: pgbench
            if (pgBin != null) {
                pgbenchLoad(pair, column, pgBin, p, s, next);
            } else {
                say("%s W3 skipped: pgbench not found", pair.name());
            }

            // W4: commit-to-visible latency
            long firstId = Long.parseLong(single(p, "SELECT max(id) FROM accounts")) + 1;
            double[] latencies = latency(p, s, firstId);
            say("%s W4: %d transactions, commit to visible p50 %.2f ms p99 %.2f ms", pair.name(), latencies.length, percentile(latencies, 50),
                    percentile(latencies, 99));
            results.put("W4 latency", "commit to visible p50 ms", column, percentile(latencies, 50), Goal.atMost(1));
            results.put("W4 latency", "commit to visible p99 ms", column, percentile(latencies, 99), Goal.atMost(1));
            check(pair, "W4", p, s);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Before W1, not counted: both systems copy {@code --warmup-rows} rows of a table {@code warm}
     * through a subscription of their own and replicate as many more in one transaction, then drop
     * it all. lrep's JVMs compile their copy, insert, decoding and apply paths in it (as W3 has its
     * pgbench warm-up); PostgreSQL gains nothing from it.
     */
    private void warmUp(Pair pair, Connection p, Connection s) throws SQLException {
        int n = options.warmupRows();
        if (n == 0) {
            return;
        }
        long t0 = System.nanoTime();
        execute(p, WARM_DDL, "INSERT INTO warm SELECT g, g * 10, md5(g::text) FROM generate_series(1, " + n + ") g",
                "CREATE PUBLICATION pub_warm FOR TABLE warm");
        execute(s, WARM_DDL, "CREATE SUBSCRIPTION sub_warm CONNECTION '" + pair.conninfo() + "' PUBLICATION pub_warm"
                + " WITH (copy_data = true, synchronous_commit = 'on', streaming = off)");
        awaitSynced(s, "sub_warm", "warm", n);
        execute(p, "INSERT INTO warm SELECT g, g * 10, md5(g::text) FROM generate_series(" + (n + 1) + ", " + 2L * n + ") g");
        awaitRow(s, "warm", 2L * n, "warm-up");
        execute(s, "DROP SUBSCRIPTION sub_warm", "DROP TABLE warm");
        execute(p, "DROP PUBLICATION pub_warm", "DROP TABLE warm");
        say("%s warm-up: %,d rows copied, %,d more in one transaction, %.1f s (not counted)", pair.name(), n, n, seconds(t0));
    }

    /** Waits until every table of the subscription is 'r' (ready) and the subscriber's {@code table} has {@code rows} rows. */
    private static void awaitSynced(Connection s, String subscription, String table, long rows) throws SQLException {
        long t0 = System.nanoTime();
        String notReady = "SELECT count(*) FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '"
                + subscription + "' AND r.srsubstate <> 'r'";
        String tables = "SELECT count(*) FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '"
                + subscription + "'";
        while (!"0".equals(single(s, notReady)) || "0".equals(single(s, tables)) || count(s, table) != rows) {
            deadline(t0, subscription + ": the subscription's tables did not all reach 'r' with " + rows + " rows");
            pause(5);
        }
    }

    /** Inserts a probe row (id -1) on the publisher, waits for it on the subscriber, deletes it on both. */
    private static void awaitStreaming(Connection p, Connection s) throws SQLException {
        execute(p, "INSERT INTO accounts VALUES (-1, 0, 'probe')");
        awaitRow(s, -1, "probe");
        execute(p, "DELETE FROM accounts WHERE id = -1");
        long t0 = System.nanoTime();
        while (exists(s, -1)) {
            deadline(t0, "the probe row's DELETE did not reach the subscriber");
            pause(2);
        }
    }

    private static void awaitRow(Connection s, long id, String what) throws SQLException {
        awaitRow(s, "accounts", id, what);
    }

    private static void awaitRow(Connection s, String table, long id, String what) throws SQLException {
        long t0 = System.nanoTime();
        try (PreparedStatement st = s.prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
            st.setLong(1, id);
            while (true) {
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
                deadline(t0, what + ": row " + id + " did not become visible on the subscriber");
                pause(1);
            }
        }
    }

    private static boolean exists(Connection c, long id) throws SQLException {
        return single(c, "SELECT 1 FROM accounts WHERE id = " + id) != null;
    }

    private static void deadline(long startNanos, String what) {
        if (System.nanoTime() - startNanos > WAIT_NANOS) {
            throw new IllegalStateException(what + " within " + WAIT_NANOS / 1_000_000_000L + " s");
        }
    }

    private void pgbenchLoad(Pair pair, int column, Path pgBin, Connection p, Connection s, long firstId) throws Exception {
        execute(p, "CREATE SEQUENCE accounts_id_seq START " + firstId);
        Path script = Files.createTempFile("lrep-compare", ".sql");
        try {
            Files.writeString(script, "\\set aid random(1, " + options.rows() + ")\n" + "BEGIN;\n"
                    + "INSERT INTO accounts (id, balance, note) VALUES (nextval('accounts_id_seq'), :aid, 'pgbench');\n"
                    + "UPDATE accounts SET balance = balance + 1 WHERE id = :aid;\n" + "END;\n");
            script.toFile().setReadable(true, false);
            double warm = pgbench(pgBin, pair, script, options.warmupSeconds());
            long marker = -10;
            awaitMarker(p, s, marker--);
            say("%s W3 warm-up: %d s, %,.0f tps (not counted)", pair.name(), options.warmupSeconds(), warm);
            long before = Long.parseLong(single(p, "SELECT max(id) FROM accounts"));
            List<Double> lags = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> sampleLag(pair, stop, lags));
            double tps;
            long loadStart = System.nanoTime();
            try {
                tps = pgbench(pgBin, pair, script, options.seconds());
            } finally {
                stop.set(true);
            }
            double loadSeconds = seconds(loadStart);
            long applied = Long.parseLong(single(s, "SELECT count(*) FROM accounts WHERE id > " + before));
            double catchUp = awaitMarker(p, s, marker);
            join(sampler);
            double[] lag = lags.stream().mapToDouble(Double::doubleValue).toArray();
            double appliedTps = applied / loadSeconds;
            say("%s W3: %d clients %d s: publisher %,.0f tps, subscriber %,.0f applied txns/s, replay_lag p50 %.1f p99 %.1f max %.1f ms"
                    + " (%d samples), catch-up %.3f s", pair.name(), options.clients(), options.seconds(), tps, appliedTps,
                    percentile(lag, 50), percentile(lag, 99), percentile(lag, 100), lag.length, catchUp);
            String workload = "W3 pgbench " + options.clients() + " clients " + options.seconds() + " s";
            results.put(workload, "publisher tps", column, tps, Goal.atLeast(2));
            results.put(workload, "subscriber applied txns/s", column, appliedTps, Goal.NONE);
            results.put(workload, "replay_lag p50 ms", column, percentile(lag, 50), Goal.NONE);
            results.put(workload, "replay_lag p99 ms", column, percentile(lag, 99), Goal.below(100));
            results.put(workload, "replay_lag max ms", column, percentile(lag, 100), Goal.NONE);
            results.put(workload, "catch-up s", column, catchUp, Goal.below(1));
            check(pair, "W3", p, s);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** Commits a marker row on the publisher; returns the seconds until the subscriber shows it. */
    private static double awaitMarker(Connection p, Connection s, long id) throws SQLException {
        execute(p, "INSERT INTO accounts VALUES (" + id + ", 0, 'marker')");
        long t0 = System.nanoTime();
        awaitRow(s, id, "marker");
        return seconds(t0);
    }

    /** Runs pgbench for {@code seconds}; returns its tps. */
    private double pgbench(Path pgBin, Pair pair, Path script, int seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lrep-compare-pgbench", ".out");
        try {
            Process process = new ProcessBuilder(pgBin.resolve("pgbench").toString(), "-n", "-h", "127.0.0.1", "-p",
                    String.valueOf(pair.pubPort()), "-U", pair.user(), "-c", String.valueOf(options.clients()), "-j", "2", "-T",
                    String.valueOf(seconds), "-f", script.toString(), "postgres").redirectErrorStream(true).redirectOutput(out.toFile()).start();
            pgbench = process;
            boolean done = process.waitFor(seconds + 120L, TimeUnit.SECONDS);
            pgbench = null;
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (!done) {
                process.destroyForcibly();
                throw new IllegalStateException("pgbench against " + pair.name() + " did not end:\n" + text);
            }
            Matcher m = TPS.matcher(text);
            if (process.exitValue() != 0 || !m.find()) {
                throw new IllegalStateException("pgbench against " + pair.name() + " failed (exit " + process.exitValue() + "):\n" + text);
            }
            return Double.parseDouble(m.group(1));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Every second until {@code stop}: the subscription's replay_lag on the publisher, in ms (NULL, when idle, as 0). */
    private static void sampleLag(Pair pair, AtomicBoolean stop, List<Double> lags) {
        try (Connection c = pair.publisher();
                PreparedStatement st = c.prepareStatement("SELECT replay_lag::text FROM pg_stat_replication WHERE application_name = ?")) {
            st.setString(1, SUBSCRIPTION);
            long next = System.nanoTime();
            while (!stop.get()) {
                next += 1_000_000_000L;
                while (System.nanoTime() < next && !stop.get()) {
                    pause(10);
                }
                if (stop.get()) {
                    break;
                }
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        synchronized (lags) {
                            lags.add(intervalMs(rs.getString(1)));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new CompletionException("sampling replay_lag on " + pair.name(), e);
        }
    }

    /** An interval as PostgreSQL prints it ({@code [N day[s] ]HH:MM:SS[.ffffff]}) in ms; null as 0. */
    static double intervalMs(String text) {
        if (text == null) {
            return 0;
        }
        double ms = 0;
        String[] parts = text.trim().split("\\s+");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].contains(":")) {
                boolean negative = parts[i].startsWith("-");
                String[] hms = parts[i].replace("-", "").split(":");
                double v = (Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Double.parseDouble(hms[2])) * 1000;
                ms += negative ? -v : v;
            } else if (i + 1 < parts.length && parts[i + 1].startsWith("day")) {
                ms += Long.parseLong(parts[i]) * 86_400_000.0;
            }
        }
        return ms;
    }

    private double[] latency(Connection p, Connection s, long firstId) throws SQLException {
        double[] ms = new double[options.latencyTxns()];
        p.setAutoCommit(false);
        try (PreparedStatement insert = p.prepareStatement("INSERT INTO accounts VALUES (?, ?, 'latency')");
                PreparedStatement poll = s.prepareStatement("SELECT 1 FROM accounts WHERE id = ?")) {
            for (int i = 0; i < ms.length; i++) {
                long id = firstId + i;
                insert.setLong(1, id);
                insert.setLong(2, id * 10);
                insert.executeUpdate();
                poll.setLong(1, id);
                long t0 = System.nanoTime();
                p.commit();
                while (true) {
                    try (ResultSet rs = poll.executeQuery()) {
                        if (rs.next()) {
                            break;
                        }
                    }
                    deadline(t0, "W4: row " + id + " did not become visible on the subscriber");
                }
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        } finally {
            p.setAutoCommit(true);
        }
        return ms;
    }

    // ---------------------------------------------------------------- correctness

    /** The count and a SHA-256 over {@code id|balance|note} of every row in key order. */
    record Checksum(long rows, String sha256) {
    }

    static Checksum checksum(Connection c) throws SQLException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256", e);
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false); // pgjdbc fetches in batches (a cursor) only inside a transaction
        long rows = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery("SELECT id, balance, note FROM accounts ORDER BY id")) {
                while (rs.next()) {
                    digest.update((rs.getString(1) + '|' + rs.getString(2) + '|' + rs.getString(3) + '\n').getBytes(StandardCharsets.UTF_8));
                    rows++;
                }
            }
            c.commit();
        } finally {
            c.setAutoCommit(auto);
        }
        return new Checksum(rows, HexFormat.of().formatHex(digest.digest()).substring(0, 16));
    }

    /**
     * The subscriber's table must equal the publisher's; it is compared again every second for up
     * to 30 s (each workload already waited for its last row, so it normally matches at once).
     */
    private void check(Pair pair, String workload, Connection p, Connection s) throws SQLException {
        long t0 = System.nanoTime();
        while (true) {
            CompletableFuture<Checksum> subSide = CompletableFuture.supplyAsync(() -> {
                try {
                    return checksum(s);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
            Checksum pub = checksum(p);
            Checksum sub = join(subSide);
            if (pub.equals(sub)) {
                say("%s %s check: subscriber equals publisher, %,d rows, sha256 %s", pair.name(), workload, pub.rows(), pub.sha256());
                return;
            }
            if (System.nanoTime() - t0 > 30_000_000_000L) {
                String failure = String.format(Locale.ROOT, "%s %s: subscriber %,d rows sha256 %s, publisher %,d rows sha256 %s", pair.name(),
                        workload, sub.rows(), sub.sha256(), pub.rows(), pub.sha256());
                say("CORRECTNESS FAILURE: %s", failure);
                failures.add(failure);
                return;
            }
            pause(1000);
        }
    }

    private static <T> T join(CompletableFuture<T> future) throws SQLException {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- the report

    /** A target of the issue for one figure: lrep/PostgreSQL at least or at most a ratio, or lrep's value below a bound. */
    record Goal(String kind, double bound) {
        static final Goal NONE = new Goal("", 0);

        static Goal atLeast(double ratio) {
            return new Goal(">=", ratio);
        }

        static Goal atMost(double ratio) {
            return new Goal("<=", ratio);
        }

        static Goal below(double value) {
            return new Goal("<", value);
        }

        String text() {
            return switch (kind) {
                case ">=" -> String.format(Locale.ROOT, "ratio >= %s", trim(bound));
                case "<=" -> String.format(Locale.ROOT, "ratio <= %s", trim(bound));
                case "<" -> String.format(Locale.ROOT, "lrep < %s", trim(bound));
                default -> "";
            };
        }

        /** "yes", "NO", or "n/a" when a ratio is needed and PostgreSQL did not run. */
        String met(double lrep, double postgresql) {
            double ratio = lrep / postgresql;
            return switch (kind) {
                case ">=" -> Double.isNaN(ratio) ? "n/a" : ratio >= bound ? "yes" : "NO";
                case "<=" -> Double.isNaN(ratio) ? "n/a" : ratio <= bound ? "yes" : "NO";
                case "<" -> Double.isNaN(lrep) ? "n/a" : lrep < bound ? "yes" : "NO";
                default -> "";
            };
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /** The figures, in the order they were first measured; NaN where a system did not run. */
    private static final class Results {
        private record Row(String workload, String figure, double[] values, Goal goal) {
        }

        private final Map<String, Row> rows = new LinkedHashMap<>();

        synchronized void put(String workload, String figure, int column, double value, Goal goal) {
            rows.computeIfAbsent(workload + '\u0000' + figure, k -> new Row(workload, figure, new double[] {Double.NaN, Double.NaN}, goal))
                    .values()[column] = value;
        }

        synchronized List<Row> all() {
            return List.copyOf(rows.values());
        }
    }

    private String report(String lrepVersion, String pgVersion, String skipped) {
        StringBuilder sb = new StringBuilder();
        sb.append("## lrep against PostgreSQL, end to end\n\n");
        sb.append(String.format(Locale.ROOT, "- machine: %s; %d CPUs, %s; load average %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(),
                memory(), CpuWindow.loadAverage()));
        sb.append(String.format(Locale.ROOT, "- versions: lrep commit %s (server_version %s), PostgreSQL %s, Java %s%n",
                System.getProperty("lrep.bench.commit", "unknown"), lrepVersion, pgVersion, System.getProperty("java.runtime.version")));
        sb.append(String.format(Locale.ROOT, "- settings: every server on 127.0.0.1, fsync = on, synchronous_commit = on; subscription WITH"
                + " (synchronous_commit = 'on'): subscriber durability = every applied transaction flushed (fsync) before it counts as"
                + " applied; lrep nodes each in its own JVM (%s); PostgreSQL shared_buffers = 256MB, wal_level = logical%n",
                options.nodeJavaOpts()));
        sb.append(String.format(Locale.ROOT, "- sizes: %,d rows (after a warm-up copy and transaction of %,d rows each, not counted), pgbench %d"
                + " clients (-j 2) %d s after a %d s warm-up, %,d latency transactions%n",
                options.rows(), options.warmupRows(), options.clients(), options.seconds(), options.warmupSeconds(), options.latencyTxns()));
        if (skipped != null) {
            sb.append("- PostgreSQL skipped: ").append(skipped).append('\n');
        }
        sb.append("- correctness (subscriber = publisher after every workload, count and SHA-256 of all rows): ")
                .append(failures.isEmpty() ? "all equal" : "FAILED: " + String.join("; ", failures)).append("\n\n");
        sb.append("| workload | figure | lrep | PostgreSQL | lrep/PostgreSQL | target | met |\n");
        sb.append("|---|---|---:|---:|---:|---|---|\n");
        for (Results.Row r : results.all()) {
            double lrep = r.values()[0];
            double pg = r.values()[1];
            sb.append("| ").append(r.workload()).append(" | ").append(r.figure()).append(" | ").append(format(lrep)).append(" | ")
                    .append(format(pg)).append(" | ").append(Double.isNaN(lrep / pg) ? "-" : String.format(Locale.ROOT, "%.2f", lrep / pg))
                    .append(" | ").append(r.goal().text()).append(" | ").append(r.goal().met(lrep, pg)).append(" |\n");
        }
        return sb.toString();
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?"; // not Linux
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / (1024 * 1024) + " GiB").orElse("?");
        } catch (IOException e) {
            return "?"; // not Linux
        }
    }
}
