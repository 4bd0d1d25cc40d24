package io.lrep.publisher.decoding;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.CatalogCodec;
import io.lrep.core.storage.TableDef;
import io.lrep.core.wal.WalRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tables' definitions as of any LSN, for decoding (PostgreSQL's historic catalog
 * snapshots): every table a chain of versions, each valid from the end LSN of the Commit
 * record of the transaction that made it (0 for the initial definitions), a dropped table a
 * {@code null} version. {@link #relation(int, long)} gives the version in effect at an LSN;
 * a transaction's own uncommitted definitions are the {@link ReorderBuffer}'s business.
 *
 * <p>Built from an initial set of definitions ({@link #of}, or the CatalogChange records of a
 * storage image through {@link #apply}), or from a saved state ({@link #deserialize}). Applying
 * a committed definition is idempotent: the same definition at the same LSN replaces itself,
 * which is what makes re-reading WAL after a restart safe.
 *
 * <p>State layout ({@link #serialize(long)}), big-endian:
 * <pre>
 *   i32 magic 0x4C524843 ("LRHC")   i32 format (1)   i64 restart LSN the state was cut at
 *   i32 tables, per table:  i32 oid, i32 versions, per version (oldest first):
 *                           i64 valid-from LSN, i32 length (-1 = dropped), CatalogCodec table definition
 * </pre>
 * Not thread-safe: one decoder's thread.
 */
public final class HistoricCatalog {

    private static final int MAGIC = 0x4C524843;
    private static final int FORMAT = 1;

    /** oid -> (valid-from LSN -> definition, null when dropped). */
    private final Map<Integer, TreeMap<Long, TableDef>> tables = new HashMap<>();

    private HistoricCatalog() {}

    /** An empty catalog (no table known). */
    public static HistoricCatalog empty() {
        return new HistoricCatalog();
    }

    /** A catalog in which these definitions hold from LSN 0 on (a slot's initial catalog). */
    public static HistoricCatalog of(Collection<TableDef> initial) {
        HistoricCatalog c = new HistoricCatalog();
        for (TableDef t : initial) {
            c.put(t.oid(), 0, t);
        }
        return c;
    }

    /**
     * Records a committed catalog change valid from {@code validFromLsn} (the end of its
     * transaction's Commit record). Only table kinds matter to decoding; others are ignored.
     * A new slot's initial catalog can also be built this way from the CatalogChange records of
     * {@code DurableState.exportImage(consistentPoint, ...)}, each applied at 0.
     *
     * @throws LrepException XX001 if the definition cannot be decoded
     */
    public void apply(WalRecord.CatalogChange change, long validFromLsn) {
        if (!CatalogCodec.isTableKind(change.kind())) {
            return;
        }
        put(change.oid(), validFromLsn, definitionOf(change));
    }

    /** The table definition a catalog change carries, or null for a drop. */
    static TableDef definitionOf(WalRecord.CatalogChange change) {
        if (change.kind() == CatalogCodec.TABLE_DROP || change.definition().length == 0) {
            return null;
        }
        return CatalogCodec.decodeTable(change.definition());
    }

    private void put(int oid, long validFromLsn, TableDef def) {
        tables.computeIfAbsent(oid, k -> new TreeMap<>()).put(validFromLsn, def);
    }

    /** The table's definition in effect at {@code lsn}: the newest version valid from at most {@code lsn}; null if none or dropped. */
    public TableDef relation(int oid, long lsn) {
        TreeMap<Long, TableDef> versions = tables.get(oid);
        if (versions == null) {
            return null;
        }
        Map.Entry<Long, TableDef> e = versions.floorEntry(lsn);
        return e == null ? null : e.getValue();
    }

    /** Every table in effect at {@code lsn}, in oid order. */
    public List<TableDef> relationsAt(long lsn) {
        List<TableDef> out = new ArrayList<>();
        for (int oid : new TreeMap<>(tables).keySet()) {
            TableDef t = relation(oid, lsn);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Forgets versions nobody can ask for once decoding never goes back before {@code lsn}:
     * versions superseded at or before it, and tables dropped at or before it.
     */
    public void prune(long lsn) {
        tables.values().removeIf(versions -> {
            Long floor = versions.floorKey(lsn);
            if (floor != null) {
                versions.headMap(floor, false).clear();
                return versions.size() == 1 && versions.firstEntry().getValue() == null;
            }
            return false;
        });
    }

    /**
     * The state a decoder restarted at {@code restartLsn} needs: the versions in effect at
     * {@code restartLsn} and every later one. See {@link RestartPoint} for which LSNs a saved
     * state is good for.
     */
    public byte[] serialize(long restartLsn) {
        List<byte[]> defs = new ArrayList<>();
        int size = 4 + 4 + 8 + 4;
        TreeMap<Integer, TreeMap<Long, TableDef>> sorted = new TreeMap<>(tables);
        List<Map.Entry<Integer, List<Map.Entry<Long, TableDef>>>> keep = new ArrayList<>();
        for (Map.Entry<Integer, TreeMap<Long, TableDef>> t : sorted.entrySet()) {
            TreeMap<Long, TableDef> versions = t.getValue();
            Long floor = versions.floorKey(restartLsn);
            Map<Long, TableDef> from = floor == null ? versions : versions.tailMap(floor, true);
            List<Map.Entry<Long, TableDef>> vs = new ArrayList<>(from.entrySet());
            if (vs.size() == 1 && vs.get(0).getValue() == null) {
                continue; // dropped before the restart point
            }
            keep.add(Map.entry(t.getKey(), vs));
            size += 8;
            for (Map.Entry<Long, TableDef> v : vs) {
                byte[] b = v.getValue() == null ? null : CatalogCodec.encodeTable(v.getValue());
                defs.add(b);
                size += 12 + (b == null ? 0 : b.length);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(MAGIC).putInt(FORMAT).putLong(restartLsn).putInt(keep.size());
        int i = 0;
        for (Map.Entry<Integer, List<Map.Entry<Long, TableDef>>> t : keep) {
            out.putInt(t.getKey()).putInt(t.getValue().size());
            for (Map.Entry<Long, TableDef> v : t.getValue()) {
                byte[] b = defs.get(i++);
                out.putLong(v.getKey());
                if (b == null) {
                    out.putInt(-1);
                } else {
                    out.putInt(b.length).put(b);
                }
            }
        }
        return out.array();
    }

    /**
     * A catalog from {@link #serialize(long)}'s bytes.
     *
     * @throws LrepException XX001 if the bytes are not a saved catalog state
     */
    public static HistoricCatalog deserialize(byte[] state) {
        ByteBuffer in = ByteBuffer.wrap(state);
        try {
            if (in.getInt() != MAGIC) {
                throw corrupt("bad magic number");
            }
            int format = in.getInt();
            if (format != FORMAT) {
                throw corrupt("unknown format " + format);
            }
            in.getLong();
            int n = in.getInt();
            HistoricCatalog c = new HistoricCatalog();
            for (int i = 0; i < n; i++) {
                int oid = in.getInt();
                int versions = in.getInt();
                for (int j = 0; j < versions; j++) {
                    long from = in.getLong();
                    int len = in.getInt();
                    TableDef def = null;
                    if (len >= 0) {
                        if (len > in.remaining()) {
                            throw corrupt("definition of " + len + " bytes with " + in.remaining() + " left");
                        }
                        byte[] b = new byte[len];
                        in.get(b);
                        def = CatalogCodec.decodeTable(b);
                    }
                    c.put(oid, from, def);
                }
            }
            if (in.hasRemaining()) {
                throw corrupt(in.remaining() + " bytes after the state");
            }
            return c;
        } catch (BufferUnderflowException e) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "invalid decoding catalog state: truncated", e);
        }
    }

    /** The restart LSN a saved state was cut at. */
    public static long restartLsnOf(byte[] state) {
        if (state.length < 16 || ByteBuffer.wrap(state).getInt() != MAGIC) {
            throw corrupt("bad magic number");
        }
        return ByteBuffer.wrap(state).getLong(8);
    }

    private static LrepException corrupt(String what) {
        return new LrepException(SqlState.DATA_CORRUPTED, "invalid decoding catalog state: " + what);
    }

    @Override
    public String toString() {
        return "HistoricCatalog[" + tables.size() + " tables, newest version from "
                + Lsn.format(tables.values().stream().mapToLong(TreeMap::lastKey).max().orElse(0)) + "]";
    }
}
