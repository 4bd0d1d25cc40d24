package io.lrep.node.sql.ast;

import java.util.List;

/**
 * One ORDER BY item.
 *
 * @param expr the expression; an integer constant is an output-column ordinal
 * @param direction ASC/DESC as written, or DEFAULT
 * @param nulls NULLS FIRST/LAST as written, or DEFAULT
 * @param usingOperator {@code USING op} operator name parts, or empty
 */
public record SortItem(Expr expr, Direction direction, NullsOrder nulls, List<String> usingOperator, int pos) {

    public enum Direction { DEFAULT, ASC, DESC }

    public enum NullsOrder { DEFAULT, FIRST, LAST }
}
