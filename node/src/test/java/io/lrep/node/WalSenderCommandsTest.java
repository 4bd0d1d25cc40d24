package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.lsn.Lsn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/** The replication commands of walsender connections (replication=database and replication=true), through pgjdbc. */
class WalSenderCommandsTest {

    @TempDir
    Path tmp;

    private Node node;

    @BeforeEach
    void start() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("port", "0"));
        node = Node.start(dir, Map.of());
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Connection connect(String replication) throws SQLException {
        Properties props = NodeClients.properties();
        return NodeClients.connect(node, replication == null ? props : NodeClients.replication(props, replication));
    }

    private static List<List<String>> query(Connection c, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            if (!st.execute(sql)) {
                return rows;
            }
            try (ResultSet rs = st.getResultSet()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static void assertError(Connection c, String sql, String state, String message) {
        assertThatThrownBy(() -> query(c, sql)).isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo(state);
            assertThat(e.getServerErrorMessage().getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldIdentifyTheSystemAndShowSettings() throws SQLException {
        try (Connection logical = connect("database"); Connection physical = connect("true")) {
            List<String> row = query(logical, "IDENTIFY_SYSTEM").get(0);
            assertThat(Long.parseUnsignedLong(row.get(0))).isNotZero();
            assertThat(row.get(1)).isEqualTo("1");
            assertThat(Lsn.parseLong(row.get(2))).isPositive();
            assertThat(row.get(3)).isEqualTo("postgres");
            assertThat(query(physical, "IDENTIFY_SYSTEM").get(0).get(3)).as("no database on a physical connection").isNull();
            assertThat(query(physical, "SHOW max_replication_slots")).containsExactly(List.of("10"));
            assertThat(query(logical, "SELECT 1 + 1")).as("a logical walsender runs SQL too").containsExactly(List.of("2"));
            assertError(physical, "SELECT 1", "0A000", "cannot execute SQL commands in WAL sender for physical replication");
            assertError(logical, "TIMELINE_HISTORY 1", "58P01", "could not open file \"pg_wal/00000001.history\": No such file or directory");
            assertError(logical, "START_REPLICATION SLOT s LOGICAL", "42601", "syntax error");
            assertError(logical, "BASE_BACKUP", "0A000", "BASE_BACKUP is not supported by lrep");
        }
    }

    @Test
    void shouldCreateReadAndDropSlotsInBothSyntaxes() throws SQLException {
        try (Connection repl = connect("database"); Connection sql = connect(null)) {
            List<String> created = query(repl, "CREATE_REPLICATION_SLOT \"s1\" LOGICAL pgoutput (SNAPSHOT 'nothing')").get(0);
            assertThat(created.get(0)).isEqualTo("s1");
            long consistent = Lsn.parseLong(created.get(1));
            assertThat(created.get(2)).as("no snapshot exported").isNull();
            assertThat(created.get(3)).isEqualTo("pgoutput");
            assertThat(query(sql, "SELECT slot_type, confirmed_flush_lsn, temporary FROM pg_replication_slots WHERE slot_name = 's1'"))
                    .containsExactly(List.of("logical", Lsn.format(consistent), "f"));

            List<String> legacy = query(repl, "CREATE_REPLICATION_SLOT s2 LOGICAL pgoutput").get(0);
            assertThat(legacy.get(2)).as("export is the default").matches("[0-9A-F]{8}-[0-9A-F]{8}-1");

            List<String> physical = query(repl, "CREATE_REPLICATION_SLOT p1 PHYSICAL RESERVE_WAL").get(0);
            assertThat(physical.get(3)).isNull();
            List<String> read = query(repl, "READ_REPLICATION_SLOT p1").get(0);
            assertThat(read.get(0)).isEqualTo("physical");
            assertThat(Lsn.parseLong(read.get(1))).isPositive();
            assertThat(read.get(2)).isEqualTo("1");
            assertThat(query(repl, "READ_REPLICATION_SLOT nosuch")).containsExactly(Arrays.asList(null, null, null));
            assertError(repl, "READ_REPLICATION_SLOT s1", "0A000", "cannot use READ_REPLICATION_SLOT with a logical replication slot");

            assertError(repl, "CREATE_REPLICATION_SLOT s1 LOGICAL pgoutput", "42710", "replication slot \"s1\" already exists");
            query(repl, "DROP_REPLICATION_SLOT s1");
            query(repl, "DROP_REPLICATION_SLOT s2");
            query(repl, "DROP_REPLICATION_SLOT p1 WAIT");
            assertError(repl, "DROP_REPLICATION_SLOT s1", "42704", "replication slot \"s1\" does not exist");
            assertThat(query(sql, "SELECT count(*) FROM pg_replication_slots")).containsExactly(List.of("0"));
        }
    }

    @Test
    void shouldGiveTheSlotsConsistentPointToARepeatableReadTransactionWithSnapshotUse() throws SQLException {
        try (Connection repl = connect("database"); Connection sql = connect(null)) {
            query(sql, "CREATE TABLE t (id int PRIMARY KEY)");
            query(sql, "INSERT INTO t VALUES (1)");
            assertError(repl, "CREATE_REPLICATION_SLOT u LOGICAL pgoutput (SNAPSHOT 'use')", "XX000",
                    "CREATE_REPLICATION_SLOT ... (SNAPSHOT 'use') must be called inside a transaction");

            query(repl, "BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ");
            List<String> created = query(repl, "CREATE_REPLICATION_SLOT u LOGICAL pgoutput (SNAPSHOT 'use')").get(0);
            assertThat(created.get(2)).isNull();
            query(sql, "INSERT INTO t VALUES (2)");
            assertThat(query(repl, "SELECT id FROM t ORDER BY id")).as("the copy sees exactly the consistent point")
                    .containsExactly(List.of("1"));
            query(repl, "COMMIT");
            assertThat(query(repl, "SELECT count(*) FROM t")).containsExactly(List.of("2"));

            query(repl, "BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ");
            query(repl, "SELECT 1");
            assertError(repl, "CREATE_REPLICATION_SLOT v LOGICAL pgoutput (SNAPSHOT 'use')", "XX000",
                    "CREATE_REPLICATION_SLOT ... (SNAPSHOT 'use') must be called before any query");
            query(repl, "ROLLBACK");
            query(repl, "BEGIN ISOLATION LEVEL REPEATABLE READ");
            assertError(repl, "CREATE_REPLICATION_SLOT v LOGICAL pgoutput (SNAPSHOT 'use')", "XX000",
                    "CREATE_REPLICATION_SLOT ... (SNAPSHOT 'use') must be called in a read-only transaction");
            query(repl, "ROLLBACK");
            query(repl, "BEGIN");
            assertError(repl, "CREATE_REPLICATION_SLOT v LOGICAL pgoutput", "XX000",
                    "CREATE_REPLICATION_SLOT ... (SNAPSHOT 'export') must not be called inside a transaction");
            query(repl, "ROLLBACK");
            assertThat(query(sql, "SELECT slot_name FROM pg_replication_slots")).containsExactly(List.of("u"));
        }
    }

    @Test
    void shouldEmitLogicalMessagesIntoTheWal() throws SQLException {
        try (Connection sql = connect(null)) {
            long first = Lsn.parseLong(query(sql, "SELECT pg_logical_emit_message(false, 'prefix', 'text content')").get(0).get(0));
            long second = Lsn.parseLong(query(sql, "SELECT pg_logical_emit_message(true, 'prefix', '\\x0102'::bytea)").get(0).get(0));
            assertThat(second).isGreaterThan(first);
            assertThat(Lsn.parseLong(query(sql, "SELECT pg_current_wal_lsn()").get(0).get(0))).isGreaterThanOrEqualTo(second);
            assertThat(query(sql, "SELECT pg_logical_emit_message(true, NULL, 'x') IS NULL")).as("strict").containsExactly(List.of("t"));
        }
    }

    @Test
    void shouldDropATemporarySlotWhenItsConnectionEnds() throws SQLException {
        try (Connection sql = connect(null)) {
            try (Connection repl = connect("database")) {
                query(repl, "CREATE_REPLICATION_SLOT tmp TEMPORARY LOGICAL pgoutput (SNAPSHOT 'nothing')");
                assertThat(query(sql, "SELECT temporary, active FROM pg_replication_slots")).containsExactly(List.of("t", "t"));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> query(sql, "SELECT count(*) FROM pg_replication_slots").equals(List.of(List.of("0"))));
        }
    }

    @Test
    void shouldAnswerTheTableSyncQueriesOfAPostgres15Subscriber() throws SQLException {
        try (Connection sql = connect(null); Connection repl = connect("database")) {
            query(sql, "CREATE TABLE t (id int PRIMARY KEY, v text, secret text)");
            query(sql, "CREATE TABLE f (n int, note text)");
            query(sql, "ALTER TABLE f REPLICA IDENTITY FULL");
            query(sql, "INSERT INTO t VALUES (1, 'a', 's'), (2, E'tab\\there', NULL), (3, 'c', 's')");
            query(sql, "CREATE PUBLICATION p1 FOR TABLE t (id, v) WHERE (id > 1), f");
            String t = query(sql, "SELECT oid FROM pg_class WHERE relname = 't'").get(0).get(0);
            String f = query(sql, "SELECT oid FROM pg_class WHERE relname = 'f'").get(0).get(0);

            query(repl, "BEGIN READ ONLY ISOLATION LEVEL REPEATABLE READ");
            assertThat(query(repl, "SELECT c.oid, c.relreplident, c.relkind  FROM pg_catalog.pg_class c  INNER JOIN pg_catalog.pg_namespace n"
                    + "        ON (c.relnamespace = n.oid) WHERE n.nspname = 'public'   AND c.relname = 't'")).containsExactly(List.of(t, "d", "r"));
            assertThat(query(repl, "SELECT DISTINCT  (CASE WHEN (array_length(gpt.attrs, 1) = c.relnatts)   THEN NULL ELSE gpt.attrs END)"
                    + "  FROM pg_publication p,  LATERAL pg_get_publication_tables(p.pubname) gpt,  pg_class c WHERE gpt.relid = " + t
                    + " AND c.oid = gpt.relid   AND p.pubname IN ( 'p1' )")).containsExactly(List.of("1 2"));
            String columns = "SELECT a.attnum,       a.attname,       a.atttypid,       a.attnum = ANY(i.indkey)  FROM pg_catalog.pg_attribute a"
                    + "  LEFT JOIN pg_catalog.pg_index i       ON (i.indexrelid = pg_get_replica_identity_index(%s)) WHERE a.attnum > 0::pg_catalog.int2"
                    + "   AND NOT a.attisdropped AND a.attgenerated = ''   AND a.attrelid = %s ORDER BY a.attnum";
            assertThat(query(repl, String.format(columns, t, t))).containsExactly(List.of("1", "id", "23", "t"), List.of("2", "v", "25", "f"),
                    List.of("3", "secret", "25", "f"));
            assertThat(query(repl, String.format(columns, f, f))).containsExactly(Arrays.asList("1", "n", "23", null),
                    Arrays.asList("2", "note", "25", null));
            assertThat(query(repl, "SELECT DISTINCT pg_get_expr(gpt.qual, gpt.relid)  FROM pg_publication p,  LATERAL pg_get_publication_tables(p.pubname) gpt"
                    + " WHERE gpt.relid = " + t + "   AND p.pubname IN ( 'p1' )")).containsExactly(List.of("(id > 1)"));
            query(repl, "COMMIT");
        }
    }
}
