package io.lrep.node.cli;

import static io.lrep.node.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short version of {@code lrep demo} that CI runs: exit code 0 only when the tables match. */
class DemoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void shouldReplicateTheLoadAndFindTheTablesEqual() {
        CliRun r = run("demo", "--duration=3", "--clients=2", "--accounts=2000", "--dir", tmp.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("Working directory: " + tmp.toAbsolutePath())
                .containsPattern("status page http://127\\.0\\.0\\.1:\\d+/ ")
                .containsPattern("Prometheus http://127\\.0\\.0\\.1:\\d+/metrics")
                .containsPattern("  3s +\\d+ tps \\| pub WAL \\S+  sub applied \\S+  lag \\S+ B \\d+ ms  ready \\d/2  copied \\d+ applied")
                .contains("OK: tables match row for row (accounts 2000 rows, history ");
        assertThat(r.out().lines().filter(l -> l.matches("\\s*\\d+s\\s+\\d+ tps.*"))).hasSize(3);
    }

    @Test
    void shouldExitNonZeroWhenTheTablesDiffer() {
        CliRun r = run("demo", "--duration=1", "--clients=1", "--accounts=500", "--dir", tmp.toString(), "--break-subscriber");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("MISMATCH: the subscriber's table accounts differs").doesNotContain("tables match");
    }

    @Test
    void shouldRefuseAUsedWorkingDirectory() {
        assertThat(run("demo", "--duration=1", "--clients=1", "--accounts=100", "--dir", tmp.toString()).exitCode()).isZero();
        CliRun again = run("demo", "--duration=1", "--dir", tmp.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already exists").contains("--dir");
    }
}
