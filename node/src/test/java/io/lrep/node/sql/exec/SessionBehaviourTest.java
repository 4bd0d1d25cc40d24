package io.lrep.node.sql.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.CopyStream;
import io.lrep.node.sql.ExecuteResult;
import io.lrep.node.sql.Portal;
import io.lrep.node.sql.Prepared;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session contract as the protocol server uses it: extended protocol, portals, COPY, cancel, isolation. */
class SessionBehaviourTest {

    private SqlHarness h;
    private SqlSession s;

    @BeforeEach
    void setUp() {
        h = new SqlHarness();
        s = h.session();
        assertThat(SqlHarness.run(s, "CREATE TABLE t (id int PRIMARY KEY, name text, v numeric(10,2))")).isEqualTo("CREATE TABLE");
        assertThat(SqlHarness.run(s, "INSERT INTO t SELECT g, 'n' || g, g FROM generate_series(1, 10) g")).isEqualTo("INSERT 0 10");
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static List<PgType> types(List<ColumnInfo> cols) {
        List<PgType> out = new ArrayList<>();
        for (ColumnInfo c : cols) {
            out.add(c.type());
        }
        return out;
    }

    /** Parse, bind, execute, sync: the extended protocol's round trip. */
    private List<Object[]> extended(String sql, Object... params) {
        Prepared p = s.prepare(sql, new int[0]);
        Portal portal = s.bind(p, params);
        List<Object[]> rows = new ArrayList<>();
        s.execute(portal, 0, rows::add);
        s.endOfQuery();
        return rows;
    }

    @Test
    void resultColumnTypes() {
        Prepared p = s.prepare("SELECT count(*), 1 + 1, 'a' || 'b', now(), sum(id), avg(id), sum(id::int8), max(name), v FROM t GROUP BY v",
                new int[0]);
        assertThat(types(p.columns())).containsExactly(PgType.INT8, PgType.INT4, PgType.TEXT, PgType.TIMESTAMPTZ, PgType.INT8,
                PgType.NUMERIC, PgType.NUMERIC, PgType.TEXT, PgType.NUMERIC);
        assertThat(p.columns().get(0).name()).isEqualTo("count");
        assertThat(p.columns().get(1).name()).isEqualTo("?column?");
        ColumnInfo v = p.columns().get(8);
        assertThat(v.tableOid()).isPositive();
        assertThat(v.attnum()).isEqualTo((short) 3);
        assertThat(v.typmod()).isEqualTo(io.lrep.core.types.TypMod.numeric(10, 2));
        s.endOfQuery();
    }

    @Test
    void parameterTypesAreInferred() {
        Prepared p = s.prepare("UPDATE t SET name = $1, v = $2 WHERE id = $3", new int[0]);
        assertThat(p.parameterTypes()).containsExactly(PgType.TEXT, PgType.NUMERIC, PgType.INT4);
        Prepared q = s.prepare("SELECT $1, name FROM t WHERE id = $2", new int[] {0, 20});
        assertThat(q.parameterTypes()).containsExactly(PgType.TEXT, PgType.INT8);
        Prepared r = s.prepare("INSERT INTO t VALUES ($1, $2, $3)", new int[0]);
        assertThat(r.parameterTypes()).containsExactly(PgType.INT4, PgType.TEXT, PgType.NUMERIC);
        s.endOfQuery();
        Portal b = s.bind(r, new Object[] {100, "x", new java.math.BigDecimal("1.5")});
        assertThat(s.execute(b, 0, row -> true).commandTag()).isEqualTo("INSERT 0 1");
        s.endOfQuery();
        assertThat(extended("SELECT name, v FROM t WHERE id = $1", 100).get(0)).containsExactly("x", new java.math.BigDecimal("1.50"));
    }

    @Test
    void primaryKeyEqualityUsesAPointLookup() {
        ExecSession es = (ExecSession) s;
        extended("SELECT name FROM t WHERE id = $1", 3);
        assertThat(es.lastGets).isEqualTo(1);
        assertThat(es.lastScans).isZero();
        extended("UPDATE t SET v = v + 1 WHERE id = $1", 3);
        assertThat(es.lastGets).isEqualTo(1);
        assertThat(es.lastScans).isZero();
        extended("SELECT name FROM t WHERE id > $1", 3);
        assertThat(es.lastScans).isEqualTo(1);
        assertThat(SqlHarness.run(s, "EXPLAIN SELECT * FROM t WHERE id = 5")).isEqualTo("Index Scan using t_pkey on t (filter)");
        // a join on the inner table's primary key looks rows up instead of scanning it
        assertThat(SqlHarness.run(s, "CREATE TABLE r (k int PRIMARY KEY, t_id int)")).isEqualTo("CREATE TABLE");
        assertThat(SqlHarness.run(s, "INSERT INTO r VALUES (1, 2), (2, 3), (3, 99)")).isEqualTo("INSERT 0 3");
        assertThat(SqlHarness.run(s, "SELECT r.k, t.name FROM r JOIN t ON t.id = r.t_id ORDER BY r.k")).isEqualTo("1|n2\n2|n3");
        assertThat(es.lastGets).isEqualTo(3);
        assertThat(es.lastScans).isEqualTo(1);
        assertThat(SqlHarness.run(s, "SELECT r.k, t.name FROM r LEFT JOIN t ON t.id = r.t_id ORDER BY r.k")).isEqualTo("1|n2\n2|n3\n3|null");
    }

    @Test
    void preparedStatementIsReplannedAfterDdl() {
        Prepared p = s.prepare("SELECT name FROM t WHERE id = $1", new int[0]);
        s.endOfQuery();
        assertThat(SqlHarness.run(s, "ALTER TABLE t ADD COLUMN extra int")).isEqualTo("ALTER TABLE");
        List<Object[]> rows = new ArrayList<>();
        s.execute(s.bind(p, new Object[] {2}), 0, rows::add);
        s.endOfQuery();
        assertThat(rows.get(0)).containsExactly("n2");
        Prepared star = s.prepare("SELECT * FROM t WHERE id = $1", new int[0]);
        s.endOfQuery();
        assertThat(SqlHarness.run(s, "ALTER TABLE t DROP COLUMN extra")).isEqualTo("ALTER TABLE");
        assertThatThrownBy(() -> s.execute(s.bind(star, new Object[] {2}), 0, r -> true))
                .hasMessage("cached plan must not change result type");
        s.abortImplicit();
    }

    @Test
    void portalSuspendsAndResumes() {
        Prepared p = s.prepare("SELECT id FROM t ORDER BY id", new int[0]);
        Portal portal = s.bind(p, new Object[0]);
        List<Object> got = new ArrayList<>();
        ExecuteResult r1 = s.execute(portal, 4, row -> got.add(row[0]));
        assertThat(r1.status()).isEqualTo(ExecuteResult.Status.SUSPENDED);
        assertThat(got).containsExactly(1, 2, 3, 4);
        ExecuteResult r2 = s.execute(portal, 4, row -> got.add(row[0]));
        assertThat(r2.status()).isEqualTo(ExecuteResult.Status.SUSPENDED);
        ExecuteResult r3 = s.execute(portal, 4, row -> got.add(row[0]));
        assertThat(r3).isEqualTo(ExecuteResult.complete("SELECT 10"));
        assertThat(got).hasSize(10);
        s.endOfQuery();
        // RETURNING rows are buffered and handed out the same way
        Prepared d = s.prepare("DELETE FROM t WHERE id <= 3 RETURNING id", new int[0]);
        Portal dp = s.bind(d, new Object[0]);
        List<Object> del = new ArrayList<>();
        assertThat(s.execute(dp, 2, row -> del.add(row[0])).status()).isEqualTo(ExecuteResult.Status.SUSPENDED);
        assertThat(s.execute(dp, 2, row -> del.add(row[0]))).isEqualTo(ExecuteResult.complete("DELETE 3"));
        s.endOfQuery();
        assertThat(del).hasSize(3);
    }

    @Test
    void copyTextAndCsvRoundTrip() {
        assertThat(SqlHarness.run(s, "CREATE TABLE c (id int PRIMARY KEY, s text, n int)")).isEqualTo("CREATE TABLE");
        copyIn("COPY c FROM STDIN", "1\ta\\tb\t\\N\n2\tline\\nbreak\t5\n\\.\n");
        assertThat(copyOut("COPY c TO STDOUT")).isEqualTo("1\ta\\tb\t\\N\n2\tline\\nbreak\t5\n");
        copyIn("COPY c (id, s) FROM STDIN (FORMAT csv, HEADER)", "id,s\n3,\"x, \"\"y\"\"\"\n4,\n");
        assertThat(copyOut("COPY (SELECT id, s FROM c WHERE id >= 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)"))
                .isEqualTo("id,s\n3,\"x, \"\"y\"\"\"\n4,\n");
        assertThatThrownBy(() -> copyIn("COPY c FROM STDIN", "9\tx\n"))
                .isInstanceOf(LrepException.class).hasMessage("missing data for column \"n\"");
        assertThatThrownBy(() -> copyIn("COPY c FROM STDIN", "9\tx\t1\t2\n"))
                .isInstanceOf(LrepException.class).hasMessage("extra data after last expected column");
        assertThatThrownBy(() -> copyIn("COPY c FROM STDIN", "x\tx\t1\n"))
                .isInstanceOf(LrepException.class).hasMessage("invalid input syntax for type integer: \"x\"");
        assertThat(SqlHarness.run(s, "SELECT count(*) FROM c")).isEqualTo("4");
        // pgbench -i loads its accounts like this
        copyIn("copy c from stdin with (freeze on)", "10\t\t0\n11\t\t0\n\\.\n");
        assertThat(SqlHarness.run(s, "SELECT id, s = '', n FROM c WHERE id >= 10 ORDER BY id")).isEqualTo("10|t|0\n11|t|0");
    }

    private void copyIn(String sql, String data) {
        try {
            List<Prepared> ps = s.prepareAll(sql);
            Portal p = s.bind(ps.get(0), new Object[0]);
            assertThat(s.execute(p, 0, r -> true)).isEqualTo(ExecuteResult.COPY);
            CopyStream c = p.copy();
            byte[] b = data.getBytes(StandardCharsets.UTF_8);
            // in two pieces, split mid-row, as CopyData messages may be
            c.write(b, 0, b.length / 2);
            c.write(b, b.length / 2, b.length - b.length / 2);
            assertThat(c.finish()).startsWith("COPY ");
            s.endOfQuery();
        } catch (LrepException e) {
            s.abortImplicit();
            throw e;
        }
    }

    private String copyOut(String sql) {
        List<Prepared> ps = s.prepareAll(sql);
        Portal p = s.bind(ps.get(0), new Object[0]);
        assertThat(s.execute(p, 0, r -> true)).isEqualTo(ExecuteResult.COPY);
        StringBuilder sb = new StringBuilder();
        byte[] chunk;
        while ((chunk = p.copy().read()) != null) {
            sb.append(new String(chunk, StandardCharsets.UTF_8));
        }
        s.endOfQuery();
        return sb.toString();
    }

    @Test
    void repeatableReadConflictIs40001() {
        SqlSession other = h.session();
        assertThat(SqlHarness.run(s, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT name FROM t WHERE id = 1"))
                .isEqualTo("BEGIN\nn1");
        assertThat(SqlHarness.run(other, "UPDATE t SET name = 'other' WHERE id = 1")).isEqualTo("UPDATE 1");
        assertThat(SqlHarness.run(s, "SELECT name FROM t WHERE id = 1")).isEqualTo("n1");
        assertThat(SqlHarness.run(s, "UPDATE t SET name = 'mine' WHERE id = 1"))
                .startsWith("ERROR 40001: could not serialize access due to concurrent update");
        assertThat(s.transactionStatus()).isEqualTo('E');
        assertThat(SqlHarness.run(s, "ROLLBACK")).isEqualTo("ROLLBACK");
        assertThat(s.transactionStatus()).isEqualTo('I');
    }

    @Test
    void readCommittedRechecksAConcurrentlyUpdatedRow() throws Exception {
        SqlSession other = h.session();
        assertThat(SqlHarness.run(other, "BEGIN; UPDATE t SET v = 100 WHERE id = 1")).isEqualTo("BEGIN\nUPDATE 1");
        CompletableFuture<String> blocked = CompletableFuture.supplyAsync(() -> SqlHarness.run(s, "UPDATE t SET v = v + 1 WHERE v < 50"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> h.storage.waitingCount() == 1);
        assertThat(SqlHarness.run(other, "COMMIT")).isEqualTo("COMMIT");
        // the row now fails the WHERE clause on its newest version, so it is skipped
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo("UPDATE 9");
        assertThat(SqlHarness.run(s, "SELECT v FROM t WHERE id = 1")).isEqualTo("100.00");
    }

    @Test
    void cancelStopsALockWaitAndSleep() throws Exception {
        SqlSession other = h.session();
        assertThat(SqlHarness.run(other, "BEGIN; UPDATE t SET v = 0 WHERE id = 2")).isEqualTo("BEGIN\nUPDATE 1");
        CompletableFuture<String> blocked = CompletableFuture.supplyAsync(() -> SqlHarness.run(s, "UPDATE t SET v = 1 WHERE id = 2"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> h.storage.waitingCount() == 1);
        s.cancel();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo("ERROR 57014: canceling statement due to user request");
        SqlHarness.run(other, "ROLLBACK");
        CompletableFuture<String> sleeping = CompletableFuture.supplyAsync(() -> SqlHarness.run(s, "SELECT pg_sleep(30)"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            s.cancel();
            assertThat(sleeping).isDone();
        });
        assertThat(sleeping.get()).isEqualTo("ERROR 57014: canceling statement due to user request");
        assertThat(SqlHarness.run(s, "SELECT 1")).isEqualTo("1");
    }

    @Test
    void statementTimeout() {
        assertThat(SqlHarness.run(s, "SET statement_timeout = 50; SELECT pg_sleep(10)"))
                .isEqualTo("SET\nERROR 57014: canceling statement due to statement timeout");
        assertThat(SqlHarness.run(s, "SELECT 1")).isEqualTo("1");
    }

    @Test
    void errorsCarryPositions() {
        assertThatThrownBy(() -> s.prepareAll("SELECT 1 FRM t")).isInstanceOf(LrepException.class)
                .satisfies(e -> {
                    LrepException x = (LrepException) e;
                    assertThat(x.sqlState().code()).isEqualTo("42601");
                    assertThat(x.position()).isEqualTo(14);
                });
        assertThatThrownBy(() -> s.prepare("SELECT * FROM nosuch", new int[0])).isInstanceOf(LrepException.class)
                .satisfies(e -> assertThat(((LrepException) e).position()).isEqualTo(15));
        s.abortImplicit();
        assertThatThrownBy(() -> s.prepare("SELECT id, nosuch FROM t", new int[0])).isInstanceOf(LrepException.class)
                .satisfies(e -> {
                    LrepException x = (LrepException) e;
                    assertThat(x.sqlState().code()).isEqualTo("42703");
                    assertThat(x.position()).isEqualTo(12);
                });
        s.abortImplicit();
        assertThat(s.transactionStatus()).isEqualTo('I');
    }

    @Test
    void unknownDatabase() {
        assertThatThrownBy(() -> h.engine.openSession(new SessionContext("postgres", "nope", 1, Map.of(), "false", "x")))
                .isInstanceOf(LrepException.class).hasMessage("database \"nope\" does not exist")
                .extracting(e -> ((LrepException) e).sqlState().code()).isEqualTo("3D000");
    }

    @Test
    void startupSettingsAndReportedParameters() {
        SqlSession c = h.engine.openSession(new SessionContext("postgres", "postgres", 7, Map.of("application_name", "psql",
                "DateStyle", "ISO", "client_encoding", "UTF8"), "false", "x"));
        Map<String, String> rep = c.reportedParameters();
        assertThat(rep).containsEntry("server_version", "15.0").containsEntry("application_name", "psql")
                .containsEntry("DateStyle", "ISO, MDY").containsEntry("integer_datetimes", "on")
                .containsEntry("standard_conforming_strings", "on").containsEntry("is_superuser", "on")
                .containsEntry("session_authorization", "postgres").containsEntry("TimeZone", "UTC");
        assertThat(SqlHarness.run(c, "SET application_name = 'x'; SET TimeZone = 'UTC'")).isEqualTo("SET\nSET");
        assertThat(c.drainParameterChanges()).containsExactly(Map.entry("application_name", "x"));
        c.close();
    }

    @Test
    void savepoints() {
        assertThat(SqlHarness.run(s, "BEGIN; INSERT INTO t VALUES (50, 'a', 1); SAVEPOINT sp; INSERT INTO t VALUES (51, 'b', 1)"))
                .isEqualTo("BEGIN\nINSERT 0 1\nSAVEPOINT\nINSERT 0 1");
        assertThat(SqlHarness.run(s, "INSERT INTO t VALUES (50, 'dup', 1)")).startsWith("ERROR 23505");
        assertThat(s.transactionStatus()).isEqualTo('E');
        assertThat(SqlHarness.run(s, "ROLLBACK TO SAVEPOINT sp")).isEqualTo("ROLLBACK");
        assertThat(s.transactionStatus()).isEqualTo('T');
        assertThat(SqlHarness.run(s, "SAVEPOINT sp2; INSERT INTO t VALUES (52, 'c', 1); RELEASE sp2; COMMIT"))
                .isEqualTo("SAVEPOINT\nINSERT 0 1\nRELEASE\nCOMMIT");
        assertThat(SqlHarness.run(s, "SELECT id FROM t WHERE id >= 50 ORDER BY id")).isEqualTo("50\n52");
        assertThat(SqlHarness.run(s, "SAVEPOINT x")).isEqualTo("ERROR 25P01: SAVEPOINT can only be used in transaction blocks");
        assertThat(SqlHarness.run(s, "BEGIN; ROLLBACK TO nope")).isEqualTo("BEGIN\nERROR 3B001: savepoint \"nope\" does not exist");
        SqlHarness.run(s, "ROLLBACK");
    }
}
