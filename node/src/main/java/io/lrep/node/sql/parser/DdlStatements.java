package io.lrep.node.sql.parser;

import io.lrep.core.error.SqlState;
import io.lrep.node.sql.ast.AlterTableCmd;
import io.lrep.node.sql.ast.ColumnDefinition;
import io.lrep.node.sql.ast.Constraint;
import io.lrep.node.sql.ast.Expr;
import io.lrep.node.sql.ast.GenericOption;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.Query;
import io.lrep.node.sql.ast.RoleSpec;
import io.lrep.node.sql.ast.SequenceOption;
import io.lrep.node.sql.ast.SortItem;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.ast.Statement.ObjectType;
import io.lrep.node.sql.ast.Statement.Persistence;
import io.lrep.node.sql.ast.TypeName;
import java.util.ArrayList;
import java.util.List;

/** CREATE / ALTER / DROP of schemas, tables, indexes, sequences and views. */
final class DdlStatements {

    private DdlStatements() {
    }

    static void register(StatementRegistry r) {
        r.registerObject("create", "schema", DdlStatements::createSchema);
        r.registerObject("create", "table", DdlStatements::createTable);
        r.registerObject("create", "index", DdlStatements::createIndex);
        r.registerObject("create", "sequence", DdlStatements::createSequence);
        r.registerObject("create", "view", DdlStatements::createView);
        r.registerObject("alter", "table", DdlStatements::alterTable);
        r.registerObject("alter", "sequence", DdlStatements::alterSequence);
        for (String object : List.of("table", "sequence", "index", "schema", "view", "materialized", "type", "domain",
                "function", "procedure", "extension", "database", "publication", "subscription", "collation")) {
            r.registerObject("drop", object, DdlStatements::drop);
        }
    }

    /** {@code IF NOT EXISTS}. */
    static boolean ifNotExists(Parser p) {
        return p.acceptKw("if", "not", "exists");
    }

    static boolean ifExists(Parser p) {
        return p.acceptKw("if", "exists");
    }

    /** Persistence modifiers between CREATE and the object word. */
    private static Persistence persistence(Parser p) {
        if (p.acceptKw("global") || p.acceptKw("local")) {
            if (!p.acceptKw("temp")) {
                p.expectKw("temporary");
            }
            return Persistence.TEMPORARY;
        }
        if (p.acceptKw("temp") || p.acceptKw("temporary")) {
            return Persistence.TEMPORARY;
        }
        if (p.acceptKw("unlogged")) {
            return Persistence.UNLOGGED;
        }
        return Persistence.PERMANENT;
    }

    static RoleSpec roleSpec(Parser p) {
        Token t = p.peek();
        if (p.acceptKw("public")) {
            return new RoleSpec(RoleSpec.Kind.PUBLIC, "public", t.pos());
        }
        if (p.acceptKw("current_user")) {
            return new RoleSpec(RoleSpec.Kind.CURRENT_USER, null, t.pos());
        }
        if (p.acceptKw("current_role")) {
            return new RoleSpec(RoleSpec.Kind.CURRENT_ROLE, null, t.pos());
        }
        if (p.acceptKw("session_user")) {
            return new RoleSpec(RoleSpec.Kind.SESSION_USER, null, t.pos());
        }
        return new RoleSpec(RoleSpec.Kind.NAME, p.nonReservedWord(), t.pos());
    }

    // ---- schema -----------------------------------------------------------------------------------------

    private static Statement createSchema(Parser p) {
        p.expectKw("create", "schema");
        boolean ine = ifNotExists(p);
        String name = null;
        RoleSpec auth = null;
        if (p.acceptKw("authorization")) {
            auth = roleSpec(p);
        } else {
            name = p.colId();
            if (p.acceptKw("authorization")) {
                auth = roleSpec(p);
            }
        }
        if (name == null && auth != null) {
            name = auth.name();
        }
        List<Statement> elements = new ArrayList<>();
        while (p.isKw("create") || p.isKw("grant")) {
            elements.add(p.statement());
        }
        return new Statement.CreateSchema(name, ine, auth, List.copyOf(elements), p.span());
    }

    // ---- drop -------------------------------------------------------------------------------------------

    private static Statement drop(Parser p) {
        p.expectKw("drop");
        Token t = p.next();
        ObjectType type = switch (t.keyword()) {
            case "table" -> ObjectType.TABLE;
            case "sequence" -> ObjectType.SEQUENCE;
            case "index" -> ObjectType.INDEX;
            case "schema" -> ObjectType.SCHEMA;
            case "view" -> ObjectType.VIEW;
            case "materialized" -> {
                p.expectKw("view");
                yield ObjectType.MATERIALIZED_VIEW;
            }
            case "type" -> ObjectType.TYPE;
            case "domain" -> ObjectType.DOMAIN;
            case "function" -> ObjectType.FUNCTION;
            case "procedure" -> ObjectType.PROCEDURE;
            case "extension" -> ObjectType.EXTENSION;
            case "database" -> ObjectType.DATABASE;
            case "publication" -> ObjectType.PUBLICATION;
            case "subscription" -> ObjectType.SUBSCRIPTION;
            case "collation" -> ObjectType.COLLATION;
            default -> throw p.syntaxErrorAt(t);
        };
        boolean concurrently = type == ObjectType.INDEX && p.acceptKw("concurrently");
        boolean ifExists = ifExists(p);
        List<QualifiedName> names = new ArrayList<>();
        do {
            names.add(p.qualifiedName());
            if ((type == ObjectType.FUNCTION || type == ObjectType.PROCEDURE) && p.isOp("(")) {
                skipParens(p);
            }
        } while (p.acceptOp(","));
        boolean cascade = QueryStatements.dropBehavior(p);
        if (type == ObjectType.DATABASE && p.acceptKw("with")) {
            skipParens(p);
        }
        return new Statement.Drop(type, List.copyOf(names), ifExists, cascade, concurrently, p.span());
    }

    static void skipParens(Parser p) {
        p.expectOp("(");
        int depth = 1;
        while (depth > 0) {
            Token t = p.next();
            if (t.kind() == Token.Kind.EOF) {
                throw p.syntaxErrorAt(t);
            }
            if (t.isOp("(")) {
                depth++;
            } else if (t.isOp(")")) {
                depth--;
            }
        }
    }

    // ---- tables -----------------------------------------------------------------------------------------

    private static Statement createTable(Parser p) {
        p.expectKw("create");
        Persistence persistence = persistence(p);
        p.expectKw("table");
        boolean ine = ifNotExists(p);
        QualifiedName name = p.qualifiedName();
        List<ColumnDefinition> columns = new ArrayList<>();
        List<Constraint> constraints = new ArrayList<>();
        List<QualifiedName> inherits = List.of();
        if (p.isKw("as") || (p.isOp("(") && p.isColId(p.peek(1)) && isCtasColumnList(p))) {
            List<String> asColumns = List.of();
            if (p.isOp("(")) {
                asColumns = p.columnList().stream().map(Ident::name).toList();
            }
            List<GenericOption> with = storageOptions(p);
            p.expectKw("as");
            Query q;
            if (p.isKw("execute")) {
                throw p.errorAt(p.peek(), SqlState.FEATURE_NOT_SUPPORTED, "CREATE TABLE AS EXECUTE is not supported");
            }
            q = p.query();
            boolean withData = true;
            if (p.acceptKw("with", "no", "data")) {
                withData = false;
            } else {
                p.acceptKw("with", "data");
            }
            return new Statement.CreateTable(name, persistence, ine, List.of(), List.of(), List.of(), with, q,
                    asColumns, withData, p.span());
        }
        if (p.isKw("partition") || p.isKw("of")) {
            throw p.errorAt(p.peek(), SqlState.FEATURE_NOT_SUPPORTED, "partitioned and typed tables are not supported");
        }
        p.expectOp("(");
        if (!p.isOp(")")) {
            do {
                if (isTableConstraintStart(p)) {
                    constraints.add(tableConstraint(p));
                } else if (p.isKw("like")) {
                    throw p.errorAt(p.peek(), SqlState.FEATURE_NOT_SUPPORTED, "CREATE TABLE ... LIKE is not supported");
                } else {
                    columns.add(columnDefinition(p));
                }
            } while (p.acceptOp(","));
        }
        p.expectOp(")");
        if (p.acceptKw("inherits")) {
            p.expectOp("(");
            inherits = p.qualifiedNameList();
            p.expectOp(")");
        }
        if (p.isKw("partition") && p.isKw(1, "by")) {
            throw p.errorAt(p.peek(), SqlState.FEATURE_NOT_SUPPORTED, "partitioned tables are not supported");
        }
        List<GenericOption> with = storageOptions(p);
        if (p.acceptKw("on", "commit")) {
            if (!p.acceptKw("preserve", "rows") && !p.acceptKw("delete", "rows")) {
                p.expectKw("drop");
            }
        }
        if (p.acceptKw("tablespace")) {
            p.colId();
        }
        return new Statement.CreateTable(name, persistence, ine, List.copyOf(columns), List.copyOf(constraints),
                inherits, with, null, List.of(), true, p.span());
    }

    /** (a, b) AS ...: a column-name list for CREATE TABLE AS (names only, then ')' then AS/WITH). */
    private static boolean isCtasColumnList(Parser p) {
        int k = 1;
        while (p.peek(k).kind() == Token.Kind.IDENT && (p.peek(k + 1).isOp(",") || p.peek(k + 1).isOp(")"))) {
            if (p.peek(k + 1).isOp(")")) {
                return p.isKw(k + 2, "as") || p.isKw(k + 2, "with");
            }
            k += 2;
        }
        return false;
    }

    private static List<GenericOption> storageOptions(Parser p) {
        if (p.isKw("with") && p.peek(1).isOp("(")) {
            p.next();
            return UtilityStatements.parenthesizedOptions(p);
        }
        if (p.acceptKw("without", "oids")) {
            return List.of();
        }
        return List.of();
    }

    private static boolean isTableConstraintStart(Parser p) {
        return p.isKw("constraint") || p.isKw("primary") || p.isKw("unique") || p.isKw("check")
                || p.isKw("foreign") || p.isKw("exclude");
    }

    static ColumnDefinition columnDefinition(Parser p) {
        Token t = p.peek();
        String name = p.colId();
        TypeName type = p.typeName();
        List<String> collation = List.of();
        List<Constraint> constraints = new ArrayList<>();
        while (true) {
            if (p.acceptKw("collate")) {
                collation = List.copyOf(p.anyName());
                continue;
            }
            Constraint c = columnConstraint(p);
            if (c == null) {
                break;
            }
            constraints.add(c);
        }
        return new ColumnDefinition(name, type, collation, List.copyOf(constraints), t.pos());
    }

    /** One column constraint, or null if none follows. */
    private static Constraint columnConstraint(Parser p) {
        String name = null;
        if (p.acceptKw("constraint")) {
            name = p.colId();
        }
        Token k = p.peek();
        if (p.acceptKw("not", "null")) {
            return new Constraint.NotNull(name, k.pos());
        }
        if (p.acceptKw("null")) {
            return new Constraint.Null(name, k.pos());
        }
        if (p.acceptKw("default")) {
            return new Constraint.Default(name, p.expr(), k.pos());
        }
        if (p.acceptKw("primary", "key")) {
            return new Constraint.PrimaryKey(name, List.of(), indexParameters(p), k.pos());
        }
        if (p.acceptKw("unique")) {
            boolean nnd = nullsNotDistinct(p);
            indexParameters(p);
            return new Constraint.Unique(name, List.of(), nnd, k.pos());
        }
        if (p.acceptKw("check")) {
            p.expectOp("(");
            Expr e = p.expr();
            p.expectOp(")");
            boolean noInherit = p.acceptKw("no", "inherit");
            return new Constraint.Check(name, e, noInherit, k.pos());
        }
        if (p.isKw("references")) {
            return references(p, name, List.of(), k);
        }
        if (p.acceptKw("generated")) {
            boolean always;
            if (p.acceptKw("always")) {
                always = true;
            } else {
                p.expectKw("by", "default");
                always = false;
            }
            p.expectKw("as");
            if (p.acceptKw("identity")) {
                List<SequenceOption> options = List.of();
                if (p.isOp("(")) {
                    p.next();
                    options = sequenceOptions(p, false);
                    p.expectOp(")");
                }
                return new Constraint.Identity(name, always, options, k.pos());
            }
            p.expectOp("(");
            Expr e = p.expr();
            p.expectOp(")");
            p.expectKw("stored");
            return new Constraint.Generated(name, e, k.pos());
        }
        if (p.isKw("deferrable") || p.isKw("initially") || (p.isKw("not") && p.isKw(1, "deferrable"))) {
            return deferrable(p, name, k);
        }
        if (name != null) {
            throw p.syntaxError();
        }
        return null;
    }

    private static Constraint deferrable(Parser p, String name, Token k) {
        Boolean deferrable = null;
        Boolean initiallyDeferred = null;
        while (true) {
            if (p.acceptKw("deferrable")) {
                deferrable = true;
            } else if (p.acceptKw("not", "deferrable")) {
                deferrable = false;
            } else if (p.acceptKw("initially", "deferred")) {
                initiallyDeferred = true;
            } else if (p.acceptKw("initially", "immediate")) {
                initiallyDeferred = false;
            } else {
                return new Constraint.Deferrable(name, deferrable, initiallyDeferred, k.pos());
            }
        }
    }

    private static boolean nullsNotDistinct(Parser p) {
        if (p.acceptKw("nulls", "not", "distinct")) {
            return true;
        }
        p.acceptKw("nulls", "distinct");
        return false;
    }

    /** {@code [INCLUDE (..)] [WITH (..)] [USING INDEX TABLESPACE t]}. */
    private static List<GenericOption> indexParameters(Parser p) {
        List<GenericOption> out = new ArrayList<>();
        if (p.acceptKw("include")) {
            p.columnList();
        }
        if (p.isKw("with") && p.peek(1).isOp("(")) {
            p.next();
            out.addAll(UtilityStatements.parenthesizedOptions(p));
        }
        if (p.acceptKw("using", "index", "tablespace")) {
            p.colId();
        }
        return List.copyOf(out);
    }

    private static Constraint references(Parser p, String name, List<Ident> columns, Token k) {
        p.expectKw("references");
        QualifiedName ref = p.qualifiedName();
        List<Ident> refCols = p.isOp("(") ? p.columnList() : List.of();
        String match = null;
        String onDelete = null;
        String onUpdate = null;
        while (true) {
            if (p.acceptKw("match")) {
                match = p.next().value();
            } else if (p.acceptKw("on", "delete")) {
                onDelete = refAction(p);
            } else if (p.acceptKw("on", "update")) {
                onUpdate = refAction(p);
            } else {
                break;
            }
        }
        return new Constraint.ForeignKey(name, columns, ref, refCols, match, onDelete, onUpdate, k.pos());
    }

    private static String refAction(Parser p) {
        if (p.acceptKw("no", "action")) {
            return "no action";
        }
        if (p.acceptKw("restrict")) {
            return "restrict";
        }
        if (p.acceptKw("cascade")) {
            return "cascade";
        }
        if (p.acceptKw("set", "null")) {
            if (p.isOp("(")) {
                p.columnList();
            }
            return "set null";
        }
        p.expectKw("set", "default");
        if (p.isOp("(")) {
            p.columnList();
        }
        return "set default";
    }

    static Constraint tableConstraint(Parser p) {
        String name = null;
        if (p.acceptKw("constraint")) {
            name = p.colId();
        }
        Token k = p.peek();
        Constraint c;
        if (p.acceptKw("primary", "key")) {
            List<Ident> cols = p.columnList();
            c = new Constraint.PrimaryKey(name, cols, indexParameters(p), k.pos());
        } else if (p.acceptKw("unique")) {
            boolean nnd = nullsNotDistinct(p);
            List<Ident> cols = p.columnList();
            indexParameters(p);
            c = new Constraint.Unique(name, cols, nnd, k.pos());
        } else if (p.acceptKw("check")) {
            p.expectOp("(");
            Expr e = p.expr();
            p.expectOp(")");
            c = new Constraint.Check(name, e, p.acceptKw("no", "inherit"), k.pos());
        } else if (p.acceptKw("foreign", "key")) {
            List<Ident> cols = p.columnList();
            c = references(p, name, cols, k);
        } else if (p.acceptKw("exclude")) {
            if (p.acceptKw("using")) {
                p.colId();
            }
            skipParens(p);
            if (p.acceptKw("where")) {
                skipParens(p);
            }
            c = new Constraint.Exclude(name, k.pos());
        } else {
            throw p.syntaxError();
        }
        // trailing attributes
        while (p.isKw("deferrable") || p.isKw("initially") || (p.isKw("not") && p.isKw(1, "deferrable"))
                || (p.isKw("not") && p.isKw(1, "valid"))) {
            if (!p.acceptKw("not", "valid")) {
                deferrable(p, name, k);
            }
        }
        return c;
    }

    private static Statement alterTable(Parser p) {
        p.expectKw("alter", "table");
        boolean ifExists = ifExists(p);
        boolean only = p.acceptKw("only");
        QualifiedName name = p.qualifiedName();
        p.acceptOp("*");
        List<AlterTableCmd> cmds = new ArrayList<>();
        Token t = p.peek();
        if (p.acceptKw("rename")) {
            if (p.acceptKw("to")) {
                cmds.add(new AlterTableCmd.RenameTable(p.colId(), t.pos()));
            } else if (p.acceptKw("constraint")) {
                String c = p.colId();
                p.expectKw("to");
                cmds.add(new AlterTableCmd.RenameConstraint(c, p.colId(), t.pos()));
            } else {
                p.acceptKw("column");
                String c = p.colId();
                p.expectKw("to");
                cmds.add(new AlterTableCmd.RenameColumn(c, p.colId(), t.pos()));
            }
            return new Statement.AlterTable(name, ifExists, only, List.copyOf(cmds), p.span());
        }
        if (p.acceptKw("set", "schema")) {
            cmds.add(new AlterTableCmd.SetSchema(p.colId(), t.pos()));
            return new Statement.AlterTable(name, ifExists, only, List.copyOf(cmds), p.span());
        }
        do {
            cmds.add(alterTableCmd(p));
        } while (p.acceptOp(","));
        return new Statement.AlterTable(name, ifExists, only, List.copyOf(cmds), p.span());
    }

    private static AlterTableCmd alterTableCmd(Parser p) {
        Token t = p.peek();
        if (p.acceptKw("add")) {
            if (isTableConstraintStart(p)) {
                return new AlterTableCmd.AddConstraint(tableConstraint(p), t.pos());
            }
            p.acceptKw("column");
            boolean ine = ifNotExists(p);
            return new AlterTableCmd.AddColumn(columnDefinition(p), ine, t.pos());
        }
        if (p.acceptKw("drop")) {
            if (p.acceptKw("constraint")) {
                boolean ie = ifExists(p);
                String c = p.colId();
                return new AlterTableCmd.DropConstraint(c, ie, QueryStatements.dropBehavior(p), t.pos());
            }
            p.acceptKw("column");
            boolean ie = ifExists(p);
            String c = p.colId();
            return new AlterTableCmd.DropColumn(c, ie, QueryStatements.dropBehavior(p), t.pos());
        }
        if (p.acceptKw("alter")) {
            p.acceptKw("column");
            String c = p.colId();
            if (p.acceptKw("set", "default")) {
                return new AlterTableCmd.ColumnDefault(c, p.expr(), t.pos());
            }
            if (p.acceptKw("drop", "default")) {
                return new AlterTableCmd.ColumnDefault(c, null, t.pos());
            }
            if (p.acceptKw("set", "not", "null")) {
                return new AlterTableCmd.ColumnNotNull(c, true, t.pos());
            }
            if (p.acceptKw("drop", "not", "null")) {
                return new AlterTableCmd.ColumnNotNull(c, false, t.pos());
            }
            if (p.acceptKw("set", "data", "type") || p.acceptKw("type")) {
                TypeName type = p.typeName();
                if (p.acceptKw("collate")) {
                    p.anyName();
                }
                Expr using = p.acceptKw("using") ? p.expr() : null;
                return new AlterTableCmd.ColumnType(c, type, using, t.pos());
            }
            return new AlterTableCmd.ColumnIdentity(c, skipToCommandEnd(p), t.pos());
        }
        if (p.acceptKw("replica", "identity")) {
            if (p.acceptKw("default")) {
                return new AlterTableCmd.ReplicaIdentity(AlterTableCmd.ReplicaIdentity.Kind.DEFAULT, null, t.pos());
            }
            if (p.acceptKw("full")) {
                return new AlterTableCmd.ReplicaIdentity(AlterTableCmd.ReplicaIdentity.Kind.FULL, null, t.pos());
            }
            if (p.acceptKw("nothing")) {
                return new AlterTableCmd.ReplicaIdentity(AlterTableCmd.ReplicaIdentity.Kind.NOTHING, null, t.pos());
            }
            p.expectKw("using", "index");
            return new AlterTableCmd.ReplicaIdentity(AlterTableCmd.ReplicaIdentity.Kind.INDEX, p.colId(), t.pos());
        }
        if (p.acceptKw("owner", "to")) {
            return new AlterTableCmd.OwnerTo(roleSpec(p), t.pos());
        }
        if (p.atEnd()) {
            throw p.syntaxError();
        }
        return new AlterTableCmd.Other(skipToCommandEnd(p), t.pos());
    }

    /** Skips to the next top-level ',' or the statement's end; returns the skipped text. */
    private static String skipToCommandEnd(Parser p) {
        int start = p.peek().start();
        int end = start;
        int depth = 0;
        while (!p.atEnd() && !(depth == 0 && p.isOp(","))) {
            Token t = p.next();
            if (t.isOp("(")) {
                depth++;
            } else if (t.isOp(")")) {
                depth--;
            }
            end = t.end();
        }
        return p.sql().substring(start, end);
    }

    // ---- indexes ----------------------------------------------------------------------------------------

    private static Statement createIndex(Parser p) {
        p.expectKw("create");
        boolean unique = p.acceptKw("unique");
        p.expectKw("index");
        boolean concurrently = p.acceptKw("concurrently");
        boolean ine = ifNotExists(p);
        String name = null;
        if (!p.isKw("on")) {
            name = p.colId();
        }
        p.expectKw("on");
        p.acceptKw("only");
        QualifiedName table = p.qualifiedName();
        String method = null;
        if (p.acceptKw("using")) {
            method = p.nonReservedWord();
        }
        p.expectOp("(");
        List<Statement.IndexElem> keys = new ArrayList<>();
        do {
            Token t = p.peek();
            String column = null;
            Expr expr = null;
            if (p.isOp("(")) {
                p.next();
                expr = p.expr();
                p.expectOp(")");
            } else if (p.isColId(t) && !p.peek(1).isOp("(") && !p.peek(1).isOp(".")) {
                column = p.colId();
            } else {
                expr = p.expr();
            }
            List<String> collation = p.acceptKw("collate") ? List.copyOf(p.anyName()) : List.of();
            String opclass = null;
            if (p.isColId(p.peek()) && !p.isKw("nulls")) {
                opclass = String.join(".", p.anyName());
            }
            SortItem.Direction dir = SortItem.Direction.DEFAULT;
            if (p.acceptKw("asc")) {
                dir = SortItem.Direction.ASC;
            } else if (p.acceptKw("desc")) {
                dir = SortItem.Direction.DESC;
            }
            SortItem.NullsOrder nulls = SortItem.NullsOrder.DEFAULT;
            if (p.acceptKw("nulls", "first")) {
                nulls = SortItem.NullsOrder.FIRST;
            } else if (p.acceptKw("nulls", "last")) {
                nulls = SortItem.NullsOrder.LAST;
            }
            keys.add(new Statement.IndexElem(column, expr, collation, opclass, dir, nulls, t.pos()));
        } while (p.acceptOp(","));
        p.expectOp(")");
        List<Ident> include = p.acceptKw("include") ? p.columnList() : List.of();
        nullsNotDistinct(p);
        if (p.isKw("with") && p.peek(1).isOp("(")) {
            p.next();
            UtilityStatements.parenthesizedOptions(p);
        }
        if (p.acceptKw("tablespace")) {
            p.colId();
        }
        Expr where = p.acceptKw("where") ? p.expr() : null;
        return new Statement.CreateIndex(name, table, unique, ine, concurrently, method, List.copyOf(keys), include,
                where, p.span());
    }

    // ---- sequences --------------------------------------------------------------------------------------

    private static Statement createSequence(Parser p) {
        p.expectKw("create");
        Persistence persistence = persistence(p);
        p.expectKw("sequence");
        boolean ine = ifNotExists(p);
        QualifiedName name = p.qualifiedName();
        return new Statement.CreateSequence(name, persistence, ine, sequenceOptions(p, false), p.span());
    }

    private static Statement alterSequence(Parser p) {
        p.expectKw("alter", "sequence");
        boolean ie = ifExists(p);
        QualifiedName name = p.qualifiedName();
        if (p.isKw("rename") || p.isKw("owner") || p.isKw("set")) {
            Token t = p.peek();
            if (p.acceptKw("set", "schema") || p.acceptKw("owner", "to")) {
                p.next();
                return new Statement.AlterSequence(name, ie, List.of(), p.span());
            }
            if (p.acceptKw("set", "logged") || p.acceptKw("set", "unlogged")) {
                return new Statement.AlterSequence(name, ie, List.of(), p.span());
            }
            if (p.acceptKw("rename", "to")) {
                String newName = p.colId();
                return new Statement.AlterTable(name, ie, false,
                        List.of(new AlterTableCmd.RenameTable(newName, t.pos())), p.span());
            }
        }
        List<SequenceOption> options = sequenceOptions(p, true);
        if (options.isEmpty()) {
            throw p.syntaxError();
        }
        return new Statement.AlterSequence(name, ie, options, p.span());
    }

    /** Sequence options until none follows (RESTART only when {@code alter}). */
    static List<SequenceOption> sequenceOptions(Parser p, boolean alter) {
        List<SequenceOption> out = new ArrayList<>();
        while (true) {
            Token t = p.peek();
            if (p.acceptKw("as")) {
                out.add(new SequenceOption(SequenceOption.Kind.AS, null, p.typeName(), List.of(), t.pos()));
            } else if (p.acceptKw("increment")) {
                p.acceptKw("by");
                out.add(number(p, SequenceOption.Kind.INCREMENT, t));
            } else if (p.acceptKw("minvalue")) {
                out.add(number(p, SequenceOption.Kind.MINVALUE, t));
            } else if (p.acceptKw("maxvalue")) {
                out.add(number(p, SequenceOption.Kind.MAXVALUE, t));
            } else if (p.acceptKw("no", "minvalue")) {
                out.add(new SequenceOption(SequenceOption.Kind.NO_MINVALUE, null, null, List.of(), t.pos()));
            } else if (p.acceptKw("no", "maxvalue")) {
                out.add(new SequenceOption(SequenceOption.Kind.NO_MAXVALUE, null, null, List.of(), t.pos()));
            } else if (p.acceptKw("no", "cycle")) {
                out.add(new SequenceOption(SequenceOption.Kind.NO_CYCLE, null, null, List.of(), t.pos()));
            } else if (p.acceptKw("cycle")) {
                out.add(new SequenceOption(SequenceOption.Kind.CYCLE, null, null, List.of(), t.pos()));
            } else if (p.acceptKw("start")) {
                p.acceptKw("with");
                out.add(number(p, SequenceOption.Kind.START, t));
            } else if (p.acceptKw("restart")) {
                p.acceptKw("with");
                Long v = null;
                if (p.peek().kind() == Token.Kind.NUMBER || p.isOp("-") || p.isOp("+")) {
                    v = p.signedLong();
                }
                out.add(new SequenceOption(SequenceOption.Kind.RESTART, v, null, List.of(), t.pos()));
            } else if (p.acceptKw("cache")) {
                out.add(number(p, SequenceOption.Kind.CACHE, t));
            } else if (p.acceptKw("owned", "by")) {
                List<String> owner = p.acceptKw("none") ? List.of() : List.copyOf(p.anyName());
                out.add(new SequenceOption(SequenceOption.Kind.OWNED_BY, null, null, owner, t.pos()));
            } else if (p.acceptKw("sequence", "name")) {
                out.add(new SequenceOption(SequenceOption.Kind.SEQUENCE_NAME, null, null, List.copyOf(p.anyName()),
                        t.pos()));
            } else {
                return List.copyOf(out);
            }
        }
    }

    private static SequenceOption number(Parser p, SequenceOption.Kind kind, Token t) {
        return new SequenceOption(kind, p.signedLong(), null, List.of(), t.pos());
    }

    // ---- views ------------------------------------------------------------------------------------------

    private static Statement createView(Parser p) {
        p.expectKw("create");
        boolean orReplace = p.acceptKw("or", "replace");
        Persistence persistence = persistence(p);
        p.acceptKw("recursive");
        p.expectKw("view");
        QualifiedName name = p.qualifiedName();
        List<String> cols = p.isOp("(") ? p.columnList().stream().map(Ident::name).toList() : List.of();
        if (p.isKw("with") && p.peek(1).isOp("(")) {
            p.next();
            UtilityStatements.parenthesizedOptions(p);
        }
        p.expectKw("as");
        Query q = p.query();
        if (p.acceptKw("with")) {
            if (!p.acceptKw("cascaded")) {
                p.acceptKw("local");
            }
            p.expectKw("check", "option");
        }
        return new Statement.CreateView(name, orReplace, persistence, cols, q, p.span());
    }
}
