package io.lrep.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lrep.subscriber.client.QueryResult;
import io.lrep.subscriber.client.ReplicationConnection;
import io.lrep.subscriber.client.ServerErrorException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's replication state as {@code lrep status} prints it, read over SQL from PostgreSQL's
 * views (pg_replication_slots, pg_stat_replication, pg_subscription, pg_stat_subscription,
 * pg_replication_origin_status, pg_subscription_rel). The apply lag in seconds has no SQL view:
 * it comes from the node's {@code /status} when {@code metrics_port} is a fixed port, else shows
 * as "-".
 */
record NodeStatus(String node, String role, String walLsn, List<List<String>> slots, List<List<String>> walsenders,
        List<List<String>> subscriptions) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String[] TABLE_STATES = {"i", "d", "f", "s", "r"};

    /** Reads the state through {@code conn}; {@code host} is where the node's HTTP port would listen. */
    static NodeStatus read(ReplicationConnection conn, String host) {
        String node = conn.query("SHOW cluster_name").value(0, 0);
        String walLsn = conn.query("SELECT pg_current_wal_lsn()").value(0, 0);
        int publications = Integer.parseInt(conn.query("SELECT count(*) FROM pg_publication").value(0, 0));

        List<List<String>> slots = new ArrayList<>();
        QueryResult s = conn.query("SELECT slot_name, slot_type, active, restart_lsn, confirmed_flush_lsn, "
                + "pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(confirmed_flush_lsn, restart_lsn)) FROM pg_replication_slots "
                + "ORDER BY slot_name");
        for (List<String> r : s.rows()) {
            slots.add(List.of(r.get(0), r.get(1), bool(r.get(2)), dash(r.get(3)), dash(r.get(4)), dash(r.get(5))));
        }

        List<List<String>> walsenders = new ArrayList<>();
        QueryResult w = conn.query("SELECT application_name, state, sent_lsn, replay_lsn, "
                + "pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), "
                + "write_lag, flush_lag, replay_lag FROM pg_stat_replication ORDER BY application_name");
        for (List<String> r : w.rows()) {
            walsenders.add(List.of(r.get(0), dash(r.get(1)), dash(r.get(2)), dash(r.get(3)), dash(r.get(4)), dash(r.get(5)),
                    dash(r.get(6)), dash(r.get(7)), dash(r.get(8))));
        }

        Map<String, String> applied = new HashMap<>();
        for (List<String> r : conn.query("SELECT external_id, remote_lsn FROM pg_replication_origin_status").rows()) {
            applied.put(r.get(0), r.get(1));
        }
        Map<String, Map<String, String>> tables = new HashMap<>();
        for (List<String> r : conn.query("SELECT srsubid, srsubstate, count(*) FROM pg_subscription_rel GROUP BY srsubid, srsubstate")
                .rows()) {
            tables.computeIfAbsent(r.get(0), k -> new TreeMap<>()).put(r.get(1), r.get(2));
        }
        Map<String, String> lagSeconds = applyLagSeconds(conn, host);
        List<List<String>> subscriptions = new ArrayList<>();
        QueryResult sub = conn.query("SELECT s.oid, s.subname, s.subenabled, st.pid, st.received_lsn FROM pg_subscription s "
                + "LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL ORDER BY s.subname");
        for (List<String> r : sub.rows()) {
            Map<String, String> states = tables.getOrDefault(r.get(0), Map.of());
            StringBuilder perState = new StringBuilder();
            for (String state : TABLE_STATES) {
                perState.append(perState.length() == 0 ? "" : " ").append(state).append('=').append(states.getOrDefault(state, "0"));
            }
            subscriptions.add(List.of(r.get(1), bool(r.get(2)), dash(r.get(3)), dash(r.get(4)), dash(applied.get("pg_" + r.get(0))),
                    lagSeconds.getOrDefault(r.get(1), "-"), perState.toString()));
        }
        boolean publisher = publications > 0 || !slots.isEmpty();
        boolean subscriber = !subscriptions.isEmpty();
        String role = publisher && subscriber ? "both" : publisher ? "publisher" : subscriber ? "subscriber" : "none";
        return new NodeStatus(node == null || node.isEmpty() ? "-" : node, role, walLsn, slots, walsenders, subscriptions);
    }

    /** Prints the state: a header line, then one aligned table per section that has rows. */
    void print(PrintWriter out) {
        out.printf("node %s  role %s  WAL %s%n", node, role, walLsn);
        section(out, "slots", List.of("slot_name", "type", "active", "restart_lsn", "confirmed_flush", "lag_bytes"), slots);
        section(out, "walsenders", List.of("application_name", "state", "sent_lsn", "replay_lsn", "sent_lag_bytes", "replay_lag_bytes",
                "write_lag", "flush_lag", "replay_lag"), walsenders);
        section(out, "subscriptions", List.of("subscription", "enabled", "worker_pid", "received_lsn", "applied_lsn",
                "apply_lag_s", "tables"), subscriptions);
    }

    private static void section(PrintWriter out, String title, List<String> header, List<List<String>> rows) {
        out.println();
        if (rows.isEmpty()) {
            out.println(title + ": none");
            return;
        }
        out.println(title + ":");
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] widths = new int[header.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < row.size(); i++) {
                line.append(' ').append(String.format("%-" + widths[i] + "s", row.get(i))).append(' ');
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** Apply lag per subscription from the node's /status, when it serves one on a known port; empty otherwise. */
    private static Map<String, String> applyLagSeconds(ReplicationConnection conn, String host) {
        int metricsPort;
        try {
            metricsPort = Integer.parseInt(conn.query("SHOW metrics_port").value(0, 0));
        } catch (ServerErrorException | NumberFormatException e) {
            return Map.of(); // a server without metrics_port (PostgreSQL): no apply lag column
        }
        if (metricsPort <= 0) {
            return Map.of();
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + metricsPort + "/status"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> lag = new HashMap<>();
            for (JsonNode s : new ObjectMapper().readTree(r.body()).path("subscriptions")) {
                lag.put(s.path("name").asText(), String.format("%.1f", s.path("apply_lag_seconds").asDouble()));
            }
            return lag;
        } catch (IOException e) {
            return Map.of(); // the endpoint is optional here: the column shows "-"
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    private static String bool(String pgBool) {
        return "t".equals(pgBool) ? "yes" : "f".equals(pgBool) ? "no" : dash(pgBool);
    }

    private static String dash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
