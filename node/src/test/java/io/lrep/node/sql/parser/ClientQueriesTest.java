package io.lrep.node.sql.parser;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.node.sql.ast.Statement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The exact queries psql 15 and pgjdbc send (captured from a PostgreSQL 15 server) all parse. */
class ClientQueriesTest {

    static Stream<String> psql() throws IOException {
        return queries("/sql/psql15-catalog-queries.sql");
    }

    static Stream<String> pgjdbc() throws IOException {
        return queries("/sql/pgjdbc-queries.sql");
    }

    private static Stream<String> queries(String resource) throws IOException {
        try (InputStream in = ClientQueriesTest.class.getResourceAsStream(resource)) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String[] parts = all.split("\n-- next query\n");
            return Arrays.stream(parts).skip(1).map(String::strip).filter(s -> !s.isEmpty()).toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("psql")
    void shouldParsePsqlCatalogQueries(String sql) {
        List<Statement> parsed = SqlParser.parse(sql);
        assertThat(parsed).hasSize(1);
        assertThat(parsed.get(0)).isInstanceOfAny(Statement.Select.class);
    }

    @ParameterizedTest
    @MethodSource("pgjdbc")
    void shouldParsePgjdbcQueries(String sql) {
        assertThat(SqlParser.parse(sql)).hasSize(1);
    }
}
