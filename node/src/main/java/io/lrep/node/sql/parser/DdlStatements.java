package io.lrep.node.sql.parser;

/** CREATE / ALTER / DROP of schemas, tables, indexes, sequences and views. */
final class DdlStatements {

    private DdlStatements() {
    }

    static void register(StatementRegistry r) {
        // filled in below
    }
}
