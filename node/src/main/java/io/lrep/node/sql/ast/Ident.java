package io.lrep.node.sql.ast;

/** A single identifier (column name, constraint name, ...) with its 1-based position. */
public record Ident(String name, int pos) {

    @Override
    public String toString() {
        return name;
    }
}
