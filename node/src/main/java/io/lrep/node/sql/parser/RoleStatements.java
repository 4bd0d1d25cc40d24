package io.lrep.node.sql.parser;

import io.lrep.core.error.SqlState;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.RoleOption;
import io.lrep.node.sql.ast.RoleSpec;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.ast.Statement.ObjectType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** CREATE / ALTER / DROP ROLE, USER and GROUP, GRANT / REVOKE, COMMENT ON. */
final class RoleStatements {

    private static final Map<String, RoleOption.Kind> FLAGS = Map.ofEntries(
            Map.entry("superuser", RoleOption.Kind.SUPERUSER), Map.entry("createdb", RoleOption.Kind.CREATEDB),
            Map.entry("createrole", RoleOption.Kind.CREATEROLE), Map.entry("login", RoleOption.Kind.LOGIN),
            Map.entry("replication", RoleOption.Kind.REPLICATION), Map.entry("bypassrls", RoleOption.Kind.BYPASSRLS),
            Map.entry("inherit", RoleOption.Kind.INHERIT));

    private RoleStatements() {
    }

    static void register(StatementRegistry r) {
        for (String kind : List.of("role", "user", "group")) {
            r.registerObject("create", kind, RoleStatements::createRole);
            r.registerObject("alter", kind, RoleStatements::alterRole);
            r.registerObject("drop", kind, RoleStatements::dropRole);
        }
        r.register("grant", p -> grant(p, true));
        r.register("revoke", p -> grant(p, false));
        r.register("comment", RoleStatements::comment);
    }

    private static Statement createRole(Parser p) {
        p.expectKw("create");
        Token k = p.next();
        Statement.RoleKind kind = k.is("user") ? Statement.RoleKind.USER
                : k.is("group") ? Statement.RoleKind.GROUP : Statement.RoleKind.ROLE;
        String name = roleName(p);
        p.acceptKw("with");
        return new Statement.CreateRole(kind, name, options(p, true), p.span());
    }

    /** A role name for CREATE ROLE: reserved role names are rejected as PostgreSQL does. */
    private static String roleName(Parser p) {
        Token t = p.peek();
        RoleSpec spec = DdlStatements.roleSpec(p);
        if (spec.kind() != RoleSpec.Kind.NAME) {
            throw p.errorAt(t, SqlState.INVALID_PARAMETER_VALUE,
                    "role name \"" + p.sql().substring(t.start(), t.end()).toLowerCase(java.util.Locale.ROOT)
                            + "\" is reserved");
        }
        return spec.name();
    }

    private static List<RoleSpec> roleList(Parser p) {
        List<RoleSpec> out = new ArrayList<>();
        do {
            out.add(DdlStatements.roleSpec(p));
        } while (p.acceptOp(","));
        return List.copyOf(out);
    }

    private static List<RoleOption> options(Parser p, boolean create) {
        List<RoleOption> out = new ArrayList<>();
        while (!p.atEnd()) {
            Token t = p.peek();
            if (p.acceptKw("password") || p.acceptKw("encrypted", "password")) {
                String pw = p.acceptKw("null") ? null : p.stringConstant();
                out.add(new RoleOption(RoleOption.Kind.PASSWORD, false, null, pw, List.of(), t.pos()));
            } else if (p.acceptKw("unencrypted")) {
                throw p.errorAt(t, SqlState.FEATURE_NOT_SUPPORTED, "UNENCRYPTED PASSWORD is no longer supported")
                        .withHint("Remove UNENCRYPTED to store the password in encrypted form instead.");
            } else if (p.acceptKw("inherit")) {
                out.add(new RoleOption(RoleOption.Kind.INHERIT, true, null, null, List.of(), t.pos()));
            } else if (p.acceptKw("connection", "limit")) {
                out.add(new RoleOption(RoleOption.Kind.CONNECTION_LIMIT, false, p.signedLong(), null, List.of(),
                        t.pos()));
            } else if (p.acceptKw("valid", "until")) {
                out.add(new RoleOption(RoleOption.Kind.VALID_UNTIL, false, null, p.stringConstant(), List.of(),
                        t.pos()));
            } else if (create && p.acceptKw("sysid")) {
                out.add(new RoleOption(RoleOption.Kind.SYSID, false, p.signedLong(), null, List.of(), t.pos()));
            } else if (create && (p.acceptKw("in", "role") || p.acceptKw("in", "group"))) {
                out.add(new RoleOption(RoleOption.Kind.IN_ROLE, false, null, null, roleList(p), t.pos()));
            } else if (create && (p.acceptKw("role") || p.acceptKw("user"))) {
                out.add(new RoleOption(RoleOption.Kind.ROLE, false, null, null, roleList(p), t.pos()));
            } else if (create && p.acceptKw("admin")) {
                out.add(new RoleOption(RoleOption.Kind.ADMIN, false, null, null, roleList(p), t.pos()));
            } else if (t.kind() == Token.Kind.IDENT && t.keyword() == null) {
                p.next();
                String w = t.value();
                boolean flag = !w.startsWith("no");
                RoleOption.Kind kind = FLAGS.get(flag ? w : w.substring(2));
                if (kind == null) {
                    throw p.errorAt(t, SqlState.SYNTAX_ERROR, "unrecognized role option \"" + w + "\"");
                }
                out.add(new RoleOption(kind, flag, null, null, List.of(), t.pos()));
            } else {
                throw p.syntaxError();
            }
        }
        return List.copyOf(out);
    }

    private static Statement alterRole(Parser p) {
        p.expectKw("alter");
        p.next();
        Token t = p.peek();
        if (p.acceptKw("all")) {
            return alterRoleSet(p, null);
        }
        RoleSpec role = DdlStatements.roleSpec(p);
        if (p.acceptKw("rename", "to")) {
            if (role.kind() != RoleSpec.Kind.NAME) {
                throw p.syntaxErrorAt(t);
            }
            return new Statement.RenameRole(role.name(), p.nonReservedWord(), p.span());
        }
        if (p.isKw("set") || p.isKw("reset") || p.isKw("in")) {
            return alterRoleSet(p, role);
        }
        p.acceptKw("with");
        return new Statement.AlterRole(role, options(p, false), p.span());
    }

    private static Statement alterRoleSet(Parser p, RoleSpec role) {
        String database = null;
        if (p.acceptKw("in", "database")) {
            database = p.colId();
        }
        Statement setting;
        if (p.isKw("reset")) {
            setting = UtilityStatements.reset(p);
        } else {
            p.expectKw("set");
            UtilityStatements.Setting s = UtilityStatements.setting(p);
            setting = new Statement.SetVariable(s.name(), false, s.values(), s.toDefault(), p.span());
        }
        return new Statement.AlterRoleSet(role, database, setting, p.span());
    }

    private static Statement dropRole(Parser p) {
        p.expectKw("drop");
        p.next();
        boolean ifExists = DdlStatements.ifExists(p);
        return new Statement.DropRole(roleList(p), ifExists, p.span());
    }

    // ---- GRANT / REVOKE -----------------------------------------------------------------------------------

    private static Statement grant(Parser p, boolean grant) {
        p.next();
        boolean grantOptionFor = !grant && p.acceptKw("grant", "option", "for");
        if (!grant && p.acceptKw("admin", "option", "for")) {
            grantOptionFor = true;
        }
        List<String> privileges = new ArrayList<>();
        if (p.acceptKw("all")) {
            p.acceptKw("privileges");
            privileges.add("all");
            if (p.isOp("(")) {
                p.columnList();
            }
        } else {
            do {
                StringBuilder priv = new StringBuilder();
                while (p.peek().kind() == Token.Kind.IDENT && !p.isKw("on") && !p.isKw("to") && !p.isKw("from")) {
                    priv.append(priv.length() == 0 ? "" : " ").append(p.next().value());
                }
                if (priv.length() == 0) {
                    throw p.syntaxError();
                }
                privileges.add(priv.toString());
                if (p.isOp("(")) {
                    p.columnList();
                }
            } while (p.acceptOp(","));
        }
        ObjectType type = ObjectType.ROLE;
        List<QualifiedName> objects = List.of();
        if (p.acceptKw("on")) {
            type = ObjectType.TABLE;
            if (p.acceptKw("all")) {
                Token what = p.next();
                p.expectKw("in", "schema");
                type = what.is("sequences") ? ObjectType.SEQUENCE : what.is("functions") ? ObjectType.FUNCTION
                        : ObjectType.TABLE;
                objects = p.qualifiedNameList();
            } else {
                if (p.acceptKw("table")) {
                    type = ObjectType.TABLE;
                } else if (p.acceptKw("sequence")) {
                    type = ObjectType.SEQUENCE;
                } else if (p.acceptKw("schema")) {
                    type = ObjectType.SCHEMA;
                } else if (p.acceptKw("database")) {
                    type = ObjectType.DATABASE;
                } else if (p.acceptKw("function") || p.acceptKw("procedure") || p.acceptKw("routine")) {
                    type = ObjectType.FUNCTION;
                } else if (p.acceptKw("type") || p.acceptKw("domain")) {
                    type = ObjectType.TYPE;
                } else if (p.acceptKw("language") || p.acceptKw("tablespace")
                        || p.acceptKw("foreign", "data", "wrapper") || p.acceptKw("foreign", "server")
                        || p.acceptKw("large", "object") || p.acceptKw("parameter")) {
                    type = ObjectType.OTHER;
                }
                List<QualifiedName> names = new ArrayList<>();
                do {
                    if (p.peek().kind() == Token.Kind.NUMBER) {
                        Token n = p.next();
                        names.add(new QualifiedName(null, null, n.value(), n.pos()));
                    } else {
                        names.add(p.qualifiedName());
                    }
                    if (type == ObjectType.FUNCTION && p.isOp("(")) {
                        DdlStatements.skipParens(p);
                    }
                } while (p.acceptOp(","));
                objects = List.copyOf(names);
            }
        }
        if (grant) {
            p.expectKw("to");
        } else {
            p.expectKw("from");
        }
        p.acceptKw("group");
        List<RoleSpec> grantees = roleList(p);
        boolean withOption = grant && (p.acceptKw("with", "grant", "option") || p.acceptKw("with", "admin", "option"));
        if (p.acceptKw("granted", "by")) {
            DdlStatements.roleSpec(p);
        }
        boolean cascade = !grant && QueryStatements.dropBehavior(p);
        return new Statement.Grant(grant, List.copyOf(privileges), type, objects, grantees,
                withOption || grantOptionFor, cascade, p.span());
    }

    // ---- COMMENT ON ---------------------------------------------------------------------------------------

    private static Statement comment(Parser p) {
        p.expectKw("comment", "on");
        Token t = p.next();
        ObjectType type = switch (t.keyword() == null ? "" : t.keyword()) {
            case "table" -> ObjectType.TABLE;
            case "column" -> ObjectType.COLUMN;
            case "sequence" -> ObjectType.SEQUENCE;
            case "index" -> ObjectType.INDEX;
            case "schema" -> ObjectType.SCHEMA;
            case "view" -> ObjectType.VIEW;
            case "role" -> ObjectType.ROLE;
            case "database" -> ObjectType.DATABASE;
            case "constraint" -> ObjectType.CONSTRAINT;
            case "function" -> ObjectType.FUNCTION;
            case "type" -> ObjectType.TYPE;
            case "extension" -> ObjectType.EXTENSION;
            case "publication" -> ObjectType.PUBLICATION;
            case "subscription" -> ObjectType.SUBSCRIPTION;
            default -> ObjectType.OTHER;
        };
        if (type == ObjectType.OTHER && t.is("materialized")) {
            p.expectKw("view");
            type = ObjectType.MATERIALIZED_VIEW;
        }
        List<String> object = new ArrayList<>(p.anyName());
        if (type == ObjectType.CONSTRAINT || p.isKw("on")) {
            p.expectKw("on");
            p.acceptKw("domain");
            object.addAll(p.anyName());
        }
        if (p.isOp("(")) {
            DdlStatements.skipParens(p);
        }
        p.expectKw("is");
        String comment = p.acceptKw("null") ? null : p.stringConstant();
        return new Statement.Comment(type, List.copyOf(object), comment, p.span());
    }
}
