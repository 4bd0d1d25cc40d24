package io.lrep.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/grafana/lrep-dashboard.json parses, takes its Prometheus data source from a variable,
 * and queries only meters that docs/monitoring.md lists (a histogram's {@code _sum},
 * {@code _count}, {@code _bucket} and {@code _max} series count as the histogram).
 */
class GrafanaDashboardTest {

    private static final Path DOCS = Path.of("..", "docs");
    private static final Pattern METRIC = Pattern.compile("\\blrep_[a-z0-9_]+");
    private static final Pattern DOCUMENTED = Pattern.compile("(?m)^\\| `(lrep_[a-z0-9_]+)` \\|");
    private static final List<String> HISTOGRAM_SUFFIXES = List.of("_bucket", "_sum", "_count", "_max");

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(Files.readString(DOCS.resolve("grafana/lrep-dashboard.json")));
    }

    private static Set<String> documentedMeters() throws IOException {
        Set<String> out = new HashSet<>();
        Matcher m = DOCUMENTED.matcher(Files.readString(DOCS.resolve("monitoring.md")));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            out.add(p);
            p.path("panels").forEach(out::add);
        });
        return out;
    }

    @Test
    void shouldQueryOnlyDocumentedMeters() throws IOException {
        Set<String> documented = documentedMeters();
        assertThat(documented).contains("lrep_slot_lag_bytes", "lrep_subscription_apply_lag_seconds");
        Set<String> used = new TreeSet<>();
        Set<String> undocumented = new TreeSet<>();
        for (JsonNode panel : panels(dashboard())) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    String name = m.group();
                    String base = HISTOGRAM_SUFFIXES.stream().filter(name::endsWith)
                            .map(s -> name.substring(0, name.length() - s.length())).filter(documented::contains).findFirst().orElse(name);
                    used.add(base);
                    if (!documented.contains(base)) {
                        undocumented.add(name);
                    }
                }
            }
        }
        assertThat(undocumented).as("meters the dashboard queries that docs/monitoring.md does not list").isEmpty();
        assertThat(used).contains("lrep_slot_lag_bytes", "lrep_walsender_lag_time_seconds", "lrep_subscription_apply_lag_seconds",
                "lrep_wal_written_bytes_total", "lrep_subscription_transactions_total", "lrep_subscription_rows_total",
                "lrep_slot_retained_bytes", "lrep_slot_active", "lrep_workers_running");
    }

    @Test
    void shouldTakeThePrometheusDataSourceFromAVariable() throws IOException {
        JsonNode d = dashboard();
        assertThat(d.path("title").asText()).isNotBlank();
        JsonNode variable = null;
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("type").asText().equals("datasource")) {
                variable = v;
            }
        }
        assertThat(variable).as("a data source variable").isNotNull();
        assertThat(variable.path("query").asText()).isEqualTo("prometheus");
        String ref = "${" + variable.path("name").asText() + "}";
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels(d)) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as("data source of %s", panel.path("title")).isEqualTo(ref);
            assertThat(panel.path("targets")).as("queries of %s", panel.path("title")).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo(ref);
                assertThat(target.path("expr").asText()).contains("lrep_");
            }
        }
    }
}
