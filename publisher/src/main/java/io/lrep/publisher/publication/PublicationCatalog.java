package io.lrep.publisher.publication;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The publication catalogs as ordinary storage tables in {@code pg_catalog} (transactional,
 * WAL-logged and checkpointed like pg_authid): {@code pg_publication}, {@code pg_publication_rel}
 * and {@code pg_publication_namespace} with PostgreSQL 15's columns, keyed by {@code oid}. New
 * oids come from the sequence {@code pg_publication_oid_seq} shared by all three, so an oid
 * names one row of one of them. {@code prqual} is the row filter's text (PostgreSQL stores a
 * node tree); {@code prattrs} an int2vector, null when the publication has no column list.
 *
 * <p>Every method works in the caller's transaction and its statement snapshot; nothing here
 * checks privileges (the SQL layer does).
 */
public final class PublicationCatalog {

    public static final String SCHEMA = "pg_catalog";
    public static final String PUBLICATION = "pg_publication";
    public static final String PUBLICATION_REL = "pg_publication_rel";
    public static final String PUBLICATION_NAMESPACE = "pg_publication_namespace";
    public static final String OID_SEQ = "pg_publication_oid_seq";

    /** Schemas whose tables are never published (PostgreSQL: system catalogs are not publishable). */
    private static final Set<String> SYSTEM_SCHEMAS = Set.of("pg_catalog", "information_schema", "pg_toast");

    private PublicationCatalog() {}

    /** Creates the three tables and the oid sequence unless they exist (init, and data directories made before them). */
    public static void bootstrap(Transaction t) {
        if (t.findTable(SCHEMA, PUBLICATION) == null) {
            t.createTable(SCHEMA, PUBLICATION, List.of(
                    ColumnDef.of("oid", PgType.OID).notNullColumn(),
                    ColumnDef.of("pubname", PgType.NAME).notNullColumn(),
                    ColumnDef.of("pubowner", PgType.OID).notNullColumn(),
                    ColumnDef.of("puballtables", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("pubinsert", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("pubupdate", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("pubdelete", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("pubtruncate", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("pubviaroot", PgType.BOOL).notNullColumn()), List.of("oid"));
        }
        if (t.findTable(SCHEMA, PUBLICATION_REL) == null) {
            t.createTable(SCHEMA, PUBLICATION_REL, List.of(
                    ColumnDef.of("oid", PgType.OID).notNullColumn(),
                    ColumnDef.of("prpubid", PgType.OID).notNullColumn(),
                    ColumnDef.of("prrelid", PgType.OID).notNullColumn(),
                    ColumnDef.of("prqual", PgType.TEXT),
                    ColumnDef.of("prattrs", PgType.INT2VECTOR)), List.of("oid"));
        }
        if (t.findTable(SCHEMA, PUBLICATION_NAMESPACE) == null) {
            t.createTable(SCHEMA, PUBLICATION_NAMESPACE, List.of(
                    ColumnDef.of("oid", PgType.OID).notNullColumn(),
                    ColumnDef.of("pnpubid", PgType.OID).notNullColumn(),
                    ColumnDef.of("pnnspid", PgType.OID).notNullColumn()), List.of("oid"));
        }
        if (t.findSequence(SCHEMA, OID_SEQ) == null) {
            t.createSequence(new SequenceDef(0, 0, SCHEMA, OID_SEQ, 16384, 1, 16384, Integer.MAX_VALUE, false, 1, 0, 0));
        }
    }

    /** Whether the catalogs exist (they do in every data directory bootstrapped since publications). */
    public static boolean installed(Transaction t) {
        return t.findTable(SCHEMA, PUBLICATION) != null;
    }

    // ------------------------------------------------------------------ pg_publication

    /** Every publication, by name. */
    public static List<Publication> all(Transaction t) {
        List<Publication> out = new ArrayList<>();
        TableDef def = t.findTable(SCHEMA, PUBLICATION);
        if (def == null) {
            return out;
        }
        for (Iterator<RowRef> it = t.scan(def, t.statementSnapshot()); it.hasNext();) {
            out.add(toPublication(it.next().values()));
        }
        out.sort(Comparator.comparing(Publication::name));
        return out;
    }

    /** Whether any publication exists (a cheap test before the per-row checks of UPDATE and DELETE). */
    public static boolean any(Transaction t) {
        TableDef def = t.findTable(SCHEMA, PUBLICATION);
        return def != null && t.scan(def, t.statementSnapshot()).hasNext();
    }

    public static Optional<Publication> find(Transaction t, String name) {
        RowRef r = publicationRow(t, name);
        return r == null ? Optional.empty() : Optional.of(toPublication(r.values()));
    }

    /** The publication called {@code name}; 42704 {@code publication "x" does not exist} when there is none. */
    public static Publication get(Transaction t, String name) {
        return find(t, name).orElseThrow(() -> undefined(name));
    }

    public static Optional<Publication> find(Transaction t, long oid) {
        TableDef def = t.findTable(SCHEMA, PUBLICATION);
        RowRef r = def == null ? null : t.get(def, new Object[] {oid}, t.statementSnapshot());
        return r == null ? Optional.empty() : Optional.of(toPublication(r.values()));
    }

    static LrepException undefined(String name) {
        return new LrepException(SqlState.UNDEFINED_OBJECT, "publication \"" + name + "\" does not exist");
    }

    /** Inserts a publication; 42710 {@code publication "x" already exists} when the name is taken. */
    public static Publication create(Transaction t, String name, long ownerOid, boolean allTables, PublishActions actions, boolean viaRoot) {
        if (publicationRow(t, name) != null) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "publication \"" + name + "\" already exists");
        }
        Publication p = new Publication(nextOid(t), name, ownerOid, allTables, actions, viaRoot);
        t.insert(t.table(SCHEMA, PUBLICATION), toRow(p));
        return p;
    }

    /** Rewrites the row of {@code p.oid()} (rename, owner, options); 42710 when a rename takes another's name. */
    public static void update(Transaction t, Publication p) {
        TableDef def = t.table(SCHEMA, PUBLICATION);
        RowRef r = t.get(def, new Object[] {p.oid()}, t.statementSnapshot());
        if (r == null) {
            throw undefined(p.name());
        }
        if (!p.name().equals(r.values()[1]) && publicationRow(t, p.name()) != null) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "publication \"" + p.name() + "\" already exists");
        }
        t.writeCatalogRow(r, toRow(p));
    }

    /** Deletes the publication and its pg_publication_rel and pg_publication_namespace rows. */
    public static void drop(Transaction t, Publication p) {
        for (PublicationRel rel : rels(t, p.oid())) {
            removeRel(t, rel);
        }
        for (PublicationNamespace ns : namespaces(t, p.oid())) {
            removeNamespace(t, ns);
        }
        TableDef def = t.table(SCHEMA, PUBLICATION);
        RowRef r = t.get(def, new Object[] {p.oid()}, t.statementSnapshot());
        if (r != null) {
            t.writeCatalogRow(r, null);
        }
    }

    // ------------------------------------------------------------------ pg_publication_rel

    /** The FOR TABLE entries of one publication. */
    public static List<PublicationRel> rels(Transaction t, long pubOid) {
        List<PublicationRel> out = new ArrayList<>();
        for (RowRef r : t.rows(SCHEMA, PUBLICATION_REL)) {
            PublicationRel rel = toRel(r.values());
            if (rel.pubOid() == pubOid) {
                out.add(rel);
            }
        }
        return out;
    }

    /** Every FOR TABLE entry naming {@code relOid}. */
    public static List<PublicationRel> relsOfTable(Transaction t, long relOid) {
        List<PublicationRel> out = new ArrayList<>();
        for (RowRef r : t.rows(SCHEMA, PUBLICATION_REL)) {
            PublicationRel rel = toRel(r.values());
            if (rel.relOid() == relOid) {
                out.add(rel);
            }
        }
        return out;
    }

    /** Adds a table to a publication (the caller has checked that it is not a member yet). */
    public static PublicationRel addRel(Transaction t, long pubOid, long relOid, String rowFilter, List<Integer> columns) {
        List<Integer> sorted = columns == null ? null : columns.stream().sorted().toList();
        PublicationRel rel = new PublicationRel(nextOid(t), pubOid, relOid, rowFilter, sorted);
        Object[] attrs = null;
        if (sorted != null) {
            attrs = new Object[sorted.size()];
            for (int i = 0; i < attrs.length; i++) {
                attrs[i] = (short) (int) sorted.get(i);
            }
        }
        t.insert(t.table(SCHEMA, PUBLICATION_REL), new Object[] {rel.oid(), pubOid, relOid, rowFilter, attrs});
        return rel;
    }

    public static void removeRel(Transaction t, PublicationRel rel) {
        RowRef r = t.get(t.table(SCHEMA, PUBLICATION_REL), new Object[] {rel.oid()}, t.statementSnapshot());
        if (r != null) {
            t.writeCatalogRow(r, null);
        }
    }

    // ------------------------------------------------------------------ pg_publication_namespace

    /** The FOR TABLES IN SCHEMA entries of one publication. */
    public static List<PublicationNamespace> namespaces(Transaction t, long pubOid) {
        List<PublicationNamespace> out = new ArrayList<>();
        for (RowRef r : t.rows(SCHEMA, PUBLICATION_NAMESPACE)) {
            PublicationNamespace ns = toNamespace(r.values());
            if (ns.pubOid() == pubOid) {
                out.add(ns);
            }
        }
        return out;
    }

    public static PublicationNamespace addNamespace(Transaction t, long pubOid, long nspOid) {
        PublicationNamespace ns = new PublicationNamespace(nextOid(t), pubOid, nspOid);
        t.insert(t.table(SCHEMA, PUBLICATION_NAMESPACE), new Object[] {ns.oid(), pubOid, nspOid});
        return ns;
    }

    public static void removeNamespace(Transaction t, PublicationNamespace ns) {
        RowRef r = t.get(t.table(SCHEMA, PUBLICATION_NAMESPACE), new Object[] {ns.oid()}, t.statementSnapshot());
        if (r != null) {
            t.writeCatalogRow(r, null);
        }
    }

    // ------------------------------------------------------------------ dependencies

    /** DROP TABLE: the table leaves every publication (its pg_publication_rel rows go). */
    public static void onTableDropped(Transaction t, long relOid) {
        if (!installed(t)) {
            return;
        }
        for (PublicationRel rel : relsOfTable(t, relOid)) {
            removeRel(t, rel);
        }
    }

    /** A table was rebuilt under a new oid (same name and columns): its memberships follow it. */
    public static void onTableReplaced(Transaction t, long oldRelOid, long newRelOid) {
        if (!installed(t)) {
            return;
        }
        for (PublicationRel rel : relsOfTable(t, oldRelOid)) {
            removeRel(t, rel);
            addRel(t, rel.pubOid(), newRelOid, rel.rowFilter(), rel.columns());
        }
    }

    /** DROP SCHEMA: the schema leaves every publication (its pg_publication_namespace rows go). */
    public static void onSchemaDropped(Transaction t, long nspOid) {
        if (!installed(t)) {
            return;
        }
        for (RowRef r : t.rows(SCHEMA, PUBLICATION_NAMESPACE)) {
            PublicationNamespace ns = toNamespace(r.values());
            if (ns.nspOid() == nspOid) {
                t.writeCatalogRow(r, null);
            }
        }
    }

    // ------------------------------------------------------------------ membership

    /** Whether a table may be published at all: not a system catalog. */
    public static boolean publishable(TableDef table) {
        return !SYSTEM_SCHEMAS.contains(table.schemaName());
    }

    /** Whether a schema's tables may be published (not pg_catalog, information_schema, pg_toast). */
    public static boolean publishableSchema(String schemaName) {
        return !SYSTEM_SCHEMAS.contains(schemaName);
    }

    /** One table as one publication publishes it (pg_get_publication_tables' row). */
    public record Member(TableDef table, PublicationRel rel) {

        /** The column list's attnums, or null for all columns. */
        public List<Integer> columns() {
            return rel == null ? null : rel.columns();
        }

        /** The row filter's text, or null. */
        public String rowFilter() {
            return rel == null ? null : rel.rowFilter();
        }
    }

    /**
     * The tables {@code p} publishes, in table-oid order: every publishable table for FOR ALL
     * TABLES; else the FOR TABLE entries (with their column list and filter) and the tables of
     * its schemas (a table both named and in a named schema appears once, with its entry).
     */
    public static List<Member> members(Transaction t, Publication p) {
        List<Member> out = new ArrayList<>();
        if (p.allTables()) {
            for (TableDef td : t.tables()) {
                if (publishable(td)) {
                    out.add(new Member(td, null));
                }
            }
        } else {
            List<PublicationRel> rels = rels(t, p.oid());
            List<Long> nsps = namespaces(t, p.oid()).stream().map(PublicationNamespace::nspOid).toList();
            for (TableDef td : t.tables()) {
                if (!publishable(td)) {
                    continue;
                }
                long relOid = Integer.toUnsignedLong(td.oid());
                PublicationRel rel = rels.stream().filter(r -> r.relOid() == relOid).findFirst().orElse(null);
                if (rel != null) {
                    out.add(new Member(td, rel));
                } else if (nsps.contains(Integer.toUnsignedLong(td.schemaOid()))) {
                    out.add(new Member(td, null));
                }
            }
        }
        out.sort(Comparator.comparingLong(m -> Integer.toUnsignedLong(m.table().oid())));
        return out;
    }

    /** How {@code p} includes {@code table}: null when it does not; a Member (rel null unless named FOR TABLE). */
    public static Member membership(Transaction t, Publication p, TableDef table) {
        if (!publishable(table)) {
            return null;
        }
        if (p.allTables()) {
            return new Member(table, null);
        }
        long relOid = Integer.toUnsignedLong(table.oid());
        for (PublicationRel rel : rels(t, p.oid())) {
            if (rel.relOid() == relOid) {
                return new Member(table, rel);
            }
        }
        long nsp = Integer.toUnsignedLong(table.schemaOid());
        for (PublicationNamespace ns : namespaces(t, p.oid())) {
            if (ns.nspOid() == nsp) {
                return new Member(table, null);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ rows

    private static RowRef publicationRow(Transaction t, String name) {
        for (RowRef r : t.rows(SCHEMA, PUBLICATION)) {
            if (name.equals(r.values()[1])) {
                return r;
            }
        }
        return null;
    }

    private static long nextOid(Transaction t) {
        return t.nextval(t.sequence(SCHEMA, OID_SEQ));
    }

    private static Object[] toRow(Publication p) {
        PublishActions a = p.actions();
        return new Object[] {p.oid(), p.name(), p.ownerOid(), p.allTables(), a.insert(), a.update(), a.delete(), a.truncate(), p.viaRoot()};
    }

    private static Publication toPublication(Object[] v) {
        return new Publication((Long) v[0], (String) v[1], (Long) v[2], (Boolean) v[3],
                new PublishActions((Boolean) v[4], (Boolean) v[5], (Boolean) v[6], (Boolean) v[7]), (Boolean) v[8]);
    }

    private static PublicationRel toRel(Object[] v) {
        List<Integer> cols = null;
        if (v[4] instanceof Object[] attrs) {
            cols = new ArrayList<>();
            for (Object a : attrs) {
                cols.add(((Number) a).intValue());
            }
        }
        return new PublicationRel((Long) v[0], (Long) v[1], (Long) v[2], (String) v[3], cols);
    }

    private static PublicationNamespace toNamespace(Object[] v) {
        return new PublicationNamespace((Long) v[0], (Long) v[1], (Long) v[2]);
    }
}
