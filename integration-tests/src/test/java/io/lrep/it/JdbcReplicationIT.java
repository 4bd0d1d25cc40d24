package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lrep.core.lsn.Lsn;
import io.lrep.it.PgOutputChanges.Change;
import io.lrep.it.PgOutputChanges.Txn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.replication.PGReplicationStream;

/**
 * pgjdbc's replication API (PGReplicationStream) against a node: a slot made with the API, a
 * pgoutput stream of committed changes in commit order, confirmed_flush following what the
 * client flushed, and a restarted stream resuming after it. Seeds are printed; rerun one with
 * {@code -Djdbcreplication.seed=N}.
 */
class JdbcReplicationIT {

    @TempDir
    Path tmp;

    private static Change ins(int key, String value) {
        return new Change(ItemsWorkload.TABLE, 'I', key, value);
    }

    @Test
    void shouldStreamCommittedChangesAndResumeAfterWhatTheClientFlushed() throws Exception {
        long seed = Long.getLong("jdbcreplication.seed", System.nanoTime());
        System.out.println("JdbcReplicationIT seed=" + seed + " (rerun with -Djdbcreplication.seed=" + seed + ")");
        try (TestNode node = TestNode.start(tmp.resolve("data"), Map.of());
                Connection replication = JdbcReplication.connect(node);
                Connection sql = node.connect();
                Statement s = sql.createStatement()) {
            ItemsWorkload.createSchema(node);
            JdbcReplication.createSlot(replication, "jdbc");
            long created = JdbcReplication.confirmedFlush(node, "jdbc");

            s.execute("INSERT INTO items VALUES (1, 'one'), (2, 'two')");
            sql.setAutoCommit(false);
            s.execute("UPDATE items SET val = 'uno' WHERE id = 1");
            s.execute("DELETE FROM items WHERE id = 2");
            s.execute("INSERT INTO other VALUES (1, 'unpublished')");
            sql.commit();
            s.execute("INSERT INTO items VALUES (3, 'rolled back')");
            sql.rollback();
            s.execute("INSERT INTO items VALUES (3, 'three')");
            sql.commit();
            sql.setAutoCommit(true);

            PGReplicationStream stream = JdbcReplication.start(replication, "jdbc", 0);
            JdbcReplication.Received first = new JdbcReplication.Received().awaitTransactions(stream, 3);
            List<Txn> txns = first.changes.transactions();
            assertThat(txns).extracting(Txn::changes).containsExactly(
                    List.of(ins(1, "one"), ins(2, "two")),
                    List.of(new Change(ItemsWorkload.TABLE, 'U', 1, "uno"), new Change(ItemsWorkload.TABLE, 'D', 2, null)),
                    List.of(ins(3, "three")));
            assertThat(JdbcReplication.confirmedFlush(node, "jdbc")).as("nothing confirmed yet").isEqualTo(created);

            // the client flushed the second transaction only
            long flushed = txns.get(1).endLsn();
            JdbcReplication.confirm(stream, flushed);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Lsn.format(JdbcReplication.confirmedFlush(node, "jdbc")))
                    .isEqualTo(Lsn.format(flushed)));
            stream.close(); // CopyDone: the session goes on

            // a seeded concurrent workload while nobody streams
            ItemsWorkload workload = new ItemsWorkload(node, seed);
            Map<Integer, List<List<Change>>> committed = workload.run(3, 20);
            int expected = 1 + committed.values().stream().mapToInt(List::size).sum();

            stream = JdbcReplication.start(replication, "jdbc", 0);
            JdbcReplication.Received second = new JdbcReplication.Received().awaitTransactions(stream, expected);
            List<Txn> resumed = second.changes.transactions();
            assertThat(resumed).as("resumed after the flushed transaction: the third comes first").isNotEmpty();
            assertThat(resumed.get(0).commitLsn()).isEqualTo(txns.get(2).commitLsn());
            assertThat(resumed.get(0).changes()).containsExactly(ins(3, "three"));
            List<Txn> fromWorkload = new ArrayList<>(resumed.subList(1, resumed.size()));
            ItemsWorkload.assertSameAsCommitted(fromWorkload, committed);

            // flush everything: confirmed_flush follows, and nothing more arrives after a restart
            long last = resumed.get(resumed.size() - 1).endLsn();
            JdbcReplication.confirm(stream, last);
            await().atMost(Duration.ofSeconds(10)).until(() -> JdbcReplication.confirmedFlush(node, "jdbc") == last);
            stream.close();
            s.execute("INSERT INTO items VALUES (999999, 'after')");
            stream = JdbcReplication.start(replication, "jdbc", 0);
            JdbcReplication.Received third = new JdbcReplication.Received().awaitTransactions(stream, 1);
            assertThat(third.changes.transactions()).extracting(Txn::changes).containsExactly(List.of(ins(999999, "after")));
            stream.close();

            Map<Integer, String> model = PgOutputChanges.apply(new TreeMap<>(), txns.subList(0, 2), ItemsWorkload.TABLE);
            PgOutputChanges.apply(model, resumed, ItemsWorkload.TABLE);
            PgOutputChanges.apply(model, third.changes.transactions(), ItemsWorkload.TABLE);
            assertThat(model).isEqualTo(ItemsWorkload.read(node, ItemsWorkload.TABLE));
        }
    }
}
