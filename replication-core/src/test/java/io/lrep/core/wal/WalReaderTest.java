package io.lrep.core.wal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lrep.core.lsn.Lsn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** End of WAL after a crash: torn and corrupt tails, and stale records past them. */
class WalReaderTest {

    @TempDir
    Path root;

    private WalConfig config;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void setUp() {
        config = WalTestSupport.small(root, 1 << 16, 1 << 16);
        logs.start();
        ((Logger) LoggerFactory.getLogger(Wal.class)).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(Wal.class)).detachAppender(logs);
    }

    private List<Long> writeRecords(List<WalRecord> records) {
        List<Long> ends = new ArrayList<>();
        try (Wal wal = Wal.open(config)) {
            wal.startWriterThread();
            for (WalRecord r : records) {
                ends.add(wal.append(r));
            }
            wal.waitForFlush(ends.get(ends.size() - 1));
        }
        return ends;
    }

    private static List<WalRecord> messages(int n, int payload) {
        List<WalRecord> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] content = new byte[payload];
            java.util.Arrays.fill(content, (byte) (i + 1));
            list.add(new WalRecord.LogicalMessage(i, true, "test", content));
        }
        return list;
    }

    private void overwrite(long lsn, byte[] bytes) throws IOException {
        Path seg = WalTestSupport.segment(config, lsn);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), lsn % config.segmentSizeBytes());
        }
    }

    private byte readByte(long lsn) throws IOException {
        Path seg = WalTestSupport.segment(config, lsn);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, lsn % config.segmentSizeBytes());
            return b.get(0);
        }
    }

    private List<WalEntry> readAll(Wal wal) {
        List<WalEntry> out = new ArrayList<>();
        try (WalReader r = wal.openReader(config.initialLsn())) {
            for (WalEntry e = r.next(); e != null; e = r.next()) {
                out.add(e);
            }
        }
        return out;
    }

    private boolean logged(Level level, String text) {
        return logs.list.stream().anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().contains(text));
    }

    @Test
    void shouldStopAtTornRecord() throws IOException {
        List<WalRecord> records = messages(10, 300);
        List<Long> ends = writeRecords(records);
        long lastStart = ends.get(8);
        // Torn write: the last record's second half never reached the disk.
        overwrite(lastStart + 150, new byte[(int) (ends.get(9) - lastStart - 150)]);

        try (Wal wal = Wal.open(config)) {
            assertThat(wal.flushedLsn()).isEqualTo(lastStart);
            assertThat(wal.insertLsn()).isEqualTo(lastStart);
            assertThat(logged(Level.WARN, "invalid record at " + Lsn.format(lastStart) + ": incorrect record CRC")).isTrue();
            assertThat(logged(Level.WARN, "WAL ends at " + Lsn.format(lastStart))).isTrue();
            List<WalEntry> read = readAll(wal);
            assertThat(read).hasSize(9);
            assertThat(read.get(8).endLsn()).isEqualTo(lastStart);

            wal.startWriterThread();
            WalRecord next = new WalRecord.Commit(99, 1L, 0, 0L);
            long end = wal.append(next);
            wal.waitForFlush(end);
            read = readAll(wal);
            assertThat(read).hasSize(10);
            assertThat(read.get(9).startLsn()).isEqualTo(lastStart);
            assertThat(WalRecords.deepEquals(read.get(9).record(), next)).isTrue();
        }
        try (Wal wal = Wal.open(config)) {
            assertThat(readAll(wal)).hasSize(10);
        }
    }

    @Test
    void shouldStopAtTruncatedHeader() throws IOException {
        List<Long> ends = writeRecords(messages(5, 100));
        long lastStart = ends.get(3);
        overwrite(lastStart + 4, new byte[12]); // only the length survived
        try (Wal wal = Wal.open(config)) {
            assertThat(wal.flushedLsn()).isEqualTo(lastStart);
            assertThat(readAll(wal)).hasSize(4);
        }
    }

    @Test
    void shouldStopAtCorruptCrcInLastRecord() throws IOException {
        List<Long> ends = writeRecords(messages(10, 300));
        long lastStart = ends.get(8);
        byte b = readByte(lastStart + 100);
        overwrite(lastStart + 100, new byte[] {(byte) ~b});
        try (Wal wal = Wal.open(config)) {
            assertThat(wal.flushedLsn()).isEqualTo(lastStart);
            assertThat(logged(Level.WARN, "invalid record at " + Lsn.format(lastStart))).isTrue();
            assertThat(readAll(wal)).hasSize(9);
        }
    }

    @Test
    void shouldEndCleanlyAtZeroHeader() {
        List<Long> ends = writeRecords(messages(3, 10));
        try (Wal wal = Wal.open(config)) {
            assertThat(wal.flushedLsn()).isEqualTo(ends.get(2));
            assertThat(logged(Level.INFO, "WAL ends at " + Lsn.format(ends.get(2)))).isTrue();
            assertThat(logs.list.stream().noneMatch(e -> e.getLevel() == Level.WARN)).isTrue();
        }
    }

    @Test
    void shouldNeverReturnStaleRecordPastTornTail() throws IOException {
        List<WalRecord> records = messages(4, 200);
        List<Long> ends = writeRecords(records);
        long tornStart = ends.get(0);
        // Record 1 is corrupt; records 2 and 3 behind it are intact and would look valid.
        byte b = readByte(tornStart + 50);
        overwrite(tornStart + 50, new byte[] {(byte) ~b});

        try (Wal wal = Wal.open(config)) {
            assertThat(wal.flushedLsn()).isEqualTo(tornStart);
            // The bytes after the end were zeroed.
            for (long lsn = tornStart; lsn < ends.get(3); lsn += 7) {
                assertThat(readByte(lsn)).as("byte at %s", Lsn.format(lsn)).isZero();
            }
            wal.startWriterThread();
            // Same size as the lost record: the next record boundary is where stale record 2 was.
            WalRecord replacement = new WalRecord.LogicalMessage(42, true, "test", new byte[200]);
            long end = wal.append(replacement);
            assertThat(end).isEqualTo(ends.get(1));
            wal.waitForFlush(end);
        }
        try (Wal wal = Wal.open(config)) {
            assertThat(wal.flushedLsn()).isEqualTo(ends.get(1));
            List<WalEntry> read = readAll(wal);
            assertThat(read).hasSize(2);
            assertThat(WalRecords.deepEquals(read.get(0).record(), records.get(0))).isTrue();
            assertThat(WalRecords.deepEquals(read.get(1).record(), new WalRecord.LogicalMessage(42, true, "test", new byte[200])))
                    .isTrue();
        }
    }

    @Test
    void shouldRejectReaderAtNonBoundary() {
        List<Long> ends = writeRecords(messages(3, 100));
        try (Wal wal = Wal.open(config); WalReader r = wal.openReader(ends.get(0) + 8)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(r::next).isInstanceOf(io.lrep.core.error.LrepException.class)
                    .hasMessageContaining("invalid WAL record at " + Lsn.format(ends.get(0) + 8));
        }
    }

    @Test
    void shouldForgetRecordsPublishedButNotFlushedBeforeACrash() {
        Wal crashed = Wal.open(config); // no writer runs: the record stays in the ring only
        long end = crashed.append(new WalRecord.Abort(1));
        assertThat(crashed.flushedLsn()).isEqualTo(config.initialLsn());
        // "Restart" without closing the crashed instance (it is abandoned, never used again).
        try (Wal wal = Wal.open(config)) {
            assertThat(wal.insertLsn()).isEqualTo(config.initialLsn());
            assertThat(wal.writer().flush()).isZero();
            assertThat(readAll(wal)).isEmpty();
            wal.startWriterThread();
            long mine = wal.append(new WalRecord.Abort(2));
            wal.waitForFlush(mine);
            assertThat(mine).isEqualTo(end);
            List<WalEntry> read = readAll(wal);
            assertThat(read).hasSize(1);
            assertThat(read.get(0).record().xid()).isEqualTo(2);
        }
    }
}
