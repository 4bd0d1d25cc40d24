package io.lrep.node.sql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.node.sql.SqlSession;
import io.lrep.node.sql.catalog.PublicationViews;
import io.lrep.node.sql.catalog.SystemCatalog;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CREATE / ALTER / DROP PUBLICATION, the publication views, and the UPDATE/DELETE checks, against PostgreSQL 15's behaviour. */
class PublicationSqlTest {

    private SqlHarness h;
    private SqlSession s;

    @BeforeEach
    void setUp() {
        h = new SqlHarness(List.of(new SystemCatalog(), new PublicationViews()));
        s = h.session();
        script(
                "CREATE TABLE t (a int PRIMARY KEY, b int, c text)", "CREATE TABLE",
                "CREATE TABLE nopk (a int, b int)", "CREATE TABLE",
                "CREATE SCHEMA s1", "CREATE SCHEMA",
                "CREATE TABLE s1.x (a int PRIMARY KEY)", "CREATE TABLE");
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private void script(String... steps) {
        SqlHarness.script(s, steps);
    }

    @Test
    void createForms() {
        script(
                "CREATE PUBLICATION p1 FOR TABLE t", "CREATE PUBLICATION",
                "CREATE PUBLICATION p2 FOR TABLE t (a, c) WHERE (a > 1), nopk", "CREATE PUBLICATION",
                "CREATE PUBLICATION p3 FOR TABLES IN SCHEMA s1 WITH (publish = 'insert, truncate')", "CREATE PUBLICATION",
                "CREATE PUBLICATION p4 FOR ALL TABLES WITH (publish_via_partition_root = true)", "CREATE PUBLICATION",
                "CREATE PUBLICATION p5", "CREATE PUBLICATION",
                "CREATE PUBLICATION p6 FOR TABLE ONLY t, t WITH (publish = '')", "CREATE PUBLICATION",
                "CREATE PUBLICATION p7 FOR TABLES IN SCHEMA CURRENT_SCHEMA, TABLE s1.x", "CREATE PUBLICATION",
                "SELECT pubname, pubowner, puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot"
                        + " FROM pg_publication ORDER BY pubname",
                "p1|10|f|t|t|t|t|f\np2|10|f|t|t|t|t|f\np3|10|f|t|f|f|t|f\np4|10|t|t|t|t|t|t\np5|10|f|t|t|t|t|f\n"
                        + "p6|10|f|f|f|f|f|f\np7|10|f|t|t|t|t|f",
                "SELECT * FROM pg_publication_tables ORDER BY pubname, schemaname, tablename",
                "p1|public|t|{a,b,c}|null\n"
                        + "p2|public|nopk|{a,b}|null\np2|public|t|{a,c}|(a > 1)\n"
                        + "p3|s1|x|{a}|null\n"
                        + "p4|public|nopk|{a,b}|null\np4|public|t|{a,b,c}|null\np4|s1|x|{a}|null\n"
                        + "p6|public|t|{a,b,c}|null\n"
                        + "p7|public|nopk|{a,b}|null\np7|public|t|{a,b,c}|null\np7|s1|x|{a}|null",
                "SELECT count(*) FROM pg_publication_rel", "5",
                "SELECT count(*) FROM pg_publication_namespace", "2",
                "SELECT c.relname, r.prqual, r.prattrs FROM pg_publication_rel r JOIN pg_class c ON c.oid = r.prrelid"
                        + " JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'p2' ORDER BY 1",
                "nopk|null|null\nt|(a > 1)|1 3",
                "SELECT c.relname, g.attrs, g.qual FROM pg_get_publication_tables('p2') g JOIN pg_class c ON c.oid = g.relid ORDER BY 1",
                "nopk|null|null\nt|1 3|(a > 1)",
                "SELECT * FROM pg_get_publication_tables('nosuch')", "ERROR 42704: publication \"nosuch\" does not exist");
    }

    @Test
    void createErrors() {
        script(
                "CREATE PUBLICATION p1 FOR TABLE t", "CREATE PUBLICATION",
                "CREATE PUBLICATION p1 FOR TABLE t", "ERROR 42710: publication \"p1\" already exists",
                "CREATE PUBLICATION p FOR TABLE t (a, zz)", "ERROR 42703: column \"zz\" of relation \"t\" does not exist",
                "CREATE PUBLICATION p FOR TABLE t (a, a)", "ERROR 42710: duplicate column \"a\" in publication column list",
                "CREATE PUBLICATION p FOR TABLE t WHERE (zz > 1)", "ERROR 42703: column \"zz\" does not exist",
                "CREATE PUBLICATION p FOR TABLE t WHERE (b > (SELECT 1))", "ERROR 0A000: invalid publication WHERE expression",
                "CREATE PUBLICATION p FOR TABLE t WHERE (count(b) > 1)", "ERROR 42803: aggregate functions are not allowed in WHERE",
                "CREATE PUBLICATION p FOR TABLE t WHERE (row_number() OVER () > 1)",
                "ERROR 42P20: window functions are not allowed in WHERE",
                "CREATE PUBLICATION p FOR TABLE t WHERE (random() > 0.5)", "ERROR 0A000: invalid publication WHERE expression",
                "CREATE PUBLICATION p FOR TABLE t WHERE (now() > '2000-01-01')", "ERROR 0A000: invalid publication WHERE expression",
                "CREATE PUBLICATION p FOR TABLE t WHERE (ctid IS NOT NULL)", "ERROR 0A000: invalid publication WHERE expression",
                "CREATE PUBLICATION p FOR TABLE t WHERE (b + 1)",
                "ERROR 42804: argument of PUBLICATION WHERE must be type boolean, not type integer",
                "CREATE PUBLICATION p WITH (publish = 'insert, foo')",
                "ERROR 42601: unrecognized value for publication option \"publish\": \"foo\"",
                "CREATE PUBLICATION p WITH (publish_via_partition_root = 'x')",
                "ERROR 42601: publish_via_partition_root requires a Boolean value",
                "CREATE PUBLICATION p WITH (foo = 1)", "ERROR 42601: unrecognized publication parameter: \"foo\"",
                "CREATE PUBLICATION p WITH (publish = 'insert', publish = 'update')", "ERROR 42601: conflicting or redundant options",
                "CREATE PUBLICATION p FOR TABLE t (a), TABLES IN SCHEMA s1",
                "ERROR 22023: cannot use column list for relation \"public.t\" in publication \"p\"",
                "CREATE PUBLICATION p FOR TABLE t WHERE (a > 1), t WHERE (a > 2)",
                "ERROR 42710: conflicting or redundant WHERE clauses for table \"t\"",
                "CREATE PUBLICATION p FOR TABLE nosuch", "ERROR 42P01: relation \"nosuch\" does not exist",
                "CREATE PUBLICATION p FOR TABLES IN SCHEMA nosuch", "ERROR 3F000: schema \"nosuch\" does not exist",
                "CREATE PUBLICATION p FOR TABLE pg_authid", "ERROR 22023: cannot add relation \"pg_authid\" to publication",
                "CREATE PUBLICATION p FOR TABLES IN SCHEMA pg_catalog", "ERROR 22023: cannot add schema \"pg_catalog\" to publication",
                "CREATE PUBLICATION p FOR nosuch", "ERROR 42601: invalid publication object list",
                "SELECT pubname FROM pg_publication", "p1");
    }

    @Test
    void alterForms() {
        script(
                "CREATE PUBLICATION p FOR TABLE t", "CREATE PUBLICATION",
                "ALTER PUBLICATION p ADD TABLE t", "ERROR 42710: relation \"t\" is already member of publication \"p\"",
                "ALTER PUBLICATION p DROP TABLE nopk", "ERROR 42704: relation \"nopk\" is not part of the publication",
                "ALTER PUBLICATION nosuch ADD TABLE t", "ERROR 42704: publication \"nosuch\" does not exist",
                "ALTER PUBLICATION p ADD TABLE nopk (a) WHERE (b IS NULL)", "ALTER PUBLICATION",
                "ALTER PUBLICATION p ADD TABLES IN SCHEMA s1",
                "ERROR 22023: cannot add schema to publication \"p\"",
                "ALTER PUBLICATION p DROP TABLE nopk (a)",
                "ERROR 42601: column list must not be specified in ALTER PUBLICATION ... DROP",
                "SELECT tablename, attnames, rowfilter FROM pg_publication_tables ORDER BY 1", "nopk|{a}|(b IS NULL)\nt|{a,b,c}|null",
                "ALTER PUBLICATION p SET TABLE t WHERE (a < 10), TABLES IN SCHEMA s1", "ALTER PUBLICATION",
                "SELECT schemaname, tablename, rowfilter FROM pg_publication_tables ORDER BY 1, 2", "public|t|(a < 10)\ns1|x|null",
                "ALTER PUBLICATION p ADD TABLES IN SCHEMA s1", "ERROR 42710: schema \"s1\" is already member of publication \"p\"",
                "ALTER PUBLICATION p DROP TABLES IN SCHEMA s1", "ALTER PUBLICATION",
                "ALTER PUBLICATION p DROP TABLES IN SCHEMA s1",
                "ERROR 42704: tables from schema \"s1\" are not part of the publication",
                "ALTER PUBLICATION p SET (publish = 'insert')", "ALTER PUBLICATION",
                "SELECT pubinsert, pubupdate, pubdelete, pubtruncate, pubviaroot FROM pg_publication", "t|f|f|f|f",
                "ALTER PUBLICATION p SET (publish_via_partition_root)", "ALTER PUBLICATION",
                "SELECT pubinsert, pubupdate, pubviaroot FROM pg_publication", "t|f|t",
                "CREATE PUBLICATION q", "CREATE PUBLICATION",
                "ALTER PUBLICATION q RENAME TO p", "ERROR 42710: publication \"p\" already exists",
                "ALTER PUBLICATION q RENAME TO r", "ALTER PUBLICATION",
                "ALTER PUBLICATION r OWNER TO nosuch", "ERROR 42704: role \"nosuch\" does not exist",
                "CREATE ROLE bob", "CREATE ROLE",
                "ALTER PUBLICATION r OWNER TO bob", "ALTER PUBLICATION",
                "SELECT p.pubname, a.rolname FROM pg_publication p JOIN pg_authid a ON a.oid = p.pubowner ORDER BY 1",
                "p|postgres\nr|bob",
                "CREATE PUBLICATION pa FOR ALL TABLES", "CREATE PUBLICATION",
                "ALTER PUBLICATION pa ADD TABLE t", "ERROR 55000: publication \"pa\" is defined as FOR ALL TABLES",
                "ALTER PUBLICATION pa OWNER TO bob", "ERROR 42501: permission denied to change owner of publication \"pa\"");
    }

    @Test
    void dropAndDependencies() {
        script(
                "CREATE PUBLICATION p FOR TABLE t, nopk, TABLES IN SCHEMA s1", "CREATE PUBLICATION",
                "DROP TABLE nopk", "DROP TABLE",
                "SELECT tablename FROM pg_publication_tables ORDER BY 1", "t\nx",
                "DROP SCHEMA s1 CASCADE", "DROP SCHEMA",
                "SELECT count(*) FROM pg_publication_namespace", "0",
                "SELECT tablename FROM pg_publication_tables", "t",
                "DROP PUBLICATION nosuch", "ERROR 42704: publication \"nosuch\" does not exist",
                "DROP PUBLICATION IF EXISTS nosuch, p", "DROP PUBLICATION",
                "SELECT count(*) FROM pg_publication_rel", "0",
                "SELECT count(*) FROM pg_publication", "0",
                "BEGIN", "BEGIN",
                "CREATE PUBLICATION p2 FOR TABLE t", "CREATE PUBLICATION",
                "ROLLBACK", "ROLLBACK",
                "SELECT count(*) FROM pg_publication", "0",
                "CREATE PUBLICATION p3", "CREATE PUBLICATION",
                "DROP PUBLICATION p3 CASCADE", "DROP PUBLICATION");
        assertThat(SqlHarness.notices(s)).contains("NOTICE 00000: publication \"nosuch\" does not exist, skipping");
    }

    @Test
    void privileges() {
        script("CREATE ROLE alice LOGIN", "CREATE ROLE");
        SqlSession alice = h.session("alice");
        assertThat(SqlHarness.run(alice, "CREATE PUBLICATION pa FOR ALL TABLES"))
                .isEqualTo("ERROR 42501: must be superuser to create FOR ALL TABLES publication");
        assertThat(SqlHarness.run(alice, "CREATE PUBLICATION ps FOR TABLES IN SCHEMA s1"))
                .isEqualTo("ERROR 42501: must be superuser to create FOR TABLES IN SCHEMA publication");
        assertThat(SqlHarness.run(alice, "CREATE PUBLICATION pt FOR TABLE t")).isEqualTo("ERROR 42501: must be owner of table t");
        assertThat(SqlHarness.run(alice, "CREATE PUBLICATION mine")).isEqualTo("CREATE PUBLICATION");
        assertThat(SqlHarness.run(alice, "ALTER PUBLICATION mine RENAME TO mine2")).isEqualTo("ALTER PUBLICATION");
        script("CREATE PUBLICATION theirs", "CREATE PUBLICATION");
        assertThat(SqlHarness.run(alice, "DROP PUBLICATION theirs")).isEqualTo("ERROR 42501: must be owner of publication theirs");
        assertThat(SqlHarness.run(alice, "DROP PUBLICATION mine2")).isEqualTo("DROP PUBLICATION");
    }

    @Test
    void updateAndDeleteChecks() {
        script(
                "INSERT INTO t VALUES (1, 1, 'x')", "INSERT 0 1",
                "INSERT INTO nopk VALUES (1, 1)", "INSERT 0 1",
                "CREATE PUBLICATION pn FOR TABLE nopk", "CREATE PUBLICATION",
                "UPDATE nopk SET a = 2",
                "ERROR 55000: cannot update table \"nopk\" because it does not have a replica identity and publishes updates",
                "DELETE FROM nopk",
                "ERROR 55000: cannot delete from table \"nopk\" because it does not have a replica identity and publishes deletes",
                "ALTER PUBLICATION pn SET (publish = 'insert')", "ALTER PUBLICATION",
                "UPDATE nopk SET a = 2", "UPDATE 1",
                "ALTER TABLE nopk REPLICA IDENTITY FULL", "ALTER TABLE",
                "ALTER PUBLICATION pn SET (publish = 'update, delete')", "ALTER PUBLICATION",
                "DELETE FROM nopk", "DELETE 1",
                "CREATE PUBLICATION pf FOR TABLE t WHERE (c = 'x')", "CREATE PUBLICATION",
                "UPDATE t SET b = 2", "ERROR 42P10: cannot update table \"t\"",
                "DELETE FROM t", "ERROR 42P10: cannot delete from table \"t\"",
                "INSERT INTO t VALUES (2, 2, 'y')", "INSERT 0 1",
                "DROP PUBLICATION pf", "DROP PUBLICATION",
                "CREATE PUBLICATION pc FOR TABLE t (b)", "CREATE PUBLICATION",
                "UPDATE t SET b = 3", "ERROR 42P10: cannot update table \"t\"",
                "ALTER PUBLICATION pc SET TABLE t (a, b) WHERE (a > 1)", "ALTER PUBLICATION",
                "UPDATE t SET b = 3", "UPDATE 2",
                "ALTER PUBLICATION pc SET (publish = 'insert')", "ALTER PUBLICATION",
                "ALTER PUBLICATION pc SET TABLE t (b) WHERE (c > 'a')", "ALTER PUBLICATION",
                "DELETE FROM t", "DELETE 2");
    }

    /** The error {@code sql} raises when executed (it must raise one). */
    private io.lrep.core.error.LrepException error(String sql) {
        try {
            var p = s.prepareAll(sql).get(0);
            s.execute(s.bind(p, new Object[0]), 0, row -> true);
        } catch (io.lrep.core.error.LrepException e) {
            s.abortImplicit();
            return e;
        }
        throw new AssertionError("no error from " + sql);
    }

    @Test
    void updateCheckDetails() {
        script("CREATE PUBLICATION pf FOR TABLE t WHERE (c = 'x')", "CREATE PUBLICATION");
        assertThat(error("UPDATE t SET b = 2").detail())
                .isEqualTo("Column used in the publication WHERE expression is not part of the replica identity.");
        script("DROP PUBLICATION pf", "DROP PUBLICATION",
                "CREATE PUBLICATION pc FOR TABLE t (b)", "CREATE PUBLICATION");
        assertThat(error("DELETE FROM t").detail()).isEqualTo("Column list used by the publication does not cover the replica identity.");
        script("DROP PUBLICATION pc", "DROP PUBLICATION",
                "CREATE PUBLICATION pn FOR TABLE nopk", "CREATE PUBLICATION");
        assertThat(error("UPDATE nopk SET b = 1").hint()).isEqualTo("To enable updating the table, set REPLICA IDENTITY using ALTER TABLE.");
    }

    @Test
    void queriesOfAPostgres15Subscriber() {
        script(
                "CREATE PUBLICATION p1 FOR TABLE t (a, b) WHERE (a > 1)", "CREATE PUBLICATION",
                "CREATE PUBLICATION p2 FOR TABLE t (a, b) WHERE (b IS NULL), nopk", "CREATE PUBLICATION",
                "SELECT t.pubname FROM\n pg_catalog.pg_publication t WHERE\n t.pubname IN ('p1', 'p2', 'p3')", "p1\np2",
                "SELECT DISTINCT t.schemaname, t.tablename \n, t.attnames\nFROM pg_catalog.pg_publication_tables t\n"
                        + " WHERE t.pubname IN ('p1', 'p2') ORDER BY 2",
                "public|nopk|{a,b}\npublic|t|{a,b}");
        String oid = SqlHarness.run(s, "SELECT 't'::regclass::oid");
        script(
                "SELECT DISTINCT  (CASE WHEN (array_length(gpt.attrs, 1) = c.relnatts)   THEN NULL ELSE gpt.attrs END)"
                        + "  FROM pg_publication p,  LATERAL pg_get_publication_tables(p.pubname) gpt,  pg_class c"
                        + " WHERE gpt.relid = " + oid + " AND c.oid = gpt.relid   AND p.pubname IN ( 'p1', 'p2' )",
                "1 2",
                "SELECT DISTINCT pg_get_expr(gpt.qual, gpt.relid)  FROM pg_publication p,"
                        + "  LATERAL pg_get_publication_tables(p.pubname) gpt WHERE gpt.relid = " + oid
                        + "   AND p.pubname IN ( 'p1', 'p2' ) ORDER BY 1",
                "(a > 1)\n(b IS NULL)");
    }
}
