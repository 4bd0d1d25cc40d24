package io.lrep.node.cli;

import static io.lrep.node.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lrep.node.Node;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lrep status} against a running publisher and subscriber: the role, slot, walsender and subscription lines. */
class StatusCommandTest {

    private static final String USER = "lrep";
    private static final Map<String, String> SETTINGS = Map.of("port", "0", "listen_addresses", "127.0.0.1",
            "wal_retrieve_retry_interval", "100", "wal_receiver_status_interval", "1");

    @TempDir
    Path tmp;

    private static Node start(Path dir) {
        Node.init(dir, Map.of(), USER, "trust", null);
        return Node.start(dir, SETTINGS);
    }

    private static void execute(Node node, String... sql) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port() + "/postgres", props);
                Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    private static String line(String out, String prefix) {
        return out.lines().map(String::strip).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + prefix + " in:\n" + out));
    }

    @Test
    void shouldShowSlotsWalsendersAndSubscriptionsOfRunningNodes() throws Exception {
        try (Node pub = start(tmp.resolve("pub")); Node sub = start(tmp.resolve("sub"))) {
            execute(pub, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')", "CREATE PUBLICATION p FOR TABLE t");
            execute(sub, "CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE SUBSCRIPTION s CONNECTION 'host=127.0.0.1 port="
                    + pub.port() + " dbname=postgres user=" + USER + "' PUBLICATION p");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                CliRun r = run("status", "-h", "127.0.0.1", "-p", Integer.toString(sub.port()), "-U", USER);
                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.out()).startsWith("node ").contains("role subscriber");
                assertThat(line(r.out(), "s ").split("\\s+")).startsWith("s", "yes").contains("i=0", "d=0", "f=0", "s=0", "r=1");
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                CliRun r = run("status", "-D", pub.dataDir().toString(), "-U", USER);
                assertThat(r.exitCode()).as(r.err()).isZero();
                assertThat(r.out()).startsWith("lrep: server is running (PID: " + ProcessHandle.current().pid() + ", port " + pub.port())
                        .contains("role publisher").contains("subscriptions: none");
                assertThat(line(r.out(), "slot_name")).contains("type").contains("active").contains("lag_bytes");
                assertThat(line(r.out(), "s ").split("\\s+")).startsWith("s", "logical", "yes");
                assertThat(line(r.out(), "application_name")).contains("replay_lag");
                assertThat(line(r.out(), "s ")).endsWith(" 0");
            });
            CliRun watched = run("status", "-p", Integer.toString(pub.port()), "-U", USER, "--watch", "--interval=0.1", "--count=2");
            assertThat(watched.exitCode()).as(watched.err()).isZero();
            assertThat(watched.out().lines().filter(l -> l.startsWith("node "))).hasSize(2);
        }
    }

    @Test
    void shouldSayNoServerRunningForAStoppedDataDirectory() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of());
        CliRun r = run("status", "-D", dir.toString());
        assertThat(r.exitCode()).isEqualTo(Lrep.EXIT_NOT_RUNNING);
        assertThat(r.out()).contains("no server running");
    }
}
