package io.lrep.node.sql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.node.sql.ast.AlterTableCmd;
import io.lrep.node.sql.ast.Constraint;
import io.lrep.node.sql.ast.Expr;
import io.lrep.node.sql.ast.FromItem;
import io.lrep.node.sql.ast.QueryExpr;
import io.lrep.node.sql.ast.RoleOption;
import io.lrep.node.sql.ast.SequenceOption;
import io.lrep.node.sql.ast.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatementParserTest {

    @SuppressWarnings("unchecked")
    private static <T extends Statement> T one(String sql, Class<T> type) {
        Statement s = SqlParser.parseOne(sql);
        assertThat(s).isInstanceOf(type);
        return (T) s;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1",
        "SELECT",
        "SELECT a, b AS c, d e, t.*, * FROM s.t AS x(a, b) WHERE a > 1",
        "SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b DESC NULLS LAST",
        "SELECT a, count(*) FROM t GROUP BY 1 HAVING count(*) > 1 ORDER BY 2 DESC",
        "SELECT * FROM a JOIN b ON a.id = b.id LEFT JOIN c USING (id) RIGHT OUTER JOIN d ON true FULL JOIN e ON 1=1",
        "SELECT * FROM a CROSS JOIN b, c NATURAL JOIN d",
        "SELECT * FROM (a JOIN b ON a.x = b.x) j",
        "SELECT * FROM (SELECT 1) AS s, (SELECT 2) q",
        "SELECT g.x FROM generate_series(1, 3) AS g(x)",
        "SELECT x FROM unnest(ARRAY[1,2]) x",
        "SELECT * FROM t LIMIT 10 OFFSET 5",
        "SELECT * FROM t OFFSET 5 LIMIT ALL",
        "SELECT * FROM t FETCH FIRST 3 ROWS ONLY",
        "SELECT * FROM t FOR UPDATE",
        "SELECT * FROM t FOR SHARE OF t NOWAIT",
        "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT SELECT 5",
        "(SELECT 1 ORDER BY 1 LIMIT 1) UNION (SELECT 2)",
        "VALUES (1, 'a'), (2, 'b')",
        "TABLE t",
        "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
        "SELECT * FROM LATERAL (SELECT 1) s",
        "INSERT INTO t VALUES (1, DEFAULT), (2, 'x')",
        "INSERT INTO s.t (a, b) SELECT a, b FROM u",
        "INSERT INTO t DEFAULT VALUES",
        "INSERT INTO t (id, v) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v WHERE t.v <> EXCLUDED.v RETURNING *",
        "INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING",
        "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING RETURNING id, v AS w",
        "UPDATE t SET a = a + 1, b = DEFAULT WHERE id = 1 RETURNING a",
        "UPDATE t AS x SET (a, b) = (1, 2) FROM u WHERE x.id = u.id",
        "DELETE FROM t USING u WHERE t.id = u.id RETURNING t.*",
        "DELETE FROM t",
        "TRUNCATE t",
        "TRUNCATE TABLE a, b RESTART IDENTITY CASCADE",
        "CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION bob",
        "DROP SCHEMA IF EXISTS a, b CASCADE",
        "CREATE UNLOGGED TABLE IF NOT EXISTS t (id serial PRIMARY KEY, n text NOT NULL DEFAULT 'x' COLLATE \"C\")",
        "CREATE TEMP TABLE t (a bigserial, b smallserial, c int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5))",
        "CREATE TABLE t (a int REFERENCES u(id) ON DELETE CASCADE, b int CHECK (b > 0), CONSTRAINT pk PRIMARY KEY (a, b), UNIQUE (b), FOREIGN KEY (a) REFERENCES u (id))",
        "CREATE TABLE t (a numeric(10,2), b varchar(20), c double precision, d timestamp with time zone, e text[], f character varying)",
        "CREATE TABLE t AS SELECT * FROM u",
        "CREATE TABLE t (a, b) AS SELECT 1, 2 WITH NO DATA",
        "DROP TABLE IF EXISTS a, s.b CASCADE",
        "ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c int NOT NULL DEFAULT 0",
        "ALTER TABLE t DROP COLUMN IF EXISTS c CASCADE, ALTER COLUMN d SET DEFAULT 1, ALTER d DROP DEFAULT",
        "ALTER TABLE t ALTER COLUMN d SET NOT NULL, ALTER COLUMN e DROP NOT NULL",
        "ALTER TABLE t ADD PRIMARY KEY (a)",
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a, b)",
        "ALTER TABLE t REPLICA IDENTITY FULL",
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_idx",
        "ALTER TABLE t RENAME TO u",
        "ALTER TABLE t RENAME COLUMN a TO b",
        "ALTER TABLE t RENAME a TO b",
        "ALTER TABLE t OWNER TO bob",
        "CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a, lower(b) DESC)",
        "CREATE INDEX ON t USING btree (a)",
        "DROP INDEX IF EXISTS i",
        "CREATE SEQUENCE IF NOT EXISTS s AS bigint INCREMENT BY 2 MINVALUE 1 NO MAXVALUE START WITH 5 CACHE 10 NO CYCLE OWNED BY t.a",
        "ALTER SEQUENCE s RESTART WITH 100",
        "ALTER SEQUENCE s OWNED BY NONE",
        "DROP SEQUENCE IF EXISTS s",
        "CREATE ROLE r WITH SUPERUSER NOCREATEDB CREATEROLE LOGIN REPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT 5 ENCRYPTED PASSWORD 'x' VALID UNTIL 'infinity' IN ROLE a, b",
        "CREATE USER u PASSWORD NULL",
        "ALTER ROLE r WITH NOLOGIN",
        "ALTER USER r RENAME TO s",
        "ALTER ROLE r SET search_path TO a, b",
        "ALTER ROLE r RESET ALL",
        "DROP ROLE IF EXISTS a, b",
        "DROP USER u",
        "COMMENT ON TABLE t IS 'hello'",
        "COMMENT ON COLUMN t.a IS NULL",
        "GRANT SELECT, INSERT ON TABLE t TO PUBLIC",
        "GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO bob WITH GRANT OPTION",
        "GRANT USAGE ON SCHEMA s TO bob",
        "GRANT admins TO bob",
        "REVOKE ALL ON t FROM bob CASCADE",
        "BEGIN",
        "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY NOT DEFERRABLE",
        "BEGIN WORK",
        "START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE",
        "COMMIT", "COMMIT WORK AND NO CHAIN", "END", "END TRANSACTION", "ROLLBACK", "ABORT", "ROLLBACK WORK",
        "SAVEPOINT s", "ROLLBACK TO SAVEPOINT s", "ROLLBACK TRANSACTION TO s", "RELEASE SAVEPOINT s", "RELEASE s",
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "SET search_path TO public, \"$user\"",
        "SET LOCAL statement_timeout = 0",
        "SET SESSION extra_float_digits = 3",
        "SET application_name = 'x'",
        "SET TIME ZONE 'UTC'", "SET TIME ZONE LOCAL", "SET TIME ZONE DEFAULT",
        "SET NAMES 'UTF8'",
        "SET datestyle TO DEFAULT",
        "SET myapp.setting = on",
        "SHOW ALL", "SHOW server_version", "SHOW TRANSACTION ISOLATION LEVEL", "SHOW TIME ZONE",
        "RESET ALL", "RESET search_path", "DISCARD ALL",
        "COPY t FROM STDIN",
        "COPY t (a, b) TO STDOUT WITH (FORMAT csv, DELIMITER ';', NULL '', HEADER true, QUOTE '\"', ESCAPE '\\')",
        "COPY t FROM STDIN WITH CSV HEADER DELIMITER AS ','",
        "COPY t TO STDOUT DELIMITER '|' NULL 'x'",
        "COPY (SELECT * FROM t) TO STDOUT (FORMAT text)",
        "EXPLAIN SELECT 1", "EXPLAIN (ANALYZE, COSTS off) SELECT 1", "EXPLAIN ANALYZE VERBOSE DELETE FROM t",
        "VACUUM", "VACUUM pgbench_branches", "VACUUM (FULL, ANALYZE) t", "VACUUM FULL VERBOSE ANALYZE t", "ANALYZE t",
        "CHECKPOINT",
        "LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT", "LOCK t",
        "LISTEN c", "NOTIFY c, 'payload'", "UNLISTEN *",
        "DO $$BEGIN NULL; END$$", "DO LANGUAGE plpgsql 'BEGIN END'",
        "CREATE VIEW v AS SELECT 1", "CREATE OR REPLACE VIEW v (a) AS SELECT 1", "DROP VIEW v",
        "DEALLOCATE ALL",
    })
    void shouldParse(String sql) {
        assertThat(SqlParser.parse(sql)).hasSize(1);
    }

    @Test
    void shouldParsePgbenchScript() {
        String script = """
                \\set aid random(1, 100000 * :scale)
                """;
        assertThat(script).isNotEmpty();
        assertThat(SqlParser.parse("""
                BEGIN;
                UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;
                SELECT abalance FROM pgbench_accounts WHERE aid = $2;
                UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $3;
                UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $4;
                INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($3, $4, $2, $1, CURRENT_TIMESTAMP);
                END;
                """)).hasSize(7);
        assertThat(SqlParser.parse("""
                drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
                create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));
                create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
                create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);
                create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);
                truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
                insert into pgbench_branches(bid,bbalance) values(1,0);
                copy pgbench_accounts from stdin with (freeze on);
                alter table pgbench_branches add primary key (bid);
                vacuum analyze pgbench_branches;
                select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1
                """)).hasSize(11);
    }

    @Test
    void shouldBuildSelectTree() {
        Statement.Select s = one("SELECT a AS x, b y FROM s.t z JOIN u ON z.id = u.id WHERE a > 1 ORDER BY 1 LIMIT 5",
                Statement.Select.class);
        QueryExpr.SelectCore core = (QueryExpr.SelectCore) s.query().body();
        assertThat(core.targets()).extracting(t -> t.alias()).containsExactly("x", "y");
        FromItem.Join join = (FromItem.Join) core.from().get(0);
        assertThat(join.kind()).isEqualTo(FromItem.JoinKind.INNER);
        FromItem.Table left = (FromItem.Table) join.left();
        assertThat(left.name().schema()).isEqualTo("s");
        assertThat(left.name().name()).isEqualTo("t");
        assertThat(left.name().pos()).isEqualTo(25);
        assertThat(left.alias().name()).isEqualTo("z");
        assertThat(s.query().orderBy()).hasSize(1);
        assertThat(((Expr.NumberLiteral) s.query().limit()).text()).isEqualTo("5");
    }

    @Test
    void shouldBuildInsertTree() {
        Statement.Insert ins = one("INSERT INTO t (id, v) VALUES (1, DEFAULT) ON CONFLICT (id) DO UPDATE SET v = "
                + "excluded.v RETURNING id", Statement.Insert.class);
        assertThat(ins.columns()).extracting(c -> c.name()).containsExactly("id", "v");
        QueryExpr.Values values = (QueryExpr.Values) ins.source().body();
        assertThat(values.rows().get(0).get(1)).isInstanceOf(Expr.DefaultValue.class);
        assertThat(ins.onConflict().doUpdate()).isTrue();
        assertThat(((Expr.ColumnRef) ins.onConflict().set().get(0).value()).names()).containsExactly("excluded", "v");
        assertThat(ins.returning()).hasSize(1);
        assertThat(one("INSERT INTO t DEFAULT VALUES", Statement.Insert.class).source()).isNull();
    }

    @Test
    void shouldBuildCreateTableTree() {
        Statement.CreateTable ct = one("CREATE TABLE IF NOT EXISTS s.t (id bigserial PRIMARY KEY, "
                + "name varchar(20) NOT NULL DEFAULT 'x', n int GENERATED BY DEFAULT AS IDENTITY, "
                + "CONSTRAINT ck CHECK (id > 0))", Statement.CreateTable.class);
        assertThat(ct.ifNotExists()).isTrue();
        assertThat(ct.columns()).extracting(c -> c.name()).containsExactly("id", "name", "n");
        assertThat(ct.columns().get(0).type().name()).isEqualTo("bigserial");
        assertThat(ct.columns().get(0).constraints().get(0)).isInstanceOf(Constraint.PrimaryKey.class);
        assertThat(ct.columns().get(1).type().name()).isEqualTo("varchar");
        assertThat(ct.columns().get(1).constraints()).hasAtLeastOneElementOfType(Constraint.NotNull.class)
                .hasAtLeastOneElementOfType(Constraint.Default.class);
        assertThat(((Constraint.Identity) ct.columns().get(2).constraints().get(0)).always()).isFalse();
        assertThat(ct.constraints().get(0).name()).isEqualTo("ck");
    }

    @Test
    void shouldBuildAlterAndSequenceTrees() {
        Statement.AlterTable at = one("ALTER TABLE t REPLICA IDENTITY USING INDEX i", Statement.AlterTable.class);
        AlterTableCmd.ReplicaIdentity ri = (AlterTableCmd.ReplicaIdentity) at.commands().get(0);
        assertThat(ri.kind()).isEqualTo(AlterTableCmd.ReplicaIdentity.Kind.INDEX);
        assertThat(ri.indexName()).isEqualTo("i");
        Statement.CreateSequence cs = one("CREATE SEQUENCE s INCREMENT -1 MINVALUE -10 START 1 OWNED BY t.c",
                Statement.CreateSequence.class);
        assertThat(cs.options()).extracting(SequenceOption::kind).containsExactly(SequenceOption.Kind.INCREMENT,
                SequenceOption.Kind.MINVALUE, SequenceOption.Kind.START, SequenceOption.Kind.OWNED_BY);
        assertThat(cs.options().get(0).value()).isEqualTo(-1L);
        assertThat(cs.options().get(3).ownedBy()).containsExactly("t", "c");
    }

    @Test
    void shouldBuildRoleAndUtilityTrees() {
        Statement.CreateRole r = one("CREATE USER bob WITH NOSUPERUSER LOGIN PASSWORD 'pw' CONNECTION LIMIT 3",
                Statement.CreateRole.class);
        assertThat(r.kind()).isEqualTo(Statement.RoleKind.USER);
        assertThat(r.options()).extracting(RoleOption::kind).containsExactly(RoleOption.Kind.SUPERUSER,
                RoleOption.Kind.LOGIN, RoleOption.Kind.PASSWORD, RoleOption.Kind.CONNECTION_LIMIT);
        assertThat(r.options().get(0).flag()).isFalse();
        assertThat(r.options().get(2).text()).isEqualTo("pw");
        assertThatThrownBy(() -> SqlParser.parse("CREATE ROLE x WITH FOO"))
                .isInstanceOf(LrepException.class).hasMessage("unrecognized role option \"foo\"");

        Statement.Transaction b = one("BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY", Statement.Transaction.class);
        assertThat(b.modes().isolation()).isEqualTo("serializable");
        assertThat(b.modes().readOnly()).isTrue();
        Statement.Transaction rb = one("ROLLBACK TO SAVEPOINT sp", Statement.Transaction.class);
        assertThat(rb.kind()).isEqualTo(Statement.TransactionKind.ROLLBACK_TO);
        assertThat(rb.name()).isEqualTo("sp");

        Statement.SetVariable set = one("SET search_path TO public, \"$user\"", Statement.SetVariable.class);
        assertThat(set.name()).isEqualTo("search_path");
        assertThat(set.values()).extracting(Statement.SetValue::text).containsExactly("public", "$user");
        assertThat(one("SET TIME ZONE 'UTC'", Statement.SetVariable.class).name()).isEqualTo("timezone");
        assertThat(one("SHOW TRANSACTION ISOLATION LEVEL", Statement.Show.class).name())
                .isEqualTo("transaction_isolation");

        Statement.Copy copy = one("COPY t (a) FROM STDIN WITH CSV HEADER", Statement.Copy.class);
        assertThat(copy.from()).isTrue();
        assertThat(copy.file()).isNull();
        assertThat(copy.options()).extracting(o -> o.name() + "=" + o.value())
                .containsExactly("format=csv", "header=true");

        Statement.Do d = one("DO $$ BEGIN END $$", Statement.Do.class);
        assertThat(d.code()).isEqualTo(" BEGIN END ");
        Statement.Explain ex = one("EXPLAIN SELECT 1", Statement.Explain.class);
        assertThat(ex.statement()).isInstanceOf(Statement.Select.class);
    }

    @Test
    void shouldRejectSelectInto() {
        assertThatThrownBy(() -> SqlParser.parse("SELECT 1 INTO x"))
                .isInstanceOfSatisfying(LrepException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED));
    }

    @Test
    void shouldLetLaterFeaturesRegisterStatements() {
        record Ping(io.lrep.node.sql.ast.SourceSpan span) implements Statement {
        }
        StatementRegistry registry = StatementRegistry.standard()
                .register("ping", p -> {
                    assertThat(p.acceptWord("ping")).isTrue();
                    return new Ping(p.span());
                })
                .registerObject("create", "publication", p -> {
                    p.expectKw("create", "publication");
                    p.colId();
                    return new Ping(p.span());
                });
        assertThat(SqlParser.parse("ping; CREATE PUBLICATION p; SELECT 1", registry))
                .extracting(s -> s.getClass().getSimpleName()).containsExactly("Ping", "Ping", "Select");
    }
}
