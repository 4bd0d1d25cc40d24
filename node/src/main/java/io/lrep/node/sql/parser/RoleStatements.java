package io.lrep.node.sql.parser;

/** CREATE / ALTER / DROP ROLE and USER, GRANT / REVOKE, COMMENT ON. */
final class RoleStatements {

    private RoleStatements() {
    }

    static void register(StatementRegistry r) {
        // filled in below
    }
}
