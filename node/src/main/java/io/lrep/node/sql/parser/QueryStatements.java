package io.lrep.node.sql.parser;

import io.lrep.node.sql.ast.Expr;
import io.lrep.node.sql.ast.FromItem;
import io.lrep.node.sql.ast.GenericOption;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.Query;
import io.lrep.node.sql.ast.SelectItem;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.ast.Statement.SetClause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** SELECT, INSERT, UPDATE, DELETE, TRUNCATE, COPY. */
final class QueryStatements {

    private QueryStatements() {
    }

    static void register(StatementRegistry r) {
        r.register("select", QueryStatements::select);
        r.register("values", QueryStatements::select);
        r.register("table", QueryStatements::select);
        r.register("(", QueryStatements::select);
        r.register("with", QueryStatements::with);
        r.register("insert", p -> insert(p, null));
        r.register("update", p -> update(p, null));
        r.register("delete", p -> delete(p, null));
        r.register("truncate", QueryStatements::truncate);
        r.register("copy", QueryStatements::copy);
    }

    static Statement select(Parser p) {
        Query q = p.query();
        return new Statement.Select(q, p.span());
    }

    private static Statement with(Parser p) {
        Token t = p.peek();
        Query.With with = p.with();
        if (p.isKw("insert")) {
            return insert(p, with);
        }
        if (p.isKw("update")) {
            return update(p, with);
        }
        if (p.isKw("delete")) {
            return delete(p, with);
        }
        Query q = p.queryTail(with, queryBody(p), t);
        return new Statement.Select(q, p.span());
    }

    private static io.lrep.node.sql.ast.QueryExpr queryBody(Parser p) {
        // the body after WITH: a query without its own WITH
        Query q = p.query();
        return q.orderBy().isEmpty() && q.limit() == null && q.offset() == null && q.locking().isEmpty()
                && q.with() == null ? q.body() : q;
    }

    private static List<SelectItem> returning(Parser p) {
        return p.acceptKw("returning") ? p.targetList() : List.of();
    }

    private static String relationAlias(Parser p) {
        if (p.acceptKw("as")) {
            return p.colId();
        }
        if (p.isColId(p.peek()) && !p.isKw("set") && !p.isKw("using") && !p.isKw("where")
                && !p.isKw("returning") && !p.isKw("default") && !p.isKw("values") && !p.isKw("overriding")) {
            return p.colId();
        }
        return null;
    }

    static Statement insert(Parser p, Query.With with) {
        p.expectKw("insert", "into");
        QualifiedName table = p.qualifiedName();
        String alias = p.acceptKw("as") ? p.colId() : null;
        List<Ident> columns = List.of();
        if (p.isOp("(") && !p.isQueryStart(1)) {
            columns = p.columnList();
        }
        String overriding = null;
        if (p.acceptKw("overriding")) {
            overriding = p.acceptKw("system") ? "system" : null;
            if (overriding == null) {
                p.expectKw("user");
                overriding = "user";
            }
            p.expectKw("value");
        }
        Query source = null;
        if (!p.acceptKw("default", "values")) {
            source = p.query();
        }
        Statement.OnConflict onConflict = null;
        if (p.isKw("on") && p.isKw(1, "conflict")) {
            onConflict = onConflict(p);
        }
        return new Statement.Insert(with, table, alias, columns, overriding, source, onConflict, returning(p),
                p.span());
    }

    private static Statement.OnConflict onConflict(Parser p) {
        Token t = p.expectKw("on", "conflict");
        List<Ident> cols = List.of();
        String constraint = null;
        Expr targetWhere = null;
        if (p.isOp("(")) {
            p.next();
            List<Ident> c = new ArrayList<>();
            do {
                c.add(p.colIdent());
                if (p.acceptKw("collate")) {
                    p.anyName();
                }
            } while (p.acceptOp(","));
            p.expectOp(")");
            cols = List.copyOf(c);
            if (p.acceptKw("where")) {
                targetWhere = p.expr();
            }
        } else if (p.acceptKw("on", "constraint")) {
            constraint = p.colId();
        }
        p.expectKw("do");
        if (p.acceptKw("nothing")) {
            return new Statement.OnConflict(cols, constraint, targetWhere, false, List.of(), null, t.pos());
        }
        p.expectKw("update", "set");
        List<SetClause> set = setClauses(p);
        Expr where = p.acceptKw("where") ? p.expr() : null;
        return new Statement.OnConflict(cols, constraint, targetWhere, true, set, where, t.pos());
    }

    private static List<SetClause> setClauses(Parser p) {
        List<SetClause> out = new ArrayList<>();
        do {
            Token t = p.peek();
            if (p.isOp("(")) {
                List<Ident> cols = p.columnList();
                p.expectOp("=");
                Expr value;
                if (p.isKw("row") || p.isOp("(")) {
                    value = p.expr();
                } else {
                    throw p.syntaxError();
                }
                out.add(new SetClause(cols, value, t.pos()));
            } else {
                Ident col = p.colIdent();
                if (p.isOp(".") || p.isOp("[")) {
                    throw p.errorAt(p.peek(), io.lrep.core.error.SqlState.FEATURE_NOT_SUPPORTED,
                            "assignment to a field or array element is not supported");
                }
                p.expectOp("=");
                out.add(new SetClause(List.of(col), p.exprOrDefault(), t.pos()));
            }
        } while (p.acceptOp(","));
        return List.copyOf(out);
    }

    static Statement update(Parser p, Query.With with) {
        p.expectKw("update");
        boolean only = p.acceptKw("only");
        QualifiedName table = p.qualifiedName();
        p.acceptOp("*");
        String alias = relationAlias(p);
        p.expectKw("set");
        List<SetClause> set = setClauses(p);
        List<FromItem> from = p.acceptKw("from") ? p.fromList() : List.of();
        Expr where = whereClause(p);
        return new Statement.Update(with, table, only, alias, set, from, where, returning(p), p.span());
    }

    private static Expr whereClause(Parser p) {
        if (!p.acceptKw("where")) {
            return null;
        }
        if (p.isKw("current") && p.isKw(1, "of")) {
            throw p.errorAt(p.peek(), io.lrep.core.error.SqlState.FEATURE_NOT_SUPPORTED,
                    "WHERE CURRENT OF is not supported");
        }
        return p.expr();
    }

    static Statement delete(Parser p, Query.With with) {
        p.expectKw("delete", "from");
        boolean only = p.acceptKw("only");
        QualifiedName table = p.qualifiedName();
        p.acceptOp("*");
        String alias = relationAlias(p);
        List<FromItem> using = p.acceptKw("using") ? p.fromList() : List.of();
        Expr where = whereClause(p);
        return new Statement.Delete(with, table, only, alias, using, where, returning(p), p.span());
    }

    private static Statement truncate(Parser p) {
        p.expectKw("truncate");
        p.acceptKw("table");
        List<QualifiedName> tables = new ArrayList<>();
        do {
            p.acceptKw("only");
            tables.add(p.qualifiedName());
            p.acceptOp("*");
        } while (p.acceptOp(","));
        boolean restart = false;
        if (p.acceptKw("restart", "identity")) {
            restart = true;
        } else {
            p.acceptKw("continue", "identity");
        }
        boolean cascade = dropBehavior(p);
        return new Statement.Truncate(List.copyOf(tables), restart, cascade, p.span());
    }

    /** {@code [CASCADE | RESTRICT]}: true for CASCADE. */
    static boolean dropBehavior(Parser p) {
        if (p.acceptKw("cascade")) {
            return true;
        }
        p.acceptKw("restrict");
        return false;
    }

    private static Statement copy(Parser p) {
        p.expectKw("copy");
        QualifiedName table = null;
        List<Ident> columns = List.of();
        Query query = null;
        if (p.isOp("(")) {
            p.next();
            Statement inner = p.statement();
            p.expectOp(")");
            if (inner instanceof Statement.Select s) {
                query = s.query();
            } else {
                throw p.errorAt(p.peek(), io.lrep.core.error.SqlState.FEATURE_NOT_SUPPORTED,
                        "COPY of a data-modifying statement is not supported");
            }
        } else {
            table = p.qualifiedName();
            if (p.isOp("(")) {
                columns = p.columnList();
            }
        }
        boolean from;
        if (p.acceptKw("from")) {
            from = true;
        } else {
            p.expectKw("to");
            from = false;
        }
        if (query != null && from) {
            throw p.syntaxError();
        }
        boolean program = p.acceptKw("program");
        String file = null;
        if (!program && (p.acceptKw("stdin") || p.acceptKw("stdout"))) {
            file = null;
        } else {
            file = p.stringConstant();
        }
        List<GenericOption> options = new ArrayList<>();
        boolean with = p.acceptKw("with");
        if (p.isOp("(")) {
            p.next();
            do {
                Token n = p.peek();
                String name = p.colLabel();
                String value = null;
                if (!p.isOp(",") && !p.isOp(")")) {
                    value = optionValue(p);
                }
                options.add(new GenericOption(name, value, n.pos()));
            } while (p.acceptOp(","));
            p.expectOp(")");
        } else {
            oldCopyOptions(p, options);
        }
        if (with && options.isEmpty()) {
            throw p.syntaxError();
        }
        Expr where = p.acceptKw("where") ? p.expr() : null;
        return new Statement.Copy(table, columns, query, from, file, program, List.copyOf(options), where,
                p.span());
    }

    /** An option's argument: a string, number, word, '*', or (list). */
    static String optionValue(Parser p) {
        Token t = p.peek();
        switch (t.kind()) {
            case STRING, IDENT -> {
                p.next();
                return t.value();
            }
            case NUMBER -> {
                p.next();
                return t.value();
            }
            case OP -> {
                if (t.isOp("*")) {
                    p.next();
                    return "*";
                }
                if (t.isOp("-") || t.isOp("+")) {
                    p.next();
                    Token n = p.peek();
                    if (n.kind() != Token.Kind.NUMBER) {
                        throw p.syntaxError();
                    }
                    p.next();
                    return (t.isOp("-") ? "-" : "") + n.value();
                }
                if (t.isOp("(")) {
                    p.next();
                    List<String> items = new ArrayList<>();
                    do {
                        items.add(p.colLabel());
                    } while (p.acceptOp(","));
                    p.expectOp(")");
                    return String.join(",", items);
                }
                throw p.syntaxError();
            }
            default -> throw p.syntaxError();
        }
    }

    private static void oldCopyOptions(Parser p, List<GenericOption> options) {
        while (true) {
            Token t = p.peek();
            if (p.acceptKw("binary")) {
                options.add(new GenericOption("format", "binary", t.pos()));
            } else if (p.acceptKw("csv")) {
                options.add(new GenericOption("format", "csv", t.pos()));
            } else if (p.acceptKw("header")) {
                options.add(new GenericOption("header", "true", t.pos()));
            } else if (p.acceptKw("freeze")) {
                options.add(new GenericOption("freeze", "true", t.pos()));
            } else if (p.isKw("delimiter") || p.isKw("null") || p.isKw("quote") || p.isKw("escape")
                    || p.isKw("encoding")) {
                String name = p.next().keyword();
                p.acceptKw("as");
                options.add(new GenericOption(name, p.stringConstant(), t.pos()));
            } else if (p.acceptKw("force")) {
                String name;
                if (p.acceptKw("quote")) {
                    name = "force_quote";
                } else if (p.acceptKw("not", "null")) {
                    name = "force_not_null";
                } else {
                    p.expectKw("null");
                    name = "force_null";
                }
                String value;
                if (p.acceptOp("*")) {
                    value = "*";
                } else {
                    List<String> cols = new ArrayList<>();
                    do {
                        cols.add(p.colId());
                    } while (p.acceptOp(","));
                    value = String.join(",", cols);
                }
                options.add(new GenericOption(name, value, t.pos()));
            } else if (p.acceptKw("oids")) {
                throw p.errorAt(t, io.lrep.core.error.SqlState.SYNTAX_ERROR, "option \"oids\" not recognized");
            } else {
                return;
            }
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
