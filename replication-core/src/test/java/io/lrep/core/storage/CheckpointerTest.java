package io.lrep.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ControlFile.CheckpointLocation;
import io.lrep.core.storage.ControlFile.State;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalReader;
import io.lrep.core.wal.WalRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointerTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    Path dataDir;

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final AtomicInteger vacuums = new AtomicInteger();
    FakeRetentionWal wal;
    FakeDurableState state;
    ControlFile control;
    Checkpointer checkpointer;

    @BeforeEach
    void setUp() {
        wal = new FakeRetentionWal(new MemoryWalLog());
        state = new FakeDurableState(wal);
        control = ControlFile.create(dataDir, 7);
        checkpointer = new Checkpointer(dataDir, control, wal, state, TIMEOUT, vacuums::incrementAndGet, clock::get);
    }

    private void tick(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    private void commitRow(Object key) {
        int xid = state.begin();
        state.insert(xid, key);
        state.commit(xid);
    }

    private List<String> imageFiles() throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("pg_checkpoint"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private List<WalRecord.Checkpoint> checkpointRecords() {
        List<WalRecord.Checkpoint> out = new ArrayList<>();
        try (WalReader r = wal.openReader(MemoryWalLog.START_LSN)) {
            for (WalEntry e = r.next(); e != null; e = r.next()) {
                if (e.record() instanceof WalRecord.Checkpoint c) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    @Test
    void shouldCheckpointWhenTheTimeoutRunsOut() {
        commitRow(1);
        assertThat(checkpointer.doWork()).isZero();
        tick(TIMEOUT.minusSeconds(1));
        assertThat(checkpointer.doWork()).isZero();
        assertThat(checkpointer.checkpointsCompleted()).isZero();
        assertThat(vacuums).hasValue(0);

        tick(Duration.ofSeconds(1));
        assertThat(checkpointer.doWork()).isEqualTo(1);
        assertThat(checkpointer.checkpointsCompleted()).isEqualTo(1);
        assertThat(vacuums).hasValue(1);
        assertThat(checkpointer.doWork()).isZero();
        assertThat(checkpointer.roleName()).isEqualTo("checkpointer");
    }

    @Test
    void shouldRunTheSegmentRemovalHookAfterHoldingAndBeforeRemoving() {
        commitRow(1);
        AtomicLong seenCheckpointLsn = new AtomicLong();
        checkpointer.setSegmentRemovalHook((checkpointLsn, keptFromLsn) -> {
            seenCheckpointLsn.set(checkpointLsn);
            wal.holdFrom("hook", keptFromLsn);
        });
        Checkpointer.Result r = checkpointer.checkpointNow();
        assertThat(seenCheckpointLsn).hasValue(r.checkpoint().checkpointLsn());
        List<FakeRetentionWal.Call> calls = wal.calls();
        assertThat(calls).extracting(FakeRetentionWal.Call::what).containsSubsequence("hold", "hold", "remove");
        FakeRetentionWal.Call own = calls.get(calls.size() - 3);
        FakeRetentionWal.Call hook = calls.get(calls.size() - 2);
        assertThat(own.holder()).isEqualTo(Checkpointer.WAL_HOLDER);
        assertThat(hook.holder()).isEqualTo("hook");
        assertThat(hook.lsn()).isEqualTo(own.lsn()).isEqualTo(r.checkpoint().redoLsn());
        assertThat(calls.get(calls.size() - 1).what()).isEqualTo("remove");
    }

    @Test
    void shouldSkipAPeriodicCheckpointWhenNothingWasWritten() {
        commitRow(1);
        checkpointer.checkpointNow();
        tick(TIMEOUT);
        assertThat(checkpointer.doWork()).isEqualTo(1);
        assertThat(checkpointer.checkpointsCompleted()).isEqualTo(1);
        assertThat(checkpointer.checkpointsSkipped()).isEqualTo(1);
        assertThat(vacuums).as("vacuum runs every cycle").hasValue(1);

        commitRow(2);
        tick(TIMEOUT);
        checkpointer.doWork();
        assertThat(checkpointer.checkpointsCompleted()).isEqualTo(2);
        assertThat(state.exports()).isEqualTo(2);
    }

    @Test
    void shouldServeRequestsOnTheNextStepEvenWhenIdle() throws Exception {
        commitRow(1);
        checkpointer.checkpointNow();
        CompletableFuture<Checkpointer.Result> first = checkpointer.requestCheckpoint();
        CompletableFuture<Checkpointer.Result> second = checkpointer.requestCheckpoint();
        assertThat(first).isNotDone();

        assertThat(checkpointer.doWork()).isEqualTo(1);
        assertThat(first).isCompleted();
        assertThat(second.get()).isSameAs(first.get());
        assertThat(checkpointer.checkpointsCompleted()).isEqualTo(2);
        assertThat(control.latestCheckpoint()).isEqualTo(first.get().checkpoint());
        assertThat(vacuums).as("vacuum runs on the timer only").hasValue(0);
    }

    @Test
    void shouldServeRequestsFromAWorkerThread() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReferenceThrowable failure = new AtomicReferenceThrowable();
        Thread worker = new Thread(() -> {
            try {
                while (!stop.get()) {
                    if (checkpointer.doWork() == 0) {
                        Thread.onSpinWait();
                    }
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, checkpointer.roleName());
        worker.start();
        try {
            commitRow(1);
            Checkpointer.Result r = checkpointer.requestCheckpoint().get(10, TimeUnit.SECONDS);
            assertThat(r.imageRecords()).isEqualTo(1);
        } finally {
            stop.set(true);
            worker.join(10_000);
        }
        assertThat(failure.get()).isNull();
    }

    /** A tiny holder (avoids a generic AtomicReference for one field). */
    private static final class AtomicReferenceThrowable {
        private volatile Throwable value;

        void set(Throwable t) {
            value = t;
        }

        Throwable get() {
            return value;
        }
    }

    @Test
    void shouldFailQueuedRequestsOnClose() {
        CompletableFuture<Checkpointer.Result> pending = checkpointer.requestCheckpoint();
        checkpointer.onClose();
        assertThatThrownBy(pending::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(LrepException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.ADMIN_SHUTDOWN));
    }

    @Test
    void shouldStartRedoAtTheOldestActiveTransaction() {
        commitRow(1);
        int open = state.begin();
        long openStart = wal.insertLsn();
        state.insert(open, 2);
        commitRow(3);

        Checkpointer.Result r = checkpointer.checkpointNow();

        CheckpointLocation loc = r.checkpoint();
        assertThat(loc.redoLsn()).isEqualTo(openStart);
        assertThat(loc.snapshotLsn()).isGreaterThan(openStart);
        assertThat(loc.checkpointLsn()).isEqualTo(wal.flushedLsn());
        assertThat(r.imageRecords()).as("rows 1 and 3; 2 is not committed").isEqualTo(2);
        assertThat(checkpointRecords()).singleElement().satisfies(c -> {
            assertThat(c.redoLsn()).isEqualTo(loc.redoLsn());
            assertThat(c.snapshotLsn()).isEqualTo(loc.snapshotLsn());
            assertThat(c.nextXid()).isEqualTo(state.nextXid());
            assertThat(c.nextOid()).isEqualTo(state.nextOid());
            assertThat(c.timeline()).isEqualTo(1);
        });
        ControlFile onDisk = ControlFile.read(dataDir);
        assertThat(onDisk.latestCheckpoint()).isEqualTo(loc);
        assertThat(onDisk.state()).isEqualTo(State.IN_PRODUCTION);
        assertThat(CheckpointImage.verify(dataDir.resolve(loc.imageName())).redoLsn()).isEqualTo(openStart);
    }

    @Test
    void shouldUseTheSnapshotAsRedoWhenNoTransactionIsActive() {
        commitRow(1);
        Checkpointer.Result r = checkpointer.checkpointNow();
        assertThat(r.checkpoint().redoLsn()).isEqualTo(r.checkpoint().snapshotLsn());
    }

    @Test
    void shouldKeepWalAndImagesOfThePreviousCheckpoint() throws IOException {
        checkpointer.onStart();
        assertThat(wal.calls()).as("nothing to hold without a checkpoint").isEmpty();

        commitRow(1);
        CheckpointLocation c1 = checkpointer.checkpointNow().checkpoint();
        commitRow(2);
        int open = state.begin();
        state.insert(open, 3);
        CheckpointLocation c2 = checkpointer.checkpointNow().checkpoint();
        state.commit(open);
        CheckpointLocation c3 = checkpointer.checkpointNow().checkpoint();

        assertThat(wal.calls()).containsExactly(
                new FakeRetentionWal.Call("hold", Checkpointer.WAL_HOLDER, c1.redoLsn()),
                new FakeRetentionWal.Call("remove", null, 0),
                new FakeRetentionWal.Call("hold", Checkpointer.WAL_HOLDER, c1.redoLsn()),
                new FakeRetentionWal.Call("remove", null, 0),
                new FakeRetentionWal.Call("hold", Checkpointer.WAL_HOLDER, c2.redoLsn()),
                new FakeRetentionWal.Call("remove", null, 0));
        assertThat(c2.redoLsn()).isLessThan(c2.snapshotLsn());
        assertThat(imageFiles()).containsExactly(Path.of(c2.imageName()).getFileName().toString(),
                Path.of(c3.imageName()).getFileName().toString());
        assertThat(control.previousCheckpoint()).isEqualTo(c2);
        assertThat(control.latestCheckpoint()).isEqualTo(c3);

        Checkpointer restarted = new Checkpointer(dataDir, ControlFile.read(dataDir), wal, state, TIMEOUT, null, clock::get);
        restarted.onStart();
        assertThat(wal.calls()).last().isEqualTo(new FakeRetentionWal.Call("hold", Checkpointer.WAL_HOLDER, c2.redoLsn()));
    }

    @Test
    void shouldRemoveLeftoverImagesOfFailedCheckpoints() throws IOException {
        Files.createDirectories(dataDir.resolve("pg_checkpoint"));
        Files.write(dataDir.resolve("pg_checkpoint/00000000DEADBEEF.img.tmp"), new byte[] {1});
        commitRow(1);
        CheckpointLocation c1 = checkpointer.checkpointNow().checkpoint();
        assertThat(imageFiles()).containsExactly(Path.of(c1.imageName()).getFileName().toString());
    }

    @Test
    void shouldLeaveTheControlFileShutDownAfterTheShutdownCheckpoint() {
        commitRow(1);
        checkpointer.checkpointNow();
        Checkpointer.Result r = checkpointer.shutdownCheckpoint();
        ControlFile onDisk = ControlFile.read(dataDir);
        assertThat(onDisk.state()).isEqualTo(State.SHUT_DOWN);
        assertThat(onDisk.latestCheckpoint()).isEqualTo(r.checkpoint());
        assertThat(r.checkpoint().checkpointLsn()).isEqualTo(wal.insertLsn());
    }

    @Test
    void shouldRejectANonPositiveTimeout() {
        assertThatThrownBy(() -> new Checkpointer(dataDir, control, wal, state, Duration.ZERO, null))
                .isInstanceOfSatisfying(LrepException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_PARAMETER_VALUE))
                .hasMessageContaining("checkpoint_timeout");
    }
}
