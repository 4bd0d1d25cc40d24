package io.lrep.subscriber.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** copy_table's COPY command, as PostgreSQL 15's tablesync.c builds it (identifiers always quoted). */
class TableCopyTest {

    private static TableCopy.RemoteTable table(char relkind, List<String> filters, String... columns) {
        List<PgOutputMessage.Column> cols = java.util.Arrays.stream(columns).map(c -> new PgOutputMessage.Column(0, c, 23, -1)).toList();
        return new TableCopy.RemoteTable(new PgOutputMessage.Relation(0, 16384, "public", "t", 'd', cols), relkind, filters);
    }

    @Test
    void shouldCopyAPlainTableByItsColumns() {
        assertThat(TableCopy.copyCommand(table('r', List.of(), "id", "v")))
                .isEqualTo("COPY \"public\".\"t\" (\"id\", \"v\") TO STDOUT");
        assertThat(TableCopy.copyCommand(table('r', List.of()))).isEqualTo("COPY \"public\".\"t\" TO STDOUT");
    }

    @Test
    void shouldSelectWithTheRowFiltersOredOrFromAPartitionedTableWithoutOnly() {
        assertThat(TableCopy.copyCommand(table('r', List.of("(id > 10)", "(v = 'x')"), "id", "v")))
                .isEqualTo("COPY (SELECT \"id\", \"v\" FROM ONLY \"public\".\"t\" WHERE (id > 10) OR (v = 'x')) TO STDOUT");
        assertThat(TableCopy.copyCommand(table('p', List.of(), "id")))
                .isEqualTo("COPY (SELECT \"id\" FROM \"public\".\"t\") TO STDOUT");
    }
}
