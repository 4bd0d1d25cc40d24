package io.lrep.node.sql.ast;

/**
 * One entry of a select list or RETURNING list: an expression (possibly {@link Expr.Star}) and
 * its alias (null when none was written).
 */
public record SelectItem(Expr expr, String alias, int pos) {
}
