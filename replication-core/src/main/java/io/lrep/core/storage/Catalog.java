package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The transactional catalog: schemas, tables and sequences, each a chain of definition versions
 * stamped with the transaction that created and the one that ended it, as rows are. DDL and DML
 * read it as PostgreSQL reads its catalogs: the latest committed definition plus the reader's
 * own changes ({@link #currentVersion}); exports read it as of a snapshot LSN
 * ({@link #versionAsOf}). Objects are kept in oid order, which is creation order. Every method
 * runs under the engine lock.
 */
final class Catalog {

    enum ObjType { SCHEMA, TABLE, SEQUENCE }

    /** One catalog object (schema, table, sequence) and its definition versions, newest first. */
    static final class CatObject {
        final int oid;
        final ObjType type;
        CatVersion head;

        CatObject(int oid, ObjType type) {
            this.oid = oid;
            this.type = type;
        }
    }

    static final class CatVersion {
        final CatObject object;
        final Object def;
        final TxnState creator;
        TxnState ender;
        CatVersion older;

        CatVersion(CatObject object, Object def, TxnState creator) {
            this.object = object;
            this.def = def;
            this.creator = creator;
        }
    }

    final TreeMap<Integer, CatObject> objects = new TreeMap<>();
    private final LockManager locks;

    Catalog(LockManager locks) {
        this.locks = locks;
        installBootstrap(new SchemaDef(StorageEngine.PG_CATALOG_OID, "pg_catalog"));
        installBootstrap(new SchemaDef(StorageEngine.PUBLIC_OID, "public"));
    }

    private void installBootstrap(SchemaDef s) {
        CatObject o = new CatObject(s.oid(), ObjType.SCHEMA);
        o.head = new CatVersion(o, s, TxnState.BOOTSTRAP);
        objects.put(s.oid(), o);
    }

    /** The version {@code own} sees now: committed or its own, not dropped by a committed or its own. */
    static CatVersion currentVersion(CatObject o, TxnState own) {
        for (CatVersion v = o.head; v != null; v = v.older) {
            if (v.creator.aborted || (v.creator != own && !v.creator.isCommitted())) {
                continue;
            }
            TxnState e = v.ender;
            if (e != null && (e == own || e.isCommitted())) {
                continue;
            }
            return v;
        }
        return null;
    }

    static CatVersion versionAsOf(CatObject o, long lsn) {
        for (CatVersion v = o.head; v != null; v = v.older) {
            if (v.creator.committedAtOrBefore(lsn) && (v.ender == null || !v.ender.committedAtOrBefore(lsn))) {
                return v;
            }
        }
        return null;
    }

    Object currentDef(TxnState own, int oid, ObjType type) {
        CatObject o = objects.get(oid);
        if (o == null || o.type != type) {
            return null;
        }
        CatVersion v = currentVersion(o, own);
        return v == null ? null : v.def;
    }

    static int schemaOidOf(Object def) {
        if (def instanceof TableDef t) {
            return t.schemaOid();
        }
        if (def instanceof SequenceDef s) {
            return s.schemaOid();
        }
        return 0;
    }

    static String nameOf(Object def) {
        if (def instanceof TableDef t) {
            return t.name();
        }
        if (def instanceof SequenceDef s) {
            return s.name();
        }
        return ((SchemaDef) def).name();
    }

    SchemaDef schemaNamed(TxnState own, String name) {
        for (CatObject o : objects.values()) {
            if (o.type == ObjType.SCHEMA) {
                CatVersion v = currentVersion(o, own);
                if (v != null && ((SchemaDef) v.def).name().equals(name)) {
                    return (SchemaDef) v.def;
                }
            }
        }
        return null;
    }

    SchemaDef requireSchema(TxnState own, String name) {
        SchemaDef s = schemaNamed(own, name);
        if (s == null) {
            throw new LrepException(SqlState.UNDEFINED_SCHEMA, "schema \"" + name + "\" does not exist");
        }
        return s;
    }

    /** The table or sequence named so in the schema that {@code own} sees, or null. */
    Object relationNamed(TxnState own, String schema, String name) {
        SchemaDef s = schemaNamed(own, schema);
        if (s == null) {
            return null;
        }
        for (CatObject o : objects.values()) {
            if (o.type != ObjType.SCHEMA) {
                CatVersion v = currentVersion(o, own);
                if (v != null && schemaOidOf(v.def) == s.oid() && nameOf(v.def).equals(name)) {
                    return v.def;
                }
            }
        }
        return null;
    }

    /**
     * For creating {@code name}: waits out transactions that are creating, renaming or dropping
     * an object of that name, then returns the existing object's definition or null if free.
     */
    Object awaitNameFree(Transaction t, boolean schema, int schemaOid, String name) {
        while (true) {
            TxnState blocker = null;
            Object existing = null;
            for (CatObject o : objects.values()) {
                if ((o.type == ObjType.SCHEMA) != schema) {
                    continue;
                }
                for (CatVersion v = o.head; v != null; v = v.older) {
                    if (!nameOf(v.def).equals(name) || (!schema && schemaOidOf(v.def) != schemaOid) || v.creator.aborted) {
                        continue;
                    }
                    if (v.creator != t.state && !v.creator.isCommitted()) {
                        blocker = v.creator;
                        continue;
                    }
                    TxnState e = v.ender;
                    if (e == null || e.aborted) {
                        existing = v.def;
                    } else if (e != t.state && !e.isCommitted()) {
                        blocker = e;
                    }
                }
            }
            if (existing != null) {
                return existing;
            }
            if (blocker == null) {
                return null;
            }
            locks.awaitAny(t, Set.of(blocker), "catalog name \"" + name + "\"");
        }
    }

    CatVersion install(Transaction t, CatObject o, Object def) {
        CatVersion cur = currentVersion(o, t.state);
        if (cur != null) {
            cur.ender = t.state;
            t.endedCatalog.add(cur);
        }
        CatVersion v = new CatVersion(o, def, t.state);
        v.older = o.head;
        o.head = v;
        t.createdCatalog.add(v);
        return v;
    }

    void end(Transaction t, CatObject o) {
        CatVersion cur = currentVersion(o, t.state);
        if (cur != null) {
            cur.ender = t.state;
            t.endedCatalog.add(cur);
        }
    }

    /** Unlinks a version of an aborted transaction; true if its object is gone altogether. */
    boolean unlink(CatVersion v) {
        CatObject o = v.object;
        CatVersion prev = null;
        for (CatVersion x = o.head; x != null; x = x.older) {
            if (x == v) {
                if (prev == null) {
                    o.head = x.older;
                } else {
                    prev.older = x.older;
                }
                break;
            }
            prev = x;
        }
        if (o.head == null) {
            objects.remove(o.oid);
            return true;
        }
        return false;
    }

    /** Removes versions no snapshot at or above {@code horizon} sees; returns the oids of objects now gone. */
    List<Integer> prune(long horizon) {
        List<Integer> gone = new ArrayList<>();
        for (Iterator<CatObject> it = objects.values().iterator(); it.hasNext(); ) {
            CatObject o = it.next();
            CatVersion prev = null;
            for (CatVersion v = o.head; v != null; v = v.older) {
                boolean dead = v.creator.aborted || (v.ender != null && v.ender.committedAtOrBefore(horizon));
                if (dead) {
                    if (prev == null) {
                        o.head = v.older;
                    } else {
                        prev.older = v.older;
                    }
                } else {
                    prev = v;
                }
            }
            if (o.head == null) {
                it.remove();
                gone.add(o.oid);
            }
        }
        return gone;
    }
}
