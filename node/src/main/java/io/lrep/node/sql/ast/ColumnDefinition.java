package io.lrep.node.sql.ast;

import java.util.List;

/**
 * {@code name type [COLLATE c] [constraint ...]} in CREATE TABLE or ALTER TABLE ADD COLUMN.
 * serial types are kept as written ({@code serial}, {@code bigserial}, {@code smallserial}).
 *
 * @param collation COLLATE name parts, or empty
 */
public record ColumnDefinition(String name, TypeName type, List<String> collation, List<Constraint> constraints,
        int pos) {
}
