package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real pgbench, 8 clients, a custom script of one INSERT and one UPDATE by primary key per transaction. */
class PgbenchIT {

    static final String SCRIPT = """
            \\set aid random(1, 1000)
            \\set delta random(-5000, 5000)
            INSERT INTO history (aid, delta, mtime) VALUES (:aid, :delta, now());
            UPDATE accounts SET abalance = abalance + :delta WHERE aid = :aid;
            """;

    @TempDir
    Path tmp;

    @Test
    void shouldRunPgbenchWithEightClientsAndLoseNothing() throws Exception {
        Path pgbench = Binaries.find("pgbench").orElse(null);
        assumeTrue(pgbench != null, Binaries.missing("pgbench"));
        try (TestNode node = TestNode.start(tmp.resolve("data"), Map.of())) {
            try (Connection c = node.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE accounts (aid int PRIMARY KEY, abalance int NOT NULL DEFAULT 0)");
                s.execute("CREATE TABLE history (id bigserial PRIMARY KEY, aid int, delta int, mtime timestamptz)");
                s.execute("INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 1000) g");
            }
            Path script = tmp.resolve("txn.sql");
            Files.writeString(script, SCRIPT);
            Processes.Result r = Processes.run(tmp, Map.of(), List.of(pgbench.toString(), "-n", "-h", "127.0.0.1",
                    "-p", Integer.toString(node.port()), "-U", TestNode.SUPERUSER, "-c", "8", "-j", "2", "-T", "3",
                    "-f", script.toString(), "postgres"), 120);
            assertThat(r.exitCode()).as(r.all()).isZero();
            Matcher m = Pattern.compile("number of transactions actually processed: (\\d+)").matcher(r.stdout());
            assertThat(m.find()).as(r.stdout()).isTrue();
            long processed = Long.parseLong(m.group(1));
            assertThat(processed).isPositive();
            assertThat(r.stdout()).contains("number of failed transactions: 0");
            try (Connection c = node.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM history), (SELECT sum(delta) FROM history), "
                            + "(SELECT sum(abalance) FROM accounts)")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("one history row per transaction").isEqualTo(processed);
                assertThat(rs.getLong(3)).as("balances moved by exactly the deltas").isEqualTo(rs.getLong(2));
            }
        }
    }
}
