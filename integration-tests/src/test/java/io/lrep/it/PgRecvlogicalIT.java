package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lrep.core.lsn.Lsn;
import io.lrep.it.PgOutputChanges.Change;
import io.lrep.it.PgOutputChanges.Txn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real pg_recvlogical (Debian's postgresql-client) creates a slot on a node and streams
 * pgoutput to a file while concurrent clients commit, roll back, use savepoints, change an
 * unpublished table and emit logical messages; the test decodes the file and checks that every
 * committed change of the published table arrived once, in commit order, and nothing else did.
 * Seeds are printed; rerun one with {@code -Drecvlogical.seed=N}.
 */
class PgRecvlogicalIT {

    @TempDir
    Path tmp;

    private Path recvlogical;

    @BeforeEach
    void findBinary() {
        recvlogical = Binaries.find("pg_recvlogical").orElse(null);
        assumeTrue(recvlogical != null, Binaries.missing("pg_recvlogical"));
    }

    private static long seed(String test) {
        long seed = Long.getLong("recvlogical.seed", System.nanoTime());
        System.out.println("PgRecvlogicalIT." + test + " seed=" + seed + " (rerun with -Drecvlogical.seed=" + seed + ")");
        return seed;
    }

    private Processes.Result recvlogical(TestNode node, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(recvlogical.toString(), "-h", "127.0.0.1", "-p", Integer.toString(node.port()),
                "-U", TestNode.SUPERUSER, "-d", "postgres", "--no-loop"));
        command.addAll(List.of(args));
        return Processes.run(tmp, Map.of("PGCONNECT_TIMEOUT", "10"), command, 60);
    }

    /** Streams slot {@code slot} up to the WAL's current end into a file; returns the decoded messages' transactions. */
    private PgOutputChanges stream(TestNode node, String slot, int protocolVersion, String... options) throws Exception {
        String endpos = query(node, "SELECT pg_current_wal_lsn()");
        Path out = tmp.resolve(slot + "-" + System.nanoTime() + ".bin");
        List<String> args = new ArrayList<>(List.of("--slot", slot, "--start", "-f", out.toString(), "-E", endpos,
                "-o", "proto_version=" + protocolVersion, "-o", "publication_names=pub"));
        for (String o : options) {
            args.add("-o");
            args.add(o);
        }
        Processes.Result r = recvlogical(node, args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.all()).isZero();
        byte[] bytes = Files.exists(out) ? Files.readAllBytes(out) : new byte[0];
        PgOutputChanges changes = PgOutputChanges.of(PgOutputChanges.splitRecvlogicalOutput(bytes, protocolVersion));
        assertThat(changes.complete()).as("the stream ended between transactions").isTrue();
        System.out.println("slot " + slot + ": " + bytes.length + " bytes, " + changes.transactions().size() + " transactions, "
                + changes.transactions().stream().mapToInt(t -> t.changes().size()).sum() + " changes, " + changes.streamBlocks()
                + " stream blocks, up to " + endpos);
        return changes;
    }

    private void createSlot(TestNode node, String slot) throws Exception {
        Processes.Result r = recvlogical(node, "--slot", slot, "--create-slot", "-P", "pgoutput");
        assertThat(r.exitCode()).as(r.all()).isZero();
    }

    private static String query(TestNode node, String sql) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static long confirmedFlush(TestNode node, String slot) throws SQLException {
        return Lsn.parse(query(node, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'")).value();
    }

    @Test
    void shouldStreamEveryCommittedChangeOnceInCommitOrder() throws Exception {
        long seed = seed("proto1");
        try (TestNode node = TestNode.start(tmp.resolve("data"), Map.of())) {
            ItemsWorkload.createSchema(node);
            createSlot(node, "s1");
            long created = confirmedFlush(node, "s1");
            assertThat(query(node, "SELECT plugin || ' ' || slot_type FROM pg_replication_slots WHERE slot_name = 's1'"))
                    .isEqualTo("pgoutput logical");

            ItemsWorkload workload = new ItemsWorkload(node, seed);
            Map<Integer, List<List<Change>>> committed = workload.run(4, 40);
            PgOutputChanges first = stream(node, "s1", 1);
            List<Txn> txns = first.transactions();
            ItemsWorkload.assertSameAsCommitted(txns, committed);
            assertThat(first.messages()).as("messages are not sent unless asked for").isEmpty();
            assertThat(PgOutputChanges.apply(new TreeMap<>(), txns, ItemsWorkload.TABLE))
                    .as("the stream applied to an empty table").isEqualTo(ItemsWorkload.read(node, ItemsWorkload.TABLE));
            long flushed = confirmedFlush(node, "s1");
            long lastEnd = txns.get(txns.size() - 1).endLsn();
            assertThat(Long.compareUnsigned(flushed, created)).as("confirmed_flush advanced").isPositive();
            assertThat(Long.compareUnsigned(flushed, lastEnd)).as("confirmed_flush %s covers the last commit's end %s",
                    Lsn.format(flushed), Lsn.format(lastEnd)).isGreaterThanOrEqualTo(0);

            // a second run resumes at confirmed_flush: only what was committed since
            Map<Integer, List<List<Change>>> more = workload.run(2, 15);
            PgOutputChanges second = stream(node, "s1", 1);
            assertThat(second.transactions()).as("nothing before confirmed_flush is resent")
                    .allMatch(t -> Long.compareUnsigned(t.commitLsn(), flushed) >= 0);
            ItemsWorkload.assertSameAsCommitted(second.transactions(), more);
            Map<Integer, String> model = PgOutputChanges.apply(new TreeMap<>(), txns, ItemsWorkload.TABLE);
            assertThat(PgOutputChanges.apply(model, second.transactions(), ItemsWorkload.TABLE))
                    .isEqualTo(ItemsWorkload.read(node, ItemsWorkload.TABLE));
        }
    }

    @Test
    void shouldStreamABigTransactionInBlocksWithTheSameContent() throws Exception {
        long seed = seed("streaming");
        try (TestNode node = TestNode.start(tmp.resolve("data"), Map.of("logical_decoding_work_mem", "64kB"))) {
            ItemsWorkload.createSchema(node);
            createSlot(node, "streamed");
            createSlot(node, "whole");
            ItemsWorkload workload = new ItemsWorkload(node, seed);
            Map<Integer, List<List<Change>>> committed = new TreeMap<>(workload.run(2, 10));
            // one transaction far larger than 64kB, with small ones committing while it is open
            List<Change> big = new ArrayList<>();
            try (Connection c = node.connect(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                for (int batch = 0; batch < 10; batch++) {
                    int from = 100_000 + batch * 200;
                    s.execute("INSERT INTO items SELECT g, 'big-' || g || '-" + "x".repeat(100) + "' FROM generate_series("
                            + from + ", " + (from + 199) + ") g");
                    for (int k = from; k < from + 200; k++) {
                        big.add(new Change(ItemsWorkload.TABLE, 'I', k, "big-" + k + "-" + "x".repeat(100)));
                    }
                    if (batch == 4) {
                        workload.run(2, 5).forEach((w, txns) -> committed.get(w).addAll(txns));
                    }
                }
                s.execute("SAVEPOINT sp");
                s.execute("INSERT INTO items SELECT g, 'gone' FROM generate_series(200000, 200499) g");
                s.execute("ROLLBACK TO SAVEPOINT sp");
                c.commit();
            }
            workload.run(2, 5).forEach((w, txns) -> committed.get(w).addAll(txns));

            PgOutputChanges streamed = stream(node, "streamed", 2, "streaming=on");
            PgOutputChanges whole = stream(node, "whole", 1);
            assertThat(streamed.streamBlocks()).as("stream blocks of the big transaction").isPositive();
            assertThat(whole.streamBlocks()).isZero();
            List<Txn> bigTxns = streamed.transactions().stream().filter(t -> t.changes().get(0).key() >= 100_000).toList();
            assertThat(bigTxns).hasSize(1);
            assertThat(bigTxns.get(0).streamed()).isTrue();
            assertThat(bigTxns.get(0).changes()).as("the big transaction, without its rolled-back savepoint").isEqualTo(big);
            List<Txn> small = streamed.transactions().stream().filter(t -> t.changes().get(0).key() < 100_000).toList();
            ItemsWorkload.assertSameAsCommitted(small, committed);
            assertThat(streamed.transactions().stream().map(t -> List.of(t.commitLsn(), t.changes())).toList())
                    .as("the same transactions, in the same order, streamed or not")
                    .isEqualTo(whole.transactions().stream().map(t -> List.of(t.commitLsn(), t.changes())).toList());
            assertThat(PgOutputChanges.apply(new TreeMap<>(), streamed.transactions(), ItemsWorkload.TABLE))
                    .isEqualTo(ItemsWorkload.read(node, ItemsWorkload.TABLE));
        }
    }
}
