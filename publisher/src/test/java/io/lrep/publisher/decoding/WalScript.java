package io.lrep.publisher.decoding;

import io.lrep.core.storage.CatalogCodec;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes WAL records by hand, as storage would; each method returns the record's start LSN. */
final class WalScript {

    final WalLog wal;

    WalScript(WalLog wal) {
        this.wal = wal;
    }

    /** public.name (id int4 primary key, v text), replica identity default. */
    static TableDef kv(int oid, String name) {
        return new TableDef(oid, 2200, "public", name, List.of(Recorder.column(1, "id", PgType.INT4),
                Recorder.column(2, "v", PgType.TEXT)), List.of(1), ReplicaIdentity.DEFAULT);
    }

    static TableDef addColumn(TableDef t, String name, PgType type) {
        List<ColumnDef> cols = new ArrayList<>(t.columns());
        cols.add(Recorder.column(cols.size() + 1, name, type));
        return new TableDef(t.oid(), t.schemaOid(), t.schemaName(), t.name(), cols, t.primaryKey(), t.replicaIdentity());
    }

    static TableDef dropColumn(TableDef t, String name) {
        List<ColumnDef> cols = new ArrayList<>();
        for (ColumnDef c : t.columns()) {
            cols.add(c.name().equals(name) ? new ColumnDef(c.attnum(), "........pg.dropped." + c.attnum() + "........", c.type(),
                    -1, false, null, ColumnDef.NO_IDENTITY, 0, true, null) : c);
        }
        return new TableDef(t.oid(), t.schemaOid(), t.schemaName(), t.name(), cols, t.primaryKey(), t.replicaIdentity());
    }

    long append(WalRecord r) {
        long before = wal.insertLsn();
        wal.append(r);
        return before;
    }

    long create(int xid, TableDef t) {
        return append(new WalRecord.CatalogChange(xid, CatalogCodec.TABLE_CREATE, t.oid(), CatalogCodec.encodeTable(t)));
    }

    long alter(int xid, TableDef t) {
        return append(new WalRecord.CatalogChange(xid, CatalogCodec.TABLE_ALTER, t.oid(), CatalogCodec.encodeTable(t)));
    }

    long drop(int xid, TableDef t) {
        return append(new WalRecord.CatalogChange(xid, CatalogCodec.TABLE_DROP, t.oid(), new byte[0]));
    }

    long insert(int xid, TableDef t, Object... row) {
        return append(new WalRecord.Insert(xid, t.oid(), row));
    }

    long update(int xid, TableDef t, Object[] oldKey, Object... row) {
        return append(new WalRecord.Update(xid, t.oid(), oldKey, false, row));
    }

    long delete(int xid, TableDef t, Object... oldKey) {
        return append(new WalRecord.Delete(xid, t.oid(), oldKey, false));
    }

    long truncate(int xid, TableDef... ts) {
        int[] oids = new int[ts.length];
        for (int i = 0; i < ts.length; i++) {
            oids[i] = ts[i].oid();
        }
        return append(new WalRecord.Truncate(xid, oids, false, false));
    }

    long message(int xid, boolean transactional, String prefix, String content) {
        return append(new WalRecord.LogicalMessage(xid, transactional, prefix, content.getBytes(StandardCharsets.UTF_8)));
    }

    long commit(int xid) {
        return append(new WalRecord.Commit(xid, 1_700_000_000_000_000L + xid, 0, 0));
    }

    long abort(int xid) {
        return append(new WalRecord.Abort(xid));
    }

    long rollbackTo(int xid, long savepointLsn) {
        return append(new WalRecord.SubxactAbort(xid, savepointLsn));
    }

    /** Where the next record will start (a savepoint's LSN). */
    long savepoint() {
        return wal.insertLsn();
    }
}
