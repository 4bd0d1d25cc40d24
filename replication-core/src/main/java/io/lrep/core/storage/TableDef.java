package io.lrep.core.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * A table's full definition as of one catalog version (pg_class + pg_attribute + its primary
 * key). Immutable: every ALTER makes a new TableDef with the same oid. Rows are full width:
 * {@code columns().size()} values in attnum order, dropped columns included (as null).
 * {@code primaryKey} holds attnums in key order; empty means no primary key (rows are then
 * keyed by a hidden row id). The primary key constraint is named {@link #pkeyName()}.
 */
public record TableDef(
        int oid,
        int schemaOid,
        String schemaName,
        String name,
        List<ColumnDef> columns,
        List<Integer> primaryKey,
        ReplicaIdentity replicaIdentity) {

    public TableDef {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    /** The primary key constraint's name, {@code <table>_pkey}. */
    public String pkeyName() {
        return name + "_pkey";
    }

    public boolean hasPrimaryKey() {
        return !primaryKey.isEmpty();
    }

    /** The live (not dropped) column with this name, or null. */
    public ColumnDef column(String columnName) {
        for (ColumnDef c : columns) {
            if (!c.dropped() && c.name().equals(columnName)) {
                return c;
            }
        }
        return null;
    }

    /** The live columns in attnum order. */
    public List<ColumnDef> liveColumns() {
        List<ColumnDef> out = new ArrayList<>();
        for (ColumnDef c : columns) {
            if (!c.dropped()) {
                out.add(c);
            }
        }
        return out;
    }

    /** Whether attnum is part of the primary key. */
    public boolean isKeyColumn(int attnum) {
        return primaryKey.contains(attnum);
    }

    /** The name as messages print it: bare in {@code public}, else qualified. */
    String displayName() {
        return "public".equals(schemaName) ? name : schemaName + "." + name;
    }

    TableDef withColumns(List<ColumnDef> cols) {
        return new TableDef(oid, schemaOid, schemaName, name, cols, primaryKey, replicaIdentity);
    }

    TableDef withName(String newName) {
        return new TableDef(oid, schemaOid, schemaName, newName, columns, primaryKey, replicaIdentity);
    }

    TableDef withReplicaIdentity(ReplicaIdentity ri) {
        return new TableDef(oid, schemaOid, schemaName, name, columns, primaryKey, ri);
    }
}
