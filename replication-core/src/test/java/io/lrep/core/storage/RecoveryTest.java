package io.lrep.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ControlFile.CheckpointLocation;
import io.lrep.core.storage.ControlFile.State;
import io.lrep.core.storage.Recovery.RecoveryResult;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {

    @TempDir
    Path dataDir;

    MemoryWalLog wal;
    FakeDurableState state;
    ControlFile control;
    Checkpointer checkpointer;

    @BeforeEach
    void setUp() {
        wal = new MemoryWalLog();
        state = new FakeDurableState(wal);
        control = ControlFile.create(dataDir, 7);
        control.setState(State.IN_PRODUCTION);
        control.write();
        checkpointer = new Checkpointer(dataDir, control, wal, state, Duration.ofMinutes(5), null);
    }

    private long commitRow(Object key) {
        int xid = state.begin();
        state.insert(xid, key);
        return state.commit(xid);
    }

    /** Crashes: a new store over the flushed WAL, recovered from the data directory. */
    private FakeDurableState crashAndRecover() {
        return recover(wal.crash());
    }

    private FakeDurableState recover(MemoryWalLog survivingWal) {
        FakeDurableState recovered = new FakeDurableState(survivingWal);
        lastResult = Recovery.run(dataDir, ControlFile.read(dataDir), survivingWal, recovered);
        return recovered;
    }

    RecoveryResult lastResult;

    @Test
    void shouldReplayAFreshDataDirectoryFromTheStartOfWal() {
        long c1 = commitRow(1);
        int aborted = state.begin();
        state.insert(aborted, 2);
        state.abort(aborted);
        long seq = state.advanceSequence(500, 42);
        int inFlight = state.begin();
        state.insert(inFlight, 3);
        long c4 = commitRow(4);

        FakeDurableState r = crashAndRecover();

        assertThat(r.rowKeys()).containsExactly(1, 4);
        assertThat(r.sequences()).containsEntry(500, 42L);
        assertThat(r.redoCalls()).extracting(FakeDurableState.Redo::commitEndLsn).containsExactly(c1, seq, c4);
        assertThat(lastResult.crashRecovery()).isTrue();
        assertThat(lastResult.checkpoint().exists()).isFalse();
        assertThat(lastResult.redoLsn()).isEqualTo(MemoryWalLog.START_LSN);
        assertThat(lastResult.transactionsReplayed()).isEqualTo(2);
        assertThat(lastResult.transactionsAborted()).isEqualTo(1);
        assertThat(lastResult.transactionsDiscarded()).isEqualTo(1);
        assertThat(lastResult.nonTransactionalRedone()).isEqualTo(1);
        assertThat(lastResult.endOfWalLsn()).isEqualTo(c4);
        assertThat(r.nextXid()).as("past the in-flight xid").isGreaterThan(inFlight);
        assertThat(ControlFile.read(dataDir).state()).isEqualTo(State.IN_PRODUCTION);
    }

    @Test
    void shouldReplayEachTransactionExactlyOnceAroundACheckpoint() {
        commitRow(1); // before the redo point: only in the image
        int spanning = state.begin(); // starts before the checkpoint, commits after it
        state.insert(spanning, 20);
        commitRow(3); // after the redo point, committed before the snapshot: in WAL replay range and image
        int abortedEarly = state.begin();
        state.insert(abortedEarly, 4);
        state.abort(abortedEarly);
        state.advanceSequence(500, 10);

        CheckpointLocation ckpt = checkpointer.checkpointNow().checkpoint();
        assertThat(ckpt.redoLsn()).isLessThan(ckpt.snapshotLsn());

        state.insert(spanning, 21);
        long spanningCommit = state.commit(spanning);
        long afterCommit = commitRow(5);
        state.advanceSequence(500, 11);
        int inFlight = state.begin();
        state.insert(inFlight, 6);
        int unflushed = state.begin();
        state.insert(unflushed, 7);
        commitRow(8);
        state.commitUnflushed(unflushed);

        FakeDurableState r = crashAndRecover();

        assertThat(r.rowKeys()).containsExactlyInAnyOrder(1, 3, 20, 21, 5, 8);
        assertThat(r.rowKeys()).doesNotHaveDuplicates();
        assertThat(r.sequences()).containsEntry(500, 11L);
        List<FakeDurableState.Redo> calls = r.redoCalls();
        assertThat(calls.get(0).commitEndLsn()).as("the image, at the snapshot").isEqualTo(ckpt.snapshotLsn());
        assertThat(calls.get(0).records()).hasSize(3); // rows 1 and 3, sequence 500
        FakeDurableState.Redo spanningRedo = calls.stream().filter(c -> c.commitEndLsn() == spanningCommit)
                .findFirst().orElseThrow();
        assertThat(spanningRedo.records()).as("the whole spanning transaction, in WAL order")
                .extracting(rec -> ((WalRecord.Insert) rec).newRow()[0]).containsExactly(20, 21);
        assertThat(calls).extracting(FakeDurableState.Redo::commitEndLsn).contains(afterCommit);
        assertThat(lastResult.checkpoint()).isEqualTo(ckpt);
        assertThat(lastResult.fellBack()).isFalse();
        assertThat(lastResult.transactionsInImage()).as("row 3's transaction").isEqualTo(1);
        assertThat(lastResult.transactionsReplayed()).isEqualTo(3);
        assertThat(lastResult.transactionsDiscarded()).as("in flight, and one whose Commit was not flushed").isEqualTo(2);
        assertThat(r.nextXid()).isGreaterThan(inFlight);
    }

    @Test
    void shouldRecoverTwiceToTheSameState() {
        commitRow(1);
        checkpointer.checkpointNow();
        commitRow(2);
        MemoryWalLog survivor = wal.crash();
        FakeDurableState first = recover(survivor);
        FakeDurableState second = recover(survivor);
        assertThat(second.rowKeys()).containsExactlyElementsOf(first.rowKeys()).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void shouldNeedNoRedoAfterACleanShutdown() {
        commitRow(1);
        checkpointer.shutdownCheckpoint();
        FakeDurableState r = crashAndRecover();
        assertThat(lastResult.crashRecovery()).isFalse();
        assertThat(lastResult.transactionsReplayed()).isZero();
        assertThat(lastResult.walRecords()).as("just the checkpoint record").isEqualTo(1);
        assertThat(r.rowKeys()).containsExactly(1);
    }

    @Test
    void shouldReportOriginProgressAndAdvanceCounters() {
        int xid = state.begin();
        state.insert(xid, 1);
        state.commit(xid, 1, 0x5000);
        checkpointer.checkpointNow();
        for (long lsn : new long[] {0x6000, 0x7000}) {
            int x = state.begin();
            state.insert(x, lsn);
            state.commit(x, 1, lsn);
        }
        int other = state.begin();
        state.insert(other, 9);
        state.commit(other, 2, 0x100);
        int oid = state.createTable();

        FakeDurableState r = crashAndRecover();

        assertThat(lastResult.originProgress()).isEqualTo(Map.of(1, 0x7000L, 2, 0x100L));
        assertThat(r.nextOid()).isGreaterThan(oid);
        assertThat(lastResult.nextOid()).isEqualTo(r.nextOid());
        assertThat(lastResult.nextXid()).isEqualTo(r.nextXid()).isGreaterThan(other);
    }

    @Test
    void shouldFallBackToThePreviousCheckpointWhenTheLatestImageIsCorrupt() throws IOException {
        commitRow(1);
        CheckpointLocation c1 = checkpointer.checkpointNow().checkpoint();
        int spanning = state.begin();
        state.insert(spanning, 2);
        commitRow(3);
        CheckpointLocation c2 = checkpointer.checkpointNow().checkpoint();
        state.commit(spanning);
        commitRow(4);

        Path latestImage = dataDir.resolve(c2.imageName());
        byte[] bytes = Files.readAllBytes(latestImage);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(latestImage, bytes);

        FakeDurableState r = crashAndRecover();

        assertThat(lastResult.fellBack()).isTrue();
        assertThat(lastResult.checkpoint()).isEqualTo(c1);
        assertThat(lastResult.redoLsn()).isEqualTo(c1.redoLsn());
        assertThat(r.rowKeys()).containsExactlyInAnyOrder(1, 2, 3, 4).doesNotHaveDuplicates();
        ControlFile after = ControlFile.read(dataDir);
        assertThat(after.latestCheckpoint()).isEqualTo(c1);
        assertThat(after.previousCheckpoint().exists()).isFalse();
    }

    @Test
    void shouldFallBackWhenTheLatestImageIsMissing() throws IOException {
        commitRow(1);
        CheckpointLocation c1 = checkpointer.checkpointNow().checkpoint();
        commitRow(2);
        CheckpointLocation c2 = checkpointer.checkpointNow().checkpoint();
        Files.delete(dataDir.resolve(c2.imageName()));

        FakeDurableState r = crashAndRecover();

        assertThat(lastResult.checkpoint()).isEqualTo(c1);
        assertThat(r.rowKeys()).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void shouldFailNamingBothImagesWhenNeitherIsUsable() throws IOException {
        commitRow(1);
        CheckpointLocation c1 = checkpointer.checkpointNow().checkpoint();
        commitRow(2);
        CheckpointLocation c2 = checkpointer.checkpointNow().checkpoint();
        Files.delete(dataDir.resolve(c2.imageName()));
        Files.write(dataDir.resolve(c1.imageName()), new byte[] {1, 2, 3});

        MemoryWalLog survivor = wal.crash();
        FakeDurableState fresh = new FakeDurableState(survivor);
        assertThatThrownBy(() -> Recovery.run(dataDir, ControlFile.read(dataDir), survivor, fresh))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED);
                    assertThat(e.severity()).isEqualTo(LrepException.Severity.FATAL);
                })
                .hasMessageContaining(dataDir.resolve(c1.imageName()).toString())
                .hasMessageContaining(dataDir.resolve(c2.imageName()).toString());
        assertThat(fresh.redoCalls()).as("nothing half-loaded").isEmpty();
    }

    @Test
    void shouldNotFallBackWhenThePreviousCheckpointsWalIsGone() throws IOException {
        commitRow(1);
        CheckpointLocation c1 = checkpointer.checkpointNow().checkpoint();
        commitRow(2);
        CheckpointLocation c2 = checkpointer.checkpointNow().checkpoint();
        Files.delete(dataDir.resolve(c2.imageName()));

        FakeRetentionWal truncated = new FakeRetentionWal(wal.crash());
        truncated.setOldestLsn(c1.redoLsn() + MemoryWalLog.RECORD_SIZE);
        FakeDurableState fresh = new FakeDurableState(truncated);
        assertThatThrownBy(() -> Recovery.run(dataDir, ControlFile.read(dataDir), truncated, fresh))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.detail()).contains("WAL"))
                .hasMessageContaining(dataDir.resolve(c1.imageName()).toString());
        assertThat(fresh.redoCalls()).isEmpty();
    }

    @Test
    void shouldFailWhenTheOnlyImageIsCorrupt() throws IOException {
        commitRow(1);
        CheckpointLocation c1 = checkpointer.checkpointNow().checkpoint();
        Files.write(dataDir.resolve(c1.imageName()), new byte[0]);
        assertThatThrownBy(this::crashAndRecover)
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED))
                .hasMessageContaining(dataDir.resolve(c1.imageName()).toString());
    }

    /**
     * Random interleaved transactions, checkpoints at random points, a crash at a random point:
     * the recovered rows are exactly those of the transactions whose Commit was flushed.
     */
    @Test
    void shouldRecoverExactlyTheFlushedCommitsUnderRandomInterleaving() {
        String prop = "RecoveryTest.seed";
        String fixed = System.getProperty(prop);
        long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        System.out.println(prop + " = " + seed + " (rerun with -D" + prop + "=" + seed + ")");
        Random rnd = new Random(seed);
        for (int round = 0; round < 8; round++) {
            setUpRound();
            Map<Integer, List<Integer>> open = new HashMap<>();
            List<Integer> committedKeys = new ArrayList<>();
            int nextKey = 0;
            int steps = 50 + rnd.nextInt(150);
            for (int step = 0; step < steps; step++) {
                int dice = rnd.nextInt(100);
                if (dice < 20 || open.isEmpty()) {
                    open.put(state.begin(), new ArrayList<>());
                } else if (dice < 60) {
                    int xid = pick(rnd, open);
                    state.insert(xid, nextKey);
                    open.get(xid).add(nextKey++);
                } else if (dice < 80) {
                    int xid = pick(rnd, open);
                    state.commit(xid);
                    committedKeys.addAll(open.remove(xid));
                } else if (dice < 88) {
                    int xid = pick(rnd, open);
                    state.abort(xid);
                    open.remove(xid);
                } else {
                    checkpointer.checkpointNow();
                }
            }
            FakeDurableState r = crashAndRecover();
            assertThat(r.rowKeys()).as("seed %d round %d", seed, round)
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(committedKeys);
        }
    }

    private void setUpRound() {
        try {
            deleteRecursively(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        setUp();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static int pick(Random rnd, Map<Integer, List<Integer>> open) {
        List<Integer> xids = new ArrayList<>(open.keySet());
        java.util.Collections.sort(xids);
        return xids.get(rnd.nextInt(xids.size()));
    }
}
