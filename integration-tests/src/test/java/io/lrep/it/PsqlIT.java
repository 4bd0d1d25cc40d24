package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real psql against a node: commands, a script with meta-commands, and errors. */
class PsqlIT {

    @TempDir
    static Path tmp;

    static TestNode node;
    static Path psql;

    @BeforeAll
    static void start() {
        psql = Binaries.find("psql").orElse(null);
        assumeTrue(psql != null, Binaries.missing("psql"));
        node = TestNode.start(tmp.resolve("data"), Map.of());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Processes.Result psql(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(psql.toString(), "-X", "-h", "127.0.0.1", "-p", Integer.toString(node.port()),
                "-U", TestNode.SUPERUSER, "-d", "postgres", "-v", "ON_ERROR_STOP=1"));
        command.addAll(List.of(args));
        return Processes.run(tmp, Map.of("PGCONNECT_TIMEOUT", "10"), command, 60);
    }

    @Test
    void shouldRunCommandsAndShowResultsAsPostgresqlDoes() throws Exception {
        Processes.Result r = psql("-c", "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2))",
                "-c", "INSERT INTO items VALUES (1, 'apple', 1.50), (2, 'pear', 2.25)",
                "-c", "SELECT id, name, price FROM items ORDER BY id");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.stdout()).contains("CREATE TABLE", "INSERT 0 2")
                .contains(" id | name  | price ")
                .contains("  1 | apple |  1.50")
                .contains("  2 | pear  |  2.25")
                .contains("(2 rows)");
    }

    @Test
    void shouldDescribeTablesWithMetaCommands() throws Exception {
        Path script = tmp.resolve("describe.sql");
        Files.writeString(script, """
                CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL DEFAULT 'nobody', total numeric(12,2));
                \\conninfo
                \\dt
                \\d orders
                """);
        Processes.Result r = psql("-f", script.toString());
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.stdout())
                .contains("You are connected to database \"postgres\" as user \"" + TestNode.SUPERUSER + "\" on host \"127.0.0.1\"")
                .containsPattern("public \\| orders +\\| table \\| " + TestNode.SUPERUSER)
                .contains("Table \"public.orders\"")
                .containsPattern("id +\\| bigint +\\| +\\| not null \\| nextval\\('orders_id_seq'::regclass\\)")
                .containsPattern("customer +\\| text +\\| +\\| not null \\| 'nobody'::text")
                .containsPattern("total +\\| numeric\\(12,2\\)")
                .contains("\"orders_pkey\" PRIMARY KEY, btree (id)");
    }

    @Test
    void shouldReportErrorsWithTheirPositionAndKeepServing() throws Exception {
        Processes.Result bad = psql("-c", "SELECT * FRM nowhere");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr()).contains("ERROR:  syntax error at or near \"FRM\"").contains("LINE 1: SELECT * FRM nowhere");
        Processes.Result missing = psql("-c", "SELECT * FROM nowhere");
        assertThat(missing.stderr()).contains("ERROR:  relation \"nowhere\" does not exist");
        Processes.Result ok = psql("-A", "-t", "-c", "SELECT 40 + 2");
        assertThat(ok.stdout().trim()).isEqualTo("42");
    }
}
