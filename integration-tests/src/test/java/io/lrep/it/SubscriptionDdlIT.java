package io.lrep.it;

import static io.lrep.it.Sql.execute;
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

/**
 * CREATE, ALTER and DROP SUBSCRIPTION between two lrep nodes over TCP: the subscriber's SQL
 * reaches the publisher with the replication client, as a PostgreSQL 15 subscriber does.
 */
class SubscriptionDdlIT {

    @TempDir
    Path tmp;

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void shouldCreateTheSlotAndListTheTablesOnCreateAndDropTheSlotOnDrop() throws Exception {
        try (TestNode pub = TestNode.start(tmp.resolve("pub"), Map.of()); TestNode sub = TestNode.start(tmp.resolve("sub"), Map.of());
                Connection p = pub.connect(); Connection s = sub.connect()) {
            execute(p, "CREATE TABLE t1 (id int PRIMARY KEY, v text)", "CREATE TABLE t2 (id int PRIMARY KEY)",
                    "CREATE PUBLICATION pub FOR TABLE t1, t2");
            execute(s, "CREATE TABLE t1 (id int PRIMARY KEY, v text)", "CREATE TABLE t2 (id int PRIMARY KEY)");
            String conninfo = pub.conninfo();

            execute(s, "CREATE SUBSCRIPTION sub1 CONNECTION '" + conninfo + "' PUBLICATION pub WITH (enabled = false)");
            assertThat(column(p, "SELECT slot_name || ':' || plugin || ':' || slot_type FROM pg_replication_slots"))
                    .containsExactly("sub1:pgoutput:logical");
            assertThat(column(s, "SELECT c.relname || ':' || r.srsubstate FROM pg_subscription_rel r JOIN pg_class c ON c.oid = r.srrelid ORDER BY 1"))
                    .as("copy_data: each table waits for its initial copy").containsExactly("t1:i", "t2:i");
            assertThat(column(s, "SELECT subslotname FROM pg_subscription")).containsExactly("sub1");

            try (Statement st = s.createStatement()) { // a missing publication is only a warning, as in PostgreSQL 15
                st.execute("CREATE SUBSCRIPTION sub2 CONNECTION '" + conninfo + "' PUBLICATION nosuch WITH (enabled = false)");
                assertThat((Object) st.getWarnings()).isNotNull();
                assertThat(st.getWarnings().getMessage()).contains("nosuch").contains("does not exist on the publisher");
            }
            execute(s, "DROP SUBSCRIPTION sub2");
            assertThatThrownBy(() -> execute(s, "CREATE SUBSCRIPTION sub3 CONNECTION 'host=127.0.0.1 port=1 dbname=postgres"
                    + " connect_timeout=2' PUBLICATION pub")).isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("08006");
                        assertThat(e.getServerErrorMessage().getMessage()).startsWith("could not connect to the publisher: ");
                    });
            assertThatThrownBy(() -> execute(s, "CREATE SUBSCRIPTION sub4 CONNECTION 'host=127.0.0.1 port' PUBLICATION pub"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42601");
                        assertThat(e.getServerErrorMessage().getMessage()).startsWith("invalid connection string syntax: ");
                    });

            execute(s, "DROP SUBSCRIPTION sub1");
            assertThat(column(p, "SELECT slot_name FROM pg_replication_slots")).as("dropped with the subscription").isEmpty();
            assertThat(column(s, "SELECT count(*) FROM pg_subscription_rel")).containsExactly("0");
        }
    }
}
