package io.lrep.node.sql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.node.sql.SqlSession;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Table-driven SQL scripts: each step is a statement and the text SqlHarness.run gives for it. */
class SqlScriptTest {

    private SqlHarness h;
    private SqlSession s;

    @BeforeEach
    void setUp() {
        h = new SqlHarness();
        s = h.session();
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private void script(String... steps) {
        SqlHarness.script(s, steps);
    }

    @Test
    void expressionsAndTypes() {
        script(
                "SELECT 1 + 1", "2",
                "SELECT 'a' || 'b', 'x' || 1, 1 || 'y'", "ab|x1|1y",
                "SELECT 7 / 2, 7 % 3, -7 / 2, 7.0 / 2", "3|1|-3|3.5000000000000000",
                "SELECT 1/3::numeric", "0.33333333333333333333",
                "SELECT 1/0", "ERROR 22012: division by zero",
                "SELECT 2147483647 + 1", "ERROR 22003: integer out of range",
                "SELECT 2147483647::int8 + 1", "2147483648",
                "SELECT 1 = 1.0, 2 > 1::int8, 'abc' < 'abd', NULL = 1", "t|t|t|null",
                "SELECT '42'::int + 1, CAST('2024-01-02' AS date), 't'::bool, 'true'::boolean", "43|2024-01-02|t|t",
                "SELECT 'abc'::int", "ERROR 22P02: invalid input syntax for type integer: \"abc\"",
                "SELECT NULL IS NULL, 1 IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL", "t|t|t",
                "SELECT 5 BETWEEN 1 AND 10, 3 IN (1,2,3), 4 NOT IN (1,2)", "t|t|t",
                "SELECT CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END, CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "b|two",
                "SELECT coalesce(NULL, 2, 3), nullif(1, 1), greatest(1, 5, 3), least(4, 2)", "2|null|5|2",
                "SELECT 'abc' LIKE 'a%', 'ABC' ILIKE 'a_c', 'a_c' LIKE 'a\\_c', 'abc' ~ '^a.c$', 'ABC' ~* 'abc', 'abc' !~ 'x'",
                "t|t|t|t|t|t",
                "SELECT 2 = ANY(ARRAY[1,2,3]), 5 = ANY('{1,2}'), 3 > ALL(ARRAY[1,2])", "t|f|t",
                "SELECT length('héllo'), upper('abc'), lower('ABC'), substr('abcdef', 2, 3), substring('abcdef' from 3)",
                "5|ABC|abc|bcd|cdef",
                "SELECT position('c' in 'abcd'), strpos('abcd', 'd'), replace('aXbX', 'X', '-'), trim('  x  '), btrim('xxaxx', 'x')",
                "3|4|a-b-|x|a",
                "SELECT concat('a', 1, NULL, true), concat_ws(',', 'a', NULL, 'b'), left('abc', 2), right('abc', 2)", "a1t|a,b|ab|bc",
                "SELECT lpad('7', 3, '0'), rpad('a', 3), repeat('ab', 2), split_part('a,b,c', ',', 2), md5('a')",
                "007|a  |abab|b|0cc175b9c0f1b6a831c399e269772661",
                "SELECT format('%s-%I-%L', 'x', 'My Col', 'it''s')", "x-\"My Col\"-'it''s'",
                "SELECT abs(-3), round(2.567, 2), trunc(2.9), ceil(2.1), floor(2.9), mod(7, 3), power(2, 10), sqrt(16::float8)",
                "3|2.57|2|3|2|1|1024|4",
                "SELECT array_length(ARRAY[1,2,3], 1), array_to_string(ARRAY['a','b'], '-'), cardinality(ARRAY[1])", "3|a-b|1",
                "SELECT pg_typeof(1)::text, pg_typeof('a'::text)::text, pg_typeof(1.5)::text", "integer|text|numeric",
                "SELECT current_user, session_user, current_database(), current_schema()", "postgres|postgres|postgres|public",
                "SELECT version() LIKE 'PostgreSQL 15%'", "t",
                "SELECT 10 - 3 * 2, (10 - 3) * 2, 2 ^ 3", "4|14|8");
    }

    @Test
    void tablesAndDml() {
        script(
                "CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x', v numeric(10,2))", "CREATE TABLE",
                "INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', 2)", "INSERT 0 2",
                "INSERT INTO t (id) VALUES (3)", "INSERT 0 1",
                "SELECT * FROM t ORDER BY id", "1|a|1.50\n2|b|2.00\n3|x|null",
                "INSERT INTO t VALUES (1, 'dup', 0)", "ERROR 23505: duplicate key value violates unique constraint \"t_pkey\"",
                "INSERT INTO t VALUES (4, NULL, 0)",
                "ERROR 23502: null value in column \"name\" of relation \"t\" violates not-null constraint",
                "UPDATE t SET name = name || '!' WHERE id = 2", "UPDATE 1",
                "UPDATE t SET v = v * 2 WHERE v IS NOT NULL RETURNING id, v", "1|3.00\n2|4.00",
                "DELETE FROM t WHERE id = 3", "DELETE 1",
                "SELECT id, name FROM t WHERE id = 2", "2|b!",
                "INSERT INTO t VALUES (1, 'z', 0) ON CONFLICT DO NOTHING", "INSERT 0 0",
                "INSERT INTO t VALUES (1, 'z', 0), (5, 'e', 0) ON CONFLICT (id) DO UPDATE SET name = excluded.name || t.name",
                "INSERT 0 2",
                "SELECT id, name FROM t ORDER BY id", "1|za\n2|b!\n5|e",
                "SELECT nosuch FROM t", "ERROR 42703: column \"nosuch\" does not exist",
                "SELECT * FROM nosuch", "ERROR 42P01: relation \"nosuch\" does not exist",
                "TRUNCATE t", "TRUNCATE TABLE",
                "SELECT count(*) FROM t", "0",
                "DROP TABLE t", "DROP TABLE",
                "DROP TABLE t", "ERROR 42P01: table \"t\" does not exist");
    }

    @Test
    void serialIdentityAndSequences() {
        script(
                "CREATE TABLE u (a bigserial PRIMARY KEY, b varchar(5))", "CREATE TABLE",
                "INSERT INTO u (b) VALUES ('x'), ('y') RETURNING a", "1\n2",
                "INSERT INTO u (b) VALUES ('toolong')", "ERROR 22001: value too long for type character varying(5)",
                "SELECT currval('u_a_seq'), lastval()", "2|2",
                "CREATE TABLE g (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, x int)", "CREATE TABLE",
                "INSERT INTO g (x) VALUES (10) RETURNING id", "1",
                "INSERT INTO g VALUES (5, 1)", "ERROR 428C9: cannot insert a non-DEFAULT value into column \"id\"",
                "INSERT INTO g OVERRIDING SYSTEM VALUE VALUES (5, 1)", "INSERT 0 1",
                "CREATE SEQUENCE s1 START 10 INCREMENT 5", "CREATE SEQUENCE",
                "SELECT currval('s1')", "ERROR 55000: currval of sequence \"s1\" is not yet defined in this session",
                "SELECT nextval('s1'), nextval('s1')", "10|15",
                "SELECT setval('s1', 100), nextval('s1')", "100|105",
                "SELECT last_value FROM s1", "105");
    }

    @Test
    void queries() {
        script(
                "CREATE TABLE a (id int PRIMARY KEY, g text, n int)", "CREATE TABLE",
                "CREATE TABLE b (id int PRIMARY KEY, a_id int, label text)", "CREATE TABLE",
                "INSERT INTO a VALUES (1, 'x', 10), (2, 'x', 20), (3, 'y', NULL), (4, 'z', 5)", "INSERT 0 4",
                "INSERT INTO b VALUES (1, 1, 'one'), (2, 1, 'uno'), (3, 2, 'two'), (4, 9, 'nine')", "INSERT 0 4",
                "SELECT g, count(*), count(n), sum(n), avg(n), min(n), max(n) FROM a GROUP BY g ORDER BY g",
                "x|2|2|30|15.0000000000000000|10|20\ny|1|0|null|null|null|null\nz|1|1|5|5.0000000000000000|5|5",
                "SELECT g FROM a GROUP BY g HAVING sum(n) > 10", "x",
                "SELECT string_agg(g, ',' ORDER BY g), bool_and(n > 1), bool_or(n > 15) FROM a", "x,x,y,z|t|t",
                "SELECT DISTINCT g FROM a ORDER BY g DESC", "z\ny\nx",
                "SELECT DISTINCT ON (g) g, id FROM a ORDER BY g, id DESC", "x|2\ny|3\nz|4",
                "SELECT id FROM a ORDER BY n NULLS FIRST LIMIT 2", "3\n4",
                "SELECT id FROM a ORDER BY n DESC LIMIT 2 OFFSET 1", "2\n1",
                "SELECT a.id, b.label FROM a JOIN b ON b.a_id = a.id ORDER BY b.id", "1|one\n1|uno\n2|two",
                "SELECT a.id, b.label FROM a LEFT JOIN b ON b.a_id = a.id WHERE a.id > 2 ORDER BY a.id", "3|null\n4|null",
                "SELECT a.id, b.id FROM a RIGHT JOIN b ON b.a_id = a.id ORDER BY b.id", "1|1\n1|2\n2|3\nnull|4",
                "SELECT count(*) FROM a FULL JOIN b ON b.a_id = a.id", "6",
                "SELECT count(*) FROM a CROSS JOIN b", "16",
                "SELECT count(*) FROM a, b WHERE a.id = b.a_id", "3",
                "SELECT id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.a_id = a.id) ORDER BY 1", "1\n2",
                "SELECT id FROM a WHERE id IN (SELECT a_id FROM b) ORDER BY id", "1\n2",
                "SELECT id, (SELECT count(*) FROM b WHERE b.a_id = a.id) FROM a ORDER BY id", "1|2\n2|1\n3|0\n4|0",
                "SELECT (SELECT id FROM b)", "ERROR 21000: more than one row returned by a subquery used as an expression",
                "SELECT x FROM (SELECT id * 2 AS x FROM a) s WHERE x > 4 ORDER BY x", "6\n8",
                "SELECT id FROM a UNION SELECT id FROM b ORDER BY 1", "1\n2\n3\n4",
                "SELECT g FROM a UNION ALL SELECT label FROM b WHERE id = 1", "x\nx\ny\nz\none",
                "SELECT id FROM a INTERSECT SELECT a_id FROM b", "1\n2",
                "SELECT id FROM a EXCEPT SELECT a_id FROM b ORDER BY id", "3\n4",
                "SELECT * FROM generate_series(1, 3)", "1\n2\n3",
                "SELECT a.id, (SELECT string_agg(x, ',') FROM unnest(ARRAY[a.g, a.g || '!']) x) FROM a WHERE a.id = 1", "1|x,x!",
                "SELECT a.id, u.v FROM a, unnest(ARRAY[a.id * 10]) u(v) WHERE a.id < 3 ORDER BY 1", "1|10\n2|20",
                "SELECT (SELECT count(*) FROM (VALUES (a.id), (a.id)) v(x)) FROM a WHERE id = 4", "2",
                "SELECT generate_series(1, 2), 'x'", "1|x\n2|x",
                "SELECT * FROM unnest(ARRAY['a','b']) AS u(v)", "a\nb",
                "VALUES (1, 'a'), (2, 'b')", "1|a\n2|b",
                "SELECT array_agg(id ORDER BY id) FROM a", "{1,2,3,4}",
                "SELECT ARRAY(SELECT id FROM b WHERE a_id = 1 ORDER BY id)", "{1,2}",
                "SELECT g, n FROM a WHERE id = 1", "x|10",
                "SELECT id FROM a a1 WHERE n > (SELECT avg(n) FROM a)", "2",
                "SELECT g, count(*) FROM a GROUP BY 1 ORDER BY 2 DESC, 1", "x|2\ny|1\nz|1",
                "SELECT id, row_number() OVER (ORDER BY n DESC NULLS LAST), rank() OVER (PARTITION BY g ORDER BY id), "
                        + "count(*) OVER (PARTITION BY g) FROM a ORDER BY id", "1|2|1|2\n2|1|2|2\n3|4|1|1\n4|3|1|1",
                "SELECT id, sum(n) OVER (ORDER BY id) FROM a ORDER BY id", "1|10\n2|30\n3|30\n4|35",
                "SELECT g, count(*), sum(count(*)) OVER () FROM a GROUP BY g ORDER BY g", "x|2|4\ny|1|4\nz|1|4",
                "SELECT id, n FROM a GROUP BY id", "ERROR 42803: column \"a.n\" must appear in the GROUP BY clause or be used in an aggregate function",
                "SELECT id FROM a, b", "ERROR 42702: column reference \"id\" is ambiguous");
    }

    @Test
    void transactionsAndSettings() {
        script(
                "CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE",
                "BEGIN", "BEGIN",
                "INSERT INTO t VALUES (1)", "INSERT 0 1",
                "SELECT 1/0", "ERROR 22012: division by zero",
                "SELECT 1", "ERROR 25P02: current transaction is aborted, commands ignored until end of transaction block",
                "COMMIT", "ROLLBACK",
                "SELECT count(*) FROM t", "0",
                "INSERT INTO t VALUES (2); INSERT INTO t VALUES (2)",
                "INSERT 0 1\nERROR 23505: duplicate key value violates unique constraint \"t_pkey\"",
                "SELECT count(*) FROM t", "0",
                "BEGIN; INSERT INTO t VALUES (3); COMMIT", "BEGIN\nINSERT 0 1\nCOMMIT",
                "SELECT count(*) FROM t", "1",
                "SHOW server_version", "15.0",
                "SHOW DateStyle", "ISO, MDY",
                "SET search_path TO public", "SET",
                "SET application_name = 'app'", "SET",
                "SHOW application_name", "app",
                "SELECT current_setting('application_name'), set_config('application_name', 'b', false)", "app|b",
                "BEGIN; SET LOCAL statement_timeout = '5s'; SHOW statement_timeout", "BEGIN\nSET\n5s",
                "COMMIT; SHOW statement_timeout", "COMMIT\n0",
                "BEGIN; SET application_name = 'rolled'; ROLLBACK; SHOW application_name", "BEGIN\nSET\nROLLBACK\nb",
                "SHOW nosuch", "ERROR 42704: unrecognized configuration parameter \"nosuch\"",
                "SET nosuch = 1", "ERROR 42704: unrecognized configuration parameter \"nosuch\"",
                "SET client_encoding = 'UNICODE'", "SET",
                "SET standard_conforming_strings = off", "ERROR 0A000: standard_conforming_strings = off is not supported",
                "BEGIN READ ONLY; INSERT INTO t VALUES (9)", "BEGIN\nERROR 25006: cannot execute INSERT in a read-only transaction",
                "ROLLBACK", "ROLLBACK",
                "SET TIME ZONE 'Europe/Berlin'; SHOW TimeZone", "SET\nEurope/Berlin",
                "RESET ALL; SHOW TimeZone", "RESET\nUTC");
        assertThat(SqlHarness.run(s, "COMMIT")).isEqualTo("COMMIT");
        assertThat(SqlHarness.notices(s)).contains("WARNING 25P01: there is no transaction in progress");
    }

    @Test
    void ddl() {
        script(
                "CREATE SCHEMA app", "CREATE SCHEMA",
                "CREATE SCHEMA app", "ERROR 42P06: schema \"app\" already exists",
                "CREATE TABLE app.items (k text PRIMARY KEY, n int)", "CREATE TABLE",
                "CREATE TABLE IF NOT EXISTS app.items (k text)", "CREATE TABLE",
                "INSERT INTO app.items VALUES ('a', 1)", "INSERT 0 1",
                "ALTER TABLE app.items ADD COLUMN extra int DEFAULT 7", "ALTER TABLE",
                "SELECT * FROM app.items", "a|1|7",
                "ALTER TABLE app.items DROP COLUMN n", "ALTER TABLE",
                "SELECT * FROM app.items", "a|7",
                "ALTER TABLE app.items REPLICA IDENTITY FULL", "ALTER TABLE",
                "ALTER TABLE app.items RENAME TO things", "ALTER TABLE",
                "SELECT k FROM app.things", "a",
                "CREATE INDEX ON app.things (k)", "CREATE INDEX",
                "CREATE INDEX ON app.things (extra)", "ERROR 0A000: CREATE INDEX is not supported (tables are indexed by their primary key only)",
                "CREATE TABLE c (a int UNIQUE)", "ERROR 0A000: UNIQUE constraints are not supported",
                "DROP SCHEMA app CASCADE", "DROP SCHEMA",
                "CREATE TABLE pk2 (a int, b int, PRIMARY KEY (a, b))", "CREATE TABLE",
                "INSERT INTO pk2 VALUES (1, 2)", "INSERT 0 1",
                "SELECT * FROM pk2 WHERE a = 1 AND b = 2", "1|2",
                "VACUUM", "VACUUM", "ANALYZE", "ANALYZE", "CHECKPOINT", "CHECKPOINT",
                "COMMENT ON TABLE pk2 IS 'x'", "COMMENT", "GRANT SELECT ON pk2 TO PUBLIC", "GRANT");
        assertThat(h.checkpoints.get()).isEqualTo(1);
        assertThat(SqlHarness.run(s, "CREATE TABLE IF NOT EXISTS pk2 (a int)")).isEqualTo("CREATE TABLE");
        assertThat(SqlHarness.notices(s)).contains("NOTICE 42P07: relation \"pk2\" already exists, skipping");
    }

    @Test
    void roles() {
        script(
                "CREATE ROLE alice LOGIN PASSWORD 'secret'", "CREATE ROLE",
                "CREATE ROLE alice", "ERROR 42710: role \"alice\" already exists",
                "CREATE USER bob", "CREATE ROLE",
                "ALTER ROLE bob SUPERUSER", "ALTER ROLE",
                "DROP ROLE carol", "ERROR 42704: role \"carol\" does not exist",
                "DROP ROLE IF EXISTS carol", "DROP ROLE");
        assertThat(Roles.find(h.storage, "alice")).hasValueSatisfying(r -> {
            assertThat(r.canLogin()).isTrue();
            assertThat(r.password()).startsWith("SCRAM-SHA-256$4096:");
        });
        assertThat(Roles.find(h.storage, "bob")).hasValueSatisfying(r -> assertThat(r.superuser() && r.canLogin()).isTrue());
        script("SET password_encryption = 'md5'", "SET", "ALTER ROLE bob PASSWORD 'pw'", "ALTER ROLE",
                "DROP ROLE alice", "DROP ROLE");
        assertThat(Roles.find(h.storage, "bob").orElseThrow().password()).startsWith("md5");
        assertThat(Roles.find(h.storage, "alice")).isEmpty();
    }

    @Test
    void pgbenchInitAndTransaction() {
        script(
                "drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers", "DROP TABLE",
                "create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))", "CREATE TABLE",
                "create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)", "CREATE TABLE",
                "create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84))",
                "CREATE TABLE",
                "create table pgbench_branches(bid int not null,bbalance int,filler char(88))", "CREATE TABLE",
                "truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers", "TRUNCATE TABLE",
                "insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 1) as bid", "INSERT 0 1",
                "insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 10) as tid",
                "INSERT 0 10",
                "insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' "
                        + "from generate_series(1, 1000) as aid", "INSERT 0 1000",
                "vacuum analyze pgbench_branches", "VACUUM",
                "alter table pgbench_branches add primary key (bid)", "ALTER TABLE",
                "alter table pgbench_tellers add primary key (tid)", "ALTER TABLE",
                "alter table pgbench_accounts add primary key (aid)", "ALTER TABLE",
                "BEGIN", "BEGIN",
                "UPDATE pgbench_accounts SET abalance = abalance + -42 WHERE aid = 17", "UPDATE 1",
                "SELECT abalance FROM pgbench_accounts WHERE aid = 17", "-42",
                "UPDATE pgbench_tellers SET tbalance = tbalance + -42 WHERE tid = 3", "UPDATE 1",
                "UPDATE pgbench_branches SET bbalance = bbalance + -42 WHERE bid = 1", "UPDATE 1",
                "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (3, 1, 17, -42, CURRENT_TIMESTAMP)", "INSERT 0 1",
                "END", "COMMIT",
                "select count(*) from pgbench_accounts", "1000",
                "SELECT n FROM pgbench_branches b CROSS JOIN LATERAL (SELECT array_position(ARRAY[1, 2], b.bid)) AS o(n)", "1");
    }

    @Test
    void syntaxErrorHasPosition() {
        assertThat(SqlHarness.run(s, "SELEC 1")).startsWith("ERROR 42601: syntax error at or near \"SELEC\"");
        List<String> ignored = SqlHarness.notices(s);
        assertThat(ignored).isEmpty();
    }
}
