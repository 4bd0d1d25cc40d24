package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.storage.Recovery.RecoveryResult;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints and crash recovery with the real storage engine on a {@link MemoryWalLog}. */
class CheckpointRecoveryEngineTest {

    @TempDir
    Path dataDir;

    private static Map<RowKey, List<Object>> kv(StorageEngine engine) {
        try (Transaction t = engine.begin()) {
            TableDef def = t.table("public", "kv");
            t.commit();
            return StorageFixture.committed(engine, def);
        }
    }

    @Test
    void shouldRecoverCommittedStateAcrossCheckpointsAndCrashes() {
        MemoryWalLog wal = new MemoryWalLog();
        StorageEngine engine = new StorageEngine(wal);
        ControlFile control = ControlFile.create(dataDir, ControlFile.newSystemIdentifier());
        Checkpointer checkpointer = new Checkpointer(dataDir, control, wal, engine, Duration.ofMinutes(5), engine::vacuum);

        TableDef kv = StorageFixture.createKv(engine, "kv");
        for (int i = 1; i <= 5; i++) {
            try (Transaction t = engine.begin()) {
                t.insert(kv, row(i, "v" + i));
                t.commit();
            }
        }
        Transaction spanning = engine.begin();
        spanning.insert(kv, row(100, "before checkpoint"));
        try (Transaction t = engine.begin()) {
            t.update(t.get(kv, new Object[] {1}, t.statementSnapshot()), row(1, "one"));
            t.commit();
        }

        Checkpointer.Result first = checkpointer.checkpointNow();
        assertThat(first.checkpoint().redoLsn()).isLessThan(first.checkpoint().snapshotLsn());

        spanning.insert(kv, row(101, "after checkpoint"));
        spanning.commit();
        spanning.close();
        try (Transaction t = engine.begin()) {
            t.delete(t.get(kv, new Object[] {2}, t.statementSnapshot()));
            t.commit();
        }
        Transaction inFlight = engine.begin();
        inFlight.insert(kv, row(200, "never committed"));
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(6, "v6"));
            t.commit();
        }
        wal.flushAll();
        Map<RowKey, List<Object>> expected = kv(engine);
        assertThat(expected).hasSize(7); // 1 (updated), 3, 4, 5, 6, 100, 101

        MemoryWalLog wal2 = wal.crash();
        StorageEngine engine2 = new StorageEngine(wal2);
        RecoveryResult r = Recovery.run(dataDir, ControlFile.read(dataDir), wal2, engine2);
        assertThat(r.checkpoint()).isEqualTo(first.checkpoint());
        assertThat(r.transactionsDiscarded()).isEqualTo(1);
        assertThat(kv(engine2)).isEqualTo(expected);

        // Work on the recovered node, checkpoint (with vacuum), crash again, recover again.
        Checkpointer checkpointer2 = new Checkpointer(dataDir, ControlFile.read(dataDir), wal2, engine2,
                Duration.ofMinutes(5), engine2::vacuum);
        TableDef kv2;
        try (Transaction t = engine2.begin()) {
            kv2 = t.table("public", "kv");
            t.insert(kv2, row(7, "v7"));
            t.commit();
        }
        checkpointer2.checkpointNow();
        engine2.vacuum();
        try (Transaction t = engine2.begin()) {
            t.insert(kv2, row(8, "v8"));
            t.commit();
        }
        Map<RowKey, List<Object>> expected2 = kv(engine2);

        MemoryWalLog wal3 = wal2.crash();
        StorageEngine engine3 = new StorageEngine(wal3);
        Recovery.run(dataDir, ControlFile.read(dataDir), wal3, engine3);
        assertThat(kv(engine3)).isEqualTo(expected2).hasSize(9);
        try (Transaction t = engine3.begin()) {
            t.insert(t.table("public", "kv"), row(9, "new xid after recovery"));
            t.commit();
        }
    }

    private static long segmentCount(Path walDir) throws IOException {
        try (Stream<Path> files = Files.list(walDir)) {
            return files.count();
        }
    }

    @Test
    void shouldRecoverFromWalSegmentsAndLetCheckpointsRemoveOldOnes() throws IOException {
        WalConfig config = WalConfig.of(dataDir.resolve("pg_wal")).withRingFile(dataDir.resolve("wal_buffers"))
                .withRingCapacity(64 * 1024).withSegmentSize(8 * 1024).withFsync(false);
        ControlFile.create(dataDir, ControlFile.newSystemIdentifier());
        Map<RowKey, List<Object>> expected;
        try (Wal wal = Wal.open(config)) {
            wal.startWriterThread();
            StorageEngine engine = new StorageEngine(wal);
            Checkpointer checkpointer = new Checkpointer(dataDir, ControlFile.read(dataDir), wal, engine,
                    Duration.ofMinutes(5), engine::vacuum);
            checkpointer.onStart();
            TableDef kv = StorageFixture.createKv(engine, "kv");
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 50; i++) {
                    try (Transaction t = engine.begin()) {
                        t.insert(kv, row(round * 1000 + i, "x".repeat(100)));
                        t.commit();
                    }
                }
                checkpointer.checkpointNow();
            }
            assertThat(wal.oldestLsn()).as("old segments removed").isGreaterThan(config.initialLsn());
            try (Transaction t = engine.begin()) {
                t.insert(kv, row(-1, "after the last checkpoint"));
                t.commit();
            }
            expected = kv(engine);
            checkpointer.onClose();
        }
        assertThat(segmentCount(config.walDir())).isLessThan(10);

        try (Wal wal = Wal.open(config)) {
            wal.startWriterThread();
            StorageEngine engine = new StorageEngine(wal);
            RecoveryResult r = Recovery.run(dataDir, ControlFile.read(dataDir), wal, engine);
            assertThat(r.crashRecovery()).isTrue();
            assertThat(r.transactionsReplayed()).isEqualTo(1);
            assertThat(kv(engine)).isEqualTo(expected).hasSize(201);
        }
    }
}
