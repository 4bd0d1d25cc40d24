package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table synchronisation between two lrep nodes (CREATE SUBSCRIPTION with copy_data): the
 * initial copy of tables that already hold rows, while writes go on during the copy, each
 * table through i → d → f → (w → c) → s → r, with nothing lost or duplicated; row filters and
 * column lists in the copy; REFRESH PUBLICATION copying a table added later; and crashes of
 * the subscriber during the sync.
 */
class TableSyncIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Map<String, String> SUB_SETTINGS = Map.of("wal_retrieve_retry_interval", "100",
            "wal_receiver_status_interval", "1");
    private static final String ITEMS = "SELECT id, v, n FROM items ORDER BY id";
    private static final String LOG = "SELECT n, note, count(*) FROM log GROUP BY n, note ORDER BY n, note";

    @TempDir
    Path tmp;


    private static void createTables(Connection c) throws SQLException {
        execute(c, "CREATE TABLE items (id int PRIMARY KEY, v text, n bigint)", "CREATE TABLE log (n int, note text)",
                "ALTER TABLE log REPLICA IDENTITY FULL");
    }

    private static void awaitAllReady(Connection s) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT DISTINCT srsubstate FROM pg_subscription_rel"))
                .containsExactly("r"));
    }

    private static void awaitInSync(Connection p, Connection s) throws SQLException {
        List<String> items = rows(p, ITEMS);
        List<String> log = rows(p, LOG);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(rows(s, ITEMS)).containsExactlyElementsOf(items);
            assertThat(rows(s, LOG)).containsExactlyElementsOf(log);
        });
    }

    /** A writer on the publisher: inserts, updates (some of the key), deletes, in small transactions, until stopped. */
    private static final class Writer implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicInteger transactions = new AtomicInteger();
        private final Thread thread;

        Writer(TestNode pub, long seed, int firstId) {
            thread = new Thread(() -> {
                Random random = new Random(seed);
                int next = firstId;
                try (Connection c = pub.connect()) {
                    while (!stop.get()) {
                        int id = random.nextInt(next);
                        switch (random.nextInt(5)) {
                            case 0, 1 -> execute(c, "BEGIN", "INSERT INTO items VALUES (" + next + ", 'w" + next + "', " + next + ")",
                                    "INSERT INTO log VALUES (" + next + ", 'written')", "COMMIT");
                            case 2 -> execute(c, "UPDATE items SET v = 'u" + transactions.get() + "', n = n + 1 WHERE id = " + id);
                            case 3 -> execute(c, "UPDATE items SET id = " + (next + 1_000_000) + " WHERE id = " + id);
                            default -> execute(c, "DELETE FROM items WHERE id = " + id, "DELETE FROM log WHERE n = " + id);
                        }
                        next++;
                        transactions.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "table-sync-writer");
            thread.start();
        }

        int transactions() {
            return transactions.get();
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the writer", e);
            }
            assertThat(failure.get()).as("the writer failed").isNull();
        }
    }

    @Test
    void shouldCopyExistingRowsWhileWritesGoOnAndHandTheTablesToTheApplyWorker() throws Exception {
        long seed = Long.getLong("tablesync.seed", System.nanoTime());
        System.out.println("TableSyncIT seed: " + seed + " (rerun with -Dtablesync.seed=" + seed + ")");
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect()) {
            createTables(p);
            createTables(s);
            execute(p, "INSERT INTO items SELECT g, 'v' || g, g FROM generate_series(0, 19999) g",
                    "INSERT INTO log SELECT g % 500, 'initial' FROM generate_series(1, 3000) g",
                    "CREATE PUBLICATION pub FOR TABLE items, log");
            try (Writer writer = new Writer(pub, seed, 20_000)) {
                await().atMost(WAIT).until(() -> writer.transactions() > 20);
                execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + pub.conninfo() + "' PUBLICATION pub");
                awaitAllReady(s);
                int before = writer.transactions();
                await().atMost(WAIT).until(() -> writer.transactions() > before + 50); // changes after the hand-off
            }
            awaitInSync(p, s);
            long subOid = Long.parseLong(rows(s, "SELECT oid FROM pg_subscription").get(0));
            assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots")).as("the sync slots are gone").containsExactly("sub1");
            assertThat(rows(s, "SELECT external_id FROM pg_replication_origin_status")).as("the sync origins are gone")
                    .containsExactly("pg_" + subOid);
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT relid FROM pg_stat_subscription"))
                    .as("only the apply worker runs").containsExactly("null"));
            assertThat(rows(s, "SELECT apply_error_count, sync_error_count FROM pg_stat_subscription_stats")).containsExactly("0|0");

            execute(p, "INSERT INTO items VALUES (-1, 'after', 0)", "TRUNCATE log");
            awaitInSync(p, s);
            execute(s, "DROP SUBSCRIPTION sub1");
            assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots")).isEmpty();
        }
    }

    @Test
    void shouldCopyWithRowFiltersAndColumnListsAndCopyTablesAddedByRefresh() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect()) {
            execute(p, "CREATE TABLE items (id int PRIMARY KEY, v text, secret text)", "CREATE TABLE later (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' || g, 'hidden' FROM generate_series(1, 100) g",
                    "INSERT INTO later SELECT g, 'l' || g FROM generate_series(1, 50) g",
                    "CREATE PUBLICATION pub FOR TABLE items (id, v) WHERE (id > 90)");
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text, secret text DEFAULT 'local default')",
                    "CREATE TABLE later (id int PRIMARY KEY, v text)");
            execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + pub.conninfo() + "' PUBLICATION pub");
            awaitAllReady(s);
            List<String> expected = new ArrayList<>();
            for (int i = 91; i <= 100; i++) {
                expected.add(i + "|v" + i + "|local default");
            }
            assertThat(rows(s, "SELECT id, v, secret FROM items ORDER BY id")).containsExactlyElementsOf(expected);
            execute(p, "INSERT INTO items VALUES (-5, 'filtered out', 'x'), (200, 'in', 'x')");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT v FROM items WHERE id IN (-5, 200)")).containsExactly("in"));

            execute(p, "ALTER PUBLICATION pub ADD TABLE later");
            execute(s, "ALTER SUBSCRIPTION sub1 REFRESH PUBLICATION");
            execute(p, "INSERT INTO later VALUES (51, 'after refresh')", "UPDATE later SET v = 'changed' WHERE id = 1");
            awaitAllReady(s);
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT id, v FROM later ORDER BY id"))
                    .containsExactlyElementsOf(rows(p, "SELECT id, v FROM later ORDER BY id")));
            assertThat(rows(s, "SELECT count(*) FROM later")).containsExactly("51");
            execute(s, "DROP SUBSCRIPTION sub1");
            assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots")).isEmpty();
        }
    }

    @Test
    void shouldEndTheSyncExactlyOnceWhenTheSubscriberCrashesDuringIt() throws Exception {
        long seed = Long.getLong("tablesync.seed", System.nanoTime());
        System.out.println("TableSyncIT crash seed: " + seed + " (rerun with -Dtablesync.seed=" + seed + ")");
        Random random = new Random(seed);
        Path subDir = tmp.resolve("sub");
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); Connection p = pub.connect()) {
            createTables(p);
            execute(p, "INSERT INTO items SELECT g, 'v' || g, g FROM generate_series(0, 29999) g",
                    "INSERT INTO log SELECT g % 100, 'initial' FROM generate_series(1, 5000) g",
                    "CREATE PUBLICATION pub FOR TABLE items, log");
            TestNode sub = TestNode.start(subDir, SUB_SETTINGS);
            try (Writer writer = new Writer(pub, seed, 30_000)) {
                try (Connection s = sub.connect()) {
                    createTables(s);
                    execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + pub.conninfo() + "' PUBLICATION pub");
                }
                for (int round = 0; round < 4; round++) {
                    // halt in a different state each time: during the copy, in catch-up, after the hand-off
                    int waitFor = writer.transactions() + 1 + random.nextInt(40 + 40 * round);
                    await().atMost(WAIT).until(() -> writer.transactions() >= waitFor);
                    try (Connection s = sub.connect()) {
                        System.out.println("halting in states " + rows(s, "SELECT srsubstate FROM pg_subscription_rel ORDER BY srrelid"));
                    }
                    sub.halt();
                    sub = TestNode.restart(subDir, SUB_SETTINGS);
                }
            }
            try (Connection s = sub.connect()) {
                awaitAllReady(s);
                awaitInSync(p, s);
                assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots WHERE slot_name <> 'sub1' AND active"))
                        .as("no sync slot is in use").isEmpty();
                execute(s, "DROP SUBSCRIPTION sub1");
            } finally {
                sub.close();
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // a stop that waits on the dropping transaction never ends here
    void shouldDropASubscriptionWhileItsTablesAreCopying() throws Exception {
        // wal_sender_timeout = 0: a sync worker left holding its slot would block DROP for ever, not for a minute
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of("wal_sender_timeout", "0"));
                TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS); Connection p = pub.connect(); Connection s = sub.connect()) {
            createTables(p);
            createTables(s);
            execute(p, "INSERT INTO items SELECT g, 'v' || g, g FROM generate_series(1, 200000) g", "CREATE PUBLICATION pub FOR TABLE items");
            execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + pub.conninfo() + "' PUBLICATION pub");
            await().atMost(WAIT).until(() -> rows(s, "SELECT srsubstate FROM pg_subscription_rel").equals(List.of("d")));
            execute(s, "DROP SUBSCRIPTION sub1");
            assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots")).as("the subscription's and the sync slot").isEmpty();
            assertThat(rows(s, "SELECT count(*) FROM items")).as("the unfinished copy rolled back").containsExactly("0");
            assertThat(rows(s, "SELECT count(*) FROM pg_replication_origin")).containsExactly("0");
            assertThat(rows(s, "SELECT sync_error_count FROM pg_stat_subscription_stats")).as("gone with the subscription").isEmpty();
        }
    }
}
