package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.XLogData;
import io.lrep.subscriber.client.QueryResult;
import io.lrep.subscriber.client.ReplicationClient;
import io.lrep.subscriber.client.ReplicationConnection;
import io.lrep.subscriber.client.ReplicationStream;
import io.lrep.subscriber.client.ServerErrorException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lrep's own replication client against a node: the commands a PostgreSQL 15 subscriber sends
 * (IDENTIFY_SYSTEM, the search_path query, CREATE_REPLICATION_SLOT ... (SNAPSHOT 'nothing'),
 * COPY TO STDOUT, START_REPLICATION with pgoutput, CopyDone, DROP_REPLICATION_SLOT).
 */
class ReplicationClientIT {

    @TempDir
    Path tmp;

    @Test
    void shouldRunASubscribersCommandsAgainstANode() throws Exception {
        try (TestNode node = TestNode.start(tmp.resolve("data"), Map.of());
                ReplicationClient client = new ReplicationClient(1);
                Connection sql = node.connect();
                Statement s = sql.createStatement()) {
            s.execute("CREATE TABLE t (id int PRIMARY KEY, val text)");
            s.execute("INSERT INTO t VALUES (1, 'one'), (2, NULL)");
            s.execute("CREATE PUBLICATION pub FOR TABLE t");
            String conninfo = "host=127.0.0.1,127.0.0.1 port=1," + node.port() + " user=" + TestNode.SUPERUSER
                    + " dbname=postgres connect_timeout=5 target_session_attrs=read-write";
            try (ReplicationConnection c = client.connect(io.lrep.subscriber.client.ConnInfo.parse(conninfo)
                    .with("replication", "database").withDefault("fallback_application_name", "sub1"))) {
                assertThat(c.host().port()).isEqualTo(node.port());
                assertThat(c.serverVersion()).isGreaterThanOrEqualTo(150000);
                assertThat(c.query("SELECT pg_catalog.set_config('search_path', '', false);").hasRows()).isTrue();

                QueryResult system = c.query("IDENTIFY_SYSTEM");
                assertThat(system.rowCount()).isEqualTo(1);
                assertThat(system.columns()).hasSizeGreaterThanOrEqualTo(3);
                assertThat(system.value(0, 3)).isEqualTo("postgres");

                QueryResult slot = c.query("CREATE_REPLICATION_SLOT \"s\" LOGICAL pgoutput (SNAPSHOT 'nothing')");
                assertThat(slot.value(0, 0)).isEqualTo("s");
                long consistent = Lsn.parse(slot.value(0, 1)).value();

                List<String> rows = new ArrayList<>();
                long copied = c.copyOut("COPY (SELECT id, val FROM public.t ORDER BY id) TO STDOUT",
                        data -> rows.add(new String(data, StandardCharsets.UTF_8)));
                assertThat(copied).isEqualTo(2);
                assertThat(String.join("", rows)).isEqualTo("1\tone\n2\t\\N\n"); // CopyData need not align with rows

                assertThatThrownBy(() -> c.startReplication("START_REPLICATION SLOT \"nope\" LOGICAL 0/0 (proto_version '3', publication_names '\"pub\"')"))
                        .isInstanceOfSatisfying(ServerErrorException.class, e -> assertThat(e.sqlStateCode()).isEqualTo("42704"));

                ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"s\" LOGICAL " + Lsn.format(consistent)
                        + " (proto_version '3', publication_names '\"pub\"')");
                s.execute("INSERT INTO t VALUES (3, 'three')");
                List<Character> kinds = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!kinds.contains('C') && System.nanoTime() < deadline) {
                    ReplicationMessage m = stream.receive(Duration.ofSeconds(1));
                    if (m instanceof XLogData x) {
                        kinds.add((char) x.payload()[0]);
                    } else if (m instanceof PrimaryKeepalive k && k.replyRequested()) {
                        stream.sendStatus(stream.lastReceivedLsn(), 0, 0, false);
                    }
                }
                assertThat(kinds).containsSubsequence('B', 'R', 'I', 'C');
                stream.sendStatus(stream.lastReceivedLsn(), stream.lastReceivedLsn(), stream.lastReceivedLsn(), false);
                List<QueryResult> closing = stream.end(Duration.ofSeconds(30));
                assertThat(closing).extracting(QueryResult::commandTag).contains("START_REPLICATION");

                assertThat(c.query("DROP_REPLICATION_SLOT \"s\" WAIT").commandTag()).isEqualTo("DROP_REPLICATION_SLOT");
                assertThat(c.isUsable()).isTrue();
            }
        }
    }
}
