package io.lrep.node.sql.ast;

import java.util.List;

/** {@code [AS] name [(col, ...)]} after a FROM item. */
public record Alias(String name, List<String> columns, int pos) {
}
