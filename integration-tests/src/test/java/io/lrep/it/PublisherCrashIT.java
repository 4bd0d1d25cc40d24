package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher killed with SIGKILL at random moments under load, four times, and restarted on
 * its port: the load clients reconnect, the subscriber's apply worker reconnects (the launcher
 * restarts it), and once the load stops every subscribed table equals the publisher's, row for
 * row. Only commits that returned are known; a transaction whose COMMIT was cut off is whatever
 * the restarted publisher holds, which the subscriber must equal. The publisher runs in a JVM of
 * its own ({@link ChildNode}), the subscriber in-process. Seeded; rerun one with
 * {@code -Dcrash.seed=N}.
 */
class PublisherCrashIT {

    @TempDir
    Path tmp;

    @Test
    void shouldConvergeAfterThePublisherIsKilledUnderLoad() throws Exception {
        long seed = SubscriberCrashIT.seed("publisher-crash");
        Random random = new Random(seed);
        try (ChildNode pub = ChildNode.start(tmp.resolve("pub"), Map.of());
                TestNode sub = TestNode.start(tmp.resolve("sub"), SubscriberCrashIT.SUB_SETTINGS); Connection s = sub.connect()) {
            try (Connection p = pub.connect()) {
                CrashLoad.createPublished(p);
                if (SubscriberCrashIT.COPY_DATA) {
                    CrashLoad.preload(p);
                }
            }
            CrashLoad.createSubscribed(s);
            try (Statement st = s.createStatement()) {
                st.execute("CREATE SUBSCRIPTION sub1 CONNECTION '" + pub.conninfo() + "' PUBLICATION pub WITH (copy_data = "
                        + SubscriberCrashIT.COPY_DATA + ")");
            }
            CrashLoad load = new CrashLoad(pub::connect, 4);
            try (load) {
                load.start(random.nextLong());
                for (int round = 0; round < 4; round++) {
                    long killAt = load.commits() + 50 + random.nextInt(400);
                    await().atMost(SubscriberCrashIT.CONVERGE).until(() -> load.commits() >= killAt);
                    load.pause();
                    pub.kill();
                    pub.restart();
                    load.resume();
                }
                long endAt = load.commits() + 100 + random.nextInt(200);
                await().atMost(SubscriberCrashIT.CONVERGE).until(() -> load.commits() >= endAt);
            }
            System.out.println("publisher-crash: " + load.commits() + " commits, " + load.reconnects() + " reconnects, "
                    + load.unknown().size() + " commits of unknown outcome, " + pub.starts() + " publisher starts");
            assertThat(load.reconnects()).as("clients lost their connections with each kill").isGreaterThanOrEqualTo(4);
            try (Connection p = pub.connect()) {
                SubscriberCrashIT.assertMarkers(p, load);
                SubscriberCrashIT.awaitInSync(p, s);
            }
        }
    }
}
