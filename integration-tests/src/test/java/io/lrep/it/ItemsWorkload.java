package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.it.PgOutputChanges.Change;
import io.lrep.it.PgOutputChanges.Txn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A seeded random workload of concurrent SQL clients on a published table {@code items} and an
 * unpublished table {@code other} (both {@code (id int PRIMARY KEY, val text)}), remembering
 * exactly which changes of {@code items} each writer committed, in order.
 *
 * <p>Writer {@code w} owns the keys {@code (w + 1) * 1000 + [0, 40)} of both tables, so writers never
 * wait on each other and each knows its rows. Each transaction is one of: a committed
 * transaction of 1 to 4 changes (sometimes with a savepoint rolled back in the middle, sometimes
 * with a transactional pg_logical_emit_message), a rolled-back one, changes to {@code other}
 * alone or together with {@code items}, a single autocommitted statement, or a
 * non-transactional message. Every value written is unique ("w1-t7-2"), so a change leaking
 * from a rolled-back transaction or savepoint cannot go unnoticed.
 */
final class ItemsWorkload {

    static final String TABLE = "items";
    static final int KEYS = 40;

    private TestNode node;
    private final Random seeds;
    private final Map<Integer, Map<Integer, String>> items = new HashMap<>();
    private final Map<Integer, Map<Integer, String>> others = new HashMap<>();
    private final Map<Integer, Integer> txnNos = new HashMap<>();

    ItemsWorkload(TestNode node, long seed) {
        this.node = node;
        this.seeds = new Random(seed);
    }

    /** Goes on, with the same writers' state, against {@code node} (the same data directory, restarted). */
    ItemsWorkload on(TestNode node) {
        this.node = node;
        return this;
    }

    /** Creates both tables and {@code CREATE PUBLICATION pub FOR TABLE items}. */
    static void createSchema(TestNode node) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, val text)");
            s.execute("CREATE TABLE other (id int PRIMARY KEY, val text)");
            s.execute("CREATE PUBLICATION pub FOR TABLE items");
        }
    }

    /**
     * Runs {@code txnsPerWriter} transactions on each of {@code writers} concurrent connections;
     * returns, per writer, the changes of {@code items} of each transaction it committed, in
     * commit order (only transactions that changed {@code items}).
     */
    Map<Integer, List<List<Change>>> run(int writers, int txnsPerWriter) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            Map<Integer, Future<List<List<Change>>>> futures = new TreeMap<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Random random = new Random(seeds.nextLong());
                Map<Integer, String> mine = items.computeIfAbsent(w, k -> new TreeMap<>());
                Map<Integer, String> other = others.computeIfAbsent(w, k -> new TreeMap<>());
                int firstTxn = txnNos.getOrDefault(w, 0);
                txnNos.put(w, firstTxn + txnsPerWriter);
                futures.put(w, pool.submit(() -> new Writer(writer, random, mine, other).run(firstTxn, txnsPerWriter)));
            }
            Map<Integer, List<List<Change>>> out = new TreeMap<>();
            for (Map.Entry<Integer, Future<List<List<Change>>>> f : futures.entrySet()) {
                out.put(f.getKey(), f.getValue().get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("writers stopped").isTrue();
        }
    }

    /**
     * Checks decoded transactions against what the writers committed: only {@code items}, each
     * transaction one writer's, and per writer exactly its committed transactions in order.
     */
    static void assertSameAsCommitted(List<Txn> decoded, Map<Integer, List<List<Change>>> committed) {
        Map<Integer, List<List<Change>>> byWriter = new TreeMap<>();
        for (Txn txn : decoded) {
            assertThat(txn.changes()).as("empty transactions are not sent: %s", txn).isNotEmpty();
            assertThat(txn.changes()).as("only the published table: %s", txn).allMatch(c -> c.table().equals(TABLE));
            int writer = txn.changes().get(0).key() / 1000 - 1;
            assertThat(txn.changes()).as("one writer's transaction: %s", txn).allMatch(c -> c.key() / 1000 - 1 == writer);
            byWriter.computeIfAbsent(writer, k -> new ArrayList<>()).add(txn.changes());
        }
        Map<Integer, List<List<Change>>> expected = new TreeMap<>();
        committed.forEach((w, txns) -> {
            if (!txns.isEmpty()) {
                expected.put(w, txns);
            }
        });
        assertThat(byWriter).as("each writer's committed transactions, once each, in commit order").isEqualTo(expected);
    }

    /** The table's content, key to value. */
    static Map<Integer, String> read(TestNode node, String table) throws SQLException {
        Map<Integer, String> rows = new TreeMap<>();
        try (Connection c = node.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, val FROM " + table)) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getString(2));
            }
        }
        return rows;
    }

    private final class Writer {
        private final int writer;
        private final Random random;
        private final Map<Integer, String> items;
        private final Map<Integer, String> other;

        Writer(int writer, Random random, Map<Integer, String> items, Map<Integer, String> other) {
            this.writer = writer;
            this.random = random;
            this.items = items;
            this.other = other;
        }

        List<List<Change>> run(int firstTxn, int txns) throws SQLException {
            List<List<Change>> committed = new ArrayList<>();
            try (Connection c = node.connect(); Statement s = c.createStatement()) {
                for (int t = firstTxn; t < firstTxn + txns; t++) {
                    int kind = random.nextInt(20);
                    if (kind == 0) {
                        c.setAutoCommit(true);
                        s.execute("SELECT pg_logical_emit_message(false, 'it', 'w" + writer + "-t" + t + "')");
                        continue;
                    }
                    if (kind == 1) {
                        c.setAutoCommit(true); // one autocommitted statement
                        Map<Integer, String> work = new TreeMap<>(items);
                        List<Change> done = new ArrayList<>();
                        change(c, TABLE, work, done, t, 0);
                        items.clear();
                        items.putAll(work);
                        committed.add(done);
                        continue;
                    }
                    c.setAutoCommit(false);
                    Map<Integer, String> work = new TreeMap<>(items);
                    Map<Integer, String> otherWork = new TreeMap<>(other);
                    List<Change> done = new ArrayList<>();
                    int step = 0;
                    boolean touchItems = kind != 2; // 2: only the unpublished table
                    boolean touchOther = kind == 2 || kind == 3;
                    if (touchOther) {
                        for (int i = 1 + random.nextInt(2); i > 0; i--) {
                            change(c, "other", otherWork, new ArrayList<>(), t, step++);
                        }
                    }
                    if (touchItems) {
                        for (int i = 1 + random.nextInt(4); i > 0; i--) {
                            change(c, TABLE, work, done, t, step++);
                        }
                        if (random.nextInt(3) == 0) {
                            s.execute("SAVEPOINT sp");
                            Map<Integer, String> saved = new TreeMap<>(work);
                            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                                change(c, TABLE, work, new ArrayList<>(), t, step++);
                            }
                            s.execute("ROLLBACK TO SAVEPOINT sp");
                            work = saved;
                            if (random.nextBoolean()) {
                                change(c, TABLE, work, done, t, step++);
                            }
                        }
                        if (random.nextInt(5) == 0) {
                            s.execute("SELECT pg_logical_emit_message(true, 'it', 'w" + writer + "-t" + t + "')");
                        }
                    }
                    if (kind == 4) {
                        c.rollback();
                        continue;
                    }
                    c.commit();
                    items.clear();
                    items.putAll(work);
                    other.clear();
                    other.putAll(otherWork);
                    if (!done.isEmpty()) {
                        committed.add(done);
                    }
                }
            }
            return committed;
        }

        /** One insert, update or delete of a random key of this writer, recorded in {@code model} and {@code done}. */
        private void change(Connection c, String table, Map<Integer, String> model, List<Change> done, int txn, int step)
                throws SQLException {
            int key = (writer + 1) * 1000 + random.nextInt(KEYS);
            String value = "w" + writer + "-t" + txn + "-" + step;
            if (!model.containsKey(key)) {
                execute(c, "INSERT INTO " + table + " (id, val) VALUES (?, ?)", key, value);
                model.put(key, value);
                done.add(new Change(table, 'I', key, value));
            } else if (random.nextInt(3) == 0) {
                execute(c, "DELETE FROM " + table + " WHERE id = ?", key, null);
                model.remove(key);
                done.add(new Change(table, 'D', key, null));
            } else {
                execute(c, "UPDATE " + table + " SET val = ? WHERE id = ?", key, value);
                model.put(key, value);
                done.add(new Change(table, 'U', key, value));
            }
        }

        private static void execute(Connection c, String sql, int key, String value) throws SQLException {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                if (sql.startsWith("UPDATE")) {
                    p.setString(1, value);
                    p.setInt(2, key);
                } else {
                    p.setInt(1, key);
                    if (value != null) {
                        p.setString(2, value);
                    }
                }
                assertThat(p.executeUpdate()).as(sql + " " + key).isEqualTo(1);
            }
        }
    }
}
