package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.publisher.publication.PublishActions;
import io.lrep.publisher.publication.PublishActions.Action;
import io.lrep.publisher.publication.PublishedTable;
import io.lrep.publisher.publication.Publications;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publications on a real node: they survive clean and crash restarts, and the publisher's view of them evaluates filters. */
class PublicationNodeTest {

    @TempDir
    Path tmp;

    private static final Map<String, String> PORT_0 = Map.of("port", "0", "listen_addresses", "127.0.0.1");

    /** Runs each statement of {@code sql}; returns the rows of the last as "a|b" lines. */
    private static List<String> sql(Node node, String sql) {
        return NodeClients.sql(node, sql);
    }

    @Test
    void publicationsSurviveACleanRestartAndACrash() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("cluster_name", "pub"));
        String view = "SELECT pubname, schemaname, tablename, attnames, rowfilter FROM pg_publication_tables ORDER BY 1, 2, 3";
        try (Node node = Node.start(dir, PORT_0)) {
            sql(node, "CREATE TABLE t (a int PRIMARY KEY, b int, c text); CREATE SCHEMA s1; CREATE TABLE s1.x (a int PRIMARY KEY);"
                    + "CREATE PUBLICATION p1 FOR TABLE t (a, b) WHERE (a > 1) WITH (publish = 'insert, update');"
                    + "CREATE PUBLICATION p2 FOR TABLES IN SCHEMA s1");
        }
        try (Node node = Node.start(dir, PORT_0)) {
            assertThat(sql(node, view)).containsExactly("p1|public|t|[a, b]|(a > 1)", "p2|s1|x|[a]|null");
            assertThat(sql(node, "SELECT pubinsert, pubupdate, pubdelete FROM pg_publication WHERE pubname = 'p1'"))
                    .containsExactly("true|true|false");
            sql(node, "ALTER PUBLICATION p1 RENAME TO p3; DROP PUBLICATION p2");
            node.halt();
        }
        try (Node node = Node.start(dir, PORT_0)) {
            assertThat(node.recovery().crashRecovery()).isTrue();
            assertThat(sql(node, view)).containsExactly("p3|public|t|[a, b]|(a > 1)");
            assertThat(sql(node, "CREATE PUBLICATION p4 FOR TABLE t; SELECT count(*) FROM pg_publication")).containsExactly("2");
        }
    }

    @Test
    void thePublisherSeesActionsColumnsAndFiltersOfSeveralPublications() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("cluster_name", "pub"));
        try (Node node = Node.start(dir, PORT_0)) {
            sql(node, "CREATE TABLE t (a int PRIMARY KEY, b int, c text);"
                    + "CREATE PUBLICATION ins FOR TABLE t (a, b) WHERE (a > 1) WITH (publish = 'insert');"
                    + "CREATE PUBLICATION upd FOR TABLE t (a, b) WHERE (a < 0 AND c LIKE 'x%') WITH (publish = 'update, delete');"
                    + "CREATE PUBLICATION upd2 FOR TABLE t (b, a) WHERE (a = 100) WITH (publish = 'update');"
                    + "CREATE PUBLICATION plain FOR TABLE t (a, b) WITH (publish = 'insert, truncate');"
                    + "CREATE PUBLICATION cols FOR TABLE t (a);"
                    + "CREATE PUBLICATION everything FOR ALL TABLES WITH (publish = 'delete');"
                    + "CREATE TABLE other (k int PRIMARY KEY)");
            var compiler = node.sqlEngine().rowFilterCompiler();
            try (Transaction t = node.storage().begin()) {
                TableDef table = t.table("public", "t");

                PublishedTable p = Publications.resolve(t, List.of("ins", "upd", "upd2"), table, compiler);
                assertThat(p.published()).isTrue();
                assertThat(p.publications()).containsExactly("ins", "upd", "upd2");
                assertThat(p.actions()).isEqualTo(new PublishActions(true, true, true, false));
                assertThat(p.columns()).containsExactly(1, 2);
                assertThat(p.publishesColumn(3)).isFalse();
                assertThat(p.filter(Action.INSERT).test(new Object[] {2, null, null})).isTrue();
                assertThat(p.filter(Action.INSERT).test(new Object[] {1, null, null})).isFalse();
                assertThat(p.filter(Action.INSERT).test(new Object[] {null, 5, "x"})).as("NULL is false").isFalse();
                // update: (a < 0 AND c LIKE 'x%') OR (a = 100)
                assertThat(p.filter(Action.UPDATE).test(new Object[] {-1, null, "xy"})).isTrue();
                assertThat(p.filter(Action.UPDATE).test(new Object[] {-1, null, "y"})).isFalse();
                assertThat(p.filter(Action.UPDATE).test(new Object[] {100, null, null})).isTrue();
                assertThat(p.filter(Action.DELETE).test(new Object[] {100, null, null})).isFalse();
                assertThat(p.filter(Action.TRUNCATE)).isNull();

                PublishedTable q = Publications.resolve(t, List.of("ins", "plain"), table, compiler);
                assertThat(q.filter(Action.INSERT)).as("one publication without a filter: none").isNull();
                assertThat(q.actions()).isEqualTo(new PublishActions(true, false, false, true));

                assertThatThrownBy(() -> Publications.resolve(t, List.of("ins", "cols"), table, compiler))
                        .isInstanceOf(LrepException.class)
                        .hasMessage("cannot use different column lists for table \"public.t\" in different publications")
                        .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED);
                assertThatThrownBy(() -> Publications.resolve(t, List.of("nosuch"), table, compiler))
                        .hasMessage("publication \"nosuch\" does not exist");

                PublishedTable other = Publications.resolve(t, List.of("ins", "everything"), t.table("public", "other"), compiler);
                assertThat(other.publications()).containsExactly("everything");
                assertThat(other.columns()).isNull();
                assertThat(other.publishes(Action.DELETE)).isTrue();
                assertThat(other.publishes(Action.INSERT)).isFalse();
                assertThat(other.filter(Action.DELETE)).isNull();

                PublishedTable none = Publications.resolve(t, List.of("cols"), t.table("public", "other"), compiler);
                assertThat(none.published()).isFalse();
            }
        }
    }
}
