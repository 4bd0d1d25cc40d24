package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.SchemaDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.node.SystemTables;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.PublicationStatement;
import io.lrep.node.sql.ast.PublicationStatement.ObjectSpec;
import io.lrep.node.sql.ast.GenericOption;
import io.lrep.node.sql.ast.PublicationStatement.TableSpec;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.RoleSpec;
import io.lrep.node.sql.ast.Statement;
import io.lrep.publisher.publication.Publication;
import io.lrep.publisher.publication.PublicationCatalog;
import io.lrep.publisher.publication.PublicationNamespace;
import io.lrep.publisher.publication.PublicationRel;
import io.lrep.publisher.publication.PublishActions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * CREATE, ALTER and DROP PUBLICATION as PostgreSQL 15's publicationcmds.c runs them, over the
 * catalog rows of {@link PublicationCatalog}, with its validation and error texts. Ownership:
 * lrep's tables belong to the bootstrap superuser, so a non-superuser can create publications
 * without tables (and owns them) but cannot add tables; FOR ALL TABLES and FOR TABLES IN
 * SCHEMA need a superuser.
 */
final class PublicationDdl {

    private PublicationDdl() {}

    static Planned.Outcome execute(ExecSession s, Analyzer a, PublicationStatement st) {
        Transaction t = s.txn;
        PublicationCatalog.bootstrap(t);
        if (st instanceof PublicationStatement.Create c) {
            return create(s, a, t, c);
        }
        if (st instanceof PublicationStatement.AlterObjects ao) {
            return alterObjects(s, a, t, ao);
        }
        if (st instanceof PublicationStatement.AlterOptions o) {
            Publication p = owned(s, t, o.name());
            Options opts = options(o.options(), p.actions(), p.viaRoot());
            PublicationCatalog.update(t, p.withActions(opts.actions).withViaRoot(opts.viaRoot));
            return Planned.Outcome.of("ALTER PUBLICATION");
        }
        if (st instanceof PublicationStatement.Rename r) {
            Publication p = owned(s, t, r.name());
            PublicationCatalog.update(t, p.withName(r.newName()));
            return Planned.Outcome.of("ALTER PUBLICATION");
        }
        if (st instanceof PublicationStatement.Owner o) {
            return owner(s, t, o);
        }
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, st.getClass().getSimpleName() + " is not supported");
    }

    // ------------------------------------------------------------------ CREATE

    private static Planned.Outcome create(ExecSession s, Analyzer a, Transaction t, PublicationStatement.Create c) {
        if (PublicationCatalog.find(t, c.name()).isPresent()) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "publication \"" + c.name() + "\" already exists");
        }
        Options opts = options(c.options(), PublishActions.ALL, false);
        if (c.allTables() && !s.superuser()) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be superuser to create FOR ALL TABLES publication");
        }
        Resolved objs = resolve(s, a, t, c.objects(), c.name());
        if (!objs.schemas.isEmpty() && !s.superuser()) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be superuser to create FOR TABLES IN SCHEMA publication");
        }
        checkColumnListsWithSchemas(objs.tables, !objs.schemas.isEmpty(), c.name());
        Publication p = PublicationCatalog.create(t, c.name(), userOid(s, t), c.allTables(), opts.actions, opts.viaRoot);
        for (Target tt : objs.tables.values()) {
            PublicationCatalog.addRel(t, p.oid(), relOid(tt.table), tt.filter, tt.columns);
        }
        for (SchemaDef nsp : objs.schemas.values()) {
            PublicationCatalog.addNamespace(t, p.oid(), Integer.toUnsignedLong(nsp.oid()));
        }
        return Planned.Outcome.of("CREATE PUBLICATION");
    }

    // ------------------------------------------------------------------ ALTER ... ADD / SET / DROP

    private static Planned.Outcome alterObjects(ExecSession s, Analyzer a, Transaction t, PublicationStatement.AlterObjects ao) {
        Publication p = owned(s, t, ao.name());
        Resolved objs = resolve(s, a, t, ao.objects(), p.name());
        if (p.allTables()) {
            boolean schemas = !objs.schemas.isEmpty();
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "publication \"" + p.name() + "\" is defined as FOR ALL TABLES")
                    .withDetail(schemas && objs.tables.isEmpty()
                            ? "Schemas cannot be added to or dropped from FOR ALL TABLES publications."
                            : "Tables cannot be added to or dropped from FOR ALL TABLES publications.");
        }
        if (!objs.schemas.isEmpty() && !s.superuser() && ao.kind() != PublicationStatement.AlterKind.DROP) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be superuser to add or set schemas");
        }
        List<PublicationRel> rels = PublicationCatalog.rels(t, p.oid());
        List<PublicationNamespace> nsps = PublicationCatalog.namespaces(t, p.oid());
        switch (ao.kind()) {
            case ADD -> {
                boolean anySchema = !nsps.isEmpty() || !objs.schemas.isEmpty();
                if (!objs.schemas.isEmpty() && rels.stream().anyMatch(r -> r.columns() != null)) {
                    throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "cannot add schema to publication \"" + p.name() + "\"")
                            .withDetail("Schemas cannot be added if any tables that specify a column list are already part of the publication.");
                }
                checkColumnListsWithSchemas(objs.tables, anySchema, p.name());
                for (Target tt : objs.tables.values()) {
                    if (rels.stream().anyMatch(r -> r.relOid() == relOid(tt.table))) {
                        throw new LrepException(SqlState.DUPLICATE_OBJECT, "relation \"" + tt.table.name()
                                + "\" is already member of publication \"" + p.name() + "\"");
                    }
                    PublicationCatalog.addRel(t, p.oid(), relOid(tt.table), tt.filter, tt.columns);
                }
                for (SchemaDef nsp : objs.schemas.values()) {
                    if (nsps.stream().anyMatch(n -> n.nspOid() == Integer.toUnsignedLong(nsp.oid()))) {
                        throw new LrepException(SqlState.DUPLICATE_OBJECT, "schema \"" + nsp.name()
                                + "\" is already member of publication \"" + p.name() + "\"");
                    }
                    PublicationCatalog.addNamespace(t, p.oid(), Integer.toUnsignedLong(nsp.oid()));
                }
            }
            case DROP -> {
                for (Target tt : objs.tables.values()) {
                    PublicationRel rel = rels.stream().filter(r -> r.relOid() == relOid(tt.table)).findFirst()
                            .orElseThrow(() -> new LrepException(SqlState.UNDEFINED_OBJECT, "relation \"" + tt.table.name()
                                    + "\" is not part of the publication"));
                    PublicationCatalog.removeRel(t, rel);
                }
                for (SchemaDef nsp : objs.schemas.values()) {
                    PublicationNamespace ns = nsps.stream().filter(n -> n.nspOid() == Integer.toUnsignedLong(nsp.oid())).findFirst()
                            .orElseThrow(() -> new LrepException(SqlState.UNDEFINED_OBJECT, "tables from schema \"" + nsp.name()
                                    + "\" are not part of the publication"));
                    PublicationCatalog.removeNamespace(t, ns);
                }
            }
            case SET -> {
                checkColumnListsWithSchemas(objs.tables, !objs.schemas.isEmpty(), p.name());
                for (PublicationRel rel : rels) {
                    Target keep = objs.tables.values().stream().filter(tt -> relOid(tt.table) == rel.relOid()).findFirst().orElse(null);
                    if (keep == null || !Objects.equals(keep.filter, rel.rowFilter()) || !Objects.equals(keep.columns, rel.columns())) {
                        PublicationCatalog.removeRel(t, rel);
                    } else {
                        objs.tables.remove(rel.relOid());
                    }
                }
                for (Target tt : objs.tables.values()) {
                    PublicationCatalog.addRel(t, p.oid(), relOid(tt.table), tt.filter, tt.columns);
                }
                for (PublicationNamespace ns : nsps) {
                    if (objs.schemas.remove(ns.nspOid()) == null) {
                        PublicationCatalog.removeNamespace(t, ns);
                    }
                }
                for (SchemaDef nsp : objs.schemas.values()) {
                    PublicationCatalog.addNamespace(t, p.oid(), Integer.toUnsignedLong(nsp.oid()));
                }
            }
            default -> throw new IllegalStateException(ao.kind().toString());
        }
        return Planned.Outcome.of("ALTER PUBLICATION");
    }

    private static void checkColumnListsWithSchemas(Map<Long, Target> tables, boolean schemas, String pubName) {
        if (!schemas) {
            return;
        }
        for (Target tt : tables.values()) {
            if (tt.columns != null) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "cannot use column list for relation \""
                        + tt.table.schemaName() + "." + tt.table.name() + "\" in publication \"" + pubName + "\"")
                        .withDetail("Column lists cannot be specified in publications containing FOR TABLES IN SCHEMA elements.");
            }
        }
    }

    // ------------------------------------------------------------------ OWNER TO

    private static Planned.Outcome owner(ExecSession s, Transaction t, PublicationStatement.Owner o) {
        Publication p = owned(s, t, o.name());
        String roleName = switch (o.owner().kind()) {
            case NAME -> o.owner().name();
            case CURRENT_USER, CURRENT_ROLE, SESSION_USER -> s.user();
            case PUBLIC -> "public";
        };
        RowRef role = Roles.findRow(t, roleName);
        if (role == null || o.owner().kind() == RoleSpec.Kind.PUBLIC) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "role \"" + roleName + "\" does not exist");
        }
        boolean newOwnerSuper = (Boolean) role.values()[SystemTables.ROL_SUPER];
        if (!newOwnerSuper && (p.allTables() || !PublicationCatalog.namespaces(t, p.oid()).isEmpty())) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to change owner of publication \"" + p.name() + "\"")
                    .withHint(p.allTables() ? "The owner of a FOR ALL TABLES publication must be a superuser."
                            : "The owner of a FOR TABLES IN SCHEMA publication must be a superuser.");
        }
        PublicationCatalog.update(t, p.withOwner((Long) role.values()[SystemTables.ROL_OID]));
        return Planned.Outcome.of("ALTER PUBLICATION");
    }

    // ------------------------------------------------------------------ DROP

    static Planned.Outcome drop(ExecSession s, Statement.Drop d) {
        Transaction t = s.txn;
        for (QualifiedName n : d.names()) {
            Publication p = PublicationCatalog.find(t, n.name()).orElse(null);
            if (p == null) {
                if (d.ifExists()) {
                    s.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "publication \"" + n.name() + "\" does not exist, skipping");
                    continue;
                }
                throw new LrepException(SqlState.UNDEFINED_OBJECT, "publication \"" + n.name() + "\" does not exist");
            }
            requireOwner(s, t, p);
            PublicationCatalog.drop(t, p);
        }
        return Planned.Outcome.of("DROP PUBLICATION");
    }

    // ------------------------------------------------------------------ helpers

    private static Publication owned(ExecSession s, Transaction t, String name) {
        Publication p = PublicationCatalog.get(t, name);
        requireOwner(s, t, p);
        return p;
    }

    private static void requireOwner(ExecSession s, Transaction t, Publication p) {
        if (!s.superuser() && p.ownerOid() != userOid(s, t)) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be owner of publication " + p.name());
        }
    }

    private static long userOid(ExecSession s, Transaction t) {
        RowRef r = Roles.findRow(t, s.user());
        return r == null ? SystemTables.BOOTSTRAP_SUPERUSER_OID : (Long) r.values()[SystemTables.ROL_OID];
    }

    private static long relOid(TableDef td) {
        return Integer.toUnsignedLong(td.oid());
    }

    /** A table of an object list with its filter text ("(expr)") and sorted column attnums (null = all). */
    private record Target(TableDef table, String filter, List<Integer> columns) {}

    /** The object list resolved: tables by oid and schemas by oid, in order of appearance. */
    private record Resolved(Map<Long, Target> tables, Map<Long, SchemaDef> schemas) {}

    private static Resolved resolve(ExecSession s, Analyzer a, Transaction t, List<ObjectSpec> objects, String pubName) {
        Map<Long, Target> tables = new LinkedHashMap<>();
        Map<Long, SchemaDef> schemas = new LinkedHashMap<>();
        for (ObjectSpec o : objects) {
            if (o.isTable()) {
                TableSpec spec = o.table();
                TableDef td = Ddl.findTable(s, spec.table());
                if (td == null) {
                    throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + spec.table().name() + "\" does not exist")
                            .withPosition(spec.table().pos());
                }
                if (!PublicationCatalog.publishable(td)) {
                    throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "cannot add relation \"" + td.name() + "\" to publication")
                            .withDetail("This operation is not supported for system tables.");
                }
                if (!s.superuser()) {
                    throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be owner of table " + td.name());
                }
                List<Integer> columns = spec.columns() == null ? null : columns(td, spec.columns());
                String filter = null;
                if (spec.where() != null) {
                    RowFilterExpressions.bind(a.binder(), td, spec.where());
                    filter = "(" + spec.whereText() + ")";
                }
                Target prev = tables.get(relOid(td));
                if (prev != null) {
                    if (!Objects.equals(prev.filter, filter)) {
                        throw new LrepException(SqlState.DUPLICATE_OBJECT, "conflicting or redundant WHERE clauses for table \"" + td.name() + "\"");
                    }
                    if (!Objects.equals(prev.columns, columns)) {
                        throw new LrepException(SqlState.DUPLICATE_OBJECT, "conflicting or redundant column lists for table \"" + td.name() + "\"");
                    }
                    continue;
                }
                tables.put(relOid(td), new Target(td, filter, columns));
            } else {
                String name = o.currentSchema() ? currentSchema(s) : o.schema();
                SchemaDef nsp = t.findSchema(name);
                if (nsp == null) {
                    throw new LrepException(SqlState.UNDEFINED_SCHEMA, "schema \"" + name + "\" does not exist");
                }
                if (!PublicationCatalog.publishableSchema(nsp.name())) {
                    throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "cannot add schema \"" + nsp.name() + "\" to publication")
                            .withDetail("This operation is not supported for system schemas.");
                }
                schemas.putIfAbsent(Integer.toUnsignedLong(nsp.oid()), nsp);
            }
        }
        return new Resolved(tables, schemas);
    }

    private static String currentSchema(ExecSession s) {
        List<String> path = s.existingSearchPath(false);
        if (path.isEmpty()) {
            throw new LrepException(SqlState.UNDEFINED_SCHEMA, "no schema has been selected for CURRENT_SCHEMA");
        }
        return path.get(0);
    }

    private static List<Integer> columns(TableDef td, List<Ident> names) {
        List<Integer> out = new ArrayList<>();
        for (Ident id : names) {
            ColumnDef c = td.column(id.name());
            if (c == null) {
                throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + id.name() + "\" of relation \"" + td.name()
                        + "\" does not exist");
            }
            if (out.contains(c.attnum())) {
                throw new LrepException(SqlState.DUPLICATE_OBJECT, "duplicate column \"" + id.name() + "\" in publication column list");
            }
            out.add(c.attnum());
        }
        out.sort(null);
        return out;
    }

    /** The WITH options over {@code actions}/{@code viaRoot} (the current values, or CREATE's defaults). */
    private record Options(PublishActions actions, boolean viaRoot) {}

    private static Options options(List<GenericOption> options, PublishActions actions, boolean viaRoot) {
        boolean publishSeen = false;
        boolean viaRootSeen = false;
        for (GenericOption o : options) {
            switch (o.name().toLowerCase(Locale.ROOT)) {
                case "publish" -> {
                    if (publishSeen) {
                        throw conflicting(o);
                    }
                    publishSeen = true;
                    actions = PublishActions.parse(o.value() == null ? "" : o.value());
                }
                case "publish_via_partition_root" -> {
                    if (viaRootSeen) {
                        throw conflicting(o);
                    }
                    viaRootSeen = true;
                    viaRoot = bool(o);
                }
                default -> throw new LrepException(SqlState.SYNTAX_ERROR, "unrecognized publication parameter: \"" + o.name() + "\"");
            }
        }
        return new Options(actions, viaRoot);
    }

    private static LrepException conflicting(GenericOption o) {
        return new LrepException(SqlState.SYNTAX_ERROR, "conflicting or redundant options").withPosition(o.pos());
    }

    private static boolean bool(GenericOption o) {
        if (o.value() == null) {
            return true;
        }
        return switch (o.value().toLowerCase(Locale.ROOT)) {
            case "true", "on", "1", "t", "yes", "y" -> true;
            case "false", "off", "0", "f", "no", "n" -> false;
            default -> throw new LrepException(SqlState.SYNTAX_ERROR, o.name() + " requires a Boolean value");
        };
    }
}
