package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lrep.apply.ApplyError;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.subscriber.launcher.ApplyLauncher;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication between two lrep nodes, end to end: changes made on the publisher after CREATE
 * SUBSCRIPTION ... WITH (copy_data = false) reach the subscriber through the launcher and its
 * apply worker, exactly once across DISABLE/ENABLE, a clean restart and a crash of the
 * subscriber.
 */
class SubscriptionApplyIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SUB_SETTINGS = Map.of("wal_retrieve_retry_interval", "100",
            "wal_receiver_status_interval", "1");

    @TempDir
    Path tmp;

    private static final String ITEMS = "SELECT id, v FROM items ORDER BY id";
    private static final String LOG = "SELECT n, count(*) FROM log GROUP BY n ORDER BY n";

    /** Waits until the subscriber's tables equal the publisher's, row for row. */
    private static void awaitInSync(Connection p, Connection s) throws SQLException {
        List<String> items = rows(p, ITEMS);
        List<String> log = rows(p, LOG);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(rows(s, ITEMS)).containsExactlyElementsOf(items);
            assertThat(rows(s, LOG)).containsExactlyElementsOf(log);
        });
    }

    private static void insertBatch(Connection p, int from, int to) throws SQLException {
        for (int i = from; i < to; i++) {
            execute(p, "INSERT INTO items VALUES (" + i + ", 'v" + i + "')", "INSERT INTO log VALUES (" + i + ")");
        }
    }

    @Test
    void shouldReplicateChangesExactlyOnceAcrossDisableRestartAndCrash() throws Exception {
        Path subDir = tmp.resolve("sub");
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); Connection p = pub.connect()) {
            execute(p, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE TABLE log (n int)",
                    "ALTER TABLE log REPLICA IDENTITY FULL", "CREATE PUBLICATION pub FOR TABLE items, log");
            String conninfo = pub.conninfo();
            TestNode sub = TestNode.start(subDir, SUB_SETTINGS);
            try {
                try (Connection s = sub.connect()) {
                    execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE TABLE log (n int)");
                    execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + conninfo + "' PUBLICATION pub WITH (copy_data = false)");
                    await().atMost(WAIT).until(() -> rows(s, "SELECT pid IS NOT NULL FROM pg_stat_subscription").equals(List.of("t")));

                    insertBatch(p, 1, 40);
                    execute(p, "UPDATE items SET v = 'u' || id WHERE id % 3 = 0", "UPDATE items SET id = id + 1000 WHERE id < 5",
                            "DELETE FROM items WHERE id % 7 = 0", "DELETE FROM log WHERE n = 10");
                    execute(p, "BEGIN", "INSERT INTO items VALUES (500, 'in a block')", "UPDATE items SET v = 'again' WHERE id = 500",
                            "INSERT INTO log VALUES (500)", "COMMIT");
                    awaitInSync(p, s);
                    assertThat(rows(s, "SELECT received_lsn IS NOT NULL, last_msg_receipt_time IS NOT NULL FROM pg_stat_subscription"))
                            .containsExactly("t|t");

                    execute(s, "ALTER SUBSCRIPTION sub1 DISABLE");
                    await().atMost(WAIT).until(() -> rows(s, "SELECT pid IS NULL FROM pg_stat_subscription").equals(List.of("t")));
                    insertBatch(p, 40, 60);
                    execute(p, "UPDATE items SET v = 'while disabled' WHERE id = 41");
                    execute(s, "ALTER SUBSCRIPTION sub1 ENABLE");
                    awaitInSync(p, s);
                }

                sub.close(); // clean restart
                insertBatch(p, 60, 80);
                sub = TestNode.restart(subDir, SUB_SETTINGS);
                try (Connection s = sub.connect()) {
                    awaitInSync(p, s);
                    insertBatch(p, 80, 100);
                    awaitInSync(p, s);
                }

                sub.halt(); // crash: unflushed apply commits are lost and applied again, once
                insertBatch(p, 100, 120);
                sub = TestNode.restart(subDir, SUB_SETTINGS);
                try (Connection s = sub.connect()) {
                    awaitInSync(p, s);
                    execute(p, "TRUNCATE items");
                    await().atMost(WAIT).until(() -> rows(s, ITEMS).isEmpty());
                    assertThat(rows(s, "SELECT apply_error_count FROM pg_stat_subscription_stats")).containsExactly("0");

                    execute(s, "DROP SUBSCRIPTION sub1");
                    assertThat(rows(p, "SELECT slot_name FROM pg_replication_slots")).as("dropped with the subscription").isEmpty();
                    assertThat(rows(s, "SELECT count(*) FROM pg_stat_subscription")).containsExactly("0");
                    execute(p, "INSERT INTO items VALUES (1, 'after drop')");
                    assertThat(sub.node().supervisor().workers()).noneMatch(w -> w.type().equals("logical replication worker"));
                }
            } finally {
                sub.close();
            }
        }
    }

    @Test
    void shouldRestartAfterAnErrorAndDisableWithDisableOnErrorAndRefreshWithoutCopy() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect()) {
            execute(p, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE TABLE other (id int PRIMARY KEY)",
                    "CREATE PUBLICATION pub FOR TABLE items");
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE TABLE other (id int PRIMARY KEY)",
                    "INSERT INTO items VALUES (2, 'local')");
            String conninfo = pub.conninfo();
            execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + conninfo + "' PUBLICATION pub WITH (copy_data = false)");

            execute(p, "INSERT INTO items VALUES (1, 'a')", "INSERT INTO items VALUES (2, 'conflict')", "INSERT INTO items VALUES (3, 'c')");
            await().atMost(WAIT).until(() -> Long.parseLong(rows(s, "SELECT apply_error_count FROM pg_stat_subscription_stats").get(0)) >= 2);
            assertThat(rows(s, "SELECT id, v FROM items ORDER BY id")).as("the failing transactions roll back whole")
                    .containsExactly("1|a", "2|local");
            execute(s, "DELETE FROM items WHERE id = 2");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT id, v FROM items ORDER BY id"))
                    .containsExactly("1|a", "2|conflict", "3|c"));

            execute(s, "ALTER SUBSCRIPTION sub1 SET (disable_on_error = true)", "INSERT INTO items VALUES (4, 'local')");
            execute(p, "INSERT INTO items VALUES (4, 'conflict')");
            await().atMost(WAIT).until(() -> rows(s, "SELECT subenabled FROM pg_subscription").equals(List.of("f")));
            execute(s, "DELETE FROM items WHERE id = 4", "ALTER SUBSCRIPTION sub1 ENABLE");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT v FROM items WHERE id = 4")).containsExactly("conflict"));

            // a table added by REFRESH with copy_data = false is READY at once and gets only later changes
            execute(p, "INSERT INTO other VALUES (1)", "ALTER PUBLICATION pub ADD TABLE other");
            execute(s, "ALTER SUBSCRIPTION sub1 REFRESH PUBLICATION WITH (copy_data = false)");
            assertThat(rows(s, "SELECT srsubstate FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid WHERE c.relname = 'other'"))
                    .containsExactly("r");
            execute(p, "BEGIN", "INSERT INTO other VALUES (2)", "INSERT INTO items VALUES (5, 'with other')", "COMMIT");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, "SELECT v FROM items WHERE id = 5")).containsExactly("with other"));
            assertThat(rows(s, "SELECT id FROM other")).containsExactly("2");
            execute(s, "DROP SUBSCRIPTION sub1");
        }
    }

    @Test
    void shouldSkipTheFailingTransactionAtItsFinishLsnAndDropTheOriginWithTheSubscription() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), SUB_SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect()) {
            execute(p, "CREATE TABLE items (id int PRIMARY KEY, v text)", "CREATE PUBLICATION pub FOR TABLE items");
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)", "INSERT INTO items VALUES (2, 'local')");
            String conninfo = pub.conninfo();
            execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + conninfo + "' PUBLICATION pub WITH (copy_data = false)");
            long subOid = Long.parseLong(rows(s, "SELECT oid FROM pg_subscription").get(0));
            String origin = "pg_" + subOid;

            execute(p, "INSERT INTO items VALUES (1, 'a')", "BEGIN", "INSERT INTO items VALUES (5, 'e')",
                    "INSERT INTO items VALUES (2, 'conflict')", "COMMIT", "INSERT INTO items VALUES (3, 'c')");
            ApplyLauncher launcher = sub.node().launcher();
            await().atMost(WAIT).until(() -> launcher.lastApplyError(subOid) instanceof ApplyError);
            ApplyError error = (ApplyError) launcher.lastApplyError(subOid);
            String finish = Lsn.format(error.finishLsn());
            assertThat(error.sqlState()).isEqualTo(SqlState.UNIQUE_VIOLATION);
            assertThat(error.context()).startsWith("processing remote data for replication origin \"" + origin + "\" during \"INSERT\""
                    + " for replication target relation \"public.items\" in transaction ").endsWith(" finished at " + finish);
            assertThat(rows(s, ITEMS)).containsExactly("1|a", "2|local");

            String originLsn = rows(s, "SELECT remote_lsn FROM pg_replication_origin_status WHERE external_id = '" + origin + "'").get(0);
            assertThatThrownBy(() -> execute(s, "ALTER SUBSCRIPTION sub1 SKIP (lsn = '" + originLsn + "')"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"))
                    .hasMessageContaining("skip WAL location (LSN " + originLsn + ") must be greater than origin LSN " + originLsn);

            execute(s, "ALTER SUBSCRIPTION sub1 SKIP (lsn = '" + finish + "')");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, ITEMS)).containsExactly("1|a", "2|local", "3|c"));
            assertThat(rows(s, "SELECT subskiplsn FROM pg_subscription")).containsExactly("0/0");
            execute(p, "INSERT INTO items VALUES (4, 'd')");
            await().atMost(WAIT).untilAsserted(() -> assertThat(rows(s, ITEMS)).containsExactly("1|a", "2|local", "3|c", "4|d"));
            assertThat(rows(s, "SELECT count(*) FROM pg_replication_origin WHERE roname = '" + origin + "'")).containsExactly("1");

            execute(s, "DROP SUBSCRIPTION sub1");
            assertThat(rows(s, "SELECT count(*) FROM pg_replication_origin WHERE roname = '" + origin + "'")).containsExactly("0");
            assertThat(rows(s, "SELECT count(*) FROM pg_replication_origin_status")).containsExactly("0");
        }
    }
}
