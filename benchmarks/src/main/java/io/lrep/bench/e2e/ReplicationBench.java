package io.lrep.bench.e2e;

import static io.lrep.bench.e2e.BenchSql.count;
import static io.lrep.bench.e2e.BenchSql.deleteTree;
import static io.lrep.bench.e2e.BenchSql.execute;
import static io.lrep.bench.e2e.BenchSql.parseLsn;
import static io.lrep.bench.e2e.BenchSql.pause;
import static io.lrep.bench.e2e.BenchSql.percentile;
import static io.lrep.bench.e2e.BenchSql.say;
import static io.lrep.bench.e2e.BenchSql.single;

import io.lrep.node.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * End-to-end replication throughput between two real lrep nodes: a publisher and a subscriber,
 * both {@link Node}s started in this JVM (or, with {@code --separate-jvms=true}, each in a JVM of
 * its own running {@code lrep start}) on fresh data directories, talking over loopback TCP
 * (the subscriber's apply worker connects to the publisher's walsender as any client would).
 *
 * <p>Scenarios, each after its own warm-up:
 * <ul>
 *   <li>{@code a}: one transaction of {@code --rows} INSERTs on the publisher; the time from its
 *       COMMIT returning to the subscriber having applied it (its replication origin passing the
 *       publisher's WAL position after the commit), as rows/s.</li>
 *   <li>{@code b}: {@code --clients} pgjdbc clients on the publisher doing small transactions
 *       (an UPDATE and an INSERT each) for {@code --seconds}, applied with synchronous_commit = on;
 *       publisher tps and the apply lag sampled every 100 ms.</li>
 *   <li>{@code c}: the initial copy (copy_data = true) of a {@code --rows}-row table: the time from
 *       CREATE SUBSCRIPTION to the table's state 'r' with all rows there.</li>
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.lrep.bench.e2e.ReplicationBench
 * [--rows=1000000] [--clients=8] [--seconds=30] [--warmup=60] [--repeat=3] [--scenarios=abc]
 * [--streaming=off] [--accounts=100000] [--load-warmup=WARMUP] [--copy-warmups=2] [--jfr=DIR] [--dir=DIR]
 * [--separate-jvms=false] [--node-java-opts="-XX:+UseParallelGC -Xms4g ..."]}, or {@code benchmarks/replication/run.sh}.
 */
public final class ReplicationBench {

    private static final String USER = NodeProcess.USER;

    private final Map<String, String> args;
    private final int rows;
    private final int clients;
    private final int seconds;
    private final int warmupSeconds;
    private final int repeat;
    private final String scenarios;
    private final Path jfrDir;
    private final List<String> results = new ArrayList<>();
    private int loadRuns;
    private RunningNode pub;
    private RunningNode sub;

    /** A node of the benchmark: in this JVM, or (--separate-jvms=true) a child JVM running {@code lrep start}. */
    private interface RunningNode extends AutoCloseable {
        int port();

        @Override
        void close();
    }

    private ReplicationBench(Map<String, String> args) {
        this.args = args;
        this.rows = Integer.parseInt(args.getOrDefault("rows", "1000000"));
        this.clients = Integer.parseInt(args.getOrDefault("clients", "8"));
        this.seconds = Integer.parseInt(args.getOrDefault("seconds", "30"));
        this.warmupSeconds = Integer.parseInt(args.getOrDefault("warmup", "60"));
        this.repeat = Integer.parseInt(args.getOrDefault("repeat", "3"));
        this.scenarios = args.getOrDefault("scenarios", "abc");
        this.jfrDir = args.containsKey("jfr") ? Path.of(args.get("jfr")) : null;
    }

    /**
     * Runs the benchmark.
     *
     * @param argv {@code --name=value} options (see the class comment)
     * @throws Exception on any failure (the run stops)
     */
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = BenchSql.parseArgs(argv);
        new ReplicationBench(args).run();
    }

    private void run() throws Exception {
        Path base = args.containsKey("dir") ? Files.createDirectories(Path.of(args.get("dir"))) : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "lrep-e2e-");
        say("data directories under %s; rows=%d clients=%d seconds=%d warmup=%ds repeat=%d scenarios=%s", dir, rows, clients, seconds,
                warmupSeconds, repeat, scenarios);
        Thread cleanup = new Thread(() -> stopNodes(dir), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            boolean separate = Boolean.parseBoolean(args.getOrDefault("separate-jvms", "false"));
            String nodeJavaOpts = args.getOrDefault("node-java-opts", NodeProcess.DEFAULT_JAVA_OPTS);
            pub = startNode(dir.resolve("pub"), Map.of(), separate, nodeJavaOpts);
            sub = startNode(dir.resolve("sub"), Map.of("wal_receiver_status_interval", "1", "wal_retrieve_retry_interval", "100"),
                    separate, nodeJavaOpts);
            say("publisher on port %d, subscriber on port %d (%s)", pub.port(), sub.port(),
                    separate ? "each in its own JVM: " + nodeJavaOpts : "same JVM, pid " + ProcessHandle.current().pid());
            if (scenarios.contains("a")) {
                bigTransaction();
            }
            if (scenarios.contains("b")) {
                smallTransactions();
            }
            if (scenarios.contains("c")) {
                initialCopy();
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            stopNodes(dir);
        }
        System.out.println();
        System.out.println("== results");
        results.forEach(System.out::println);
    }

    /** Closes the nodes and deletes their data directories (also on Ctrl-C, from a shutdown hook). */
    private synchronized void stopNodes(Path dir) {
        if (sub != null) {
            sub.close();
            sub = null;
        }
        if (pub != null) {
            pub.close();
            pub = null;
        }
        deleteTree(dir);
    }

    private static RunningNode startNode(Path dataDir, Map<String, String> extra, boolean separate, String javaOpts) throws IOException {
        Map<String, String> settings = NodeProcess.durableSettings(extra);
        if (separate) {
            NodeProcess process = NodeProcess.start(dataDir, settings, javaOpts);
            return new RunningNode() {
                @Override
                public int port() {
                    return process.port();
                }

                @Override
                public void close() {
                    process.close();
                }
            };
        }
        Node.init(dataDir, Map.of(), USER, "trust", null);
        settings.put("port", "0");
        Node node = Node.start(dataDir, settings);
        return new RunningNode() {
            @Override
            public int port() {
                return node.port();
            }

            @Override
            public void close() {
                node.close();
            }
        };
    }

    // ---------------------------------------------------------------- scenario a

    private void bigTransaction() throws Exception {
        String streaming = args.getOrDefault("streaming", "off");
        try (Connection p = connect(pub); Connection s = connect(sub)) {
            String table = "CREATE TABLE bulk (id int PRIMARY KEY, v text, n bigint)";
            execute(p, table, "CREATE PUBLICATION pub_a FOR TABLE bulk");
            execute(s, table, "CREATE SUBSCRIPTION sub_a CONNECTION '" + conninfo() + "' PUBLICATION pub_a WITH (copy_data = false, streaming = "
                    + streaming + ")");
            String origin = origin(s, "sub_a");
            awaitStreaming(p, s, "bulk", "id, v, n", "0, 'probe', 0");
            long deadline = System.nanoTime() + warmupSeconds * 1_000_000_000L;
            int warm = 0;
            int next = 1;
            do {
                double[] r = oneBigTransaction(p, s, origin, next, rows, Profile.OFF);
                next += rows;
                warm++;
                say("a warm-up %d: %,d rows, commit %.0f ms, commit to applied %.0f ms, %,.0f rows/s", warm, rows, r[0], r[1], rows / (r[1] / 1e3));
            } while (System.nanoTime() < deadline);
            Profile jfr = profile("a");
            List<Double> rates = new ArrayList<>();
            for (int i = 1; i <= repeat; i++) {
                CpuWindow cpu = new CpuWindow();
                double[] r = oneBigTransaction(p, s, origin, next, rows, jfr);
                String cpuReport = cpu.report();
                next += rows;
                double rate = rows / (r[1] / 1e3);
                rates.add(rate);
                say("a run %d: %,d rows, insert+commit on the publisher %.0f ms (commit alone %.0f ms), commit to applied %.0f ms: %,.0f rows/s;"
                        + " insert start to applied %,.0f rows/s", i, rows, r[2], r[0], r[1], rate, rows / ((r[2] + r[1]) / 1e3));
                results.add(String.format(Locale.ROOT, "a  1 txn x %,d rows  run %d  publisher insert+commit %6.0f ms  commit %5.0f ms"
                        + "  commit->applied %6.0f ms  %,10.0f rows/s  %s", rows, i, r[2], r[0], r[1], rate, cpuReport));
            }
            jfr.summarise();
            rates.sort(Comparator.naturalOrder());
            results.add(String.format(Locale.ROOT, "a  median %,.0f rows/s end to end (target 500,000)", rates.get(rates.size() / 2)));
            execute(s, "DROP SUBSCRIPTION sub_a");
            execute(p, "DROP TABLE bulk");
            execute(s, "DROP TABLE bulk");
        }
    }

    /** Returns {commit ms, commit-to-applied-and-visible ms, insert+commit ms}. */
    private double[] oneBigTransaction(Connection p, Connection s, String origin, int first, int count, Profile jfr)
            throws SQLException, IOException {
        execute(p, "TRUNCATE bulk");
        awaitCount(s, "bulk", 0);
        // No autovacuum: without it the truncated versions of every run stay in memory (both nodes).
        execute(p, "VACUUM");
        execute(s, "VACUUM");
        long before = originLsn(s, origin);
        jfr.begin();
        long t0 = System.nanoTime();
        p.setAutoCommit(false);
        execute(p, "INSERT INTO bulk SELECT g, 'row-' || g::text, g FROM generate_series(" + first + ", " + (first + count - 1) + ") g");
        long t1 = System.nanoTime();
        p.commit();
        long t2 = System.nanoTime();
        p.setAutoCommit(true);
        long target = walLsn(p);
        long seen = before;
        while (true) {
            long applied = originLsn(s, origin);
            if (applied >= target || applied != seen && count(s, "bulk") == count) {
                break;
            }
            seen = applied;
            pause(2);
        }
        long t3 = System.nanoTime();
        long visible = count(s, "bulk");
        while (visible != count) {
            if (System.nanoTime() - t3 > 60_000_000_000L) {
                throw new IllegalStateException("subscriber has " + visible + " rows of bulk, expected " + count);
            }
            pause(2);
            visible = count(s, "bulk");
        }
        long t4 = System.nanoTime();
        jfr.end();
        if (t4 - t3 > 20_000_000L) {
            say("a: the origin passed the commit LSN %.0f ms before all rows were visible", (t4 - t3) / 1e6);
        }
        return new double[] {(t2 - t1) / 1e6, (t4 - t2) / 1e6, (t2 - t0) / 1e6};
    }

    // ---------------------------------------------------------------- scenario b

    private void smallTransactions() throws Exception {
        int accounts = Integer.parseInt(args.getOrDefault("accounts", "100000"));
        try (Connection p = connect(pub); Connection s = connect(sub)) {
            for (Connection c : List.of(p, s)) {
                execute(c, "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint)", "CREATE TABLE history (aid int, delta int)",
                        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, " + accounts + ") g");
            }
            execute(p, "CREATE PUBLICATION pub_b FOR TABLE accounts, history");
            execute(s, "CREATE SUBSCRIPTION sub_b CONNECTION '" + conninfo() + "' PUBLICATION pub_b WITH (copy_data = false,"
                    + " synchronous_commit = 'on')");
            String origin = origin(s, "sub_b");
            awaitStreaming(p, s, "history", "aid, delta", "0, 0");
            int warmup = Integer.parseInt(args.getOrDefault("load-warmup", String.valueOf(warmupSeconds)));
            LoadResult warm = load(p, s, origin, accounts, warmup, Profile.OFF);
            say("b warm-up: %ds, %,.0f tps; %s", warmup, warm.tps, warm.lag);
            Profile jfr = profile("b");
            CpuWindow cpu = new CpuWindow();
            LoadResult r = load(p, s, origin, accounts, seconds, jfr);
            String cpuReport = cpu.report();
            jfr.summarise();
            say("b: %d clients %ds: %,.0f tps; %s", clients, seconds, r.tps, r.lag);
            results.add(String.format(Locale.ROOT, "b  %d clients x %d s (UPDATE + INSERT per txn, synchronous_commit = on both sides)  %,.0f tps  %s  %s",
                    clients, seconds, r.tps, r.lag, cpuReport));
            execute(s, "DROP SUBSCRIPTION sub_b");
        }
    }

    private record LoadResult(double tps, String lag) {
    }

    private LoadResult load(Connection p, Connection s, String origin, int accounts, int durationSeconds, Profile jfr) throws Exception {
        int run = loadRuns++;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong transactions = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            long seed = 31L * i + run;
            Thread t = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                try (Connection c = connect(pub);
                        PreparedStatement update = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
                        PreparedStatement insert = c.prepareStatement("INSERT INTO history VALUES (?, ?)")) {
                    c.setAutoCommit(false);
                    while (!stop.get()) {
                        int aid = 1 + random.nextInt(accounts);
                        int delta = random.nextInt(-5000, 5001);
                        update.setInt(1, delta);
                        update.setInt(2, aid);
                        update.executeUpdate();
                        insert.setInt(1, aid);
                        insert.setInt(2, delta);
                        insert.executeUpdate();
                        c.commit();
                        transactions.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                }
            }, "bench-client-" + i);
            threads.add(t);
        }
        // The publisher's WAL position, timestamped every 2 ms (on its own connection), so that an
        // applied LSN can be turned into the age of the oldest change not yet applied.
        LsnTimeline produced = new LsnTimeline();
        Thread sampler = new Thread(() -> {
            try (Connection c = connect(pub); PreparedStatement st = c.prepareStatement("SELECT pg_current_wal_lsn()")) {
                while (!stop.get()) {
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        produced.add(System.nanoTime(), parseLsn(rs.getString(1)));
                    }
                    pause(2);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                stop.set(true);
            }
        }, "bench-lsn-sampler");
        jfr.begin();
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        sampler.start();
        long end = start + durationSeconds * 1_000_000_000L;
        List<long[]> applied = new ArrayList<>();
        while (System.nanoTime() < end && !stop.get()) {
            pause(100);
            applied.add(new long[] {System.nanoTime(), originLsn(s, origin)});
        }
        long txns = transactions.get();
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        sampler.join();
        if (failure.get() != null) {
            throw new IllegalStateException("a client failed", failure.get());
        }
        long stopped = System.nanoTime();
        jfr.end();
        // Caught up: the origin at the publisher's WAL position (or, should WAL that is no commit
        // follow the last commit, the rows all there: counted at most twice a second, as a count
        // of the whole table costs the subscriber CPU the apply worker needs).
        long target = walLsn(p);
        long pubRows = count(p, "history");
        long lastCount = stopped;
        while (originLsn(s, origin) < target) {
            if (System.nanoTime() - lastCount > 500_000_000L) {
                if (count(s, "history") == pubRows) {
                    break;
                }
                lastCount = System.nanoTime();
            }
            if (System.nanoTime() - stopped > 300_000_000_000L) {
                throw new IllegalStateException("the subscriber did not catch up within 300 s");
            }
            pause(2);
        }
        double catchUpMs = (System.nanoTime() - stopped) / 1e6;
        return new LoadResult(txns / (elapsed / 1e9), produced.lagReport(applied, catchUpMs));
    }

    /** Times at which the publisher's WAL insert position was seen, in order. */
    private static final class LsnTimeline {
        private long[] times = new long[1 << 16];
        private long[] lsns = new long[1 << 16];
        private int size;

        synchronized void add(long nanos, long lsn) {
            if (size == times.length) {
                times = Arrays.copyOf(times, size * 2);
                lsns = Arrays.copyOf(lsns, size * 2);
            }
            times[size] = nanos;
            lsns[size] = lsn;
            size++;
        }

        /**
         * Lag at a sample (time t, applied LSN): t minus the time the publisher's position was
         * first seen past the applied LSN (0 if it was not yet seen past it at t).
         */
        synchronized String lagReport(List<long[]> applied, double catchUpMs) {
            double[] lags = new double[applied.size()];
            for (int i = 0; i < lags.length; i++) {
                long t = applied.get(i)[0];
                long lsn = applied.get(i)[1];
                int lo = 0;
                int hi = size;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (lsns[mid] > lsn) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                lags[i] = lo < size && times[lo] <= t ? (t - times[lo]) / 1e6 : 0;
            }
            int n = lags.length;
            double[] firstQuarter = Arrays.copyOfRange(lags, 0, Math.max(1, n / 4));
            double[] lastQuarter = Arrays.copyOfRange(lags, n - Math.max(1, n / 4), n);
            double[] all = lags.clone();
            Arrays.sort(all);
            boolean keepsUp = percentile(lastQuarter, 50) <= percentile(firstQuarter, 50) + 50 && catchUpMs < 1000;
            return String.format(Locale.ROOT, "lag ms over %d samples: p50 %.1f p99 %.1f max %.1f; median first quarter %.1f, last quarter %.1f;"
                    + " catch-up after the clients stopped %.0f ms; keeps up: %s", n, percentile(all, 50), percentile(all, 99), all[n - 1],
                    percentile(firstQuarter, 50), percentile(lastQuarter, 50), catchUpMs, keepsUp ? "yes" : "NO");
        }
    }

    // ---------------------------------------------------------------- scenario c

    private void initialCopy() throws Exception {
        try (Connection p = connect(pub); Connection s = connect(sub)) {
            String table = "CREATE TABLE copy_src (id int PRIMARY KEY, v text, n bigint)";
            execute(p, table, "INSERT INTO copy_src SELECT g, 'row-' || g::text, g FROM generate_series(1, " + rows + ") g",
                    "CREATE PUBLICATION pub_c FOR TABLE copy_src");
            execute(s, table);
            int warmups = Integer.parseInt(args.getOrDefault("copy-warmups", "2"));
            for (int i = 1; i <= warmups; i++) {
                double ms = oneCopy(s, Profile.OFF);
                say("c warm-up %d: %,d rows in %.0f ms, %,.0f rows/s", i, rows, ms, rows / (ms / 1e3));
            }
            Profile jfr = profile("c");
            List<Double> rates = new ArrayList<>();
            for (int i = 1; i <= repeat; i++) {
                CpuWindow cpu = new CpuWindow();
                double ms = oneCopy(s, jfr);
                String cpuReport = cpu.report();
                rates.add(rows / (ms / 1e3));
                say("c run %d: %,d rows in %.0f ms, %,.0f rows/s", i, rows, ms, rows / (ms / 1e3));
                results.add(String.format(Locale.ROOT, "c  initial copy of %,d rows  run %d  CREATE SUBSCRIPTION -> 'r' and all rows %6.0f ms  %,10.0f rows/s  %s",
                        rows, i, ms, rows / (ms / 1e3), cpuReport));
            }
            jfr.summarise();
            rates.sort(Comparator.naturalOrder());
            results.add(String.format(Locale.ROOT, "c  median %,.0f rows/s", rates.get(rates.size() / 2)));
        }
    }

    private double oneCopy(Connection s, Profile jfr) throws SQLException, IOException {
        jfr.begin();
        long t0 = System.nanoTime();
        execute(s, "CREATE SUBSCRIPTION sub_c CONNECTION '" + conninfo() + "' PUBLICATION pub_c WITH (copy_data = true)");
        while (!"r".equals(single(s, "SELECT srsubstate FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid"
                + " WHERE s.subname = 'sub_c'"))) {
            pause(10);
            if (System.nanoTime() - t0 > 600_000_000_000L) {
                throw new IllegalStateException("the copy did not finish within 600 s");
            }
        }
        while (count(s, "copy_src") != rows) {
            pause(10);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        jfr.end();
        execute(s, "DROP SUBSCRIPTION sub_c", "TRUNCATE copy_src", "VACUUM");
        return ms;
    }

    // ---------------------------------------------------------------- helpers

    private Profile profile(String scenario) {
        return jfrDir == null ? Profile.OFF : new Profile(jfrDir, scenario);
    }

    /**
     * JFR recordings ({@code profile} settings) of the measured windows of one scenario, one file
     * per window, summarised together by {@link JfrSummary}.
     */
    private static class Profile {
        static final Profile OFF = new Profile(null, "off");

        private final Path dir;
        private final String scenario;
        private final List<Path> files = new ArrayList<>();
        private jdk.jfr.Recording recording;

        Profile(Path dir, String scenario) {
            this.dir = dir;
            this.scenario = scenario;
        }

        void begin() throws IOException {
            if (dir == null) {
                return;
            }
            Files.createDirectories(dir);
            try {
                recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            } catch (java.text.ParseException e) {
                throw new IllegalStateException("JFR configuration 'profile'", e);
            }
            Path file = dir.resolve("scenario-" + scenario + "-" + (files.size() + 1) + ".jfr");
            recording.setDestination(file);
            files.add(file);
            recording.start();
        }

        void end() {
            if (recording != null) {
                recording.stop();
                recording.close();
                recording = null;
            }
        }

        void summarise() throws IOException {
            if (!files.isEmpty()) {
                say("JFR recordings of scenario %s: %s", scenario, files);
                JfrSummary.print(files, System.out, 12);
            }
        }
    }

    private String conninfo() {
        return "host=127.0.0.1 port=" + pub.port() + " dbname=postgres user=" + USER;
    }

    private static Connection connect(RunningNode node) throws SQLException {
        return BenchSql.connect(node.port(), USER);
    }

    private static String origin(Connection s, String subscription) throws SQLException {
        return "pg_" + single(s, "SELECT oid FROM pg_subscription WHERE subname = '" + subscription + "'");
    }

    /** Inserts a probe row on the publisher, waits for it on the subscriber, deletes it on both. */
    private static void awaitStreaming(Connection p, Connection s, String table, String columns, String values) throws SQLException {
        execute(p, "INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ")");
        long t0 = System.nanoTime();
        while (count(s, table) == 0) {
            pause(20);
            if (System.nanoTime() - t0 > 60_000_000_000L) {
                throw new IllegalStateException("the subscription did not start streaming within 60 s");
            }
        }
        execute(p, "TRUNCATE " + table);
        awaitCount(s, table, 0);
    }

    private static void awaitCount(Connection s, String table, long expected) throws SQLException {
        long t0 = System.nanoTime();
        while (count(s, table) != expected) {
            pause(20);
            if (System.nanoTime() - t0 > 120_000_000_000L) {
                throw new IllegalStateException(table + " on the subscriber did not reach " + expected + " rows within 120 s");
            }
        }
    }

    private static long originLsn(Connection s, String origin) throws SQLException {
        String lsn = single(s, "SELECT remote_lsn FROM pg_replication_origin_status WHERE external_id = '" + origin + "'");
        return lsn == null ? 0 : parseLsn(lsn);
    }

    private static long walLsn(Connection p) throws SQLException {
        return parseLsn(single(p, "SELECT pg_current_wal_lsn()"));
    }
}
