package io.lrep.node.sql.catalog;

import io.lrep.core.storage.Snapshot;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import io.lrep.publisher.publication.PublicationCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The system catalogs psql 15 and pgjdbc read (pg_class, pg_attribute, pg_type, pg_index,
 * information_schema.columns, ...) and the catalog functions they call (format_type,
 * pg_get_indexdef, pg_table_is_visible, the reg* conversions, ...), computed from storage's
 * catalog as of the statement's snapshot. pg_publication, pg_publication_rel and
 * pg_publication_namespace show the rows of the storage tables of the same names (see
 * {@code PublicationCatalog}) under PostgreSQL's relation oids.
 *
 * <p><b>Oids.</b> Built-in objects have PostgreSQL 15's oids (types, access methods, collations,
 * namespaces pg_catalog 11, public 2200, pg_toast 99, information_schema 13207, the catalog
 * relations themselves); tables, sequences and schemas have storage's; objects storage has no
 * oid for (primary key indexes and constraints, column defaults) have the synthetic oids of
 * {@link SyntheticOids}. Objects are owned by the bootstrap superuser (oid 10), schema public by
 * pg_database_owner (6171), as in PostgreSQL 15.
 *
 * <p><b>Casts to reg* types.</b> {@code x::regclass}, {@code ::regtype}, {@code ::regproc} are
 * served by functions named after the target type ({@code regclass(text)}, {@code regclass(oid)},
 * ...), and output by {@code regclassout(regclass)}, {@code regtypeout(regtype)},
 * {@code regprocout(regproc)}; the static {@link #regclassIn}/{@link #regclassOut} do the same for
 * an executor that converts directly. {@code ::regnamespace} yields the schema name as text.
 */
public final class SystemCatalog implements CatalogExtension {

    private final List<CatalogColumns.Shape> shapes = List.of(CatalogColumns.PG_NAMESPACE, CatalogColumns.PG_CLASS,
            CatalogColumns.PG_ATTRIBUTE, CatalogColumns.PG_ATTRDEF, CatalogColumns.PG_TYPE, CatalogColumns.PG_INDEX,
            CatalogColumns.PG_CONSTRAINT, CatalogColumns.PG_ROLES, CatalogColumns.PG_USER, CatalogColumns.PG_AUTH_MEMBERS,
            CatalogColumns.PG_DATABASE, CatalogColumns.PG_AM, CatalogColumns.PG_COLLATION, CatalogColumns.PG_SETTINGS,
            CatalogColumns.PG_DESCRIPTION, CatalogColumns.PG_SHDESCRIPTION, CatalogColumns.PG_INHERITS, CatalogColumns.PG_TABLESPACE,
            CatalogColumns.PG_PROC, CatalogColumns.PG_SEQUENCE, CatalogColumns.PG_SEQUENCES, CatalogColumns.PG_TABLES,
            CatalogColumns.PG_VIEWS, CatalogColumns.PG_INDEXES, CatalogColumns.PG_STAT_ACTIVITY, CatalogColumns.PG_POLICY,
            CatalogColumns.PG_REWRITE, CatalogColumns.PG_TRIGGER, CatalogColumns.PG_STATISTIC_EXT, CatalogColumns.PG_FOREIGN_TABLE,
            CatalogColumns.PG_PARTITIONED_TABLE, CatalogColumns.PG_PUBLICATION, CatalogColumns.PG_PUBLICATION_REL,
            CatalogColumns.PG_PUBLICATION_NAMESPACE, CatalogColumns.PG_ENUM, CatalogColumns.PG_RANGE, CatalogColumns.PG_EXTENSION,
            CatalogColumns.IS_TABLES, CatalogColumns.IS_COLUMNS, CatalogColumns.IS_SCHEMATA, CatalogColumns.IS_SEQUENCES,
            CatalogColumns.IS_TABLE_CONSTRAINTS, CatalogColumns.IS_KEY_COLUMN_USAGE);

    private final Supplier<List<SqlFunction>> engineFunctions;
    private final ActivitySource activity;
    private final CatalogFunctions functionImpl;
    private final List<SqlFunction> functions;
    private final List<SystemView> views;
    /** The reader of the statement running on this thread: functions called per row share it. */
    private final ThreadLocal<CachedReader> current = new ThreadLocal<>();
    private final AtomicReference<CatalogReader.SharedRelations> sharedRelations = new AtomicReference<>();

    private record CachedReader(QueryContext context, Snapshot snapshot, String searchPath, CatalogReader reader) {}

    /** A catalog whose pg_proc lists this extension's functions and pg_stat_activity the querying session. */
    public SystemCatalog() {
        this(List::of, ActivitySource.CURRENT_SESSION_ONLY);
    }

    /**
     * @param engineFunctions every other function the engine offers, listed in pg_proc (and found by regproc)
     * @param activity the sessions pg_stat_activity lists
     */
    public SystemCatalog(Supplier<List<SqlFunction>> engineFunctions, ActivitySource activity) {
        this.engineFunctions = engineFunctions;
        this.activity = activity;
        this.functionImpl = new CatalogFunctions(this::reader);
        this.functions = List.copyOf(functionImpl.all());
        this.functionImpl.setProcs(ctx -> procEntries());
        this.views = List.copyOf(buildViews());
    }

    @Override
    public List<SystemView> views() {
        return views;
    }

    @Override
    public List<SqlFunction> functions() {
        return functions;
    }

    /** regclass input: the oid of a possibly qualified, quoted relation name; 42P01 when missing. */
    public long regclassIn(QueryContext context, String text) {
        return reader(context).regclassIn(text);
    }

    /** regclass output: the relation's name, schema-qualified when search_path does not find it. */
    public String regclassOut(QueryContext context, long oid) {
        return reader(context).regclassOut(oid);
    }

    /** regtype input: the oid of a type name ({@code integer}, {@code varchar(20)}, {@code text[]}); 42704 when unknown. */
    public static long regtypeIn(String text) {
        return RegTypes.typeIn(text);
    }

    /** regtype output: {@code integer}, {@code character varying}, {@code text[]}. */
    public static String regtypeOut(long oid) {
        return RegTypes.typeOut(oid);
    }

    CatalogReader reader(QueryContext context) {
        Snapshot snapshot = context.snapshot();
        String searchPath = CatalogReader.searchPathSetting(context);
        CachedReader cached = current.get();
        if (cached != null && cached.context() == context && cached.snapshot().equals(snapshot)
                && cached.searchPath().equals(searchPath)) {
            return cached.reader();
        }
        CatalogReader reader = new CatalogReader(context, shapes, sharedRelations);
        current.set(new CachedReader(context, snapshot, searchPath, reader));
        return reader;
    }

    private List<SystemView> buildViews() {
        Map<CatalogColumns.Shape, Function<CatalogReader, List<Object[]>>> rows = new HashMap<>();
        rows.put(CatalogColumns.PG_NAMESPACE, PgCatalogViews::namespaces);
        rows.put(CatalogColumns.PG_CLASS, PgCatalogViews::classes);
        rows.put(CatalogColumns.PG_ATTRIBUTE, PgCatalogViews::attributes);
        rows.put(CatalogColumns.PG_ATTRDEF, PgCatalogViews::attrdefs);
        rows.put(CatalogColumns.PG_TYPE, PgCatalogViews::types);
        rows.put(CatalogColumns.PG_INDEX, PgCatalogViews::indexes);
        rows.put(CatalogColumns.PG_CONSTRAINT, PgCatalogViews::constraints);
        rows.put(CatalogColumns.PG_ROLES, PgCatalogViews::roles);
        rows.put(CatalogColumns.PG_USER, PgCatalogViews::users);
        rows.put(CatalogColumns.PG_DATABASE, PgCatalogViews::databases);
        rows.put(CatalogColumns.PG_AM, PgCatalogViews::accessMethods);
        rows.put(CatalogColumns.PG_COLLATION, PgCatalogViews::collations);
        rows.put(CatalogColumns.PG_SETTINGS, PgCatalogViews::settings);
        rows.put(CatalogColumns.PG_TABLESPACE, PgCatalogViews::tablespaces);
        rows.put(CatalogColumns.PG_PROC, c -> PgCatalogViews.procs(c, procEntries()));
        rows.put(CatalogColumns.PG_SEQUENCE, PgCatalogViews::sequenceRows);
        rows.put(CatalogColumns.PG_SEQUENCES, PgCatalogViews::sequencesView);
        rows.put(CatalogColumns.PG_TABLES, PgCatalogViews::tablesView);
        rows.put(CatalogColumns.PG_INDEXES, PgCatalogViews::indexesView);
        rows.put(CatalogColumns.PG_STAT_ACTIVITY, c -> PgCatalogViews.activity(c, activity));
        rows.put(CatalogColumns.IS_TABLES, InformationSchemaViews::tables);
        rows.put(CatalogColumns.IS_COLUMNS, InformationSchemaViews::columns);
        rows.put(CatalogColumns.IS_SCHEMATA, InformationSchemaViews::schemata);
        rows.put(CatalogColumns.IS_SEQUENCES, InformationSchemaViews::sequences);
        rows.put(CatalogColumns.IS_TABLE_CONSTRAINTS, InformationSchemaViews::tableConstraints);
        rows.put(CatalogColumns.IS_KEY_COLUMN_USAGE, InformationSchemaViews::keyColumnUsage);
        rows.put(CatalogColumns.PG_PUBLICATION, c -> c.storageRows(PublicationCatalog.PUBLICATION));
        rows.put(CatalogColumns.PG_PUBLICATION_REL, c -> c.storageRows(PublicationCatalog.PUBLICATION_REL));
        rows.put(CatalogColumns.PG_PUBLICATION_NAMESPACE, c -> c.storageRows(PublicationCatalog.PUBLICATION_NAMESPACE));
        List<SystemView> out = new ArrayList<>();
        for (CatalogColumns.Shape s : shapes) {
            // Relations without a row source are empty in lrep: no descriptions, inheritance, policies, rules, triggers, ...
            Function<CatalogReader, List<Object[]>> source = rows.getOrDefault(s, c -> List.of());
            out.add(new View(s, ctx -> source.apply(reader(ctx)).iterator()));
        }
        return out;
    }

    /** pg_proc's rows: the type I/O functions, this extension's functions and the engine's, PostgreSQL's oid where known. */
    private List<PgCatalogViews.ProcEntry> procEntries() {
        List<PgCatalogViews.ProcEntry> out = new ArrayList<>();
        Set<Long> used = new HashSet<>();
        for (BuiltinTypes.Proc p : BuiltinTypes.ioProcs().values()) {
            out.add(new PgCatalogViews.ProcEntry(p.oid(), p.name(), io.lrep.core.storage.StorageEngine.PG_CATALOG_OID, p.argTypes(),
                    p.returnType(), false, true, false, false));
            used.add((long) p.oid());
        }
        List<SqlFunction> all = new ArrayList<>(functions);
        all.addAll(engineFunctions.get());
        long next = SyntheticOids.FUNCTION_BASE;
        for (SqlFunction f : all) {
            Long oid = ProcOids.oidOf(f.name(), f.argTypes().size());
            if (oid == null || !used.add(oid)) {
                oid = next++;
            }
            out.add(PgCatalogViews.ProcEntry.of(oid, f));
        }
        return out;
    }

    /** One system relation: a shape and its row source. */
    private record View(CatalogColumns.Shape shape, Function<QueryContext, Iterator<Object[]>> source) implements SystemView {

        @Override
        public String schema() {
            return shape.schema();
        }

        @Override
        public String name() {
            return shape.name();
        }

        @Override
        public int oid() {
            return shape.oid();
        }

        @Override
        public List<ColumnInfo> columns() {
            return shape.columns();
        }

        @Override
        public Iterator<Object[]> rows(QueryContext context) {
            return source.apply(context);
        }
    }
}
