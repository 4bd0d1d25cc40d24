package io.lrep.it;

import static io.lrep.it.Sql.execute;
import static io.lrep.it.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrep.core.lsn.Lsn;
import io.lrep.node.http.HttpEndpoint;
import io.lrep.node.http.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lag follows reality: under a write load on the publisher, a subscription paused with ALTER
 * SUBSCRIPTION DISABLE falls behind in bytes and seconds, as pg_stat_replication,
 * pg_replication_slots, pg_stat_subscription and both nodes' /metrics show; after ENABLE and
 * the load stopping, every lag returns to zero.
 */
class LagMetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SETTINGS = Map.of("metrics_port", "-1", "wal_retrieve_retry_interval", "100",
            "wal_receiver_status_interval", "1");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SUB = "lagsub";

    @TempDir
    Path tmp;

    private static HttpResponse<String> get(TestNode node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node().metricsPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static PrometheusText scrape(TestNode node) throws Exception {
        HttpResponse<String> r = get(node, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(HttpEndpoint.PROMETHEUS_TEXT);
        return PrometheusText.parse(r.body());
    }

    private static double metric(TestNode node, String name, String... labels) throws Exception {
        return scrape(node).value(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + " " + List.of(labels)));
    }

    private static long currentLsn(Connection p) throws SQLException {
        return Lsn.parseLong(rows(p, "SELECT pg_current_wal_lsn()").get(0));
    }

    @Test
    void shouldShowLagRiseWhileDisabledUnderLoadAndReturnToZero() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), SETTINGS); TestNode sub = TestNode.start(tmp.resolve("sub"), SETTINGS);
                Connection p = pub.connect(); Connection s = sub.connect();
                ItemsLoad load = ItemsLoad.start(pub, p, s, SUB, WAIT)) {

            // streaming under load: the lag tracker measures a replay lag, in the view and in /metrics
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(rows(p, "SELECT extract(epoch FROM replay_lag) > 0 FROM pg_stat_replication")).containsExactly("t");
                assertThat(metric(pub, "lrep_walsender_lag_time_seconds", "application_name", SUB, "position", "replay")).isPositive();
                assertThat(metric(sub, "lrep_subscription_transactions_total", "subscription", SUB)).isPositive();
            });

            execute(s, "ALTER SUBSCRIPTION " + SUB + " DISABLE");
            await().atMost(WAIT).until(() -> rows(s, "SELECT pid IS NULL FROM pg_stat_subscription").equals(List.of("t")));
            long pausedAt = currentLsn(p);
            double slotLagAtPause = metric(pub, "lrep_slot_lag_bytes", "slot", SUB);
            // paused: the slot falls behind in bytes, the subscription in seconds and in received WAL
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(rows(p, "SELECT count(*) FROM pg_stat_replication")).containsExactly("0");
                long slotLag = Long.parseLong(rows(p, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                        + " FROM pg_replication_slots WHERE slot_name = '" + SUB + "'").get(0));
                assertThat(slotLag).isGreaterThan((long) slotLagAtPause + 10_000);
                PrometheusText pm = scrape(pub);
                assertThat(pm.value("lrep_slot_lag_bytes", "slot", SUB).orElseThrow()).isGreaterThan(slotLagAtPause + 10_000);
                assertThat(pm.value("lrep_slot_active", "slot", SUB)).hasValue(0.0);
                PrometheusText sm = scrape(sub);
                assertThat(sm.value("lrep_subscription_apply_lag_seconds", "subscription", SUB).orElseThrow()).isGreaterThan(1.0);
                double received = sm.value("lrep_subscription_received_lsn_bytes", "subscription", SUB).orElseThrow();
                assertThat(currentLsn(p) - received).isGreaterThan(10_000);
                assertThat(rows(s, "SELECT received_lsn IS NULL, latest_end_lsn IS NULL FROM pg_stat_subscription"))
                        .containsExactly("t|t");
            });
            assertThat(currentLsn(p)).isGreaterThan(pausedAt);

            execute(s, "ALTER SUBSCRIPTION " + SUB + " ENABLE");
            await().atMost(WAIT).until(() -> rows(p, "SELECT application_name FROM pg_stat_replication").equals(List.of(SUB)));
            int written = load.stop(WAIT);
            await().atMost(WAIT).until(() -> rows(s, "SELECT count(*) FROM items").equals(List.of(String.valueOf(written))));

            // caught up and idle: every lag is back at zero
            await().atMost(WAIT).untilAsserted(() -> {
                String end = Lsn.format(currentLsn(p));
                assertThat(rows(p, "SELECT sent_lsn, write_lsn, flush_lsn, replay_lsn FROM pg_stat_replication"))
                        .containsExactly(end + "|" + end + "|" + end + "|" + end);
                assertThat(rows(p, "SELECT confirmed_flush_lsn FROM pg_replication_slots")).containsExactly(end);
                assertThat(rows(s, "SELECT received_lsn, latest_end_lsn FROM pg_stat_subscription")).containsExactly(end + "|" + end);
                PrometheusText pm = scrape(pub);
                assertThat(pm.value("lrep_slot_lag_bytes", "slot", SUB)).hasValue(0.0);
                assertThat(pm.value("lrep_slot_active", "slot", SUB)).hasValue(1.0);
                for (String position : List.of("sent", "write", "flush", "replay")) {
                    assertThat(pm.value("lrep_walsender_lag_bytes", "application_name", SUB, "position", position)).hasValue(0.0);
                }
                PrometheusText sm = scrape(sub);
                assertThat(sm.value("lrep_subscription_apply_lag_seconds", "subscription", SUB)).hasValue(0.0);
                assertThat(sm.value("lrep_subscription_received_lsn_bytes", "subscription", SUB)).hasValue((double) currentLsn(p));
                assertThat(sm.value("lrep_subscription_rows_total", "subscription", SUB).orElseThrow()).isGreaterThanOrEqualTo(written);
                assertThat(sm.value("lrep_subscription_tables", "subscription", SUB, "state", "ready")).hasValue(1.0);
                assertThat(sm.value("lrep_subscription_apply_errors_total", "subscription", SUB)).hasValue(0.0);
                JsonNode status = new ObjectMapper().readTree(get(sub, "/status").body());
                assertThat(status.get("role").asText()).isEqualTo("subscriber");
                assertThat(status.get("subscriptions").get(0).get("name").asText()).isEqualTo(SUB);
                assertThat(status.get("subscriptions").get(0).get("apply_lag_seconds").asDouble()).isZero();
                assertThat(status.get("subscriptions").get(0).get("received_lsn").asText()).isEqualTo(Lsn.format(currentLsn(p)));
            });
            // PostgreSQL forgets the lag times once everything is applied twice in a row
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(rows(p, "SELECT coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication")).containsExactly("0");
                assertThat(metric(pub, "lrep_walsender_lag_time_seconds", "application_name", SUB, "position", "replay")).isZero();
            });
        }
    }
}
