package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lrep.apply.ApplyError;
import io.lrep.core.error.SqlState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two lrep nodes replicating the same tables both ways, each subscribing to the other with
 * {@code origin = none} (and {@code streaming = on}, a small {@code logical_decoding_work_mem}, so
 * large transactions reach the other side in stream blocks): a seeded workload of concurrent
 * clients on both nodes, each on keys of its own, ends with both nodes holding the same rows, every
 * transaction applied exactly once on the other side and nothing sent back (no apply error, WAL at
 * rest once in sync). Then {@code origin = any} on one side shows PostgreSQL's documented loop: a
 * change comes back to the node it was made on (a duplicate key there).
 *
 * <p>Seed: {@code -Dlrep.it.seed=N} (printed).
 */
class BidirectionalIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SETTINGS = Map.of("wal_retrieve_retry_interval", "100",
            "wal_receiver_status_interval", "1", "logical_decoding_work_mem", "64kB");
    private static final int WRITERS_PER_NODE = 2;
    private static final int TXNS_PER_WRITER = 120;
    private static final int KEYS_PER_WRITER = 60;
    private static final int BIG_ROWS = 2_000;

    private static final String ITEMS = "SELECT id, v FROM items ORDER BY id";
    private static final String EVENTS = "SELECT node, writer, seq, count(*) FROM events GROUP BY node, writer, seq ORDER BY node, writer, seq";

    @TempDir
    Path tmp;


    private static String one(Connection c, String sql) throws SQLException {
        List<String> r = rows(c, sql);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    /** What one writer committed: its rows of items and its transactions (one events row each). */
    private record Written(Map<Integer, String> items, int txns) {}

    /**
     * One client's seeded transactions on keys {@code base + [0, KEYS_PER_WRITER)}: inserts,
     * updates, deletes, a few at a time or alone, some rolled back; each committed transaction
     * also inserts its own row into {@code events} (no key, replica identity full), so a
     * transaction applied twice shows as a duplicate there.
     */
    private static Written write(TestNode node, String nodeName, int writer, int base, long seed) throws SQLException {
        Random random = new Random(seed);
        Map<Integer, String> mine = new TreeMap<>();
        int seq = 0;
        try (Connection c = node.connect(); Statement st = c.createStatement()) {
            for (int t = 0; t < TXNS_PER_WRITER; t++) {
                Map<Integer, String> after = new TreeMap<>(mine);
                List<String> sql = new ArrayList<>();
                int changes = 1 + random.nextInt(4);
                for (int i = 0; i < changes; i++) {
                    int key = base + random.nextInt(KEYS_PER_WRITER);
                    String v = nodeName + writer + "-t" + t + "-" + i;
                    if (!after.containsKey(key)) {
                        sql.add("INSERT INTO items VALUES (" + key + ", '" + v + "')");
                        after.put(key, v);
                    } else if (random.nextInt(3) == 0) {
                        sql.add("DELETE FROM items WHERE id = " + key);
                        after.remove(key);
                    } else {
                        sql.add("UPDATE items SET v = '" + v + "' WHERE id = " + key);
                        after.put(key, v);
                    }
                }
                boolean rollback = random.nextInt(10) == 0;
                if (!rollback) {
                    sql.add("INSERT INTO events VALUES ('" + nodeName + "', " + writer + ", " + seq + ")");
                }
                st.execute("BEGIN");
                for (String s : sql) {
                    st.execute(s);
                }
                st.execute(rollback ? "ROLLBACK" : "COMMIT");
                if (!rollback) {
                    mine = after;
                    seq++;
                }
            }
        }
        return new Written(mine, seq);
    }

    @Test
    void shouldReplicateBothWaysWithoutLoopsUnderOriginNone() throws Exception {
        long seed = Long.getLong("lrep.it.seed", System.nanoTime());
        System.out.println("BidirectionalIT seed: " + seed + " (-Dlrep.it.seed=" + seed + ")");
        Random seeds = new Random(seed);
        try (TestNode a = TestNode.start(tmp.resolve("a"), SETTINGS); TestNode b = TestNode.start(tmp.resolve("b"), SETTINGS);
                Connection ca = a.connect(); Connection cb = b.connect()) {
            for (Connection c : List.of(ca, cb)) {
                execute(c, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE TABLE events (node text, writer int, seq int)",
                        "ALTER TABLE events REPLICA IDENTITY FULL");
            }
            execute(ca, "CREATE PUBLICATION pub_a FOR TABLE items, events");
            execute(cb, "CREATE PUBLICATION pub_b FOR TABLE items, events");
            String with = " WITH (copy_data = false, origin = none, streaming = on)";
            execute(ca, "CREATE SUBSCRIPTION a_from_b CONNECTION '" + b.conninfo() + "' PUBLICATION pub_b" + with);
            execute(cb, "CREATE SUBSCRIPTION b_from_a CONNECTION '" + a.conninfo() + "' PUBLICATION pub_a" + with);
            await().atMost(WAIT).until(() -> rows(ca, "SELECT pid IS NOT NULL FROM pg_stat_subscription").equals(List.of("t"))
                    && rows(cb, "SELECT pid IS NOT NULL FROM pg_stat_subscription").equals(List.of("t")));

            // concurrent writers on both nodes, A on keys from 100000, B on keys from 200000
            ExecutorService pool = Executors.newFixedThreadPool(2 * WRITERS_PER_NODE);
            Map<Integer, String> expected = new TreeMap<>();
            int committed = 0;
            try {
                List<Future<Written>> futures = new ArrayList<>();
                for (int w = 0; w < WRITERS_PER_NODE; w++) {
                    int writer = w;
                    long sa = seeds.nextLong();
                    long sb = seeds.nextLong();
                    futures.add(pool.submit(() -> write(a, "a", writer, 100_000 + writer * 1_000, sa)));
                    futures.add(pool.submit(() -> write(b, "b", writer, 200_000 + writer * 1_000, sb)));
                }
                // meanwhile, one large transaction on each node: it reaches the other in stream blocks,
                // and there it must not be streamed back (origin = none filters streamed transactions too)
                for (Connection c : List.of(ca, cb)) {
                    int base = c == ca ? 300_000 : 400_000;
                    execute(c, "BEGIN");
                    for (int i = 0; i < BIG_ROWS; i++) {
                        execute(c, "INSERT INTO items VALUES (" + (base + i) + ", 'big-" + i + "')");
                        expected.put(base + i, "big-" + i);
                    }
                    execute(c, "INSERT INTO events VALUES ('" + (c == ca ? "a" : "b") + "', -1, 0)", "COMMIT");
                    committed++;
                }
                for (Future<Written> f : futures) {
                    Written written = f.get();
                    expected.putAll(written.items());
                    committed += written.txns();
                }
            } finally {
                pool.shutdownNow();
            }
            List<String> expectedItems = new ArrayList<>();
            expected.forEach((k, v) -> expectedItems.add(k + "|" + v));
            int committedTxns = committed;

            for (Connection c : List.of(ca, cb)) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(rows(c, ITEMS)).containsExactlyElementsOf(expectedItems));
                await().atMost(WAIT).untilAsserted(() -> assertThat(one(c, "SELECT count(*) FROM events"))
                        .isEqualTo(String.valueOf(committedTxns)));
            }
            assertThat(rows(ca, EVENTS)).as("each transaction once on each node").allMatch(r -> r.endsWith("|1"))
                    .containsExactlyElementsOf(rows(cb, EVENTS));
            for (Connection c : List.of(ca, cb)) {
                assertThat(one(c, "SELECT apply_error_count FROM pg_stat_subscription_stats")).as("no change came back").isEqualTo("0");
            }
            assertThat(one(ca, "SELECT stream_txns > 0 FROM pg_stat_replication_slots")).as("A streamed its large transaction").isEqualTo("t");
            assertThat(one(cb, "SELECT stream_txns > 0 FROM pg_stat_replication_slots")).as("B streamed its large transaction").isEqualTo("t");

            // in sync and no loop: neither node writes anything more (a loop would keep both busy)
            String walA = one(ca, "SELECT pg_current_wal_lsn()");
            String walB = one(cb, "SELECT pg_current_wal_lsn()");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(one(ca, "SELECT pg_current_wal_lsn()")).isEqualTo(walA);
                assertThat(one(cb, "SELECT pg_current_wal_lsn()")).isEqualTo(walB);
            });
            assertThat(rows(ca, ITEMS)).containsExactlyElementsOf(expectedItems);
            assertThat(rows(cb, ITEMS)).containsExactlyElementsOf(expectedItems);

            // origin = any on A's subscription: B sends back what it applied from A, and A's insert
            // comes home as a duplicate key (PostgreSQL documents such loops for origin = any)
            long subOid = Long.parseLong(one(ca, "SELECT oid FROM pg_subscription"));
            String pid = one(ca, "SELECT pid FROM pg_stat_subscription");
            execute(ca, "ALTER SUBSCRIPTION a_from_b SET (origin = any)");
            await().atMost(WAIT).until(() -> {
                String now = one(ca, "SELECT pid FROM pg_stat_subscription");
                return !now.equals("null") && !now.equals(pid);
            });
            execute(ca, "INSERT INTO items VALUES (900000, 'comes back')");
            await().atMost(WAIT).until(() -> a.node().launcher().lastApplyError(subOid) instanceof ApplyError);
            ApplyError error = (ApplyError) a.node().launcher().lastApplyError(subOid);
            assertThat(error.sqlState()).isEqualTo(SqlState.UNIQUE_VIOLATION);
            assertThat(Long.parseLong(one(ca, "SELECT apply_error_count FROM pg_stat_subscription_stats"))).isPositive();
            assertThat(one(cb, "SELECT v FROM items WHERE id = 900000")).isEqualTo("comes back");

            // back to origin = none: the returning transaction is filtered again and replication goes on
            execute(ca, "ALTER SUBSCRIPTION a_from_b SET (origin = none)");
            execute(cb, "INSERT INTO items VALUES (900001, 'from b')");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(ca, "SELECT v FROM items WHERE id = 900001"))
                    .containsExactly("from b"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(ca, ITEMS)).containsExactlyElementsOf(rows(cb, ITEMS)));

            execute(ca, "DROP SUBSCRIPTION a_from_b");
            execute(cb, "DROP SUBSCRIPTION b_from_a");
        }
    }
}
