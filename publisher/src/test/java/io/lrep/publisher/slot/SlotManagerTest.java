package io.lrep.publisher.slot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalRecord;
import io.lrep.publisher.slot.SlotManager.SlotSpec;
import io.lrep.publisher.slot.SlotManager.SlotStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlotManagerTest {

    private static final int SEGMENT = 4096;

    @TempDir
    Path root;

    private Wal wal;
    private SlotManager slots;
    private final AtomicLong oldestActive = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong redo = new AtomicLong();

    @BeforeEach
    void openWal() {
        wal = Wal.open(WalConfig.of(root.resolve("pg_wal")).withRingFile(root.resolve("ring")).withRingCapacity(1 << 16)
                .withSegmentSize(SEGMENT).withFsync(false));
        wal.startWriterThread();
        slots = open(10, -1);
    }

    @AfterEach
    void close() {
        slots.close();
        wal.close();
    }

    private SlotManager open(int max, long keepBytes) {
        return SlotManager.open(root.resolve("pg_replslot"), SlotConfig.of(max, keepBytes, SEGMENT, true), wal, oldestActive::get,
                redo::get);
    }

    private SlotManager reopen() {
        slots.close();
        slots = open(10, -1);
        return slots;
    }

    private long writeWal(int bytes) {
        long end = wal.insertLsn();
        for (int written = 0; written < bytes; written += 128) {
            end = wal.append(new WalRecord.LogicalMessage(0, false, "t", new byte[100]));
        }
        wal.waitForFlush(end);
        return end;
    }

    private static SlotSpec logical(String name) {
        return SlotSpec.logical(name, SlotManager.PGOUTPUT, "postgres", false);
    }

    private static void assertError(Runnable r, SqlState state, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(state);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldCreateLogicalSlotAtTheInsertLsnAndKeepItAcrossReopen() {
        long before = writeWal(1000);
        SlotManager.Created<Long> c = slots.create(logical("sub1"), 77, lsn -> lsn);

        assertThat(c.consistentPoint()).isEqualTo(before).isEqualTo(c.attachment());
        ReplicationSlot s = c.slot();
        assertThat(s.restartLsn()).isEqualTo(before);
        assertThat(s.confirmedFlushLsn()).isEqualTo(before);
        assertThat(s.active()).isFalse();
        assertThat(s.plugin()).isEqualTo("pgoutput");
        assertThat(s.database()).isEqualTo("postgres");
        assertThat(Files.isRegularFile(root.resolve("pg_replslot/sub1/state"))).isTrue();

        assertThat(reopen().slot("sub1")).isEqualTo(s);
    }

    @Test
    void shouldLoseAConfirmedFlushNotYetSavedWhenHaltedButKeepItWhenClosed() {
        SlotManager.Created<Void> c = slots.create(logical("s"), 1, null);
        long consistent = c.consistentPoint();
        long later = writeWal(300);
        slots.acquire("s", 7);
        slots.advance("s", later, 0); // confirmed_flush alone is saved at release, checkpoint or close
        slots.halt();
        slots.release("s", 7);
        slots = open(10, -1);
        assertThat(slots.slot("s").confirmedFlushLsn()).as("a crash keeps what was saved").isEqualTo(consistent);
        slots.acquire("s", 7);
        slots.advance("s", later, 0);
        assertThat(reopen().slot("s").confirmedFlushLsn()).as("a clean close saves it").isEqualTo(later);
    }

    @Test
    void shouldStartRestartLsnAtTheOldestRunningTransaction() {
        long running = writeWal(200);
        oldestActive.set(running - 128);
        SlotManager.Created<Void> c = slots.create(logical("s"), 1, null);
        assertThat(c.slot().restartLsn()).isEqualTo(running - 128);
        assertThat(c.slot().confirmedFlushLsn()).isEqualTo(c.consistentPoint()).isEqualTo(running);
    }

    @Test
    void shouldNotCreateWhenTheConsistentPointCallbackFails() {
        assertThatThrownBy(() -> slots.create(logical("s"), 1, lsn -> {
            throw new IllegalStateException("pin failed");
        })).hasMessage("pin failed");
        assertThat(slots.list()).isEmpty();
        assertThat(root.resolve("pg_replslot/s")).doesNotExist();
        slots.create(logical("s"), 1);
    }

    @Test
    void shouldValidateNamesAsPostgresDoes() {
        assertError(() -> slots.create(logical("Bad-Name"), 1), SqlState.INVALID_NAME,
                "replication slot name \"Bad-Name\" contains invalid character");
        assertThatThrownBy(() -> slots.create(logical("a.b"), 1)).isInstanceOfSatisfying(LrepException.class,
                e -> assertThat(e.hint()).isEqualTo(
                        "Replication slot names may only contain lower case letters, numbers, and the underscore character."));
        assertError(() -> slots.create(logical(""), 1), SqlState.INVALID_NAME, "replication slot name \"\" is too short");
        String longName = "a".repeat(64);
        assertError(() -> slots.create(logical(longName), 1), SqlState.NAME_TOO_LONG,
                "replication slot name \"" + longName + "\" is too long");
        slots.create(logical("a".repeat(63)), 1);
    }

    @Test
    void shouldRefuseDuplicatesUnknownPluginsAndMoreThanTheLimit() {
        slots.close();
        slots = open(2, -1);
        slots.create(logical("one"), 1);
        assertError(() -> slots.create(logical("one"), 1), SqlState.DUPLICATE_OBJECT, "replication slot \"one\" already exists");
        assertError(() -> slots.create(SlotSpec.logical("two", "test_decoding", "postgres", false), 1), SqlState.UNDEFINED_FILE,
                "could not access file \"test_decoding\": No such file or directory");
        slots.create(SlotSpec.physical("two", false, false), 1);
        assertThatThrownBy(() -> slots.create(logical("three"), 1)).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(SqlState.CONFIGURATION_LIMIT_EXCEEDED);
            assertThat(e.getMessage()).isEqualTo("all replication slots are in use");
            assertThat(e.hint()).isEqualTo("Free one or increase max_replication_slots.");
        });
        slots.drop("one", 1, false);
        slots.create(logical("three"), 1);
        slots.drop("two", 1, false);
        slots.drop("three", 1, false);

        slots.close();
        slots = open(0, -1);
        assertError(() -> slots.create(logical("four"), 1), SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                "replication slots can only be used if max_replication_slots > 0");
    }

    @Test
    void shouldRefuseToStartWithMoreSlotsThanTheLimit() {
        slots.create(logical("a"), 1);
        slots.create(logical("b"), 1);
        slots.close();
        assertThatThrownBy(() -> open(1, -1)).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(SqlState.CONFIGURATION_LIMIT_EXCEEDED);
            assertThat(e.getMessage()).isEqualTo("too many replication slots active before shutdown");
        });
        slots = open(10, -1);
    }

    @Test
    void shouldAllowOneConsumerAtATime() {
        slots.create(logical("s"), 1);
        assertThat(slots.acquire("s", 10).activePid()).isEqualTo(10);
        assertThat(slots.acquire("s", 10).activePid()).isEqualTo(10);
        assertError(() -> slots.acquire("s", 11), SqlState.OBJECT_IN_USE, "replication slot \"s\" is active for PID 10");
        assertError(() -> slots.drop("s", 11, false), SqlState.OBJECT_IN_USE, "replication slot \"s\" is active for PID 10");
        slots.release("s", 11); // not the holder: nothing happens
        assertThat(slots.slot("s").activePid()).isEqualTo(10);
        slots.release("s", 10);
        assertThat(slots.acquire("s", 11).activePid()).isEqualTo(11);
        slots.onSessionEnd(11);
        assertThat(slots.slot("s").active()).isFalse();
        assertError(() -> slots.acquire("nope", 1), SqlState.UNDEFINED_OBJECT, "replication slot \"nope\" does not exist");
        assertError(() -> slots.drop("nope", 1, false), SqlState.UNDEFINED_OBJECT, "replication slot \"nope\" does not exist");
    }

    @Test
    void shouldWaitForAnActiveSlotWhenDroppingWithWait() {
        slots.create(logical("s"), 1);
        slots.acquire("s", 10);
        CompletableFuture<Void> drop = CompletableFuture.runAsync(() -> slots.drop("s", 11, true));
        Awaitility.await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> !drop.isDone());
        slots.release("s", 10);
        drop.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(slots.get("s")).isEmpty();
        assertThat(root.resolve("pg_replslot/s")).doesNotExist();
    }

    @Test
    void shouldDropTemporarySlotsWhenTheirSessionEndsOrTheNodeRestarts() {
        ReplicationSlot t = slots.create(SlotSpec.logical("tmp", SlotManager.PGOUTPUT, "postgres", true), 42);
        assertThat(t.temporary()).isTrue();
        assertThat(t.activePid()).isEqualTo(42);
        slots.release("tmp", 42); // a temporary slot stays with its creator
        assertThat(slots.slot("tmp").activePid()).isEqualTo(42);
        assertError(() -> slots.acquire("tmp", 43), SqlState.OBJECT_IN_USE, "replication slot \"tmp\" is active for PID 42");
        slots.onSessionEnd(42);
        assertThat(slots.get("tmp")).isEmpty();
        assertThat(root.resolve("pg_replslot/tmp")).doesNotExist();

        slots.create(SlotSpec.logical("tmp2", SlotManager.PGOUTPUT, "postgres", true), 42);
        slots.create(logical("keep"), 42);
        assertThat(reopen().list()).extracting(ReplicationSlot::name).containsExactly("keep");
        assertThat(root.resolve("pg_replslot/tmp2")).doesNotExist();
    }

    @Test
    void shouldAdvanceOnlyForwardAndNeverPastTheFlushedLsn() {
        long start = writeWal(500);
        slots.create(logical("s"), 1);
        long flushed = writeWal(2000);

        ReplicationSlot a = slots.advance("s", start + 256, start + 128);
        assertThat(a.confirmedFlushLsn()).isEqualTo(start + 256);
        assertThat(a.restartLsn()).isEqualTo(start + 128);
        ReplicationSlot b = slots.advance("s", start, start);
        assertThat(b).isEqualTo(a);
        ReplicationSlot c = slots.advance("s", flushed + 1_000_000, flushed + 1_000_000);
        assertThat(c.confirmedFlushLsn()).isEqualTo(flushed);
        assertThat(c.restartLsn()).isEqualTo(flushed);

        // a moved restart_lsn is saved at once
        assertThat(reopen().slot("s").restartLsn()).isEqualTo(flushed);
    }

    @Test
    void shouldSaveConfirmedFlushAtCheckpointAndNotBefore() throws IOException {
        long start = writeWal(500);
        slots.create(logical("s"), 1);
        writeWal(1000);
        slots.advance("s", start + 200, 0);
        byte[] stored = Files.readAllBytes(root.resolve("pg_replslot/s/state"));
        assertThat(SlotStateDescriptor.decode(stored, Path.of("state")).confirmedFlushLsn()).isEqualTo(start);
        slots.onCheckpoint(wal.insertLsn(), wal.insertLsn());
        stored = Files.readAllBytes(root.resolve("pg_replslot/s/state"));
        assertThat(SlotStateDescriptor.decode(stored, Path.of("state")).confirmedFlushLsn()).isEqualTo(start + 200);
    }

    @Test
    void shouldKeepInvariantsUnderRandomAdvances() {
        long seed = Long.getLong("slots.seed", System.nanoTime());
        System.out.println("SlotManagerTest.shouldKeepInvariantsUnderRandomAdvances seed=" + seed + " (-Dslots.seed=" + seed + ")");
        Random random = new Random(seed);
        slots.create(logical("s"), 1);
        ReplicationSlot prev = slots.slot("s");
        for (int i = 0; i < 200; i++) {
            if (random.nextInt(4) == 0) {
                writeWal(random.nextInt(600));
            }
            long flushed = wal.flushedLsn();
            long target = flushed + random.nextInt(2000) - 1000;
            ReplicationSlot s = slots.advance("s", target, target - random.nextInt(500));
            assertThat(s.confirmedFlushLsn()).as("seed %d", seed).isGreaterThanOrEqualTo(prev.confirmedFlushLsn())
                    .isLessThanOrEqualTo(flushed);
            assertThat(s.restartLsn()).as("seed %d", seed).isGreaterThanOrEqualTo(prev.restartLsn())
                    .isLessThanOrEqualTo(s.confirmedFlushLsn());
            prev = s;
        }
    }

    @Test
    void shouldRefuseACorruptStateFileNamingIt() throws IOException {
        slots.create(logical("s"), 1);
        slots.close();
        Path state = root.resolve("pg_replslot/s/state");
        byte[] b = Files.readAllBytes(state);
        b[b.length - 3] ^= 0x40;
        Files.write(state, b);
        assertThatThrownBy(() -> open(10, -1)).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED);
            assertThat(e.getMessage()).startsWith("checksum mismatch for replication slot file \"" + state + "\"");
        });
        b[0] = 0;
        Files.write(state, b);
        assertThatThrownBy(() -> open(10, -1)).hasMessageStartingWith("replication slot file \"" + state + "\" has wrong magic number");
        Files.write(state, new byte[5]);
        assertThatThrownBy(() -> open(10, -1)).hasMessage("replication slot file \"" + state + "\" has corrupted length 5");
        Files.delete(state);
        assertThatThrownBy(() -> open(10, -1)).hasMessage("could not open file \"" + state + "\": No such file or directory");
        Files.delete(state.getParent());
        slots = open(10, -1);
    }

    @Test
    void shouldRemoveLeftoversOfACrashDuringCreateOrDrop() throws IOException {
        Files.createDirectories(root.resolve("pg_replslot/half.tmp"));
        Files.writeString(root.resolve("pg_replslot/half.tmp/state"), "junk");
        slots.create(logical("s"), 1);
        Files.writeString(root.resolve("pg_replslot/s/state.tmp"), "junk");
        assertThat(reopen().list()).extracting(ReplicationSlot::name).containsExactly("s");
        assertThat(root.resolve("pg_replslot/half.tmp")).doesNotExist();
        assertThat(root.resolve("pg_replslot/s/state.tmp")).doesNotExist();
    }

    @Test
    void shouldStoreAuxiliaryFilesDurablyInTheSlotDirectory() {
        slots.create(logical("s"), 1);
        assertThat(slots.loadAux("s", "catalog.img")).isEmpty();
        slots.saveAux("s", "catalog.img", "v1".getBytes(StandardCharsets.UTF_8));
        slots.saveAux("s", "catalog.img", "v2".getBytes(StandardCharsets.UTF_8));
        assertThat(reopen().loadAux("s", "catalog.img")).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                .isEqualTo("v2"));
        assertThat(slots.directory("s")).isEqualTo(root.resolve("pg_replslot/s"));
        assertThatThrownBy(() -> slots.saveAux("s", "state", new byte[1])).isInstanceOf(LrepException.class);
        assertThatThrownBy(() -> slots.saveAux("s", "../x", new byte[1])).isInstanceOf(LrepException.class);
        assertThatThrownBy(() -> slots.saveAux("s", "x.tmp", new byte[1])).isInstanceOf(LrepException.class);
        slots.deleteAux("s", "catalog.img");
        assertThat(slots.loadAux("s", "catalog.img")).isEmpty();
        slots.saveAux("s", "catalog.img", new byte[3]);
        slots.drop("s", 1, false);
        assertThat(root.resolve("pg_replslot/s")).doesNotExist();
        assertError(() -> slots.loadAux("s", "catalog.img"), SqlState.UNDEFINED_OBJECT, "replication slot \"s\" does not exist");
    }

    @Test
    void shouldCreatePhysicalSlotsReservingWalOnlyWhenAsked() {
        long lsn = writeWal(300);
        redo.set(lsn);
        SlotManager.Created<Void> lazy = slots.create(SlotSpec.physical("p1", false, false), 1, null);
        assertThat(lazy.slot().restartLsn()).isZero();
        assertThat(lazy.consistentPoint()).isZero();
        SlotManager.Created<Void> now = slots.create(SlotSpec.physical("p2", true, false), 1, null);
        assertThat(now.slot().restartLsn()).isEqualTo(lsn);
        assertThat(now.slot().plugin()).isNull();
        assertThat(now.slot().confirmedFlushLsn()).isZero();
        assertThat(slots.statuses()).extracting(SlotStatus::walStatus).containsExactly(null, WalStatus.RESERVED);
        assertError(() -> slots.acquireForDecoding("p2", 5, "postgres"), SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                "cannot use physical replication slot for logical decoding");
        assertThat(slots.slot("p2").active()).isFalse();
        ReplicationSlot moved = slots.advance("p1", 0, wal.flushedLsn());
        assertThat(moved.restartLsn()).isEqualTo(wal.flushedLsn());
    }

    @Test
    void shouldHoldWalFromRestartLsn() {
        long start = writeWal(SEGMENT);
        slots.create(logical("s"), 1);
        writeWal(10 * SEGMENT);
        wal.removeOldSegments();
        assertThat(wal.oldestLsn()).isLessThanOrEqualTo(start).isGreaterThan(start - SEGMENT);
        slots.advance("s", wal.flushedLsn(), wal.flushedLsn());
        wal.removeOldSegments();
        assertThat(wal.oldestLsn()).isGreaterThan(start + 8 * SEGMENT);
        slots.drop("s", 1, false);
    }

    @Test
    void shouldInvalidateASlotBeyondMaxSlotWalKeepSizeAtCheckpoint() {
        slots.close();
        slots = open(10, 4 * SEGMENT);
        writeWal(SEGMENT);
        ReplicationSlot s = slots.create(logical("slow"), 1);
        slots.create(logical("fast"), 1);
        long restartSeg = s.restartLsn() / SEGMENT;

        SlotStatus st = slots.statuses().get(1);
        assertThat(st.slot().name()).isEqualTo("slow");
        assertThat(st.walStatus()).isEqualTo(WalStatus.RESERVED);
        assertThat(st.safeWalSizeBytes()).isEqualTo((restartSeg + 4 + 1) * SEGMENT - wal.flushedLsn());

        writeWal(6 * SEGMENT);
        slots.advance("fast", wal.flushedLsn(), wal.flushedLsn());
        assertThat(slots.statuses().get(1).walStatus()).isEqualTo(WalStatus.UNRESERVED);
        assertThat(slots.statuses().get(1).safeWalSizeBytes()).isNegative();

        // a checkpoint that keeps the WAL for itself invalidates nothing
        assertThat(slots.onCheckpoint(wal.insertLsn(), s.restartLsn())).isEmpty();
        assertThat(slots.onCheckpoint(wal.insertLsn(), wal.insertLsn())).containsExactly("slow");
        ReplicationSlot lost = slots.slot("slow");
        assertThat(lost.invalidated()).isTrue();
        assertThat(lost.restartLsn()).isZero();
        assertThat(lost.invalidatedAt()).isEqualTo(s.restartLsn());
        assertThat(lost.confirmedFlushLsn()).isEqualTo(s.confirmedFlushLsn());
        SlotStatus ls = slots.statuses().get(1);
        assertThat(ls.walStatus()).isEqualTo(WalStatus.LOST);
        assertThat(ls.safeWalSizeBytes()).isNull();

        wal.removeOldSegments();
        assertThat(wal.oldestLsn()).isGreaterThan(s.restartLsn());
        assertThatThrownBy(() -> slots.acquireForDecoding("slow", 9, "postgres")).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE);
            assertThat(e.getMessage()).isEqualTo("can no longer get changes from replication slot \"slow\"");
            assertThat(e.detail()).isEqualTo("This slot has been invalidated because it exceeded the maximum reserved size.");
        });
        assertThat(slots.slot("slow").active()).isFalse();
        assertThatThrownBy(() -> slots.advance("slow", wal.flushedLsn(), 0)).hasMessage(
                "can no longer get changes from replication slot \"slow\"");

        // invalidation is persisted; the slot can still be dropped
        slots.close();
        slots = open(10, 4 * SEGMENT);
        assertThat(slots.slot("slow").invalidated()).isTrue();
        slots.drop("slow", 1, false);
    }
}
