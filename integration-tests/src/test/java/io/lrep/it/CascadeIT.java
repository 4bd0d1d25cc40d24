package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cascade of three lrep nodes, A → B → C: B subscribes to A's publication and publishes the
 * same tables again, C subscribes to B. Inserts, updates (also of the key), deletes, truncates and
 * one large transaction made on A reach C; with {@code streaming = on} on both subscriptions and
 * {@code logical_decoding_work_mem = 64kB} on the publishers, the large transaction crosses both
 * hops in stream blocks.
 */
class CascadeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SETTINGS = Map.of("wal_retrieve_retry_interval", "100",
            "wal_receiver_status_interval", "1", "logical_decoding_work_mem", "64kB");
    private static final int BIG_ROWS = 3_000;

    private static final String ITEMS = "SELECT id, v FROM items ORDER BY id";
    private static final String LOG = "SELECT n, count(*) FROM log GROUP BY n ORDER BY n";

    @TempDir
    Path tmp;

    private static void createTables(Connection c) throws SQLException {
        execute(c, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE TABLE log (n int)", "ALTER TABLE log REPLICA IDENTITY FULL");
    }

    /** Waits until {@code to}'s tables equal {@code from}'s, row for row. */
    private static void awaitEqual(Connection from, Connection to) throws SQLException {
        List<String> items = rows(from, ITEMS);
        List<String> log = rows(from, LOG);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(rows(to, ITEMS)).containsExactlyElementsOf(items);
            assertThat(rows(to, LOG)).containsExactlyElementsOf(log);
        });
    }

    private static long streamTxns(Connection publisher) throws SQLException {
        return Long.parseLong(rows(publisher, "SELECT stream_txns FROM pg_stat_replication_slots").get(0));
    }

    @Test
    void shouldCarryEveryChangeOfAThroughBToC() throws Exception {
        try (TestNode a = TestNode.start(tmp.resolve("a"), SETTINGS); TestNode b = TestNode.start(tmp.resolve("b"), SETTINGS);
                TestNode c = TestNode.start(tmp.resolve("c"), SETTINGS); Connection ca = a.connect(); Connection cb = b.connect();
                Connection cc = c.connect()) {
            for (Connection conn : List.of(ca, cb, cc)) {
                createTables(conn);
            }
            execute(ca, "CREATE PUBLICATION pub_a FOR TABLE items, log");
            execute(cb, "CREATE PUBLICATION pub_b FOR TABLE items, log");
            execute(cb, "CREATE SUBSCRIPTION b_from_a CONNECTION '" + a.conninfo() + "' PUBLICATION pub_a WITH (copy_data = false, streaming = on)");
            execute(cc, "CREATE SUBSCRIPTION c_from_b CONNECTION '" + b.conninfo() + "' PUBLICATION pub_b WITH (copy_data = false, streaming = on)");

            for (int i = 1; i <= 50; i++) {
                execute(ca, "INSERT INTO items VALUES (" + i + ", 'v" + i + "')", "INSERT INTO log VALUES (" + i + ")");
            }
            execute(ca, "UPDATE items SET v = 'u' || id WHERE id % 3 = 0", "UPDATE items SET id = id + 1000 WHERE id < 5",
                    "DELETE FROM items WHERE id % 7 = 0", "DELETE FROM log WHERE n = 10");
            execute(ca, "BEGIN", "INSERT INTO items VALUES (500, 'in a block')", "UPDATE items SET v = 'again' WHERE id = 500",
                    "INSERT INTO log VALUES (500)", "INSERT INTO log VALUES (500)", "COMMIT");
            awaitEqual(ca, cb);
            awaitEqual(ca, cc);

            // one large transaction: streamed from A to B, applied on B in one transaction, streamed again from B to C
            long streamedA = streamTxns(ca);
            long streamedB = streamTxns(cb);
            try (Statement st = ca.createStatement()) {
                st.execute("BEGIN");
                for (int i = 0; i < BIG_ROWS; i++) {
                    st.execute("INSERT INTO items VALUES (" + (10_000 + i) + ", 'big " + i + "')");
                }
                st.execute("UPDATE items SET v = 'big, updated' WHERE id >= 10000 AND id < 10100");
                st.execute("DELETE FROM items WHERE id >= 10100 AND id < 10200");
                st.execute("INSERT INTO log VALUES (-1)");
                st.execute("COMMIT");
            }
            awaitEqual(ca, cc);
            awaitEqual(ca, cb);
            assertThat(streamTxns(ca)).as("A streamed the large transaction to B").isGreaterThan(streamedA);
            assertThat(streamTxns(cb)).as("B streamed it on to C").isGreaterThan(streamedB);
            assertThat(rows(cc, "SELECT count(*) FROM items WHERE id >= 10000")).containsExactly(String.valueOf(BIG_ROWS - 100));

            execute(ca, "TRUNCATE items, log");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(rows(cc, ITEMS)).isEmpty();
                assertThat(rows(cc, LOG)).isEmpty();
            });
            execute(ca, "INSERT INTO items VALUES (1, 'after truncate')", "INSERT INTO log VALUES (1)");
            awaitEqual(ca, cc);
            assertThat(rows(cc, ITEMS)).containsExactly("1|after truncate");
            for (Connection conn : List.of(cb, cc)) {
                assertThat(rows(conn, "SELECT apply_error_count FROM pg_stat_subscription_stats")).containsExactly("0");
            }

            execute(cc, "DROP SUBSCRIPTION c_from_b");
            execute(cb, "DROP SUBSCRIPTION b_from_a");
        }
    }
}
