package io.lrep.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lrep.node.Node;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CompareBench} in its short mode, so that the harness cannot rot: every workload runs and
 * the subscriber's table equals the publisher's after each. Correctness only, never speed. The
 * data directories go under java.io.tmpdir (PostgreSQL's programs, run as the postgres user when
 * the tests run as root, must be able to enter them).
 */
class CompareBenchTest {

    @Test
    @Timeout(120)
    void lrepSideRunsEveryWorkloadAndStaysEqual() throws Exception {
        CompareBench.Outcome outcome = shortRun("lrep");

        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.report()).contains("correctness (subscriber = publisher after every workload, count and SHA-256 of all rows): all equal")
                .contains("| W1 initial sync | rows/s |").contains("streaming off").contains("streaming on").contains("| W4 latency |");
        if (PgCluster.binaries().isPresent()) {
            assertThat(outcome.report()).contains("| publisher tps |").contains("| catch-up s |");
        }
    }

    @Test
    @Timeout(120)
    void postgresqlSideRunsEveryWorkloadAndStaysEqual() throws Exception {
        assumeTrue(PgCluster.binaries().isPresent(), "PostgreSQL 15's initdb, postgres and pgbench are not installed in /usr/lib/postgresql/15/bin"
                + " (Debian package postgresql-15): the PostgreSQL side of CompareBench is not tested");

        CompareBench.Outcome outcome = shortRun("postgresql");

        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.postgresqlSkipped()).isNull();
        assertThat(outcome.report()).contains("all equal").contains("| W1 initial sync | rows/s | - |").contains("| publisher tps |")
                .contains("| W4 latency |");
    }

    @Test
    void readsIntervalsAsPostgresqlPrintsThem() {
        assertThat(CompareBench.intervalMs(null)).isZero();
        assertThat(CompareBench.intervalMs("00:00:00.012345")).isEqualTo(12.345, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(CompareBench.intervalMs("00:01:02.5")).isEqualTo(62_500, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(CompareBench.intervalMs("1 day 00:00:01")).isEqualTo(86_401_000, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void checksumChangesWithAnyColumnOfAnyRow(@TempDir Path dir) throws Exception {
        Node.init(dir, Map.of(), NodeProcess.USER, "trust", null);
        try (Node node = Node.start(dir, Map.of("port", "0", "listen_addresses", "127.0.0.1"));
                Connection c = BenchSql.connect(node.port(), NodeProcess.USER)) {
            BenchSql.execute(c, "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint, note text)",
                    "INSERT INTO accounts SELECT g, g * 10, md5(g::text) FROM generate_series(1, 25000) g");
            CompareBench.Checksum all = CompareBench.checksum(c);
            assertThat(all.rows()).isEqualTo(25_000);
            assertThat(CompareBench.checksum(c)).isEqualTo(all);

            BenchSql.execute(c, "UPDATE accounts SET balance = balance + 1 WHERE id = 17000");
            CompareBench.Checksum balance = CompareBench.checksum(c);
            BenchSql.execute(c, "UPDATE accounts SET balance = balance - 1, note = 'x' WHERE id = 17000");
            CompareBench.Checksum note = CompareBench.checksum(c);
            BenchSql.execute(c, "UPDATE accounts SET note = md5('17000') WHERE id = 17000");

            assertThat(List.of(balance, note)).doesNotContain(all).doesNotHaveDuplicates();
            assertThat(CompareBench.checksum(c)).isEqualTo(all);
        }
    }

    private CompareBench.Outcome shortRun(String systems) throws Exception {
        return new CompareBench(CompareBench.Options.parse(BenchSql.parseArgs("--short", "--systems=" + systems))).run();
    }
}
