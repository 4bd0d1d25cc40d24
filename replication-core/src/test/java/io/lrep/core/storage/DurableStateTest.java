package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DurableStateTest {

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);

    /** Tables (by name) with their definitions and committed rows. */
    private static Map<String, Object> state(StorageEngine e) {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Transaction t = e.begin()) {
            for (TableDef def : t.tables()) {
                List<List<Object>> rows = new ArrayList<>();
                for (List<Object> r : StorageFixture.committed(e, def).values()) {
                    rows.add(r);
                }
                rows.sort((a, b) -> a.toString().compareTo(b.toString()));
                out.put(def.schemaName() + "." + def.name(), List.of(def, rows.toString()));
            }
            for (SequenceDef s : t.sequences()) {
                out.put("seq " + s.name(), s);
            }
            for (SchemaDef s : t.schemas()) {
                out.put("schema " + s.name(), s);
            }
        }
        return out;
    }

    private void buildWorkload() {
        TableDef kv;
        TableDef log;
        TableDef wide;
        try (Transaction t = engine.begin()) {
            t.createSchema("app");
            kv = t.createTable("public", "kv", List.of(ColumnDef.of("id", PgType.INT4), ColumnDef.of("v", PgType.TEXT)), List.of("id"));
            log = t.createTable("app", "log", List.of(ColumnDef.of("msg", PgType.TEXT), ColumnDef.of("n", PgType.INT8)), List.of());
            wide = t.createTable("app", "wide", List.of(ColumnDef.of("id", PgType.UUID), ColumnDef.of("d", PgType.DATE),
                    ColumnDef.of("x", PgType.NUMERIC), ColumnDef.of("gone", PgType.BOOL)), List.of("id"));
            t.createSequence(SequenceDef.defaults("app", "ids"));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            for (int i = 0; i < 20; i++) {
                t.insert(kv, row(i, "v" + i));
                t.insert(log, row("m" + (i % 3), (long) i));
            }
            t.insert(wide, row(new UUID(1, 2), LocalDate.of(2024, 2, 29), new BigDecimal("1.50"), true));
            t.nextval(t.sequence("app", "ids"));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            t.update(t.get(kv, new Object[] {3}, t.statementSnapshot()), row(103, "moved"));
            t.delete(t.get(kv, new Object[] {4}, t.statementSnapshot()));
            var it = t.scan(log, t.statementSnapshot());
            while (it.hasNext()) {
                RowRef r = it.next();
                if (r.values()[0].equals("m1")) {
                    t.update(r, row("m1!", r.values()[1]));
                } else if (r.values()[0].equals("m2")) {
                    t.delete(r);
                }
            }
            TableDef w = t.dropColumn(wide, "gone");
            w = t.addColumn(w, ColumnDef.of("extra", PgType.INT4).withMissingValue(42));
            t.setReplicaIdentity(log, ReplicaIdentity.FULL);
            t.renameTable(w, "wider");
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(500, "rolled back"));
            t.rollback();
        }
        try (Transaction t = engine.begin()) {
            t.createTable("public", "dropped", List.of(ColumnDef.of("a", PgType.INT4)), List.of());
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            t.dropTable("public", "dropped");
            t.commit();
        }
    }

    @Test
    void exportThenRedoReproducesTheState() {
        buildWorkload();
        List<WalRecord> image = new ArrayList<>();
        long snapshot;
        try (SnapshotPin pin = engine.pinSnapshot()) {
            snapshot = pin.lsn();
            engine.vacuum();
            engine.exportImage(snapshot, image::add);
        }
        assertThat(image).allSatisfy(r -> assertThat(r.xid()).isZero());
        List<Integer> kinds = image.stream().filter(r -> r instanceof WalRecord.CatalogChange)
                .map(r -> ((WalRecord.CatalogChange) r).kind()).toList();
        assertThat(kinds).containsExactly(CatalogCodec.SCHEMA_CREATE, CatalogCodec.SEQUENCE_CREATE, CatalogCodec.TABLE_CREATE,
                CatalogCodec.TABLE_CREATE, CatalogCodec.TABLE_CREATE);
        assertThat(image.get(0)).isInstanceOf(WalRecord.CatalogChange.class);
        assertThat(image.get(kinds.size())).isInstanceOf(WalRecord.SequenceAdvance.class);

        // A restarted node's WAL continues where the old one ended, past every commit LSN.
        StorageEngine fresh = new StorageEngine(wal.crash());
        fresh.redo(image, snapshot);
        fresh.advanceCounters(engine.nextXid(), engine.nextOid());
        assertThat(state(fresh)).isEqualTo(state(engine));
        assertThat(fresh.nextOid()).isEqualTo(engine.nextOid());
    }

    @Test
    void exportAtAnOlderSnapshotShowsThatState() {
        buildWorkload();
        long snapshot = wal.flushedLsn();
        Map<String, Object> before = state(engine);
        SnapshotPin pin = engine.pinSnapshot(snapshot);
        try {
            try (Transaction t = engine.begin()) {
                TableDef kv = t.table("public", "kv");
                t.truncate(false, kv);
                t.dropTable("app", "log");
                t.commit();
            }
            engine.vacuum();
            List<WalRecord> image = new ArrayList<>();
            engine.exportImage(snapshot, image::add);
            // A restarted node's WAL continues where the old one ended, past every commit LSN.
        StorageEngine fresh = new StorageEngine(wal.crash());
            for (WalRecord r : image) {
                fresh.redo(List.of(r), snapshot);
            }
            assertThat(state(fresh)).isEqualTo(before);
        } finally {
            pin.close();
        }
    }

    @Test
    void walReplayReproducesTheState() {
        buildWorkload();
        MemoryWalLog crashed = wal.crash();
        StorageEngine recovered = new StorageEngine(crashed);
        StorageFixture.replay(crashed, recovered);
        assertThat(state(recovered)).isEqualTo(state(engine));
        assertThat(recovered.nextXid()).isEqualTo(engine.nextXid());
    }

    @Test
    void tracksTheOldestActiveTransactionStart() {
        assertThat(engine.oldestActiveTxnStartLsn()).isEqualTo(Long.MAX_VALUE);
        TableDef kv = StorageFixture.createKv(engine, "kv");
        Transaction reader = engine.begin();
        reader.scan(kv, reader.statementSnapshot());
        assertThat(engine.oldestActiveTxnStartLsn()).isEqualTo(Long.MAX_VALUE);
        long before = wal.insertLsn();
        Transaction a = engine.begin();
        a.insert(kv, row(1, "a"));
        Transaction b = engine.begin();
        b.insert(kv, row(2, "b"));
        assertThat(engine.oldestActiveTxnStartLsn()).isEqualTo(before);
        a.commit();
        assertThat(engine.oldestActiveTxnStartLsn()).isGreaterThan(before);
        b.rollback();
        reader.commit();
        assertThat(engine.oldestActiveTxnStartLsn()).isEqualTo(Long.MAX_VALUE);
        engine.advanceCounters(1000, 20000);
        engine.advanceCounters(5, 5);
        assertThat(engine.nextXid()).isEqualTo(1000);
        assertThat(engine.nextOid()).isEqualTo(20000);
    }

    @Test
    void replayFindsKeylessRowsByTheirWholeOldRow() {
        TableDef heap;
        try (Transaction t = engine.begin()) {
            heap = t.createTable("public", "heap", List.of(ColumnDef.of("a", PgType.INT4), ColumnDef.of("b", PgType.TEXT)), List.of());
            t.insert(heap, row(1, "dup"));
            t.insert(heap, row(1, "dup"));
            t.insert(heap, row(2, "x"));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            var it = t.scan(heap, t.statementSnapshot());
            boolean first = true;
            while (it.hasNext()) {
                RowRef r = it.next();
                if (r.values()[0].equals(1) && first) {
                    t.update(r, row(1, "changed"));
                    first = false;
                } else if (r.values()[0].equals(2)) {
                    t.delete(r);
                }
            }
            t.commit();
        }
        MemoryWalLog crashed = wal.crash();
        StorageEngine recovered = new StorageEngine(crashed);
        StorageFixture.replay(crashed, recovered);
        assertThat(state(recovered)).isEqualTo(state(engine));
        assertThat(StorageFixture.committed(recovered, heap)).hasSize(2);
    }
}
