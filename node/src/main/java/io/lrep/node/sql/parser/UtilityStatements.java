package io.lrep.node.sql.parser;

import io.lrep.node.sql.ast.GenericOption;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.ast.Statement.SetValue;
import io.lrep.node.sql.ast.Statement.TransactionKind;
import io.lrep.node.sql.ast.TransactionModes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Transactions, SET / SHOW / RESET / DISCARD, EXPLAIN, VACUUM, ANALYZE, CHECKPOINT, LOCK, LISTEN / NOTIFY, DO, DEALLOCATE. */
final class UtilityStatements {

    private UtilityStatements() {
    }

    static void register(StatementRegistry r) {
        r.register("begin", p -> begin(p, TransactionKind.BEGIN));
        r.register("start", p -> begin(p, TransactionKind.START));
        r.register("commit", UtilityStatements::commit);
        r.register("end", UtilityStatements::commit);
        r.register("rollback", UtilityStatements::rollback);
        r.register("abort", UtilityStatements::rollback);
        r.register("savepoint", UtilityStatements::savepoint);
        r.register("release", UtilityStatements::release);
        r.register("prepare", UtilityStatements::prepareTransaction);
        r.register("set", UtilityStatements::set);
        r.register("show", UtilityStatements::show);
        r.register("reset", UtilityStatements::reset);
        r.register("discard", UtilityStatements::discard);
        r.register("explain", UtilityStatements::explain);
        r.register("vacuum", UtilityStatements::vacuum);
        r.register("analyze", UtilityStatements::vacuum);
        r.register("analyse", UtilityStatements::vacuum);
        r.register("checkpoint", p -> {
            p.expectKw("checkpoint");
            return new Statement.Checkpoint(p.span());
        });
        r.register("lock", UtilityStatements::lock);
        r.register("listen", p -> {
            p.expectKw("listen");
            return new Statement.Listen(p.colId(), p.span());
        });
        r.register("unlisten", p -> {
            p.expectKw("unlisten");
            String channel = p.acceptOp("*") ? null : p.colId();
            return new Statement.Unlisten(channel, p.span());
        });
        r.register("notify", p -> {
            p.expectKw("notify");
            String channel = p.colId();
            String payload = p.acceptOp(",") ? p.stringConstant() : null;
            return new Statement.Notify(channel, payload, p.span());
        });
        r.register("do", UtilityStatements::doBlock);
        r.register("deallocate", p -> {
            p.expectKw("deallocate");
            p.acceptKw("prepare");
            String name = p.acceptKw("all") ? null : p.colId();
            return new Statement.Deallocate(name, p.span());
        });
    }

    // ---- transactions ------------------------------------------------------------------------------------

    private static Statement begin(Parser p, TransactionKind kind) {
        p.next();
        if (kind == TransactionKind.START) {
            p.expectKw("transaction");
        } else if (!p.acceptKw("transaction")) {
            p.acceptKw("work");
        }
        return new Statement.Transaction(kind, transactionModes(p), null, false, p.span());
    }

    /** Transaction modes, separated by optional commas. */
    static TransactionModes transactionModes(Parser p) {
        String isolation = null;
        Boolean readOnly = null;
        Boolean deferrable = null;
        boolean first = true;
        while (true) {
            if (!first && p.acceptOp(",")) {
                // separator
            }
            first = false;
            if (p.acceptKw("isolation", "level")) {
                if (p.acceptKw("read", "committed")) {
                    isolation = "read committed";
                } else if (p.acceptKw("read", "uncommitted")) {
                    isolation = "read uncommitted";
                } else if (p.acceptKw("repeatable", "read")) {
                    isolation = "repeatable read";
                } else {
                    p.expectKw("serializable");
                    isolation = "serializable";
                }
            } else if (p.acceptKw("read", "only")) {
                readOnly = true;
            } else if (p.acceptKw("read", "write")) {
                readOnly = false;
            } else if (p.acceptKw("deferrable")) {
                deferrable = true;
            } else if (p.acceptKw("not", "deferrable")) {
                deferrable = false;
            } else {
                break;
            }
        }
        return isolation == null && readOnly == null && deferrable == null ? TransactionModes.NONE
                : new TransactionModes(isolation, readOnly, deferrable);
    }

    private static boolean chain(Parser p) {
        if (p.acceptKw("and", "no", "chain")) {
            return false;
        }
        return p.acceptKw("and", "chain");
    }

    private static Statement commit(Parser p) {
        p.next();
        if (p.isKw("prepared")) {
            p.next();
            return new Statement.Transaction(TransactionKind.COMMIT_PREPARED, TransactionModes.NONE,
                    p.stringConstant(), false, p.span());
        }
        if (!p.acceptKw("transaction")) {
            p.acceptKw("work");
        }
        return new Statement.Transaction(TransactionKind.COMMIT, TransactionModes.NONE, null, chain(p), p.span());
    }

    private static Statement rollback(Parser p) {
        Token t = p.next();
        if (t.is("rollback") && p.acceptKw("prepared")) {
            return new Statement.Transaction(TransactionKind.ROLLBACK_PREPARED, TransactionModes.NONE,
                    p.stringConstant(), false, p.span());
        }
        if (!p.acceptKw("transaction")) {
            p.acceptKw("work");
        }
        if (t.is("rollback") && p.acceptKw("to")) {
            p.acceptKw("savepoint");
            return new Statement.Transaction(TransactionKind.ROLLBACK_TO, TransactionModes.NONE, p.colId(), false,
                    p.span());
        }
        return new Statement.Transaction(TransactionKind.ROLLBACK, TransactionModes.NONE, null, chain(p), p.span());
    }

    private static Statement savepoint(Parser p) {
        p.expectKw("savepoint");
        return new Statement.Transaction(TransactionKind.SAVEPOINT, TransactionModes.NONE, p.colId(), false,
                p.span());
    }

    private static Statement release(Parser p) {
        p.expectKw("release");
        p.acceptKw("savepoint");
        return new Statement.Transaction(TransactionKind.RELEASE, TransactionModes.NONE, p.colId(), false, p.span());
    }

    private static Statement prepareTransaction(Parser p) {
        p.expectKw("prepare");
        if (!p.acceptKw("transaction")) {
            throw p.errorAt(p.peek(), io.lrep.core.error.SqlState.FEATURE_NOT_SUPPORTED,
                    "PREPARE is not supported; use the extended query protocol");
        }
        return new Statement.Transaction(TransactionKind.PREPARE, TransactionModes.NONE, p.stringConstant(), false,
                p.span());
    }

    // ---- settings ---------------------------------------------------------------------------------------

    /** A setting name: {@code name[.name]}, lower case. */
    private static String varName(Parser p) {
        StringBuilder b = new StringBuilder(p.colId());
        while (p.acceptOp(".")) {
            b.append('.').append(p.colLabel());
        }
        return b.toString();
    }

    private static Statement set(Parser p) {
        p.expectKw("set");
        boolean local = false;
        if (p.acceptKw("local")) {
            local = true;
        } else {
            p.acceptKw("session");
            if (p.acceptKw("characteristics", "as", "transaction")) {
                return new Statement.SetTransaction(transactionModes(p), true, p.span());
            }
        }
        if (p.acceptKw("transaction")) {
            if (p.acceptKw("snapshot")) {
                throw p.errorAt(p.peek(), io.lrep.core.error.SqlState.FEATURE_NOT_SUPPORTED,
                        "SET TRANSACTION SNAPSHOT is not supported");
            }
            return new Statement.SetTransaction(transactionModes(p), false, p.span());
        }
        Setting s = setting(p);
        return new Statement.SetVariable(s.name, local, s.values, s.toDefault, p.span());
    }

    /** The part of SET after SET [LOCAL|SESSION] (also used by ALTER ROLE ... SET). */
    static Setting setting(Parser p) {
        if (p.acceptKw("time", "zone")) {
            Token t = p.peek();
            if (p.acceptKw("local") || p.acceptKw("default")) {
                return new Setting("timezone", List.of(), true);
            }
            if (p.isKw("interval")) {
                io.lrep.node.sql.ast.Expr e = p.expr();
                if (e instanceof io.lrep.node.sql.ast.Expr.TypedLiteral tl) {
                    return new Setting("timezone", List.of(new SetValue(SetValue.Kind.STRING, tl.value(), t.pos())),
                            false);
                }
                throw p.syntaxErrorAt(t);
            }
            return new Setting("timezone", List.of(value(p)), false);
        }
        if (p.acceptKw("names")) {
            if (p.atEnd() || p.isKw("default")) {
                p.acceptKw("default");
                return new Setting("client_encoding", List.of(), true);
            }
            return new Setting("client_encoding", List.of(value(p)), false);
        }
        if (p.acceptKw("schema")) {
            return new Setting("search_path", List.of(value(p)), false);
        }
        if (p.acceptKw("session", "authorization")) {
            if (p.acceptKw("default")) {
                return new Setting("session_authorization", List.of(), true);
            }
            return new Setting("session_authorization", List.of(value(p)), false);
        }
        if (p.isKw("role") && !p.peek(1).isOp("=") && !p.isKw(1, "to")) {
            p.next();
            return new Setting("role", List.of(value(p)), false);
        }
        String name = varName(p);
        if (!p.acceptKw("to") && !p.acceptOp("=")) {
            if (p.acceptKw("from", "current")) {
                return new Setting(name, List.of(), false);
            }
            throw p.syntaxError();
        }
        if (p.acceptKw("default")) {
            return new Setting(name, List.of(), true);
        }
        List<SetValue> values = new ArrayList<>();
        do {
            values.add(value(p));
        } while (p.acceptOp(","));
        return new Setting(name, List.copyOf(values), false);
    }

    record Setting(String name, List<SetValue> values, boolean toDefault) {
    }

    private static SetValue value(Parser p) {
        Token t = p.peek();
        switch (t.kind()) {
            case STRING -> {
                p.next();
                return new SetValue(SetValue.Kind.STRING, t.value(), t.pos());
            }
            case NUMBER -> {
                p.next();
                return new SetValue(SetValue.Kind.NUMBER, t.value(), t.pos());
            }
            case IDENT -> {
                p.next();
                return new SetValue(SetValue.Kind.WORD, t.value(), t.pos());
            }
            case OP -> {
                if (t.isOp("-") || t.isOp("+")) {
                    p.next();
                    Token n = p.peek();
                    if (n.kind() != Token.Kind.NUMBER) {
                        throw p.syntaxError();
                    }
                    p.next();
                    return new SetValue(SetValue.Kind.NUMBER, (t.isOp("-") ? "-" : "") + n.value(), t.pos());
                }
                throw p.syntaxError();
            }
            default -> throw p.syntaxError();
        }
    }

    private static Statement show(Parser p) {
        p.expectKw("show");
        String name;
        if (p.acceptKw("all")) {
            name = "all";
        } else if (p.acceptKw("transaction", "isolation", "level")) {
            name = "transaction_isolation";
        } else if (p.acceptKw("time", "zone")) {
            name = "timezone";
        } else if (p.acceptKw("session", "authorization")) {
            name = "session_authorization";
        } else {
            name = varName(p);
        }
        return new Statement.Show(name, p.span());
    }

    static Statement reset(Parser p) {
        p.expectKw("reset");
        String name;
        if (p.acceptKw("all")) {
            name = "all";
        } else if (p.acceptKw("time", "zone")) {
            name = "timezone";
        } else if (p.acceptKw("session", "authorization")) {
            name = "session_authorization";
        } else if (p.acceptKw("transaction", "isolation", "level")) {
            name = "transaction_isolation";
        } else {
            name = varName(p);
        }
        return new Statement.Reset(name, p.span());
    }

    private static Statement discard(Parser p) {
        p.expectKw("discard");
        String what;
        if (p.acceptKw("all")) {
            what = "all";
        } else if (p.acceptKw("plans")) {
            what = "plans";
        } else if (p.acceptKw("sequences")) {
            what = "sequences";
        } else if (p.acceptKw("temp") || p.acceptKw("temporary")) {
            what = "temp";
        } else {
            throw p.syntaxError();
        }
        return new Statement.Discard(what, p.span());
    }

    // ---- utility ----------------------------------------------------------------------------------------

    /**
     * PostgreSQL's {@code definition}: {@code (name [= value], ...)}, as CREATE PUBLICATION and
     * CREATE SUBSCRIPTION take it; a value is a string or an identifier's text, or the token as
     * written (numbers, keywords).
     */
    static List<GenericOption> definition(Parser p) {
        p.expectOp("(");
        List<GenericOption> out = new ArrayList<>();
        do {
            Token t = p.peek();
            String name = p.colLabel();
            String value = null;
            if (p.acceptOp("=")) {
                Token v = p.next();
                if (v.kind() == Token.Kind.EOF || v.isOp(")") || v.isOp(",")) {
                    throw p.syntaxErrorAt(v);
                }
                value = v.kind() == Token.Kind.STRING || v.kind() == Token.Kind.IDENT ? v.value() : p.sql().substring(v.start(), v.end());
            }
            out.add(new GenericOption(name, value, t.pos()));
        } while (p.acceptOp(","));
        p.expectOp(")");
        return List.copyOf(out);
    }

    /** {@code (name [value], ...)}. */
    static List<GenericOption> parenthesizedOptions(Parser p) {
        List<GenericOption> out = new ArrayList<>();
        p.expectOp("(");
        do {
            Token n = p.peek();
            String name = p.colLabel();
            while (p.acceptOp(".")) {
                name = name + "." + p.colLabel();
            }
            boolean equals = p.acceptOp("=");
            String value = null;
            if (equals || (!p.isOp(",") && !p.isOp(")"))) {
                value = QueryStatements.optionValue(p);
            }
            out.add(new GenericOption(name, value, n.pos()));
        } while (p.acceptOp(","));
        p.expectOp(")");
        return List.copyOf(out);
    }

    private static Statement explain(Parser p) {
        p.expectKw("explain");
        List<GenericOption> options = new ArrayList<>();
        if (p.isOp("(")) {
            options.addAll(parenthesizedOptions(p));
        } else {
            while (p.isKw("analyze") || p.isKw("analyse") || p.isKw("verbose")) {
                Token t = p.next();
                options.add(new GenericOption(t.is("verbose") ? "verbose" : "analyze", null, t.pos()));
            }
        }
        Statement inner = p.statement();
        return new Statement.Explain(inner, List.copyOf(options), p.span());
    }

    private static Statement vacuum(Parser p) {
        Token t = p.next();
        boolean vacuum = t.is("vacuum");
        List<GenericOption> options = new ArrayList<>();
        if (p.isOp("(")) {
            options.addAll(parenthesizedOptions(p));
        } else {
            while (p.isKw("full") || p.isKw("freeze") || p.isKw("verbose") || p.isKw("analyze")
                    || p.isKw("analyse")) {
                Token o = p.next();
                options.add(new GenericOption(o.is("analyse") ? "analyze" : o.keyword(), null, o.pos()));
            }
        }
        List<QualifiedName> tables = new ArrayList<>();
        if (!p.atEnd()) {
            do {
                tables.add(p.qualifiedName());
                if (p.isOp("(")) {
                    p.columnList();
                }
            } while (p.acceptOp(","));
        }
        return new Statement.Vacuum(vacuum, List.copyOf(options), List.copyOf(tables), p.span());
    }

    private static Statement lock(Parser p) {
        p.expectKw("lock");
        p.acceptKw("table");
        List<QualifiedName> tables = new ArrayList<>();
        do {
            p.acceptKw("only");
            tables.add(p.qualifiedName());
            p.acceptOp("*");
        } while (p.acceptOp(","));
        String mode = "ACCESS EXCLUSIVE";
        if (p.acceptKw("in")) {
            StringBuilder m = new StringBuilder();
            while (!p.isKw("mode")) {
                Token w = p.next();
                if (w.kind() != Token.Kind.IDENT) {
                    throw p.syntaxErrorAt(w);
                }
                m.append(m.length() == 0 ? "" : " ").append(w.value().toUpperCase(Locale.ROOT));
            }
            p.expectKw("mode");
            mode = m.toString();
        }
        boolean nowait = p.acceptKw("nowait");
        return new Statement.Lock(List.copyOf(tables), mode, nowait, p.span());
    }

    private static Statement doBlock(Parser p) {
        p.expectKw("do");
        String language = null;
        String code = null;
        while (!p.atEnd()) {
            if (p.acceptKw("language")) {
                language = p.nonReservedWord();
            } else {
                code = p.stringConstant();
            }
        }
        if (code == null) {
            throw new io.lrep.core.error.LrepException(io.lrep.core.error.SqlState.SYNTAX_ERROR,
                    "no inline code specified");
        }
        return new Statement.Do(code, language, p.span());
    }
}
