package io.lrep.node.sql.catalog;

import static io.lrep.node.sql.catalog.CatalogReader.BOOTSTRAP_SUPERUSER_OID;

import io.lrep.core.error.LrepException;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.SchemaDef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.node.NodeConfig;
import io.lrep.node.Setting;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SqlFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The rows of the pg_catalog relations, computed from a {@link CatalogReader}. */
final class PgCatalogViews {

    static final long HEAP_AM = 2;
    static final long BTREE_AM = 403;
    static final long DEFAULT_COLLATION = 100;
    static final long C_COLLATION = 950;
    static final long DEFAULT_TABLESPACE = 1663;
    static final long POSTGRES_DB = 5;

    private static final Map<PgType, Long> BTREE_OPCLASS = Map.ofEntries(Map.entry(PgType.BOOL, 10003L),
            Map.entry(PgType.BYTEA, 10006L), Map.entry(PgType.CHAR, 10007L), Map.entry(PgType.NAME, 10028L),
            Map.entry(PgType.INT8, 3124L), Map.entry(PgType.INT2, 1979L), Map.entry(PgType.INT4, 1978L),
            Map.entry(PgType.TEXT, 3126L), Map.entry(PgType.VARCHAR, 3126L), Map.entry(PgType.OID, 1981L),
            Map.entry(PgType.FLOAT4, 10012L), Map.entry(PgType.FLOAT8, 3123L), Map.entry(PgType.BPCHAR, 10004L),
            Map.entry(PgType.DATE, 3122L), Map.entry(PgType.TIMESTAMP, 3128L), Map.entry(PgType.TIMESTAMPTZ, 3127L),
            Map.entry(PgType.NUMERIC, 3125L), Map.entry(PgType.UUID, 10065L), Map.entry(PgType.PG_LSN, 10067L),
            Map.entry(PgType.JSONB, 10088L));

    /** Session settings PostgreSQL reports besides the node's own (lrep.conf) ones. */
    static final List<String> SESSION_SETTINGS = List.of("application_name", "bytea_output", "client_encoding",
            "client_min_messages", "DateStyle", "default_transaction_isolation", "default_transaction_read_only",
            "extra_float_digits", "idle_in_transaction_session_timeout", "in_hot_standby", "integer_datetimes",
            "IntervalStyle", "is_superuser", "lc_collate", "lc_ctype", "lock_timeout", "max_identifier_length",
            "search_path", "server_encoding", "server_version", "server_version_num", "session_authorization",
            "standard_conforming_strings", "statement_timeout", "TimeZone", "transaction_isolation", "transaction_read_only",
            "wal_level");

    private PgCatalogViews() {}

    // ------------------------------------------------------------------ namespaces, classes, attributes

    static List<Object[]> namespaces(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_NAMESPACE);
        List<Object[]> out = new ArrayList<>();
        for (SchemaDef s : c.namespaces()) {
            out.add(m.row("oid", Integer.toUnsignedLong(s.oid()), "nspname", s.name(), "nspowner", CatalogReader.namespaceOwner(s)));
        }
        return out;
    }

    static List<Object[]> classes(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_CLASS);
        List<Object[]> out = new ArrayList<>();
        for (CatalogReader.Rel r : c.relations()) {
            long am = switch (r.kind()) {
                case 'r' -> HEAP_AM;
                case 'i' -> BTREE_AM;
                default -> 0L;
            };
            int natts;
            boolean hasIndex = false;
            char replident = 'n';
            if (r.shape() != null) {
                natts = r.shape().columns().size();
            } else if (r.isIndex()) {
                natts = r.table().primaryKey().size();
            } else if (r.table() != null) {
                natts = r.table().columns().size();
                hasIndex = r.table().hasPrimaryKey();
                replident = r.table().replicaIdentity().code();
            } else {
                natts = 3;
            }
            boolean storageObject = r.shape() == null;
            out.add(m.row("oid", r.oid(), "relname", r.name(), "relnamespace", r.namespaceOid(), "relowner", BOOTSTRAP_SUPERUSER_OID,
                    "relam", am, "relfilenode", storageObject ? r.oid() : 0L, "relpages", 0,
                    "reltuples", r.kind() == 'r' ? -1f : 0f, "relhasindex", hasIndex, "relpersistence", "p",
                    "relkind", String.valueOf(r.kind()), "relnatts", natts, "relispopulated", true,
                    "relreplident", String.valueOf(replident)));
        }
        return out;
    }

    static List<Object[]> attributes(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_ATTRIBUTE);
        List<Object[]> out = new ArrayList<>();
        for (CatalogReader.Rel r : c.relations()) {
            if (r.shape() != null) {
                short attnum = 0;
                for (ColumnInfo col : r.shape().columns()) {
                    out.add(attribute(m, r.oid(), ++attnum, col.name(), col.type(), -1, false, false, '\0', false));
                }
            } else if (r.isIndex()) {
                short attnum = 0;
                for (int key : r.table().primaryKey()) {
                    ColumnDef col = r.table().columns().get(key - 1);
                    out.add(attribute(m, r.oid(), ++attnum, col.name(), col.type(), col.typmod(), false, false, '\0', false));
                }
            } else if (r.table() != null) {
                for (ColumnDef col : r.table().columns()) {
                    out.add(attribute(m, r.oid(), col.attnum(), col.name(), col.type(), col.typmod(), col.notNull(),
                            col.defaultExpr() != null, col.identity(), col.dropped()));
                }
            } else {
                out.add(attribute(m, r.oid(), 1, "last_value", PgType.INT8, -1, true, false, '\0', false));
                out.add(attribute(m, r.oid(), 2, "log_cnt", PgType.INT8, -1, true, false, '\0', false));
                out.add(attribute(m, r.oid(), 3, "is_called", PgType.BOOL, -1, true, false, '\0', false));
            }
        }
        return out;
    }

    private static Object[] attribute(RowMaker m, long relOid, int attnum, String name, PgType type, int typmod, boolean notNull,
            boolean hasDefault, char identity, boolean dropped) {
        BuiltinTypes.TypeRow t = BuiltinTypes.byOid(type.oid());
        return m.row("attrelid", relOid, "attname", name, "atttypid", dropped ? 0L : type.oid(), "attstattarget", -1,
                "attlen", type.typlen(), "attnum", attnum, "attndims", type.elementType() != null && type.typname().startsWith("_") ? 1 : 0,
                "attcacheoff", -1, "atttypmod", typmod, "attbyval", t != null && t.byVal(),
                "attalign", t == null ? "i" : String.valueOf(t.align()), "attstorage", t == null ? "p" : String.valueOf(t.storage()),
                "attcompression", "", "attnotnull", notNull, "atthasdef", hasDefault, "attidentity", identity,
                "attgenerated", "", "attisdropped", dropped, "attislocal", true,
                "attcollation", t == null || dropped ? 0L : (long) t.collation());
    }

    static List<Object[]> attrdefs(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_ATTRDEF);
        List<Object[]> out = new ArrayList<>();
        for (TableDef t : c.txn().tables()) {
            for (ColumnDef col : t.columns()) {
                if (col.defaultExpr() != null && !col.dropped()) {
                    out.add(m.row("oid", SyntheticOids.columnDefault(t.oid(), col.attnum()), "adrelid", Integer.toUnsignedLong(t.oid()),
                            "adnum", col.attnum(), "adbin", col.defaultExpr()));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ types, indexes, constraints

    static List<Object[]> types(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_TYPE);
        List<Object[]> out = new ArrayList<>();
        for (BuiltinTypes.TypeRow t : BuiltinTypes.all()) {
            PgType type = t.type();
            boolean preferred = switch (type) {
                case BOOL, TEXT, OID, FLOAT8, TIMESTAMPTZ -> true;
                default -> false;
            };
            out.add(m.row("oid", type.oid(), "typname", type.typname(), "typnamespace", StorageEngine.PG_CATALOG_OID,
                    "typowner", BOOTSTRAP_SUPERUSER_OID, "typlen", type.typlen(), "typbyval", t.byVal(),
                    "typtype", String.valueOf(t.typtype()), "typcategory", String.valueOf(type.category()),
                    "typispreferred", preferred, "typisdefined", true, "typdelim", ",",
                    "typsubscript", t.typelem() != 0 && type.typname().startsWith("_") ? 6179L : 0L,
                    "typelem", t.typelem(), "typarray", t.typarray(), "typinput", t.input().oid(), "typoutput", t.output().oid(),
                    "typreceive", t.receive().oid(), "typsend", t.send().oid(), "typalign", String.valueOf(t.align()),
                    "typstorage", String.valueOf(t.storage()), "typtypmod", -1, "typcollation", t.collation()));
        }
        return out;
    }

    static List<Object[]> indexes(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_INDEX);
        List<Object[]> out = new ArrayList<>();
        for (TableDef t : c.txn().tables()) {
            if (!t.hasPrimaryKey()) {
                continue;
            }
            int n = t.primaryKey().size();
            Object[] keys = new Object[n];
            Object[] collations = new Object[n];
            Object[] classes = new Object[n];
            Object[] options = new Object[n];
            for (int k = 0; k < n; k++) {
                int attnum = t.primaryKey().get(k);
                PgType type = t.columns().get(attnum - 1).type();
                BuiltinTypes.TypeRow row = BuiltinTypes.byOid(type.oid());
                keys[k] = (short) attnum;
                collations[k] = row == null ? 0L : (long) row.collation();
                classes[k] = BTREE_OPCLASS.getOrDefault(type, 0L);
                options[k] = (short) 0;
            }
            out.add(m.row("indexrelid", SyntheticOids.primaryKeyIndex(t.oid()), "indrelid", Integer.toUnsignedLong(t.oid()),
                    "indnatts", n, "indnkeyatts", n, "indisunique", true, "indisprimary", true, "indimmediate", true,
                    "indisvalid", true, "indisready", true, "indislive", true, "indkey", keys, "indcollation", collations,
                    "indclass", classes, "indoption", options));
        }
        return out;
    }

    static List<Object[]> constraints(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_CONSTRAINT);
        List<Object[]> out = new ArrayList<>();
        for (TableDef t : c.txn().tables()) {
            if (!t.hasPrimaryKey()) {
                continue;
            }
            Object[] conkey = new Object[t.primaryKey().size()];
            for (int k = 0; k < conkey.length; k++) {
                conkey[k] = (short) (int) t.primaryKey().get(k);
            }
            out.add(m.row("oid", SyntheticOids.primaryKeyConstraint(t.oid()), "conname", t.pkeyName(),
                    "connamespace", Integer.toUnsignedLong(t.schemaOid()), "contype", "p", "convalidated", true,
                    "conrelid", Integer.toUnsignedLong(t.oid()), "conindid", SyntheticOids.primaryKeyIndex(t.oid()),
                    "confupdtype", " ", "confdeltype", " ", "confmatchtype", " ", "conislocal", true, "connoinherit", true,
                    "conkey", conkey));
        }
        return out;
    }

    // ------------------------------------------------------------------ roles, databases, fixed catalogs

    static List<Object[]> roles(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_ROLES);
        List<Object[]> out = new ArrayList<>();
        for (CatalogReader.Role r : c.roles()) {
            out.add(m.row("rolname", r.name(), "rolsuper", r.superuser(), "rolinherit", r.inherit(), "rolcreaterole", r.createRole(),
                    "rolcreatedb", r.createDb(), "rolcanlogin", r.canLogin(), "rolreplication", r.replication(),
                    "rolconnlimit", r.connLimit(), "rolpassword", "********", "rolvaliduntil", r.validUntil(),
                    "rolbypassrls", r.bypassRls(), "oid", r.oid()));
        }
        return out;
    }

    static List<Object[]> users(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_USER);
        List<Object[]> out = new ArrayList<>();
        for (CatalogReader.Role r : c.roles()) {
            if (r.canLogin()) {
                out.add(m.row("usename", r.name(), "usesysid", r.oid(), "usecreatedb", r.createDb(), "usesuper", r.superuser(),
                        "userepl", r.replication(), "usebypassrls", r.bypassRls(), "passwd", "********", "valuntil", r.validUntil()));
            }
        }
        return out;
    }

    static List<Object[]> databases(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_DATABASE);
        String owner = c.userName(BOOTSTRAP_SUPERUSER_OID);
        Object[] templateAcl = {"=c/" + owner, owner + "=CTc/" + owner};
        List<Object[]> out = new ArrayList<>();
        out.add(database(m, 1, "template1", true, true, templateAcl));
        out.add(database(m, 4, "template0", true, false, templateAcl));
        out.add(database(m, POSTGRES_DB, "postgres", false, true, null));
        return out;
    }

    private static Object[] database(RowMaker m, long oid, String name, boolean template, boolean allowConn, Object[] acl) {
        return m.row("oid", oid, "datname", name, "datdba", BOOTSTRAP_SUPERUSER_OID, "encoding", 6, "datlocprovider", "c",
                "datistemplate", template, "datallowconn", allowConn, "datconnlimit", -1, "datfrozenxid", 716, "datminmxid", 1,
                "dattablespace", DEFAULT_TABLESPACE, "datcollate", "C", "datctype", "C", "datacl", acl);
    }

    static List<Object[]> accessMethods(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_AM);
        return List.of(m.row("oid", HEAP_AM, "amname", "heap", "amhandler", 3L, "amtype", "t"),
                m.row("oid", BTREE_AM, "amname", "btree", "amhandler", 330L, "amtype", "i"));
    }

    static List<Object[]> collations(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_COLLATION);
        return List.of(collation(m, DEFAULT_COLLATION, "default", "d", null),
                collation(m, C_COLLATION, "C", "c", "C"),
                collation(m, 951, "POSIX", "c", "POSIX"));
    }

    private static Object[] collation(RowMaker m, long oid, String name, String provider, String locale) {
        return m.row("oid", oid, "collname", name, "collnamespace", StorageEngine.PG_CATALOG_OID, "collowner", BOOTSTRAP_SUPERUSER_OID,
                "collprovider", provider, "collisdeterministic", true, "collencoding", -1, "collcollate", locale, "collctype", locale);
    }

    static List<Object[]> tablespaces(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_TABLESPACE);
        return List.of(m.row("oid", DEFAULT_TABLESPACE, "spcname", "pg_default", "spcowner", BOOTSTRAP_SUPERUSER_OID),
                m.row("oid", 1664L, "spcname", "pg_global", "spcowner", BOOTSTRAP_SUPERUSER_OID));
    }

    // ------------------------------------------------------------------ sequences

    /** The type PostgreSQL would have given the sequence, judged by its maximum (serial: integer). */
    static PgType sequenceType(SequenceDef s) {
        if (s.max() == Short.MAX_VALUE) {
            return PgType.INT2;
        }
        return s.max() == Integer.MAX_VALUE ? PgType.INT4 : PgType.INT8;
    }

    static List<Object[]> sequenceRows(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_SEQUENCE);
        List<Object[]> out = new ArrayList<>();
        for (SequenceDef s : c.txn().sequences()) {
            out.add(m.row("seqrelid", Integer.toUnsignedLong(s.oid()), "seqtypid", sequenceType(s).oid(), "seqstart", s.start(),
                    "seqincrement", s.increment(), "seqmax", s.max(), "seqmin", s.min(), "seqcache", s.cache(), "seqcycle", s.cycle()));
        }
        return out;
    }

    static List<Object[]> sequencesView(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_SEQUENCES);
        List<Object[]> out = new ArrayList<>();
        for (SequenceDef s : c.txn().sequences()) {
            Long last = c.txn().sequenceIsCalled(s) ? c.txn().sequenceLastValue(s) : null;
            out.add(m.row("schemaname", s.schemaName(), "sequencename", s.name(), "sequenceowner", c.userName(BOOTSTRAP_SUPERUSER_OID),
                    "data_type", sequenceType(s).oid(), "start_value", s.start(), "min_value", s.min(), "max_value", s.max(),
                    "increment_by", s.increment(), "cycle", s.cycle(), "cache_size", s.cache(), "last_value", last));
        }
        return out;
    }

    // ------------------------------------------------------------------ convenience views

    static List<Object[]> tablesView(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_TABLES);
        List<Object[]> out = new ArrayList<>();
        for (CatalogReader.Rel r : c.relations()) {
            if (r.kind() == 'r') {
                out.add(m.row("schemaname", r.namespace(), "tablename", r.name(), "tableowner", c.userName(BOOTSTRAP_SUPERUSER_OID),
                        "hasindexes", r.table() != null && r.table().hasPrimaryKey(), "hasrules", false, "hastriggers", false,
                        "rowsecurity", false));
            }
        }
        return out;
    }

    static List<Object[]> indexesView(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_INDEXES);
        List<Object[]> out = new ArrayList<>();
        for (TableDef t : c.txn().tables()) {
            if (t.hasPrimaryKey()) {
                out.add(m.row("schemaname", t.schemaName(), "tablename", t.name(), "indexname", t.pkeyName(),
                        "indexdef", Deparse.indexDef(t)));
            }
        }
        return out;
    }

    static List<Object[]> procs(CatalogReader c, List<ProcEntry> procs) {
        RowMaker m = new RowMaker(CatalogColumns.PG_PROC);
        List<Object[]> out = new ArrayList<>();
        for (ProcEntry p : procs) {
            Object[] args = new Object[p.argTypes().size()];
            for (int k = 0; k < args.length; k++) {
                args[k] = (long) p.argTypes().get(k);
            }
            out.add(m.row("oid", p.oid(), "proname", p.name(), "pronamespace", p.namespaceOid(), "proowner", BOOTSTRAP_SUPERUSER_OID,
                    "prolang", 12L, "procost", 1f, "prorows", p.returnsSet() ? 1000f : 0f,
                    "provariadic", p.variadic() ? (long) p.argTypes().get(args.length - 1) : 0L, "prokind", "f",
                    "proisstrict", p.strict(), "proretset", p.returnsSet(), "provolatile", p.volatile_() ? "v" : "s",
                    "proparallel", "s", "pronargs", args.length, "prorettype", p.returnType(), "proargtypes", args,
                    "prosrc", p.name()));
        }
        return out;
    }

    /** A pg_proc row's source. */
    record ProcEntry(long oid, String name, long namespaceOid, List<Integer> argTypes, int returnType, boolean returnsSet,
            boolean strict, boolean volatile_, boolean variadic) {

        static ProcEntry of(long oid, SqlFunction f) {
            List<Integer> args = new ArrayList<>();
            for (PgType t : f.argTypes()) {
                args.add(t == null ? 2276 : t.oid()); // "any"
            }
            long nsp = f.schema().equals("information_schema") ? CatalogReader.INFORMATION_SCHEMA_OID : StorageEngine.PG_CATALOG_OID;
            int ret = f.returnsSet() ? PgType.RECORD.oid() : f.returnType() == null ? PgType.VOID.oid() : f.returnType().oid();
            return new ProcEntry(oid, f.name(), nsp, args, ret, f.returnsSet(), f.strict(), f.volatile_(), f.variadic());
        }
    }

    // ------------------------------------------------------------------ settings, activity

    static List<Object[]> settings(CatalogReader c) {
        RowMaker m = new RowMaker(CatalogColumns.PG_SETTINGS);
        QueryContext ctx = c.context();
        Map<String, Object[]> rows = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Setting s : NodeConfig.settings().values()) {
            String shown;
            try {
                shown = ctx.setting(s.name());
            } catch (LrepException e) {
                shown = s.show(s.defaultValue()); // not visible to sessions yet: its default is what it is
            }
            String stored;
            try {
                stored = s.normalize(shown);
            } catch (LrepException e) {
                stored = shown; // a value SHOW prints that does not parse back: show it as it is
            }
            rows.put(s.name(), m.row("name", s.name(), "setting", stored, "unit", unit(s), "category", "Ungrouped",
                    "short_desc", s.description(), "context", context(s.name()), "vartype", vartype(s), "source", "default",
                    "min_val", s.type() == Setting.Type.INT ? Long.toString(s.min()) : null,
                    "max_val", s.type() == Setting.Type.INT ? Long.toString(s.max()) : null,
                    "enumvals", s.type() == Setting.Type.ENUM ? s.choices().toArray() : null,
                    "boot_val", s.defaultValue(), "reset_val", stored, "pending_restart", false));
        }
        for (String name : SESSION_SETTINGS) {
            if (rows.containsKey(name)) {
                continue;
            }
            String value;
            try {
                value = ctx.setting(name);
            } catch (LrepException e) {
                continue; // the engine does not know this setting: PostgreSQL would not list it either
            }
            rows.put(name, m.row("name", name, "setting", value, "category", "Ungrouped", "context", "user", "vartype", "string",
                    "source", "session", "boot_val", value, "reset_val", value, "pending_restart", false));
        }
        return new ArrayList<>(rows.values());
    }

    private static String unit(Setting s) {
        return switch (s.unit()) {
            case NONE -> null;
            case BYTES -> "B";
            case KB -> "kB";
            case MB -> "MB";
            case MS -> "ms";
            case S -> "s";
            case MIN -> "min";
        };
    }

    private static String vartype(Setting s) {
        return switch (s.type()) {
            case BOOL -> "bool";
            case INT -> "integer";
            case STRING -> "string";
            case ENUM -> "enum";
        };
    }

    private static String context(String name) {
        return switch (name) {
            case "listen_addresses", "port", "metrics_port", "max_connections", "wal_buffers", "max_worker_processes", "max_wal_senders",
                    "max_replication_slots", "max_logical_replication_workers", "cluster_name" -> "postmaster";
            case "synchronous_commit", "logical_decoding_work_mem" -> "user";
            default -> "sighup";
        };
    }

    static List<Object[]> activity(CatalogReader c, ActivitySource source) {
        RowMaker m = new RowMaker(CatalogColumns.PG_STAT_ACTIVITY);
        List<Object[]> out = new ArrayList<>();
        List<ActivitySource.Activity> sessions = new ArrayList<>(source.sessions(c.context()));
        sessions.sort(Comparator.comparingInt(ActivitySource.Activity::pid));
        for (ActivitySource.Activity a : sessions) {
            Long userOid = null;
            for (CatalogReader.Role r : c.roles()) {
                if (r.name().equals(a.user())) {
                    userOid = r.oid();
                }
            }
            out.add(m.row("datid", a.database() == null ? null : POSTGRES_DB, "datname", a.database(), "pid", a.pid(),
                    "usesysid", userOid, "usename", a.user(), "application_name", a.applicationName(), "client_addr", a.clientAddress(),
                    "backend_start", a.backendStart(), "xact_start", a.transactionStart(), "query_start", a.queryStart(),
                    "state_change", a.stateChange(), "state", a.state(), "query", a.query(), "backend_type", a.backendType()));
        }
        return out;
    }
}
