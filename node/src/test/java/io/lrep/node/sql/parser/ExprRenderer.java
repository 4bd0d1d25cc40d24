package io.lrep.node.sql.parser;

import io.lrep.node.sql.ast.Expr;
import java.util.stream.Collectors;

/** Renders an expression fully parenthesized, to assert the tree's shape in one line. */
final class ExprRenderer {

    private ExprRenderer() {
    }

    static String render(Expr e) {
        if (e instanceof Expr.NumberLiteral n) {
            return n.text();
        }
        if (e instanceof Expr.StringLiteral s) {
            return "'" + s.value() + "'";
        }
        if (e instanceof Expr.BoolLiteral b) {
            return Boolean.toString(b.value());
        }
        if (e instanceof Expr.NullLiteral n) {
            return "NULL";
        }
        if (e instanceof Expr.Param p) {
            return "$" + p.index();
        }
        if (e instanceof Expr.ColumnRef c) {
            return String.join(".", c.names());
        }
        if (e instanceof Expr.Star s) {
            return s.qualifier().isEmpty() ? "*" : String.join(".", s.qualifier()) + ".*";
        }
        if (e instanceof Expr.BinaryOp b) {
            return "(" + render(b.left()) + " " + (b.schema() != null ? "OPERATOR(" + b.schema()
                    + "." + b.op() + ")" : b.op()) + " " + render(b.right()) + ")";
        }
        if (e instanceof Expr.UnaryOp u) {
            return "(" + u.op() + " " + render(u.operand()) + ")";
        }
        if (e instanceof Expr.BoolExpr b) {
            return b.op() == Expr.BoolOp.NOT ? "(NOT " + render(b.args().get(0)) + ")"
                    : b.args().stream().map(ExprRenderer::render).collect(Collectors.joining(" " + b.op() + " ", "(", ")"));
        }
        if (e instanceof Expr.NullTest n) {
            return "(" + render(n.arg()) + (n.not() ? " IS NOT NULL)" : " IS NULL)");
        }
        if (e instanceof Expr.BoolTest b) {
            return "(" + render(b.arg()) + " " + b.kind() + ")";
        }
        if (e instanceof Expr.DistinctFrom d) {
            return "(" + render(d.left()) + (d.not() ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ")
                    + render(d.right()) + ")";
        }
        if (e instanceof Expr.Between b) {
            return "(" + render(b.arg()) + (b.not() ? " NOT" : "") + " BETWEEN " + render(b.low())
                    + " AND " + render(b.high()) + ")";
        }
        if (e instanceof Expr.InList i) {
            return "(" + render(i.arg()) + (i.not() ? " NOT IN " : " IN ")
                    + i.list().stream().map(ExprRenderer::render).collect(Collectors.joining(", ", "(", ")")) + ")";
        }
        if (e instanceof Expr.Like l) {
            return "(" + render(l.arg()) + (l.not() ? " NOT " : " ") + l.kind() + " " + render(l.pattern())
                    + (l.escape() != null ? " ESCAPE " + render(l.escape()) : "") + ")";
        }
        if (e instanceof Expr.Cast c) {
            return "(" + render(c.arg()) + "::" + c.type() + ")";
        }
        if (e instanceof Expr.Collate c) {
            return "(" + render(c.arg()) + " COLLATE " + String.join(".", c.collation()) + ")";
        }
        if (e instanceof Expr.Subscript s) {
            return render(s.arg()) + "[" + (s.lower() == null ? "" : render(s.lower()))
                    + (s.slice() ? ":" + (s.upper() == null ? "" : render(s.upper())) : "") + "]";
        }
        if (e instanceof Expr.FuncCall f) {
            return (f.schema() != null ? f.schema() + "." : "") + f.name()
                    + (f.star() ? "(*)" : f.args().stream().map(ExprRenderer::render)
                    .collect(Collectors.joining(", ", f.distinct() ? "(DISTINCT " : "(", ")")));
        }
        if (e instanceof Expr.QuantifiedArray q) {
            return "(" + render(q.left()) + " " + q.op() + (q.all() ? " ALL " : " ANY ")
                    + render(q.array()) + ")";
        }
        if (e instanceof Expr.TypedLiteral t) {
            return t.type() + " '" + t.value() + "'";
        }
        if (e instanceof Expr.ArrayConstructor a) {
            return a.elements().stream().map(ExprRenderer::render)
                    .collect(Collectors.joining(", ", "ARRAY[", "]"));
        }
        if (e instanceof Expr.RowConstructor r) {
            return r.fields().stream().map(ExprRenderer::render)
                    .collect(Collectors.joining(", ", "ROW(", ")"));
        }
        return e.toString();
    }
}
