package io.lrep.apply;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote relations a pgoutput stream announced (Relation messages), each mapped to a local
 * table by schema and table name and its columns by name (PostgreSQL's logicalrep_rel_open).
 * A mapping is resolved when a change first uses it and again whenever the local catalog has
 * changed since ({@link StorageEngine#catalogVersion()}); so a missing table or column fails
 * the change that needs it, with PostgreSQL's messages, and an ALTER TABLE on the subscriber is
 * noticed at once. Used by one apply thread.
 */
public final class RelationMap {

    /**
     * A remote relation mapped to a local table.
     *
     * @param remote the Relation message
     * @param table the local table
     * @param localAttnum per remote column (0-based), the local attnum (from 1)
     * @param updatable whether update/delete can find rows: every local key column is a remote
     *     key column (or the table has no primary key and the remote identity is FULL)
     */
    public record Mapped(PgOutputMessage.Relation remote, TableDef table, int[] localAttnum, boolean updatable) {

        /** The local table's name as PostgreSQL's apply messages print it, {@code schema.name}. */
        public String qualifiedName() {
            return table.schemaName() + "." + table.name();
        }
    }

    private final StorageEngine storage;
    private final Map<Integer, PgOutputMessage.Relation> remote = new HashMap<>();
    private final Map<Integer, Mapped> mapped = new HashMap<>();
    private long resolvedAtCatalogVersion = -1;

    public RelationMap(StorageEngine storage) {
        this.storage = storage;
    }

    /** A Relation message: remembers (or replaces) the remote relation's description. */
    public void onRelation(PgOutputMessage.Relation relation) {
        remote.put(relation.relationOid(), relation);
        mapped.remove(relation.relationOid());
    }

    /** The remote relation with this oid, or null if none was announced. */
    public PgOutputMessage.Relation remote(int relationOid) {
        return remote.get(relationOid);
    }

    /**
     * The mapping of remote relation {@code relationOid}, as seen by {@code t}.
     *
     * @throws LrepException 08P01 if the relation was never announced; 42P01 if the local
     *     table does not exist; 42703 if local columns are missing
     */
    public Mapped open(Transaction t, int relationOid) {
        long version = storage.catalogVersion();
        if (version != resolvedAtCatalogVersion || t.hasCatalogChanges()) {
            mapped.clear();
            resolvedAtCatalogVersion = t.hasCatalogChanges() ? -1 : version;
        }
        Mapped m = mapped.get(relationOid);
        if (m == null) {
            PgOutputMessage.Relation rel = remote.get(relationOid);
            if (rel == null) {
                throw new LrepException(SqlState.PROTOCOL_VIOLATION,
                        "no relation map entry for remote relation ID " + Integer.toUnsignedString(relationOid));
            }
            m = resolve(t, rel);
            mapped.put(relationOid, m);
        }
        return m;
    }

    /** Forgets every mapping (the local catalog may have changed in a way the version misses). */
    public void invalidate() {
        mapped.clear();
    }

    static Mapped resolve(Transaction t, PgOutputMessage.Relation rel) {
        String schema = rel.namespace().isEmpty() ? "pg_catalog" : rel.namespace();
        TableDef table = t.findTable(schema, rel.name());
        if (table == null) {
            throw new LrepException(SqlState.UNDEFINED_TABLE,
                    "logical replication target relation \"" + schema + "." + rel.name() + "\" does not exist");
        }
        int[] attnums = new int[rel.columns().size()];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < attnums.length; i++) {
            ColumnDef c = table.column(rel.columns().get(i).name());
            if (c == null) {
                missing.add("\"" + rel.columns().get(i).name() + "\"");
            } else {
                attnums[i] = c.attnum();
            }
        }
        if (!missing.isEmpty()) {
            throw new LrepException(SqlState.UNDEFINED_COLUMN, "logical replication target relation \"" + schema + "."
                    + rel.name() + "\" is missing replicated column" + (missing.size() == 1 ? "" : "s") + ": "
                    + String.join(", ", missing));
        }
        boolean updatable;
        if (table.hasPrimaryKey()) {
            updatable = true;
            for (int keyAttnum : table.primaryKey()) {
                boolean found = false;
                for (int i = 0; i < attnums.length; i++) {
                    if (attnums[i] == keyAttnum && (rel.columns().get(i).isKey() || rel.replicaIdentity() == 'f')) {
                        found = true;
                    }
                }
                updatable &= found;
            }
        } else {
            updatable = rel.replicaIdentity() == 'f';
        }
        return new Mapped(rel, table, attnums, updatable);
    }
}
