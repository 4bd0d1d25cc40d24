package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/** The replication origin functions and pg_replication_origin_status, through pgjdbc; results as PostgreSQL 15 gives them. */
class ReplicationOriginSqlTest {

    @TempDir
    Path tmp;

    private static List<String> row(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                out.add(rs.getString(i));
            }
            return out;
        }
    }

    @Test
    void shouldCreateAdvanceShowAndDropOriginsAcrossARestart() throws SQLException {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("port", "0"));
        Node node = Node.start(dir, Map.of());
        try (Connection c = NodeClients.connect(node); Statement st = c.createStatement()) {
            long id = Long.parseLong(row(st, "SELECT pg_replication_origin_create('o1')").get(0));
            assertThat(row(st, "SELECT pg_replication_origin_oid('o1'), pg_replication_origin_oid('x')"))
                    .containsExactly(String.valueOf(id), null);
            assertThat(row(st, "SELECT pg_replication_origin_progress('o1', false)")).containsExactly((String) null);
            st.execute("SELECT pg_replication_origin_advance('o1', '0/10')");
            assertThat(row(st, "SELECT pg_replication_origin_progress('o1', true)")).containsExactly("0/10");
            assertThat(row(st, "SELECT local_id, external_id, remote_lsn FROM pg_replication_origin_status"))
                    .containsExactly(String.valueOf(id), "o1", "0/10");
            assertThatThrownBy(() -> row(st, "SELECT pg_replication_origin_progress('nosuch', true)"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42704");
                        assertThat(e.getServerErrorMessage().getMessage()).isEqualTo("replication origin \"nosuch\" does not exist");
                    });
        } finally {
            node.close();
        }
        node = Node.start(dir, Map.of());
        try (Connection c = NodeClients.connect(node); Statement st = c.createStatement()) {
            assertThat(row(st, "SELECT external_id, remote_lsn FROM pg_replication_origin_status")).containsExactly("o1", "0/10");
            st.execute("SELECT pg_replication_origin_drop('o1')");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_origin_status")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            assertThatThrownBy(() -> st.execute("SELECT pg_replication_origin_drop('o1')"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42704"));
        } finally {
            node.close();
        }
    }
}
