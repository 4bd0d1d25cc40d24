package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subscriber killed with SIGKILL at random moments under load, four times, and restarted:
 * once the load stops, every subscribed table equals the publisher's, row for row, with no row
 * lost or applied twice. The publisher runs in-process, the subscriber in a JVM of its own
 * ({@link ChildNode}). Seeded; rerun one with {@code -Dcrash.seed=N}.
 */
class SubscriberCrashIT {

    /** Whether the subscription copies the rows already present; table sync makes this true. */
    static final boolean COPY_DATA = true;

    static final Map<String, String> SUB_SETTINGS = Map.of("wal_retrieve_retry_interval", "100", "wal_receiver_status_interval", "1");
    static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    static long seed(String test) {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println(test + " seed=" + seed + " (rerun with -Dcrash.seed=" + seed + ")");
        return seed;
    }

    /** Waits until the subscriber's tables equal the publisher's, whole and in order. */
    static void awaitInSync(Connection p, Connection s) throws Exception {
        List<List<String>> expected = CrashLoad.contents(p);
        long startNs = System.nanoTime();
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<List<String>> actual = CrashLoad.contents(s);
            for (int t = 0; t < expected.size(); t++) {
                assertThat(actual.get(t)).as(CrashLoad.CONTENTS.get(t)).containsExactlyElementsOf(expected.get(t));
            }
        });
        System.out.println("in sync " + Duration.ofNanos(System.nanoTime() - startNs).toMillis() + " ms after the load stopped; rows: "
                + expected.stream().map(List::size).toList());
    }

    /** Every acknowledged commit is on the publisher, and nothing that was never committed. */
    static void assertMarkers(Connection p, CrashLoad load) throws Exception {
        List<Long> markers = CrashLoad.contents(p).get(2).stream().map(r -> Long.parseLong(r.substring(0, r.indexOf('|')))).toList();
        assertThat(markers).as("acknowledged commits on the publisher").containsAll(load.acknowledged());
        assertThat(markers).as("committed or of unknown outcome").allMatch(m -> load.acknowledged().contains(m) || load.unknown().contains(m));
    }

    @Test
    void shouldConvergeAfterTheSubscriberIsKilledUnderLoad() throws Exception {
        long seed = seed("subscriber-crash");
        Random random = new Random(seed);
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); Connection p = pub.connect();
                ChildNode sub = ChildNode.start(tmp.resolve("sub"), SUB_SETTINGS)) {
            CrashLoad.createPublished(p);
            if (COPY_DATA) {
                CrashLoad.preload(p);
            }
            try (Connection s = sub.connect(); Statement st = s.createStatement()) {
                CrashLoad.createSubscribed(s);
                st.execute("CREATE SUBSCRIPTION sub1 CONNECTION 'host=127.0.0.1 port=" + pub.port() + " dbname=postgres user="
                        + TestNode.SUPERUSER + "' PUBLICATION pub WITH (copy_data = " + COPY_DATA + ")");
            }
            CrashLoad load = new CrashLoad(pub::connect, 4);
            try (load) {
                load.start(random.nextLong());
                for (int round = 0; round < 4; round++) {
                    long killAt = load.commits() + 50 + random.nextInt(400);
                    await().atMost(CONVERGE).until(() -> load.commits() >= killAt);
                    sub.kill();
                    long restartAt = load.commits() + random.nextInt(200); // the publisher goes on meanwhile
                    await().atMost(CONVERGE).until(() -> load.commits() >= restartAt);
                    sub.restart();
                }
                long endAt = load.commits() + 100 + random.nextInt(200);
                await().atMost(CONVERGE).until(() -> load.commits() >= endAt);
            }
            System.out.println("subscriber-crash: " + load.commits() + " commits, " + load.reconnects() + " reconnects, " + sub.starts() + " subscriber starts");
            assertThat(load.reconnects()).as("the publisher never went away").isZero();
            assertMarkers(p, load);
            try (Connection s = sub.connect()) {
                awaitInSync(p, s);
            }
        }
    }
}
