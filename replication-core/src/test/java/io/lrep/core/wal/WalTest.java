package io.lrep.core.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {

    @TempDir
    Path root;

    @Test
    void shouldStartNewWalAtSegmentOne() throws IOException {
        WalConfig c = WalConfig.of(root.resolve("pg_wal")).withRingCapacity(1 << 16).withFsync(false);
        try (Wal wal = Wal.open(c)) {
            assertThat(wal.insertLsn()).isEqualTo(0x1000000L);
            assertThat(wal.flushedLsn()).isEqualTo(0x1000000L);
            assertThat(wal.oldestLsn()).isEqualTo(0x1000000L);
            Path seg = c.walDir().resolve("000000010000000000000001");
            assertThat(Files.size(seg)).isEqualTo(16L * 1024 * 1024);
            assertThat(wal.writer().roleName()).isEqualTo("walwriter");
        }
    }

    @Test
    void shouldTellFlushListenersEachNewFlushedEndUntilRemoved() {
        WalConfig c = WalTestSupport.small(root, 1 << 16, 1 << 16);
        try (Wal wal = Wal.open(c)) {
            wal.startWriterThread();
            List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Runnable remove = wal.addFlushListener(seen::add);
            long first = wal.append(new WalRecord.LogicalMessage(0, false, "p", new byte[] {1}));
            wal.waitForFlush(first);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> seen.contains(first));
            assertThat(seen).allMatch(lsn -> lsn <= first).isSorted();
            remove.run();
            remove.run();
            int before = seen.size();
            long second = wal.append(new WalRecord.LogicalMessage(0, false, "p", new byte[] {2}));
            wal.waitForFlush(second);
            assertThat(seen).hasSize(before);
        }
    }

    @Test
    void shouldFlushRecordsNobodyWaitsForOnRequestOnceEnoughWaitOrAfterTheDelay() {
        // wal_writer_delay far longer than the test: only a request or wal_writer_flush_after flushes
        WalConfig c = WalTestSupport.small(root, 1 << 20, 1 << 20).withWriter(TimeUnit.HOURS.toNanos(1), 64 * 1024);
        try (Wal wal = Wal.open(c)) {
            wal.startWriterThread();
            long first = wal.append(new WalRecord.LogicalMessage(0, false, "p", new byte[100]));
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> wal.flushedLsn() < first);
            wal.requestFlush();
            await().atMost(Duration.ofSeconds(5)).until(() -> wal.flushedLsn() >= first);

            long small = wal.append(new WalRecord.LogicalMessage(0, false, "p", new byte[100]));
            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> wal.flushedLsn() < small);
            long last = small;
            for (int i = 0; i < 8; i++) {
                last = wal.append(new WalRecord.LogicalMessage(0, false, "p", new byte[10_000]));
            }
            long end = last;
            await().atMost(Duration.ofSeconds(5)).until(() -> wal.flushedLsn() >= end);
        }
        WalConfig delayed = WalTestSupport.small(root.resolve("delayed"), 1 << 20, 1 << 20)
                .withWriter(TimeUnit.MILLISECONDS.toNanos(20), 64 * 1024);
        try (Wal wal = Wal.open(delayed)) {
            wal.startWriterThread();
            long lsn = wal.append(new WalRecord.LogicalMessage(0, false, "p", new byte[100]));
            await().atMost(Duration.ofSeconds(5)).until(() -> wal.flushedLsn() >= lsn);
        }
    }

    @Test
    void shouldAppendFlushAndReadBack() {
        long seed = WalRecords.seed("waltest.seed");
        Random rnd = new Random(seed);
        WalConfig c = WalTestSupport.small(root, 1 << 16, 1 << 16);
        List<WalRecord> written = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        try (Wal wal = Wal.open(c)) {
            wal.startWriterThread();
            long start = wal.insertLsn();
            for (int i = 0; i < 2000; i++) {
                WalRecord r = WalRecords.random(rnd);
                written.add(r);
                ends.add(wal.append(r));
            }
            wal.waitForFlush(ends.get(ends.size() - 1));
            assertThat(wal.flushedLsn()).isEqualTo(ends.get(ends.size() - 1));
            assertReads(wal, start, written, ends, seed);
        }
        // Reopened: everything comes from segment files, and appending continues at the end.
        try (Wal wal = Wal.open(c)) {
            assertThat(wal.insertLsn()).isEqualTo(ends.get(ends.size() - 1));
            assertReads(wal, c.initialLsn(), written, ends, seed);
            wal.startWriterThread();
            WalRecord more = new WalRecord.Abort(77);
            long end = wal.append(more);
            wal.waitForFlush(end);
            try (WalReader r = wal.openReader(ends.get(ends.size() - 1))) {
                WalEntry e = r.next();
                assertThat(WalRecords.deepEquals(e.record(), more)).isTrue();
                assertThat(e.endLsn()).isEqualTo(end);
                assertThat(r.next()).isNull();
            }
            assertThat(wal.stats().readerFallbacks()).isGreaterThan(0);
        }
    }

    static void assertReads(Wal wal, long start, List<WalRecord> written, List<Long> ends, long seed) {
        try (WalReader reader = wal.openReader(start)) {
            long prevEnd = start;
            for (int i = 0; i < written.size(); i++) {
                WalEntry e = reader.next();
                assertThat(e).as("record %d (seed %s)", i, seed).isNotNull();
                assertThat(e.startLsn()).isEqualTo(prevEnd);
                assertThat(e.endLsn()).isEqualTo(ends.get(i));
                assertThat(WalRecords.deepEquals(e.record(), written.get(i))).as("record %d (seed %s)", i, seed).isTrue();
                prevEnd = e.endLsn();
            }
            assertThat(reader.next()).isNull();
            assertThat(reader.position()).isEqualTo(prevEnd);
        }
    }

    @Test
    void shouldSpanSegmentBoundaries() {
        WalConfig c = WalTestSupport.small(root, 1 << 16, 4096);
        List<WalRecord> written = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        long start;
        try (Wal wal = Wal.open(c)) {
            wal.startWriterThread();
            start = wal.insertLsn();
            for (int i = 0; i < 100; i++) {
                WalRecord r = new WalRecord.LogicalMessage(i, true, "p" + i, new byte[700 + i * 37]);
                written.add(r);
                ends.add(wal.append(r));
            }
            wal.waitForFlush(ends.get(ends.size() - 1));
            long spanning = 0;
            long prev = start;
            for (long e : ends) {
                if (prev / 4096 != (e - 1) / 4096) {
                    spanning++;
                }
                prev = e;
            }
            assertThat(spanning).isGreaterThan(10);
            assertReads(wal, start, written, ends, 0);
        }
        try (Wal wal = Wal.open(c)) {
            assertReads(wal, start, written, ends, 0);
        }
    }

    @Test
    void shouldRefuseRecordLargerThanAQuarterOfTheRing() {
        try (Wal wal = Wal.open(WalTestSupport.small(root, 1 << 14, 1 << 16))) {
            assertThatThrownBy(() -> wal.append(new WalRecord.LogicalMessage(0, false, "big", new byte[5000])))
                    .isInstanceOf(LrepException.class)
                    .hasMessageContaining("WAL record of 5033 bytes exceeds the maximum of 4096 bytes").hasMessageContaining("wal_buffers = 16384")
                    .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.PROGRAM_LIMIT_EXCEEDED);
            // Nothing was reserved: the stream has no hole.
            assertThat(wal.insertLsn()).isEqualTo(wal.flushedLsn());
        }
    }

    @Test
    void shouldRemoveOnlySegmentsBelowEveryHolderAndFlushed() {
        WalConfig c = WalTestSupport.small(root, 1 << 16, 4096);
        long flushedAtClose;
        try (Wal wal = Wal.open(c)) {
            wal.startWriterThread();
            long start = wal.insertLsn();
            long holdAt = 0;
            long end = 0;
            for (int i = 0; i < 200; i++) {
                end = wal.append(new WalRecord.LogicalMessage(i, false, "m", new byte[200]));
                if (i == 120) {
                    holdAt = end;
                }
            }
            wal.waitForFlush(end);
            wal.holdFrom("checkpoint", start);
            assertThat(wal.removeOldSegments()).isZero();
            wal.holdFrom("checkpoint", holdAt);
            wal.holdFrom("slot_a", holdAt + 8192);
            int removed = wal.removeOldSegments();
            assertThat(removed).isEqualTo((int) (holdAt / 4096 - start / 4096));
            assertThat(wal.oldestLsn()).isEqualTo(holdAt / 4096 * 4096);
            assertThat(WalTestSupport.segment(c, start)).doesNotExist();
            assertThat(WalTestSupport.segment(c, holdAt)).exists();
            assertThatThrownBy(() -> wal.openReader(start)).isInstanceOf(LrepException.class)
                    .hasMessage("requested WAL segment " + WalTestSupport.segment(c, start).getFileName() + " has already been removed")
                    .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.UNDEFINED_FILE);
            try (WalReader r = wal.openReader(holdAt)) {
                assertThat(r.next().startLsn()).isEqualTo(holdAt);
            }
            // Without holders: everything wholly below flushed, but never the current segment.
            wal.release("checkpoint");
            wal.release("slot_a");
            wal.removeOldSegments();
            assertThat(wal.oldestLsn()).isEqualTo((wal.flushedLsn() - 1) / 4096 * 4096);
            assertThat(WalTestSupport.segment(c, wal.flushedLsn() - 1)).exists();
            flushedAtClose = wal.flushedLsn();
        }
        // The oldest kept segment starts mid-record: reopening resynchronises on the first record in it.
        try (Wal wal = Wal.open(c)) {
            assertThat(wal.insertLsn()).isEqualTo(flushedAtClose);
        }
    }

    @Test
    void shouldFailWhenReaderFallsBehindRemoval() {
        WalConfig c = WalTestSupport.small(root, 1 << 14, 4096);
        try (Wal wal = Wal.open(c)) {
            wal.startWriterThread();
            long start = wal.insertLsn();
            long end = 0;
            try (WalReader r = wal.openReader(start)) {
                for (int i = 0; i < 100; i++) {
                    end = wal.append(new WalRecord.LogicalMessage(i, false, "m", new byte[300]));
                }
                wal.waitForFlush(end);
                assertThat(r.next()).isNotNull();
                wal.removeOldSegments();
                assertThatThrownBy(r::next).isInstanceOf(LrepException.class).hasMessageContaining("has already been removed");
            }
        }
    }

    @Test
    void shouldRefuseSegmentOfWrongSizeNamingIt() throws IOException {
        WalConfig c = WalTestSupport.small(root, 1 << 14, 4096);
        Wal.open(c).close();
        Path seg = WalTestSupport.segment(c, c.initialLsn());
        Files.write(seg, new byte[100]);
        assertThatThrownBy(() -> Wal.open(c)).isInstanceOf(LrepException.class).hasMessageContaining(seg.toString())
                .hasMessageContaining("has size 100")
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.DATA_CORRUPTED);
    }

    @Test
    void shouldRefuseUnreadableSegmentNamingIt() throws IOException {
        WalConfig c = WalTestSupport.small(root, 1 << 14, 4096);
        Wal.open(c).close();
        Path next = c.walDir().resolve(WalSegment.fileName(1, c.initialLsn() / 4096 + 1, 4096));
        Files.createDirectory(next); // a directory where a segment file should be cannot be read
        assertThatThrownBy(() -> Wal.open(c)).isInstanceOf(LrepException.class).hasMessageContaining(next.toString());
    }

    @Test
    void shouldRefuseGapInSegmentSequence() throws IOException {
        WalConfig c = WalTestSupport.small(root, 1 << 14, 4096);
        Wal.open(c).close();
        long segno = c.initialLsn() / 4096;
        Files.write(c.walDir().resolve(WalSegment.fileName(1, segno + 2, 4096)), new byte[4096]);
        assertThatThrownBy(() -> Wal.open(c)).isInstanceOf(LrepException.class)
                .hasMessageContaining(WalSegment.fileName(1, segno + 1, 4096)).hasMessageContaining("is missing")
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.DATA_CORRUPTED);
    }

    @Test
    void shouldCloseIdempotentlyAndFlushWhatIsPublished() {
        WalConfig c = WalTestSupport.small(root, 1 << 14, 4096);
        long end;
        Wal wal0 = Wal.open(c);
        end = wal0.append(new WalRecord.Abort(1)); // no writer running: close flushes it
        wal0.close();
        wal0.close();
        assertThatThrownBy(() -> wal0.append(new WalRecord.Abort(2))).isInstanceOf(LrepException.class);
        try (Wal wal = Wal.open(c)) {
            assertThat(wal.flushedLsn()).isEqualTo(end);
        }
    }
}
