package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.lsn.Lsn;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/** pg_stat_replication and pg_stat_replication_slots while pgjdbc streams from a slot. */
class ReplicationStatsTest {

    @TempDir
    Path tmp;

    private Node node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Connection connect(boolean replication) throws SQLException {
        Properties props = NodeClients.properties();
        props.setProperty("ApplicationName", replication ? "stats-test-stream" : "stats-test");
        return NodeClients.connect(node, replication ? NodeClients.replication(props, "database") : props);
    }

    @Test
    void shouldShowTheStreamingWalsenderAndTheSlotsDecodingCounters() throws Exception {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("port", "0"));
        node = Node.start(dir, Map.of());
        try (Connection sql = connect(false); Connection repl = connect(true); Statement st = sql.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
            st.execute("CREATE PUBLICATION pub FOR TABLE t");
            PGConnection pg = repl.unwrap(PGConnection.class);
            pg.getReplicationAPI().createReplicationSlot().logical().withSlotName("stats").withOutputPlugin("pgoutput").make();
            try (PGReplicationStream stream = pg.getReplicationAPI().replicationStream().logical().withSlotName("stats")
                    .withSlotOption("proto_version", 1).withSlotOption("publication_names", "pub")
                    .withStatusInterval(1, java.util.concurrent.TimeUnit.SECONDS).start()) {
                st.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
                long commitLsn;
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()")) {
                    rs.next();
                    commitLsn = Lsn.parseLong(rs.getString(1));
                }
                // Begin, Relation, Insert, Insert, Commit
                LogSequenceNumber last = null;
                for (int i = 0; i < 5; i++) {
                    ByteBuffer msg = stream.read();
                    assertThat(msg).isNotNull();
                    last = stream.getLastReceiveLSN();
                }
                stream.setFlushedLSN(last);
                stream.setAppliedLSN(last);
                stream.forceUpdateStatus();
                long flushed = last.asLong();
                Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    try (ResultSet rs = st.executeQuery("SELECT pid, usename, application_name, state, sent_lsn, write_lsn, flush_lsn,"
                            + " replay_lsn, sync_state, reply_time IS NOT NULL, extract(epoch from flush_lag) >= 0 OR flush_lag IS NULL"
                            + " FROM pg_stat_replication")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString("usename")).isEqualTo(System.getProperty("user.name", "postgres"));
                        assertThat(rs.getString("application_name")).isEqualTo("stats-test-stream");
                        assertThat(rs.getString("state")).isEqualTo("streaming");
                        assertThat(Lsn.parseLong(rs.getString("sent_lsn"))).isGreaterThanOrEqualTo(commitLsn);
                        assertThat(Lsn.parseLong(rs.getString("flush_lsn"))).isEqualTo(flushed);
                        assertThat(Lsn.parseLong(rs.getString("replay_lsn"))).isEqualTo(flushed);
                        assertThat(rs.getString("sync_state")).isEqualTo("async");
                        assertThat(rs.getBoolean(10)).as("reply_time").isTrue();
                        assertThat(rs.getBoolean(11)).as("flush_lag is an interval").isTrue();
                        assertThat(rs.next()).isFalse();
                    }
                });
                try (ResultSet rs = st.executeQuery("SELECT slot_name, total_txns, total_bytes > 0, spill_txns, stream_txns"
                        + " FROM pg_stat_replication_slots")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("stats");
                    assertThat(rs.getLong(2)).as("the publication and table DDL happened before the slot").isGreaterThanOrEqualTo(1);
                    assertThat(rs.getBoolean(3)).isTrue();
                    assertThat(rs.getLong(4)).isZero();
                    assertThat(rs.getLong(5)).isZero();
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_replication")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the walsender is gone with its stream").isZero();
                }
            });
            try (ResultSet rs = st.executeQuery("SELECT total_txns FROM pg_stat_replication_slots WHERE slot_name = 'stats'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("a finished walsender's counters stay with its slot").isGreaterThanOrEqualTo(1);
            }
        }
    }
}
