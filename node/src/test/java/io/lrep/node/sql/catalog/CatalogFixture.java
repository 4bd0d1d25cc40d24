package io.lrep.node.sql.catalog;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.Snapshot;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TypMod;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.node.SystemTables;
import io.lrep.node.SystemTablesFixture;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A storage catalog like the one psql's captured queries ran against: t(id int primary key,
 * name text not null default 'x', v numeric(10,2)), u(a bigserial primary key, b varchar(20)),
 * sequence s1, and roles postgres (10) and app (16390-ish, no superuser).
 */
final class CatalogFixture implements QueryContext, AutoCloseable {

    final StorageEngine storage = new StorageEngine(new MemoryWalLog());
    final SystemCatalog catalog = new SystemCatalog();
    final Map<String, String> settings = new HashMap<>();
    final Transaction txn;
    TableDef t;
    TableDef u;
    SequenceDef s1;
    SequenceDef uSeq;

    CatalogFixture() {
        SystemTablesFixture.bootstrap(storage, "postgres");
        try (Transaction setup = storage.begin()) {
            t = setup.createTable("public", "t", List.of(ColumnDef.of("id", PgType.INT4).notNullColumn(),
                    ColumnDef.of("name", PgType.TEXT).notNullColumn().withDefault("'x'::text"),
                    ColumnDef.of("v", PgType.NUMERIC).withTypmod(TypMod.numeric(10, 2))), List.of("id"));
            u = setup.createTable("public", "u", List.of(
                    ColumnDef.of("a", PgType.INT8).notNullColumn().withDefault("nextval('u_a_seq'::regclass)"),
                    ColumnDef.of("b", PgType.VARCHAR).withTypmod(TypMod.length(20))), List.of("a"));
            uSeq = setup.createSequence(new SequenceDef(0, 0, "public", "u_a_seq", 1, 1, 1, Long.MAX_VALUE, false, 1, u.oid(), 1));
            s1 = setup.createSequence(SequenceDef.defaults("public", "s1"));
            TableDef authid = setup.table(SystemTables.SCHEMA, SystemTables.AUTHID);
            setup.insert(authid, new Object[] {16500L, "app", false, true, false, false, true, false, false, 5, "SCRAM-SHA-256$x", null});
            setup.commit();
        }
        settings.put("search_path", "\"$user\", public");
        settings.put("application_name", "psql");
        settings.put("port", "5432");
        txn = storage.begin();
    }

    @Override
    public StorageEngine storage() {
        return storage;
    }

    @Override
    public Transaction transaction() {
        return txn;
    }

    @Override
    public Snapshot snapshot() {
        return txn.statementSnapshot();
    }

    @Override
    public SessionContext session() {
        return new SessionContext("postgres", "postgres", 4242, Map.of(), "false", "127.0.0.1");
    }

    @Override
    public String setting(String name) {
        String v = settings.get(name);
        if (v == null) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
        }
        return v;
    }

    @Override
    public String setSetting(String name, String value, boolean isLocal) {
        settings.put(name, value);
        return value;
    }

    SystemView view(String schema, String name) {
        return catalog.views().stream().filter(v -> v.schema().equals(schema) && v.name().equals(name)).findFirst().orElseThrow();
    }

    /** The view's rows as maps from column name to value. */
    List<Map<String, Object>> rows(String name) {
        String schema = name.contains(".") ? name.substring(0, name.indexOf('.')) : "pg_catalog";
        SystemView v = view(schema, name.substring(name.indexOf('.') + 1));
        List<Map<String, Object>> out = new ArrayList<>();
        Iterator<Object[]> it = v.rows(this);
        while (it.hasNext()) {
            Object[] row = it.next();
            Map<String, Object> m = new HashMap<>();
            for (int k = 0; k < row.length; k++) {
                m.put(v.columns().get(k).name(), row[k]);
            }
            out.add(m);
        }
        return out;
    }

    /** Calls the scalar function with this name and as many arguments. */
    Object call(String name, Object... args) {
        for (SqlFunction f : catalog.functions()) {
            if (f.name().equals(name) && f.argTypes().size() == args.length && !f.returnsSet() && matches(f, args)) {
                if (f.strict()) {
                    for (Object a : args) {
                        if (a == null) {
                            return null;
                        }
                    }
                }
                return f.scalar().call(this, args);
            }
        }
        throw new AssertionError("no function " + name + "/" + args.length);
    }

    private static boolean matches(SqlFunction f, Object[] args) {
        for (int k = 0; k < args.length; k++) {
            PgType t = f.argTypes().get(k);
            if (t != null && args[k] != null && !t.javaClass().isInstance(args[k])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        txn.rollback();
    }
}
