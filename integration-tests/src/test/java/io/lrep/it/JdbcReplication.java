package io.lrep.it;

import static org.awaitility.Awaitility.await;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.pgoutput.PgOutputStreamDecoder;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/** pgjdbc's replication API against a node: connections, pgoutput streams, and what a stream received. */
final class JdbcReplication {

    private JdbcReplication() {}

    /** A {@code replication=database} connection, as pgjdbc's documentation sets one up. */
    static Connection connect(TestNode node) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, TestNode.SUPERUSER);
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return DriverManager.getConnection(node.jdbcUrl(), props);
    }

    /** Creates a logical pgoutput slot. */
    static void createSlot(Connection replication, String slot) throws SQLException {
        replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
                .withSlotName(slot).withOutputPlugin("pgoutput").make();
    }

    /** Starts streaming {@code slot} with protocol 1 and publication {@code pub}, from {@code from} (0/0: the slot's confirmed_flush). */
    static PGReplicationStream start(Connection replication, String slot, long from) throws SQLException {
        return replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(slot)
                .withStartPosition(LogSequenceNumber.valueOf(from))
                .withSlotOption("proto_version", 1)
                .withSlotOption("publication_names", "pub")
                .withStatusInterval(1, java.util.concurrent.TimeUnit.SECONDS)
                .start();
    }

    /** What one stream received: the decoder's state and the transactions. */
    static final class Received {
        final PgOutputStreamDecoder decoder = new PgOutputStreamDecoder(1);
        final PgOutputChanges changes = new PgOutputChanges();

        /** Reads what has arrived, without waiting. */
        void poll(PGReplicationStream stream) throws SQLException {
            ByteBuffer buffer;
            while ((buffer = stream.readPending()) != null) {
                byte[] payload = new byte[buffer.remaining()];
                buffer.get(payload);
                changes.accept(decoder.decode(payload));
            }
        }

        /** Reads until at least {@code n} transactions have arrived, for at most 30 seconds. */
        Received awaitTransactions(PGReplicationStream stream, int n) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
                poll(stream);
                return changes.transactions().size() >= n;
            });
            return this;
        }
    }

    /** Reports {@code lsn} as written and flushed, now. */
    static void confirm(PGReplicationStream stream, long lsn) throws SQLException {
        stream.setAppliedLSN(LogSequenceNumber.valueOf(lsn));
        stream.setFlushedLSN(LogSequenceNumber.valueOf(lsn));
        stream.forceUpdateStatus();
    }

    /** The slot's confirmed_flush_lsn, over an ordinary connection. */
    static long confirmedFlush(TestNode node, String slot) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            if (!rs.next()) {
                throw new AssertionError("no slot " + slot);
            }
            return Lsn.parseLong(rs.getString(1));
        }
    }
}
