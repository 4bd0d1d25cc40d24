package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrep.core.protocol.auth.Md5Password;
import io.lrep.node.http.HttpEndpoint;
import io.lrep.node.http.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/** The HTTP endpoint: /metrics parsed as Prometheus text, /status parsed as JSON, 404 otherwise. */
class MetricsEndpointTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.metricsPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private PrometheusText scrape() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(HttpEndpoint.PROMETHEUS_TEXT);
        return PrometheusText.parse(r.body());
    }

    private Connection connect(String applicationName, boolean replication) throws SQLException {
        Properties props = NodeClients.properties();
        props.setProperty("ApplicationName", applicationName);
        return NodeClients.connect(node, replication ? NodeClients.replication(props, "database") : props);
    }

    @Test
    void shouldServeTheMetersAsPrometheusTextAndTheStatusAsJson() throws Exception {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("port", "0", "metrics_port", "-1", "cluster_name", "metrics-node"));
        node = Node.start(dir, Map.of());
        assertThat(node.metricsPort()).isPositive();
        try (Connection sql = connect("metrics-sql", false); Connection repl = connect("metrics-stream", true);
                Statement st = sql.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
            st.execute("CREATE PUBLICATION pub FOR TABLE t");
            assertThatThrownBy(() -> st.execute("SELECT * FROM no_such_table")).isInstanceOf(SQLException.class);
            PGConnection pg = repl.unwrap(PGConnection.class);
            pg.getReplicationAPI().createReplicationSlot().logical().withSlotName("metrics").withOutputPlugin("pgoutput").make();
            try (PGReplicationStream stream = pg.getReplicationAPI().replicationStream().logical().withSlotName("metrics")
                    .withSlotOption("proto_version", 1).withSlotOption("publication_names", "pub")
                    .withStatusInterval(1, TimeUnit.SECONDS).start()) {
                st.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
                for (int i = 0; i < 5; i++) { // Begin, Relation, Insert, Insert, Commit
                    ByteBuffer msg = stream.read();
                    assertThat(msg).isNotNull();
                }

                PrometheusText m = scrape();
                assertThat(m.type("lrep_wal_written_bytes_total")).isEqualTo("counter");
                assertThat(m.value("lrep_wal_written_bytes_total").orElseThrow()).isPositive();
                assertThat(m.value("lrep_wal_records_total").orElseThrow()).isPositive();
                assertThat(m.value("lrep_wal_flushes_total").orElseThrow()).isPositive();
                assertThat(m.value("lrep_wal_group_size_records_count").orElseThrow()).isPositive();
                assertThat(m.value("lrep_wal_fsync_seconds_count")).isPresent();
                assertThat(m.value("lrep_wal_ring_occupancy_bytes").orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(m.value("lrep_wal_ring_capacity_bytes").orElseThrow()).isPositive();
                assertThat(m.value("lrep_wal_reader_fallbacks_records_total").orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(m.value("lrep_workers_running", "type", "walwriter")).hasValue(1.0);
                assertThat(m.value("lrep_workers_started_total", "type", "checkpointer").orElseThrow()).isGreaterThanOrEqualTo(1);
                assertThat(m.value("lrep_workers_crashed_total", "type", "walwriter")).hasValue(0.0);
                assertThat(m.value("lrep_slot_active", "slot", "metrics")).hasValue(1.0);
                assertThat(m.value("lrep_slot_invalidated", "slot", "metrics")).hasValue(0.0);
                assertThat(m.value("lrep_slot_retained_bytes", "slot", "metrics").orElseThrow()).isPositive();
                assertThat(m.value("lrep_slot_lag_bytes", "slot", "metrics").orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(m.value("lrep_walsender_lag_bytes", "application_name", "metrics-stream", "position", "sent")
                        .orElseThrow()).isGreaterThanOrEqualTo(0);
                assertThat(m.value("lrep_walsender_lag_time_seconds", "application_name", "metrics-stream", "position", "replay"))
                        .isPresent();
                assertThat(m.value("lrep_walsender_sent_lsn_bytes", "application_name", "metrics-stream").orElseThrow()).isPositive();
                assertThat(m.value("lrep_walsender_messages_total", "application_name", "metrics-stream").orElseThrow())
                        .isGreaterThanOrEqualTo(5);
                assertThat(m.value("lrep_walsender_bytes_total", "application_name", "metrics-stream").orElseThrow()).isPositive();
                assertThat(m.value("lrep_protocol_connections_total").orElseThrow()).isGreaterThanOrEqualTo(2);
                assertThat(m.value("lrep_protocol_connections_open").orElseThrow()).isGreaterThanOrEqualTo(2);
                assertThat(m.value("lrep_protocol_authentication_failures_total")).hasValue(0.0);
                assertThat(m.value("lrep_errors_total", "category", "42").orElseThrow()).isGreaterThanOrEqualTo(1);

                JsonNode status = new ObjectMapper().readTree(get("/status").body());
                assertThat(status.get("node").asText()).isEqualTo("metrics-node");
                assertThat(status.get("role").asText()).isEqualTo("publisher");
                assertThat(status.get("publications").get(0).asText()).isEqualTo("pub");
                assertThat(status.get("slots").get(0).get("name").asText()).isEqualTo("metrics");
                assertThat(status.get("slots").get(0).get("active").asBoolean()).isTrue();
                assertThat(status.get("walsenders").get(0).get("application_name").asText()).isEqualTo("metrics-stream");
                assertThat(status.get("walsenders").get(0).get("client_addr").asText()).isEqualTo("127.0.0.1");
                assertThat(status.get("time_ms").asLong()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
                assertThat(status.get("wal_bytes_written").asLong()).isEqualTo((long) m.value("lrep_wal_written_bytes_total").orElseThrow()
                        .doubleValue()).isPositive();
                assertThat(status.get("subscriptions").size()).isZero();
                assertThat(status.findValuesAsText("type")).contains("walwriter", "checkpointer");
            }
        }
        // the walsender is gone: its meters go with it, what it sent stays counted
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(scrape().value("lrep_walsender_lag_bytes", "application_name", "metrics-stream", "position", "sent")).isEmpty());
        assertThat(scrape().value("lrep_walsender_messages_total", "application_name", "metrics-stream").orElseThrow())
                .isGreaterThanOrEqualTo(5);
        assertThat(scrape().value("lrep_slot_active", "slot", "metrics")).hasValue(0.0);
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);
        assertThat(get("/status").headers().firstValue("cache-control")).hasValue("no-store");
    }

    @Test
    void shouldServeTheStatusPageFromTheJar() throws Exception {
        Path dir = tmp.resolve("page");
        Node.init(dir, Map.of("port", "0", "metrics_port", "-1"));
        node = Node.start(dir, Map.of());
        Map<String, String> types = Map.of("/", "text/html; charset=utf-8", "/index.html", "text/html; charset=utf-8",
                "/status.css", "text/css; charset=utf-8", "/status.js", "text/javascript; charset=utf-8");
        for (Map.Entry<String, String> e : types.entrySet()) {
            HttpResponse<String> r = get(e.getKey());
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(e.getKey()).hasValue(e.getValue());
            assertThat(r.body()).as(e.getKey()).isNotBlank();
        }
        String html = get("/").body();
        assertThat(html).contains("<canvas id=\"chart-lag-bytes\"", "href=\"status.css\"", "src=\"status.js\"")
                .doesNotContain("http://", "https://");
        assertThat(get("/status.js").body()).contains("fetch('status'").doesNotContain("https://", "import ");
        assertThat(get("/status.html").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldCountFailedAuthenticationsAsErrorsOfClass28() throws Exception {
        Path dir = tmp.resolve("auth");
        Node.init(dir, Map.of("port", "0", "metrics_port", "-1"), "admin", "md5", Md5Password.encrypt("secret", "admin"));
        node = Node.start(dir, Map.of());
        Properties wrong = new Properties();
        wrong.setProperty("user", "admin");
        wrong.setProperty("password", "wrong");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> NodeClients.connect(node, wrong)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
        }
        PrometheusText m = scrape();
        assertThat(m.value("lrep_protocol_authentication_failures_total")).hasValue(2.0);
        assertThat(m.value("lrep_errors_total", "category", "28")).hasValue(2.0);
        assertThat(m.value("lrep_protocol_connections_total")).hasValue(2.0);
    }

    @Test
    void shouldServeNoHttpWhenMetricsPortIsZero() {
        Path dir = tmp.resolve("off");
        Node.init(dir, Map.of("port", "0"));
        node = Node.start(dir, Map.of());
        assertThat(node.metricsPort()).isEqualTo(-1);
        assertThat(node.metrics().scrape()).contains("lrep_wal_written_bytes_total");
    }

    @Test
    void shouldRejectMalformedPrometheusText() {
        assertThatThrownBy(() -> PrometheusText.parse("lrep_x 1\n")).hasMessageContaining("no declared family");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE lrep_x gauge\nlrep_x{a=b} 1\n")).hasMessageContaining("not quoted");
        assertThat(PrometheusText.parse("# TYPE lrep_x gauge\nlrep_x{a=\"b\\\"c\"} 1.5\n").value("lrep_x", "a", "b\"c")).hasValue(1.5);
    }
}
