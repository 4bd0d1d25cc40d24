package io.lrep.node.sql.ast;

import java.util.List;

/**
 * One option of CREATE/ALTER ROLE.
 *
 * @param flag for the boolean options: SUPERUSER true, NOSUPERUSER false, ...
 * @param number CONNECTION LIMIT n, SYSID n
 * @param text PASSWORD 'x' (null for PASSWORD NULL), VALID UNTIL 'ts'
 * @param roles IN ROLE / ROLE / ADMIN role lists
 */
public record RoleOption(Kind kind, boolean flag, Long number, String text, List<RoleSpec> roles, int pos) {

    public enum Kind {
        SUPERUSER, CREATEDB, CREATEROLE, LOGIN, REPLICATION, BYPASSRLS, INHERIT, CONNECTION_LIMIT, PASSWORD,
        VALID_UNTIL, IN_ROLE, ROLE, ADMIN, SYSID
    }
}
