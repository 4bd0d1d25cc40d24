package io.lrep.subscriber.client;

import java.util.List;

/**
 * The result of one statement of a simple query: the columns and text-format rows when the
 * statement returned rows (empty lists when it did not), and the CommandComplete tag
 * ({@code "SELECT 3"}, {@code "IDENTIFY_SYSTEM"}, {@code "BEGIN"}). A row's values are strings
 * as the server sent them (text format, decoded as UTF-8), null for NULL.
 */
public record QueryResult(List<Column> columns, List<List<String>> rows, String commandTag) {

    /** One column of a RowDescription. */
    public record Column(String name, int typeOid) {
    }

    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /** True when the statement returned a row description (PGRES_TUPLES_OK), even with no rows. */
    public boolean hasRows() {
        return !columns.isEmpty() || !rows.isEmpty();
    }

    /** The value at row {@code row}, column {@code column}, or null for NULL. */
    public String value(int row, int column) {
        return rows.get(row).get(column);
    }

    /** The number of rows. */
    public int rowCount() {
        return rows.size();
    }
}
