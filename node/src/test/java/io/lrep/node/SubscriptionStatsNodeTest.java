package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lrep.core.error.LrepException;
import io.lrep.subscriber.launcher.SubscriptionStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pg_stat_subscription_stats on a real node, as PostgreSQL 15 keeps it: the counters survive a
 * clean restart and are reset by a crash, pg_stat_reset_subscription_stats resets one or every
 * subscription and stamps stats_reset, and DROP SUBSCRIPTION drops the statistics. Errors come
 * from apply workers that cannot reach their publisher (nothing listens on port 1).
 */
class SubscriptionStatsNodeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, String> PORT_0 = Map.of("port", "0", "listen_addresses", "127.0.0.1",
            "wal_retrieve_retry_interval", "50");
    private static final String STATS = "SELECT subname, apply_error_count, sync_error_count, stats_reset FROM pg_stat_subscription_stats"
            + " ORDER BY 1";

    @TempDir
    Path tmp;

    private static List<String> sql(Node node, String sql) {
        return NodeClients.sql(node, sql);
    }

    private static long applyErrors(Node node, String sub) {
        return Long.parseLong(sql(node, "SELECT apply_error_count FROM pg_stat_subscription_stats WHERE subname = '" + sub + "'").get(0));
    }

    private static long oid(Node node, String sub) {
        return Long.parseLong(sql(node, "SELECT oid FROM pg_subscription WHERE subname = '" + sub + "'").get(0));
    }

    private Path init() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("cluster_name", "sub"));
        return dir;
    }

    /** Lets the subscriptions' apply workers fail until each counted {@code atLeast} errors, then disables them and waits for the workers to exit. */
    private static void failWorkers(Node node, long atLeast, String... subs) {
        for (String s : subs) {
            sql(node, "ALTER SUBSCRIPTION " + s + " ENABLE");
        }
        for (String s : subs) {
            await().atMost(WAIT).until(() -> applyErrors(node, s) >= atLeast);
        }
        for (String s : subs) {
            sql(node, "ALTER SUBSCRIPTION " + s + " DISABLE");
        }
        await().atMost(WAIT).until(() -> node.launcher().workers().isEmpty());
    }

    private static void createDisabled(Node node, String name) {
        sql(node, "CREATE SUBSCRIPTION " + name + " CONNECTION 'host=127.0.0.1 port=1 connect_timeout=2' PUBLICATION p WITH (connect = false)");
    }

    @Test
    void countersSurviveACleanRestartAndAreResetByACrash() {
        Path dir = init();
        List<String> before;
        try (Node node = Node.start(dir, PORT_0)) {
            createDisabled(node, "s1");
            createDisabled(node, "s2");
            assertThat(sql(node, STATS)).containsExactly("s1|0|0|null", "s2|0|0|null");
            failWorkers(node, 2, "s1");
            before = sql(node, STATS);
            assertThat(before.get(1)).isEqualTo("s2|0|0|null");
        }
        assertThat(dir.resolve("pg_stat").resolve(SubscriptionStats.FILE)).exists();
        try (Node node = Node.start(dir, PORT_0)) {
            assertThat(node.recovery().crashRecovery()).isFalse();
            assertThat(sql(node, STATS)).isEqualTo(before);
            assertThat(applyErrors(node, "s1")).isGreaterThanOrEqualTo(2);
            assertThat(dir.resolve("pg_stat").resolve(SubscriptionStats.FILE)).as("read at start, then removed").doesNotExist();
            failWorkers(node, applyErrors(node, "s1") + 1, "s1");
            node.halt();
        }
        try (Node node = Node.start(dir, PORT_0)) {
            assertThat(node.recovery().crashRecovery()).isTrue();
            assertThat(sql(node, STATS)).containsExactly("s1|0|0|null", "s2|0|0|null");
        }
    }

    @Test
    void resetOneAndAllStampsStatsResetAndSurvivesARestart() {
        Path dir = init();
        String afterReset;
        try (Node node = Node.start(dir, PORT_0)) {
            createDisabled(node, "s1");
            createDisabled(node, "s2");
            createDisabled(node, "s3");
            failWorkers(node, 1, "s1", "s2");
            long s2Errors = applyErrors(node, "s2");

            Instant start = Instant.now().truncatedTo(ChronoUnit.MICROS);
            assertThat(sql(node, "SELECT pg_stat_reset_subscription_stats(" + oid(node, "s1") + ")")).containsExactly("");
            List<String> rows = sql(node, STATS);
            assertThat(rows.get(0)).startsWith("s1|0|0|").doesNotEndWith("|null");
            assertThat(Instant.parse(rows.get(0).split("\\|")[3])).isBetween(start, Instant.now());
            assertThat(rows.get(1)).isEqualTo("s2|" + s2Errors + "|0|null");
            // as PostgreSQL 15: a subscription that never counted anything has no statistics to reset
            assertThat(rows.get(2)).isEqualTo("s3|0|0|null");

            sql(node, "SELECT pg_stat_reset_subscription_stats(" + oid(node, "s3") + ")");
            sql(node, "SELECT pg_stat_reset_subscription_stats(424242)");
            assertThat(sql(node, STATS)).isEqualTo(rows);
            assertThatThrownBy(() -> sql(node, "SELECT pg_stat_reset_subscription_stats(0)")).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e).hasMessage("invalid subscription OID 0").extracting(x -> x.sqlState().code()).isEqualTo("22023"));

            Instant beforeAll = Instant.now().truncatedTo(ChronoUnit.MICROS);
            sql(node, "SELECT pg_stat_reset_subscription_stats(NULL)");
            rows = sql(node, STATS);
            for (String row : rows.subList(0, 2)) {
                assertThat(row).contains("|0|0|");
                assertThat(Instant.parse(row.split("\\|")[3])).isBetween(beforeAll, Instant.now());
            }
            assertThat(rows.get(2)).isEqualTo("s3|0|0|null");
            afterReset = String.join("\n", rows);
        }
        try (Node node = Node.start(dir, PORT_0)) {
            assertThat(String.join("\n", sql(node, STATS))).isEqualTo(afterReset);
            long s2 = oid(node, "s2");
            failWorkers(node, 1, "s2");
            sql(node, "ALTER SUBSCRIPTION s2 SET (slot_name = NONE)");
            sql(node, "DROP SUBSCRIPTION s2");
            assertThat(node.launcher().stats().get(s2)).isEqualTo(new SubscriptionStats.Entry(s2, 0, 0, null));
            assertThat(sql(node, "SELECT subname FROM pg_stat_subscription_stats ORDER BY 1")).containsExactly("s1", "s3");
        }
    }
}
