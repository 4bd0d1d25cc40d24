package io.lrep.it;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A seeded SQL load on a publisher for the crash tests, from several connections that reconnect
 * when the node goes away. Tables: {@code items (id int PRIMARY KEY, v text, n int)},
 * {@code log (n int, t text)} with REPLICA IDENTITY FULL and no key (it holds duplicate rows),
 * and {@code txns (id bigint PRIMARY KEY, client int)}: every transaction writes one marker row
 * with a unique id there.
 *
 * <p>Client {@code c} of {@code C} only touches ids and {@code n} values congruent to {@code c}
 * modulo {@code C}, so clients never wait on each other. A transaction is 1 to 5 inserts,
 * updates (also of the key), deletes on both tables, now and then a large one of a few hundred
 * changes, and one in ten is rolled back. A marker counts as acknowledged only when COMMIT
 * returned; a transaction whose connection died during COMMIT has an unknown outcome, which
 * only the publisher's content after a restart tells.
 */
final class CrashLoad implements AutoCloseable {

    /** The tables, for both nodes; the publisher also sets REPLICA IDENTITY FULL on {@code log}. */
    static final List<String> TABLES = List.of("CREATE TABLE items (id int PRIMARY KEY, v text, n int)", "CREATE TABLE log (n int, t text)",
            "CREATE TABLE txns (id bigint PRIMARY KEY, client int)");

    /** Whole contents, ordered, per table: the no-key table's order makes equal lists equal multisets. */
    static final List<String> CONTENTS = List.of("SELECT id, v, n FROM items ORDER BY id", "SELECT n, t FROM log ORDER BY n, t",
            "SELECT id, client FROM txns ORDER BY id");

    private static final int KEYS_PER_CLIENT = 60;
    private static final int LOG_VALUES_PER_CLIENT = 25;

    /** Opens a connection to the publisher. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final int clients;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<Long> unknown = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean open = true;

    CrashLoad(Connector connector, int clients) {
        this.connector = connector;
        this.clients = clients;
    }

    /** Creates the tables on the publisher, with REPLICA IDENTITY FULL on {@code log}, and publication {@code pub}. */
    static void createPublished(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : TABLES) {
                st.execute(sql);
            }
            st.execute("ALTER TABLE log REPLICA IDENTITY FULL");
            st.execute("CREATE PUBLICATION pub FOR TABLE items, log, txns");
        }
    }

    /** Creates the tables on the subscriber. */
    static void createSubscribed(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : TABLES) {
                st.execute(sql);
            }
        }
    }

    /** Rows already present before the subscription (for an initial copy). */
    static void preload(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (int i = 0; i < 100; i++) {
                st.execute("INSERT INTO items VALUES (" + i + ", 'pre" + i + "', 0)");
                st.execute("INSERT INTO log VALUES (" + (i % 30) + ", 'pre')");
            }
        }
    }

    /** The tables' whole contents as {@link #CONTENTS} reads them, one line per row. */
    static List<List<String>> contents(Connection c) throws SQLException {
        List<List<String>> tables = new ArrayList<>();
        for (String sql : CONTENTS) {
            List<String> rows = Sql.rows(c, sql);
            tables.add(rows);
        }
        return tables;
    }

    /** Starts the clients. */
    void start(long seed) {
        for (int c = 0; c < clients; c++) {
            int client = c;
            Random random = new Random(seed + c);
            Thread t = new Thread(() -> {
                try {
                    run(client, random);
                } catch (Throwable e) { // handed to the test, which fails with it
                    failure.compareAndSet(null, e);
                }
            }, "crash-load-" + c);
            threads.add(t);
            t.start();
        }
    }

    /** Holds clients that lost their connection until {@link #resume()}: the node is going down. */
    void pause() {
        synchronized (gate) {
            open = false;
        }
    }

    /** Lets the clients reconnect: the node serves again. */
    void resume() {
        synchronized (gate) {
            open = true;
            gate.notifyAll();
        }
    }

    long commits() {
        return commits.get();
    }

    long reconnects() {
        return reconnects.get();
    }

    Set<Long> acknowledged() {
        return acknowledged;
    }

    Set<Long> unknown() {
        return unknown;
    }

    /** Stops the clients after their current transaction and waits for them; rethrows a client's failure. */
    @Override
    public void close() {
        stop.set(true);
        resume();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the load", e);
            }
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop");
            }
        }
        Throwable e = failure.get();
        if (e != null) {
            throw new AssertionError("a load client failed", e);
        }
    }

    private void awaitOpen() throws InterruptedException {
        synchronized (gate) {
            while (!open) {
                gate.wait();
            }
        }
    }

    private void run(int client, Random random) throws InterruptedException {
        long seq = 0;
        Connection conn = null;
        int failedConnects = 0;
        while (!stop.get()) {
            if (conn == null) {
                awaitOpen();
                try {
                    conn = connector.connect();
                    conn.setAutoCommit(false);
                    failedConnects = 0;
                } catch (SQLException e) {
                    conn = null;
                    if (++failedConnects > 200) {
                        throw new AssertionError("client " + client + " cannot reconnect", e);
                    }
                    synchronized (gate) {
                        gate.wait(50); // the node is not up yet though the gate is open: a short wait, then again
                    }
                    continue;
                }
            }
            long marker = (long) client * 1_000_000_000L + seq++;
            boolean inCommit = false;
            try (Statement st = conn.createStatement()) {
                List<String> sql = transaction(client, random, marker);
                for (String s : sql) {
                    st.execute(s);
                }
                if (random.nextInt(10) == 0) {
                    conn.rollback();
                    continue;
                }
                inCommit = true;
                conn.commit();
                acknowledged.add(marker);
                commits.incrementAndGet();
            } catch (SQLException e) {
                if (inCommit) {
                    unknown.add(marker);
                }
                if (!connectionLost(e)) {
                    throw new AssertionError("client " + client + " transaction " + marker + " failed", e);
                }
                reconnects.incrementAndGet();
                closeQuietly(conn);
                conn = null;
            }
        }
        closeQuietly(conn);
    }

    private static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    private static void closeQuietly(Connection conn) {
        if (conn == null) {
            return;
        }
        try {
            conn.close();
        } catch (SQLException e) {
            // the connection is already dead: nothing to release
        }
    }

    private List<String> transaction(int client, Random random, long marker) {
        List<String> sql = new ArrayList<>();
        int changes = random.nextInt(50) == 0 ? 100 + random.nextInt(150) : 1 + random.nextInt(5);
        for (int i = 0; i < changes; i++) {
            int id = client + clients * random.nextInt(KEYS_PER_CLIENT);
            int n = client + clients * random.nextInt(LOG_VALUES_PER_CLIENT);
            String value = "'m" + marker + "-" + i + "'";
            switch (random.nextInt(8)) {
                case 0, 1 -> {
                    sql.add("DELETE FROM items WHERE id = " + id);
                    sql.add("INSERT INTO items VALUES (" + id + ", " + value + ", " + i + ")");
                }
                case 2 -> sql.add("UPDATE items SET v = " + value + ", n = n + 1 WHERE id = " + id);
                case 3 -> {
                    int to = client + clients * random.nextInt(KEYS_PER_CLIENT);
                    if (to != id) {
                        sql.add("DELETE FROM items WHERE id = " + to);
                        sql.add("UPDATE items SET id = " + to + " WHERE id = " + id);
                    }
                }
                case 4 -> sql.add("DELETE FROM items WHERE id = " + id);
                case 5 -> sql.add("INSERT INTO log VALUES (" + n + ", " + (random.nextBoolean() ? "'dup'" : value) + ")");
                case 6 -> sql.add("UPDATE log SET t = " + value + " WHERE n = " + n);
                default -> sql.add(random.nextInt(4) == 0 ? "DELETE FROM log WHERE n = " + n : "INSERT INTO log VALUES (" + n + ", 'dup')");
            }
        }
        sql.add("INSERT INTO txns VALUES (" + marker + ", " + client + ")");
        return sql;
    }
}
