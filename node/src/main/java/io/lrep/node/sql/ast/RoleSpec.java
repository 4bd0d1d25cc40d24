package io.lrep.node.sql.ast;

/** A role reference: a name, PUBLIC, or CURRENT_USER/CURRENT_ROLE/SESSION_USER. */
public record RoleSpec(Kind kind, String name, int pos) {

    public enum Kind { NAME, PUBLIC, CURRENT_USER, CURRENT_ROLE, SESSION_USER }
}
