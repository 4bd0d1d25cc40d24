package io.lrep.node.sql.parser;

import io.lrep.core.error.SqlState;
import io.lrep.node.sql.ast.Expr;
import io.lrep.node.sql.ast.GenericOption;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.PublicationStatement;
import io.lrep.node.sql.ast.PublicationStatement.ObjectSpec;
import io.lrep.node.sql.ast.PublicationStatement.TableSpec;
import io.lrep.node.sql.ast.QualifiedName;
import java.util.ArrayList;
import java.util.List;

/**
 * CREATE PUBLICATION and ALTER PUBLICATION with PostgreSQL 15's grammar: publication objects
 * {@code TABLE [ONLY] t [*] [(cols)] [WHERE (expr)]} and {@code TABLES IN SCHEMA s | CURRENT_SCHEMA},
 * where a bare name after a comma continues the kind of the object before it.
 */
final class PublicationStatements {

    private PublicationStatements() {
    }

    static void register(StatementRegistry r) {
        r.registerObject("create", "publication", PublicationStatements::create);
        r.registerObject("alter", "publication", PublicationStatements::alter);
    }

    private static PublicationStatement create(Parser p) {
        p.expectKw("create");
        p.expectKw("publication");
        String name = p.colId();
        boolean all = false;
        List<ObjectSpec> objects = List.of();
        if (p.acceptKw("for")) {
            if (p.acceptKw("all", "tables")) {
                all = true;
            } else {
                objects = objects(p, false);
            }
        }
        List<GenericOption> options = List.of();
        if (p.acceptKw("with")) {
            options = UtilityStatements.definition(p);
        }
        return new PublicationStatement.Create(name, all, objects, options, p.span());
    }

    private static PublicationStatement alter(Parser p) {
        p.expectKw("alter");
        p.expectKw("publication");
        String name = p.colId();
        if (p.acceptKw("rename", "to")) {
            return new PublicationStatement.Rename(name, p.colId(), p.span());
        }
        if (p.acceptKw("owner", "to")) {
            return new PublicationStatement.Owner(name, DdlStatements.roleSpec(p), p.span());
        }
        if (p.acceptKw("add")) {
            return new PublicationStatement.AlterObjects(name, PublicationStatement.AlterKind.ADD, objects(p, false), p.span());
        }
        if (p.acceptKw("drop")) {
            return new PublicationStatement.AlterObjects(name, PublicationStatement.AlterKind.DROP, objects(p, true), p.span());
        }
        p.expectKw("set");
        if (p.isOp("(")) {
            return new PublicationStatement.AlterOptions(name, UtilityStatements.definition(p), p.span());
        }
        return new PublicationStatement.AlterObjects(name, PublicationStatement.AlterKind.SET, objects(p, false), p.span());
    }

    private static List<ObjectSpec> objects(Parser p, boolean drop) {
        List<ObjectSpec> out = new ArrayList<>();
        Boolean tables = null;
        do {
            Token t = p.peek();
            if (p.acceptKw("table")) {
                tables = true;
            } else if (p.acceptKw("tables", "in", "schema")) {
                tables = false;
            } else if (tables == null) {
                throw p.errorAt(t, SqlState.SYNTAX_ERROR, "invalid publication object list")
                        .withDetail("One of TABLE or TABLES IN SCHEMA must be specified before a standalone table or schema name.");
            }
            Token at = p.peek();
            if (tables) {
                out.add(new ObjectSpec(table(p, drop), null, false, at.pos()));
            } else if (p.acceptKw("current_schema")) {
                out.add(new ObjectSpec(null, null, true, at.pos()));
            } else {
                out.add(new ObjectSpec(null, p.colId(), false, at.pos()));
            }
        } while (p.acceptOp(","));
        return List.copyOf(out);
    }

    private static TableSpec table(Parser p, boolean drop) {
        Token start = p.peek();
        p.acceptKw("only");
        QualifiedName name = p.qualifiedName();
        p.acceptOp("*");
        List<Ident> columns = null;
        if (p.isOp("(")) {
            Token t = p.peek();
            columns = p.columnList();
            if (drop) {
                throw p.errorAt(t, SqlState.SYNTAX_ERROR, "column list must not be specified in ALTER PUBLICATION ... DROP");
            }
        }
        Expr where = null;
        String whereText = null;
        Token w = p.peek();
        if (p.acceptKw("where")) {
            if (drop) {
                throw p.errorAt(w, SqlState.SYNTAX_ERROR, "cannot use a WHERE clause when removing a table from a publication");
            }
            Token open = p.expectOp("(");
            where = p.expr();
            Token close = p.expectOp(")");
            whereText = p.sql().substring(open.end(), close.start()).strip();
        }
        return new TableSpec(name, columns, where, whereText, start.pos());
    }
}
