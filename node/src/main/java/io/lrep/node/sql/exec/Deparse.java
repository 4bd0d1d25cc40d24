package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.node.sql.ast.Expr;
import java.util.ArrayList;
import java.util.List;

/** Expression text for stored column defaults (read back with SqlParser.parseExpression). */
final class Deparse {

    private Deparse() {}

    static String expr(Expr e) {
        if (e instanceof Expr.NumberLiteral n) {
            return n.text().startsWith("-") ? "(" + n.text() + ")" : n.text();
        }
        if (e instanceof Expr.StringLiteral s) {
            return "'" + s.value().replace("'", "''") + "'";
        }
        if (e instanceof Expr.BoolLiteral b) {
            return b.value() ? "true" : "false";
        }
        if (e instanceof Expr.NullLiteral) {
            return "NULL";
        }
        if (e instanceof Expr.TypedLiteral t) {
            return "'" + t.value().replace("'", "''") + "'::" + t.type();
        }
        if (e instanceof Expr.Cast c) {
            return expr(c.arg()) + "::" + c.type();
        }
        if (e instanceof Expr.ColumnRef c) {
            return String.join(".", c.names());
        }
        if (e instanceof Expr.FuncCall f) {
            List<String> args = new ArrayList<>();
            for (Expr a : f.args()) {
                args.add(expr(a));
            }
            return (f.schema() != null ? f.schema() + "." : "") + f.name() + "(" + (f.star() ? "*" : String.join(", ", args)) + ")";
        }
        if (e instanceof Expr.BinaryOp b) {
            return "(" + expr(b.left()) + " " + b.op() + " " + expr(b.right()) + ")";
        }
        if (e instanceof Expr.UnaryOp u) {
            return "(" + u.op() + expr(u.operand()) + ")";
        }
        if (e instanceof Expr.SqlValueFunction f) {
            return f.kind().name();
        }
        if (e instanceof Expr.ArrayConstructor a) {
            List<String> els = new ArrayList<>();
            for (Expr x : a.elements()) {
                els.add(expr(x));
            }
            return "ARRAY[" + String.join(", ", els) + "]";
        }
        if (e instanceof Expr.Coalesce c) {
            List<String> els = new ArrayList<>();
            for (Expr x : c.args()) {
                els.add(expr(x));
            }
            return "COALESCE(" + String.join(", ", els) + ")";
        }
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "this kind of DEFAULT expression is not supported").withPosition(e.pos());
    }
}
