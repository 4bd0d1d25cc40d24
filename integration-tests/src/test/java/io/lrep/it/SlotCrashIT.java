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
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.replication.PGReplicationStream;

/**
 * A logical slot across node crashes and clean restarts. Each round: a seeded workload commits
 * while nobody streams; a pgjdbc stream receives it and confirms a random prefix; a checkpoint
 * makes the slot's state durable; more is committed and received but not confirmed; then the
 * node is halted with the stream open (crash: no shutdown checkpoint) or, every other round,
 * shut down cleanly. After the restart the slot is there with the confirmed position, and the
 * stream resumes exactly there: every committed change after it arrives (those received but not
 * confirmed again), nothing before it. Seeds are printed; rerun one with {@code -Dslotcrash.seed=N}.
 */
class SlotCrashIT {

    @TempDir
    Path tmp;

    private static List<List<Object>> shape(List<Txn> txns) {
        return txns.stream().map(t -> List.<Object>of(Lsn.format(t.commitLsn()), t.changes())).toList();
    }

    @Test
    void shouldResumeFromConfirmedFlushAfterCrashesAndRestarts() throws Exception {
        long seed = Long.getLong("slotcrash.seed", System.nanoTime());
        System.out.println("SlotCrashIT seed=" + seed + " (rerun with -Dslotcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path dataDir = tmp.resolve("data");
        List<Txn> confirmed = new ArrayList<>(); // what the client has confirmed, in order
        List<Txn> unconfirmed = new ArrayList<>(); // received after the confirmed position
        long flushed = 0;
        ItemsWorkload workload = null;
        for (int round = 0; round < 4; round++) {
            boolean crash = round % 2 == 0;
            TestNode node = round == 0 ? TestNode.start(dataDir, Map.of()) : TestNode.restart(dataDir, Map.of());
            try {
                if (round == 0) {
                    ItemsWorkload.createSchema(node);
                    try (Connection r = JdbcReplication.connect(node)) {
                        JdbcReplication.createSlot(r, "crashy");
                    }
                    flushed = JdbcReplication.confirmedFlush(node, "crashy");
                    workload = new ItemsWorkload(node, random.nextLong());
                } else {
                    workload = workload.on(node);
                    assertThat(Lsn.format(JdbcReplication.confirmedFlush(node, "crashy"))).as("round %d: the slot's confirmed_flush", round)
                            .isEqualTo(Lsn.format(flushed));
                }
                Map<Integer, List<List<Change>>> committed = workload.run(3, 15);
                int expected = unconfirmed.size() + committed.values().stream().mapToInt(List::size).sum();

                Connection replication = JdbcReplication.connect(node);
                PGReplicationStream stream = JdbcReplication.start(replication, "crashy", 0);
                JdbcReplication.Received received = new JdbcReplication.Received().awaitTransactions(stream, expected);
                List<Txn> txns = List.copyOf(received.changes.transactions());
                assertThat(shape(txns.subList(0, unconfirmed.size())))
                        .as("round %d: what was received but not confirmed before comes again, first", round).isEqualTo(shape(unconfirmed));
                ItemsWorkload.assertSameAsCommitted(txns.subList(unconfirmed.size(), txns.size()), committed);
                long resumedAt = flushed;
                assertThat(txns).as("round %d: nothing before confirmed_flush %s", round, Lsn.format(resumedAt))
                        .allMatch(t -> Long.compareUnsigned(t.commitLsn(), resumedAt) >= 0);

                int k = 1 + random.nextInt(txns.size());
                long flush = txns.get(k - 1).endLsn();
                JdbcReplication.confirm(stream, flush);
                await().atMost(Duration.ofSeconds(10)).until(() -> JdbcReplication.confirmedFlush(node, "crashy") == flush);
                flushed = flush;
                confirmed.addAll(txns.subList(0, k));
                try (Connection c = node.connect(); Statement s = c.createStatement()) {
                    s.execute("CHECKPOINT");
                }

                Map<Integer, List<List<Change>>> more = workload.run(2, 5);
                int total = txns.size() + more.values().stream().mapToInt(List::size).sum();
                received.awaitTransactions(stream, total);
                List<Txn> all = received.changes.transactions();
                ItemsWorkload.assertSameAsCommitted(all.subList(txns.size(), all.size()), more);
                unconfirmed = new ArrayList<>(all.subList(k, all.size()));

                if (crash) {
                    node.halt(); // the stream is still open
                    replication.close();
                } else {
                    stream.close();
                    replication.close();
                    node.close();
                }
            } catch (Throwable t) {
                node.halt();
                throw t;
            }
        }
        // last: everything committed is either confirmed or still to come, and together they make the table
        try (TestNode node = TestNode.restart(dataDir, Map.of()); Connection replication = JdbcReplication.connect(node)) {
            assertThat(Lsn.format(JdbcReplication.confirmedFlush(node, "crashy"))).isEqualTo(Lsn.format(flushed));
            PGReplicationStream stream = JdbcReplication.start(replication, "crashy", 0);
            List<Txn> rest = new JdbcReplication.Received().awaitTransactions(stream, unconfirmed.size()).changes.transactions();
            assertThat(shape(rest)).isEqualTo(shape(unconfirmed));
            Map<Integer, String> model = PgOutputChanges.apply(new TreeMap<>(), confirmed, ItemsWorkload.TABLE);
            assertThat(PgOutputChanges.apply(model, rest, ItemsWorkload.TABLE)).isEqualTo(ItemsWorkload.read(node, ItemsWorkload.TABLE));
            stream.close();
        }
    }
}
