package io.lrep.node.sql.catalog;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.SchemaDef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.node.SystemTables;
import io.lrep.node.sql.QueryContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One statement's view of the catalog: every namespace, relation (storage tables, their primary
 * key indexes, sequences, and this package's system relations) and role, with name lookup
 * through the session's search_path as PostgreSQL resolves names. Built from the statement's
 * transaction; not shared between statements.
 */
final class CatalogReader {

    static final int PG_TOAST_OID = 99;
    static final int INFORMATION_SCHEMA_OID = 13207;
    /** The predefined role that owns schema public in PostgreSQL 15. */
    static final long PG_DATABASE_OWNER_OID = 6171;
    static final long BOOTSTRAP_SUPERUSER_OID = SystemTables.BOOTSTRAP_SUPERUSER_OID;

    /** A pg_class row's source. Exactly one of table, sequence, shape is set; an index has its table. */
    record Rel(long oid, String name, long namespaceOid, String namespace, char kind, TableDef table, SequenceDef sequence,
            CatalogColumns.Shape shape) {

        boolean isIndex() {
            return kind == 'i';
        }
    }

    /** A pg_authid row. */
    record Role(long oid, String name, boolean superuser, boolean inherit, boolean createRole, boolean createDb, boolean canLogin,
            boolean replication, boolean bypassRls, int connLimit, String password, Instant validUntil) {}

    /**
     * The relation maps as of a {@link StorageEngine#catalogVersion()}, shared by the statements
     * of every session that has no uncommitted DDL of its own (they all see the same current
     * catalog); immutable once published.
     */
    record SharedRelations(long catalogVersion, Map<Long, Rel> byOid, Map<String, Rel> byName) {}

    private final QueryContext context;
    private final List<CatalogColumns.Shape> shapes;
    private final AtomicReference<SharedRelations> shared;
    private List<SchemaDef> namespaces;
    private Map<Long, Rel> relations;
    private Map<String, Rel> relationsByName;
    private Map<Long, Role> roles;
    private List<String> searchPath;

    CatalogReader(QueryContext context, List<CatalogColumns.Shape> shapes, AtomicReference<SharedRelations> shared) {
        this.context = context;
        this.shapes = shapes;
        this.shared = shared;
    }

    QueryContext context() {
        return context;
    }

    Transaction txn() {
        return context.transaction();
    }

    // ------------------------------------------------------------------ namespaces

    List<SchemaDef> namespaces() {
        if (namespaces == null) {
            List<SchemaDef> all = new ArrayList<>(txn().schemas());
            all.add(new SchemaDef(PG_TOAST_OID, "pg_toast"));
            if (all.stream().noneMatch(s -> s.name().equals("information_schema"))) {
                all.add(new SchemaDef(INFORMATION_SCHEMA_OID, "information_schema"));
            }
            all.sort(Comparator.comparingLong(s -> Integer.toUnsignedLong(s.oid())));
            namespaces = all;
        }
        return namespaces;
    }

    SchemaDef namespace(long oid) {
        for (SchemaDef s : namespaces()) {
            if (Integer.toUnsignedLong(s.oid()) == oid) {
                return s;
            }
        }
        return null;
    }

    SchemaDef namespace(String name) {
        for (SchemaDef s : namespaces()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The owner PostgreSQL shows: public belongs to pg_database_owner, everything else to the bootstrap superuser. */
    static long namespaceOwner(SchemaDef s) {
        return s.oid() == StorageEngine.PUBLIC_OID ? PG_DATABASE_OWNER_OID : BOOTSTRAP_SUPERUSER_OID;
    }

    // ------------------------------------------------------------------ relations

    Iterable<Rel> relations() {
        load();
        return relations.values();
    }

    Rel relation(long oid) {
        load();
        return relations.get(oid);
    }

    Rel relation(String namespace, String name) {
        load();
        return relationsByName.get(namespace + "\0" + name);
    }

    private void load() {
        if (relations != null) {
            return;
        }
        boolean shareable = !txn().hasCatalogChanges();
        long version = context.storage().catalogVersion(); // read before listing: a change meanwhile makes the maps look older, not newer
        SharedRelations cached = shared.get();
        if (shareable && cached != null && cached.catalogVersion() == version) {
            relations = cached.byOid();
            relationsByName = cached.byName();
            return;
        }
        Map<Long, Rel> byOid = new LinkedHashMap<>();
        for (CatalogColumns.Shape s : shapes) {
            long nsp = s.schema().equals("pg_catalog") ? StorageEngine.PG_CATALOG_OID : INFORMATION_SCHEMA_OID;
            byOid.put((long) s.oid(), new Rel(s.oid(), s.name(), nsp, s.schema(), s.relkind(), null, null, s));
        }
        java.util.Set<String> shadowed = new java.util.HashSet<>();
        for (CatalogColumns.Shape s : shapes) {
            shadowed.add(s.schema() + "\0" + s.name());
        }
        for (TableDef t : txn().tables()) {
            if (shadowed.contains(t.schemaName() + "\0" + t.name())) {
                continue; // a storage table a system view shows (pg_publication): listed once, as the view
            }
            long oid = Integer.toUnsignedLong(t.oid());
            byOid.put(oid, new Rel(oid, t.name(), Integer.toUnsignedLong(t.schemaOid()), t.schemaName(), 'r', t, null, null));
            if (t.hasPrimaryKey()) {
                long idx = SyntheticOids.primaryKeyIndex(t.oid());
                byOid.put(idx, new Rel(idx, t.pkeyName(), Integer.toUnsignedLong(t.schemaOid()), t.schemaName(), 'i', t, null, null));
            }
        }
        for (SequenceDef s : txn().sequences()) {
            long oid = Integer.toUnsignedLong(s.oid());
            byOid.put(oid, new Rel(oid, s.name(), Integer.toUnsignedLong(s.schemaOid()), s.schemaName(), 'S', null, s, null));
        }
        Map<String, Rel> byName = new HashMap<>();
        for (Rel r : byOid.values()) {
            byName.putIfAbsent(r.namespace() + "\0" + r.name(), r);
        }
        relations = Collections.unmodifiableMap(byOid);
        relationsByName = Collections.unmodifiableMap(byName);
        if (shareable) {
            shared.set(new SharedRelations(version, relations, relationsByName));
        }
    }

    /** The rows of storage table pg_catalog.{@code name} as of the statement's snapshot (none when it does not exist). */
    List<Object[]> storageRows(String name) {
        List<Object[]> out = new ArrayList<>();
        TableDef def = txn().findTable("pg_catalog", name);
        if (def != null) {
            for (Iterator<RowRef> it = txn().scan(def, context.snapshot()); it.hasNext();) {
                out.add(it.next().values().clone());
            }
        }
        return out;
    }

    /** The table or sequence a relation's oid names, for functions that take a regclass. */
    TableDef table(long oid) {
        Rel r = relation(oid);
        return r == null || r.kind() != 'r' ? null : r.table();
    }

    // ------------------------------------------------------------------ search path

    /**
     * The schemas an unqualified name is looked up in, in order: pg_catalog first unless
     * search_path names it, then search_path's existing schemas ({@code $user} being the
     * session user's schema if there is one).
     */
    List<String> searchPath() {
        if (searchPath == null) {
            String raw = searchPathSetting(context);
            List<String> path = new ArrayList<>();
            for (String item : splitList(raw)) {
                String name = item;
                if (name.equals("$user")) {
                    name = context.session() == null ? null : context.session().user();
                }
                if (name != null && namespace(name) != null && !path.contains(name)) {
                    path.add(name);
                }
            }
            if (!path.contains("pg_catalog")) {
                path.add(0, "pg_catalog");
            }
            searchPath = path;
        }
        return searchPath;
    }

    /** The session's search_path as SHOW prints it; PostgreSQL's default when the engine has no such setting. */
    static String searchPathSetting(QueryContext context) {
        try {
            return context.setting("search_path");
        } catch (LrepException e) {
            return "\"$user\", public"; // the setting is not registered: PostgreSQL's default
        }
    }

    /** The schemas of search_path that exist, without the implicit pg_catalog (current_schemas(false)). */
    private static List<String> splitList(String raw) {
        List<String> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                out.add(Identifiers.parseQualified(p).get(0));
            } catch (LrepException e) {
                // an unparsable entry names no schema, as PostgreSQL skips it when resolving
            }
        }
        return out;
    }

    /** Whether an unqualified reference to the relation's name finds it (pg_table_is_visible). */
    boolean isVisible(Rel rel) {
        for (String nsp : searchPath()) {
            Rel found = relation(nsp, rel.name());
            if (found != null) {
                return found.oid() == rel.oid();
            }
        }
        return false;
    }

    /** Resolves a possibly qualified, possibly quoted relation name; null when there is none. */
    Rel findRelation(String text) {
        List<String> parts = Identifiers.parseQualified(text);
        if (parts.size() > 3) {
            throw new LrepException(SqlState.SYNTAX_ERROR,
                    "improper relation name (too many dotted names): " + String.join(".", parts));
        }
        String name = parts.get(parts.size() - 1);
        if (parts.size() >= 2) {
            if (parts.size() == 3 && context.session() != null && !parts.get(0).equals(context.session().database())) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                        "cross-database references are not implemented: " + String.join(".", parts));
            }
            String schema = parts.get(parts.size() - 2);
            if (namespace(schema) == null) {
                throw new LrepException(SqlState.UNDEFINED_SCHEMA, "schema \"" + schema + "\" does not exist");
            }
            return relation(schema, name);
        }
        for (String nsp : searchPath()) {
            Rel found = relation(nsp, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** to_regclass: like {@link #findRelation} but NULL (not an error) for a missing schema. */
    Rel findRelationOrNull(String text) {
        try {
            return findRelation(text);
        } catch (LrepException e) {
            if (e.sqlState() == SqlState.UNDEFINED_SCHEMA) {
                return null; // to_regclass reports a missing schema as no relation
            }
            throw e;
        }
    }

    /** regclass input: the relation's oid; 42P01 when there is none. Digits are taken as an oid. */
    long regclassIn(String text) {
        String t = text.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(t);
        }
        Rel r = findRelation(t);
        if (r == null) {
            throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + displayName(t) + "\" does not exist");
        }
        return r.oid();
    }

    private static String displayName(String text) {
        return String.join(".", Identifiers.parseQualified(text));
    }

    /** regclass output: the name, qualified when not visible, quoted as needed; the number for an unknown oid. */
    String regclassOut(long oid) {
        Rel r = relation(oid);
        if (r == null) {
            return Long.toString(oid);
        }
        String name = Identifiers.quote(r.name());
        return isVisible(r) ? name : Identifiers.quote(r.namespace()) + "." + name;
    }

    // ------------------------------------------------------------------ roles

    Iterable<Role> roles() {
        loadRoles();
        return roles.values();
    }

    Role role(long oid) {
        loadRoles();
        return roles.get(oid);
    }

    private void loadRoles() {
        if (roles != null) {
            return;
        }
        Map<Long, Role> out = new LinkedHashMap<>();
        TableDef authid = txn().findTable(SystemTables.SCHEMA, SystemTables.AUTHID);
        if (authid != null) {
            Iterator<RowRef> it = txn().scan(authid, context.snapshot());
            while (it.hasNext()) {
                Object[] v = it.next().values();
                long oid = ((Number) v[SystemTables.ROL_OID]).longValue();
                out.put(oid, new Role(oid, (String) v[SystemTables.ROL_NAME], bool(v[SystemTables.ROL_SUPER]),
                        bool(v[SystemTables.ROL_INHERIT]), bool(v[SystemTables.ROL_CREATEROLE]), bool(v[SystemTables.ROL_CREATEDB]),
                        bool(v[SystemTables.ROL_CANLOGIN]), bool(v[SystemTables.ROL_REPLICATION]), bool(v[SystemTables.ROL_BYPASSRLS]),
                        v[SystemTables.ROL_CONNLIMIT] == null ? -1 : ((Number) v[SystemTables.ROL_CONNLIMIT]).intValue(),
                        (String) v[SystemTables.ROL_PASSWORD], (Instant) v[SystemTables.ROL_VALIDUNTIL]));
            }
        }
        out.putIfAbsent(PG_DATABASE_OWNER_OID, new Role(PG_DATABASE_OWNER_OID, "pg_database_owner", false, true, false, false,
                false, false, false, -1, null, null));
        List<Map.Entry<Long, Role>> sorted = new ArrayList<>(out.entrySet());
        sorted.sort(Map.Entry.comparingByKey());
        roles = new LinkedHashMap<>();
        for (Map.Entry<Long, Role> e : sorted) {
            roles.put(e.getKey(), e.getValue());
        }
    }

    private static boolean bool(Object o) {
        return Boolean.TRUE.equals(o);
    }

    /** pg_get_userbyid: the role's name, or {@code unknown (OID=n)}. */
    String userName(long oid) {
        Role r = role(oid);
        return r == null ? "unknown (OID=" + oid + ")" : r.name();
    }

    /** The session user's role oid, or the bootstrap superuser's when the role is not found. */
    long currentUserOid() {
        String user = context.session() == null ? null : context.session().user();
        for (Role r : roles()) {
            if (r.name().equals(user)) {
                return r.oid();
            }
        }
        return BOOTSTRAP_SUPERUSER_OID;
    }
}
