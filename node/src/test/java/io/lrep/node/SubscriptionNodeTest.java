package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Subscriptions on a real node survive clean and crash restarts. */
class SubscriptionNodeTest {

    @TempDir
    Path tmp;

    private static final Map<String, String> PORT_0 = Map.of("port", "0", "listen_addresses", "127.0.0.1");

    private static List<String> sql(Node node, String sql) {
        return NodeClients.sql(node, sql);
    }

    @Test
    void subscriptionsSurviveACleanRestartAndACrash() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("cluster_name", "sub"));
        String query = "SELECT subname, subenabled, subslotname, subpublications, subskiplsn FROM pg_subscription ORDER BY 1";
        try (Node node = Node.start(dir, PORT_0)) {
            sql(node, "CREATE SUBSCRIPTION s1 CONNECTION 'host=127.0.0.1 port=1' PUBLICATION p1, p2 WITH (connect = false)");
            sql(node, "ALTER SUBSCRIPTION s1 SKIP (lsn = '0/10')");
        }
        try (Node node = Node.start(dir, PORT_0)) {
            assertThat(sql(node, query)).containsExactly("s1|false|s1|[p1, p2]|0/10");
            sql(node, "CREATE SUBSCRIPTION s2 CONNECTION 'host=127.0.0.1 port=1' PUBLICATION p3 WITH (connect = false, slot_name = NONE)");
            node.halt();
        }
        try (Node node = Node.start(dir, PORT_0)) {
            assertThat(node.recovery().crashRecovery()).isTrue();
            assertThat(sql(node, query)).containsExactly("s1|false|s1|[p1, p2]|0/10", "s2|false|null|[p3]|0/0");
            assertThat(sql(node, "SELECT subname FROM pg_stat_subscription ORDER BY 1")).containsExactly("s1", "s2");
        }
    }
}
