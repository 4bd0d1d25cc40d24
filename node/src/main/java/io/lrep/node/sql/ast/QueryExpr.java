package io.lrep.node.sql.ast;

import java.util.List;

/** The body of a query: a SELECT, a set operation, a VALUES list or a parenthesized query. */
public sealed interface QueryExpr permits QueryExpr.SelectCore, QueryExpr.SetOperation, QueryExpr.Values, Query {

    int pos();

    /**
     * {@code SELECT [DISTINCT [ON (...)]] targets [FROM ...] [WHERE ...] [GROUP BY ...] [HAVING ...]}.
     *
     * @param distinct DISTINCT was written (with or without ON)
     * @param distinctOn the DISTINCT ON expressions, or empty
     * @param from FROM items (comma-separated; empty for SELECT without FROM)
     * @param groupBy GROUP BY expressions (integer constants are ordinals)
     * @param windows named WINDOW definitions (refName holds the window's own name)
     */
    record SelectCore(boolean distinct, List<Expr> distinctOn, List<SelectItem> targets, List<FromItem> from,
            Expr where, List<Expr> groupBy, Expr having, List<Expr.WindowSpec> windows, int pos) implements QueryExpr {
    }

    /** {@code left UNION|INTERSECT|EXCEPT [ALL] right}. */
    record SetOperation(SetOp op, boolean all, QueryExpr left, QueryExpr right, int pos) implements QueryExpr {
    }

    enum SetOp { UNION, INTERSECT, EXCEPT }

    /** {@code VALUES (...), (...)}. */
    record Values(List<List<Expr>> rows, int pos) implements QueryExpr {
    }
}
