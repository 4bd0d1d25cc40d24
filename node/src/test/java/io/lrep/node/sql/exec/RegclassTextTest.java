package io.lrep.node.sql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.node.sql.SqlSession;
import io.lrep.node.sql.catalog.SystemCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

/** reg* values as text: their output function's name, as in PostgreSQL 15, also inside ||. */
class RegclassTextTest {

    @Test
    void shouldConcatenateRegclassAsTheRelationsName() {
        try (SqlHarness h = new SqlHarness(List.of(new SystemCatalog()))) {
            SqlSession s = h.session();
            assertThat(SqlHarness.run(s, "CREATE TABLE t1 (id int PRIMARY KEY)")).isEqualTo("CREATE TABLE");
            assertThat(SqlHarness.run(s, "SELECT 't1'::regclass || ':x', 't1'::regclass::text, 'pg_class'::regclass || '', 'int4'::regtype || ''"))
                    .isEqualTo("t1:x|t1|pg_class|integer");
        }
    }
}
