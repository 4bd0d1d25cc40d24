package io.lrep.node.cli;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.node.Node;
import io.lrep.subscriber.client.ReplicationClient;
import io.lrep.subscriber.client.ReplicationConnection;
import io.lrep.subscriber.client.ServerErrorException;
import io.lrep.subscriber.metrics.Meters;
import io.micrometer.core.instrument.FunctionCounter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: a publisher and a subscriber node on loopback ports, pgbench-like tables with rows
 * in them, a publication and a subscription that copies them first, a write load from a few
 * clients with the tps and the replication lag on one live line, and at the end the
 * subscriber's tables compared with the publisher's row for row: the exit code is 0 only when
 * they match. {@code lrep demo recovery} is the crash-recovery demo of a single node.
 */
@Command(name = "demo", description = "Start a publisher and a subscriber, replicate a write load with the lag shown live, "
        + "and check that the subscriber's tables equal the publisher's row for row (exit code 0 only then).",
        subcommands = RecoveryDemoCommand.class)
final class DemoCommand implements Callable<Integer> {

    private static final String USER = "lrep";
    private static final String SUBSCRIPTION = "demo";
    private static final long CATCH_UP_MS = 60_000;
    private static final String[] TABLES = {"accounts", "history"};
    private static final String[] KEYS = {"aid", "hid"};

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", description = "Seconds the write load runs (default: ${DEFAULT-VALUE}).")
    int durationSeconds = 20;

    @Option(names = "--clients", description = "Concurrent write clients (default: ${DEFAULT-VALUE}).")
    int clients = 4;

    @Option(names = "--accounts", description = "Rows in accounts before the subscription copies them (default: ${DEFAULT-VALUE}).")
    int accounts = 10_000;

    @Option(names = "--dir", description = "Working directory for the two data directories (default: a new temporary directory, "
            + "removed at the end unless --keep-running or the tables differ).")
    Path dir;

    @Option(names = "--keep-running", description = "Leave both nodes running at the end, print psql commands, wait for Ctrl-C.")
    boolean keepRunning;

    /** Deletes a row on the subscriber just before the comparison, to show that a difference fails the demo (tests). */
    @Option(names = "--break-subscriber", hidden = true)
    boolean breakSubscriber;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        // the nodes' INFO lines would bury the demo's own display: WARN and above only, unless LREP_LOG_LEVEL says otherwise
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        if (System.getenv("LREP_LOG_LEVEL") == null) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        try {
            return demo();
        } finally {
            root.setLevel(level);
        }
    }

    private int demo() throws Exception {
        out = spec.commandLine().getOut();
        Path work = dir != null ? dir : Files.createTempDirectory("lrep-demo-");
        Path pubDir = work.resolve("publisher");
        Path subDir = work.resolve("subscriber");
        for (Path d : List.of(pubDir, subDir)) {
            if (Files.exists(d)) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "directory \"" + d + "\" already exists")
                        .withHint("Remove it or choose another --dir.");
            }
        }
        say("Working directory: " + work.toAbsolutePath());
        Map<String, String> overrides = Map.of("port", "0", "listen_addresses", "127.0.0.1", "metrics_port", "-1",
                "wal_receiver_status_interval", "1", "wal_retrieve_retry_interval", "100");
        Node.init(pubDir, Map.of("cluster_name", "publisher"), USER, "trust", null);
        Node.init(subDir, Map.of("cluster_name", "subscriber"), USER, "trust", null);
        Node pub = Node.start(pubDir, overrides);
        Node sub = null;
        boolean match = false;
        try (ReplicationClient client = new ReplicationClient(2)) {
            sub = Node.start(subDir, overrides);
            describe("Publisher", pub, pubDir);
            describe("Subscriber", sub, subDir);
            try (ReplicationConnection p = connect(client, pub); ReplicationConnection s = connect(client, sub)) {
                setUp(p, s, pub.port());
                Load load = runLoad(client, pub, sub);
                if (load.failure() != null) {
                    say("A client failed: " + load.failure().getMessage());
                    return 1;
                }
                say("Waiting for the subscriber to catch up...");
                catchUp(p, s);
                if (breakSubscriber) {
                    s.query("DELETE FROM accounts WHERE aid = 1");
                    say("(test) deleted accounts row aid = 1 on the subscriber");
                }
                match = compare(p, s);
            }
            if (keepRunning) {
                waitForCtrlC(pub, sub);
            }
            return match ? 0 : 1;
        } finally {
            if (!keepRunning) {
                if (sub != null) {
                    sub.close();
                }
                pub.close();
                if (dir == null && match) {
                    deleteTree(work);
                }
            }
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private void describe(String what, Node node, Path dataDir) {
        say(String.format("%-10s %s%n  psql -h 127.0.0.1 -p %d -U %s -d postgres%n  status page http://127.0.0.1:%d/   "
                + "Prometheus http://127.0.0.1:%d/metrics", what, dataDir.toAbsolutePath(), node.port(), USER, node.metricsPort(),
                node.metricsPort()));
    }

    private static ReplicationConnection connect(ReplicationClient client, Node node) {
        return client.connect("host=127.0.0.1 port=" + node.port() + " dbname=postgres user=" + USER + " application_name=demo-client");
    }

    private void setUp(ReplicationConnection p, ReplicationConnection s, int pubPort) {
        String accountsDdl = "CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler text)";
        String historyDdl = "CREATE TABLE history (hid bigserial PRIMARY KEY, aid int NOT NULL, delta int NOT NULL)";
        p.simpleQuery(accountsDdl + "; " + historyDdl);
        p.query("INSERT INTO accounts SELECT g, 1 + (g - 1) / 100000, 0, 'account ' || g FROM generate_series(1, " + accounts + ") g");
        p.query("INSERT INTO history (aid, delta) SELECT g, 0 FROM generate_series(1, " + Math.max(1, accounts / 10) + ") g");
        p.query("CREATE PUBLICATION demo FOR TABLE accounts, history");
        say("Publisher: tables accounts (" + accounts + " rows) and history (" + Math.max(1, accounts / 10)
                + " rows), publication demo");
        s.simpleQuery(accountsDdl + "; " + historyDdl);
        s.query("CREATE SUBSCRIPTION " + SUBSCRIPTION + " CONNECTION 'host=127.0.0.1 port=" + pubPort + " dbname=postgres user=" + USER
                + "' PUBLICATION demo WITH (copy_data = true)");
        say("Subscriber: subscription " + SUBSCRIPTION + " (copy_data = true: the existing rows are copied first, then changes stream)");
    }

    private record Load(long commits, Throwable failure) {}

    private Load runLoad(ReplicationClient client, Node pub, Node sub) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder commits = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread = new Thread(() -> {
                try (ReplicationConnection conn = connect(client, pub)) {
                    while (!stop.get()) {
                        if (transaction(conn)) {
                            commits.increment();
                        }
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e); // reported by the demo, which then fails
                    stop.set(true);
                }
            }, "demo-client-" + c);
            threads.add(thread);
            thread.start();
        }
        say(String.format("Running %d clients for %d s (UPDATE accounts + INSERT INTO history per transaction):", clients,
                durationSeconds));
        boolean terminal = System.console() != null;
        long start = System.nanoTime();
        long last = 0;
        for (int s = 1; s <= durationSeconds && !stop.get(); s++) {
            Thread.sleep(Math.max(0, start + s * 1_000_000_000L - System.nanoTime()) / 1_000_000);
            long now = commits.sum();
            String line = String.format("%3ds %6d tps | %s", s, now - last, lagLine(pub, sub));
            last = now;
            if (terminal) {
                out.print("\r" + line + "   ");
                out.flush();
            } else {
                say(line);
            }
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (terminal) {
            out.println();
        }
        say(String.format("Load done: %d transactions committed; %s", commits.sum(), lagLine(pub, sub)));
        return new Load(commits.sum(), failure.get());
    }

    /** One pgbench-like transaction; false when it gave way to a concurrent one (serialization failure or deadlock). */
    private boolean transaction(ReplicationConnection conn) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int aid = 1 + random.nextInt(accounts);
        int delta = random.nextInt(-5000, 5001);
        try {
            conn.simpleQuery("BEGIN; UPDATE accounts SET abalance = abalance + " + delta + " WHERE aid = " + aid
                    + "; INSERT INTO history (aid, delta) VALUES (" + aid + ", " + delta + "); COMMIT");
            return true;
        } catch (ServerErrorException e) {
            if (e.sqlStateCode().equals("40001") || e.sqlStateCode().equals("40P01")) {
                conn.simpleQuery("ROLLBACK");
                return false;
            }
            throw e;
        }
    }

    /** Publisher WAL, subscriber applied LSN, lag in bytes and ms, table states, rows copied and applied. */
    private static String lagLine(Node pub, Node sub) {
        long walLsn = pub.wal().insertLsn();
        Map<String, Object> status = sub.metrics().status();
        Map<?, ?> figures = null;
        for (Object o : (List<?>) status.get("subscriptions")) {
            if (o instanceof Map<?, ?> m && SUBSCRIPTION.equals(m.get("name"))) {
                figures = m;
            }
        }
        if (figures == null) {
            return "pub WAL " + Lsn.format(walLsn) + "  subscription not started";
        }
        Object applied = figures.get("applied_lsn");
        long appliedLsn = applied == null ? 0 : Lsn.parseLong(applied.toString());
        String lagBytes = appliedLsn == 0 ? "-" : Long.toString(Math.max(0, walLsn - appliedLsn));
        long lagMs = Math.round(((Number) figures.get("apply_lag_seconds")).doubleValue() * 1000);
        Map<?, ?> tables = (Map<?, ?>) figures.get("tables");
        Object ready = tables.get("ready");
        return String.format("pub WAL %s  sub applied %s  lag %s B %d ms  ready %s/%d  copied %d applied %d rows", Lsn.format(walLsn),
                applied == null ? "-" : applied, lagBytes, lagMs, ready == null ? "0" : ready,
                TABLES.length, count(sub, Meters.SYNC_ROWS), count(sub, Meters.ROWS));
    }

    private static long count(Node node, String meter) {
        FunctionCounter c = node.metrics().registry().find(meter).tag("subscription", SUBSCRIPTION).functionCounter();
        return c == null ? 0 : (long) c.count();
    }

    /** Waits (bounded) until both tables' row counts and sums agree; the row-for-row comparison follows either way. */
    private void catchUp(ReplicationConnection p, ReplicationConnection s) throws InterruptedException {
        String check = "SELECT (SELECT count(*) FROM accounts), (SELECT sum(abalance) FROM accounts), (SELECT count(*) FROM history), "
                + "(SELECT max(hid) FROM history)";
        List<String> expected = p.query(check).rows().get(0);
        long deadline = System.currentTimeMillis() + CATCH_UP_MS;
        while (!s.query(check).rows().get(0).equals(expected) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }

    /** Compares every table row for row; prints the verdict and the first difference. */
    private boolean compare(ReplicationConnection p, ReplicationConnection s) {
        List<String> summary = new ArrayList<>();
        for (int i = 0; i < TABLES.length; i++) {
            String select = "SELECT * FROM " + TABLES[i] + " ORDER BY " + KEYS[i];
            List<List<String>> expected = p.query(select).rows();
            List<List<String>> actual = s.query(select).rows();
            if (!expected.equals(actual)) {
                say("MISMATCH: the subscriber's table " + TABLES[i] + " differs from the publisher's (" + expected.size() + " rows there, "
                        + actual.size() + " here); first difference: " + firstDifference(expected, actual));
                return false;
            }
            summary.add(TABLES[i] + " " + expected.size() + " rows");
        }
        say("OK: tables match row for row (" + String.join(", ", summary) + ")");
        return true;
    }

    private static String firstDifference(List<List<String>> expected, List<List<String>> actual) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            List<String> e = i < expected.size() ? expected.get(i) : null;
            List<String> a = i < actual.size() ? actual.get(i) : null;
            if (e == null || !e.equals(a)) {
                return "publisher " + e + ", subscriber " + a;
            }
        }
        return "none";
    }

    private void waitForCtrlC(Node pub, Node sub) throws InterruptedException {
        say("");
        say("The nodes keep running. Explore them:");
        say("  psql -h 127.0.0.1 -p " + pub.port() + " -U " + USER + " -d postgres -c 'SELECT * FROM pg_stat_replication'");
        say("  psql -h 127.0.0.1 -p " + sub.port() + " -U " + USER + " -d postgres -c 'SELECT * FROM pg_stat_subscription'");
        say("  ./lrep status -p " + sub.port() + " -U " + USER + " --watch");
        say("Press Ctrl-C to stop them.");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sub.close();
            pub.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
