package io.lrep.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointImageTest {

    private static final long SNAPSHOT = 0x1_0000_4000L;
    private static final long REDO = 0x1_0000_3F00L;

    @TempDir
    Path dataDir;

    static long seed() {
        String fixed = System.getProperty("CheckpointImageTest.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        System.out.println("CheckpointImageTest seed = " + seed + " (rerun with -DCheckpointImageTest.seed=" + seed + ")");
        return seed;
    }

    /** An image-like stream: catalog objects, sequences, rows; some rows large. */
    static List<WalRecord> records(Random rnd, int rows) {
        List<WalRecord> out = new ArrayList<>();
        out.add(new WalRecord.CatalogChange(0, 1, 16384, "schema public".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        out.add(new WalRecord.CatalogChange(0, 1, 16385, new byte[] {1, 2, 3}));
        out.add(new WalRecord.SequenceAdvance(0, 16386, 41, true));
        for (int i = 0; i < rows; i++) {
            String text = i % 97 == 0 ? "x".repeat(70_000) : "row-" + rnd.nextInt();
            out.add(new WalRecord.Insert(0, 16385, new Object[] {i, text, null, rnd.nextLong()}));
        }
        return out;
    }

    static byte[] bytes(WalRecord r) {
        ByteBuffer b = ByteBuffer.allocate(WalRecordCodec.encodedSize(r));
        WalRecordCodec.encode(r, b);
        return b.array();
    }

    static void assertSameRecords(List<WalRecord> actual, List<WalRecord> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(bytes(actual.get(i))).as("record %d", i).isEqualTo(bytes(expected.get(i)));
        }
    }

    private CheckpointImage writeImage(List<WalRecord> records) {
        return CheckpointImage.write(dataDir, SNAPSHOT, REDO, 700, 16400, 1, out -> records.forEach(out));
    }

    @Test
    void shouldRoundTripRecordsInChunks() {
        Random rnd = new Random(seed());
        List<WalRecord> records = records(rnd, 3000);
        CheckpointImage written = writeImage(records);

        assertThat(written.file()).isEqualTo(dataDir.resolve("pg_checkpoint/0000000100004000.img")).exists();
        assertThat(written.file().resolveSibling("0000000100004000.img.tmp")).doesNotExist();
        assertThat(written.recordCount()).isEqualTo(records.size());

        List<WalRecord> back = new ArrayList<>();
        List<Integer> chunkSizes = new ArrayList<>();
        CheckpointImage read = CheckpointImage.load(written.file(), 1000, chunk -> {
            chunkSizes.add(chunk.size());
            back.addAll(chunk);
        });
        assertThat(read).isEqualTo(written);
        assertThat(read.snapshotLsn()).isEqualTo(SNAPSHOT);
        assertThat(read.redoLsn()).isEqualTo(REDO);
        assertThat(read.nextXid()).isEqualTo(700);
        assertThat(read.nextOid()).isEqualTo(16400);
        assertThat(read.timeline()).isEqualTo(1);
        assertThat(chunkSizes).containsExactly(1000, 1000, 1000, 3);
        assertSameRecords(back, records);
        assertThat(CheckpointImage.verify(written.file())).isEqualTo(written);
        assertThat(CheckpointImage.readHeader(written.file())).isEqualTo(written);
    }

    @Test
    void shouldRoundTripAnEmptyImage() {
        CheckpointImage written = writeImage(List.of());
        List<WalRecord> back = new ArrayList<>();
        assertThat(CheckpointImage.load(written.file(), 10, back::addAll).recordCount()).isZero();
        assertThat(back).isEmpty();
        assertThat(written.file()).hasSize(CheckpointImageDescriptor.HEADER_SIZE + CheckpointImageDescriptor.TRAILER_SIZE);
    }

    @Test
    void shouldReportEveryTruncationNamingTheFile() throws IOException {
        Random rnd = new Random(seed());
        CheckpointImage written = writeImage(records(rnd, 200));
        byte[] full = Files.readAllBytes(written.file());
        List<Integer> cuts = new ArrayList<>(List.of(0, 1, 10, 63, 64, 65, full.length - 17, full.length - 16,
                full.length - 1));
        for (int i = 0; i < 20; i++) {
            cuts.add(rnd.nextInt(full.length));
        }
        for (int cut : cuts) {
            Files.write(written.file(), Arrays.copyOf(full, cut));
            assertThatThrownBy(() -> CheckpointImage.verify(written.file()))
                    .as("cut at %d of %d", cut, full.length)
                    .isInstanceOfSatisfying(LrepException.class,
                            e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED))
                    .hasMessageContaining(written.file().toString());
        }
    }

    @Test
    void shouldDetectFlippedBytes() throws IOException {
        Random rnd = new Random(seed());
        // small rows only (no 70 kB one), so that every byte can be flipped quickly
        CheckpointImage written = writeImage(records(rnd, 20).stream()
                .filter(r -> !(r instanceof WalRecord.Insert i) || !i.newRow()[0].equals(0)).toList());
        byte[] full = Files.readAllBytes(written.file());
        // every header and trailer byte, and a sample of the frames
        java.util.SortedSet<Integer> positions = new java.util.TreeSet<>();
        for (int i = 0; i < CheckpointImageDescriptor.OFF_HEADER_CRC + 4; i++) {
            positions.add(i);
        }
        for (int i = full.length - CheckpointImageDescriptor.TRAILER_SIZE; i < full.length; i++) {
            positions.add(i);
        }
        while (positions.size() < 300) {
            positions.add(CheckpointImageDescriptor.HEADER_SIZE
                    + rnd.nextInt(full.length - CheckpointImageDescriptor.HEADER_SIZE));
        }
        // flip in place (no truncation: rewriting a file from scratch is slow on some file systems)
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(written.file().toFile(), "rw")) {
            for (int i : positions) {
                raf.seek(i);
                raf.write(full[i] ^ (1 << rnd.nextInt(8)));
                int at = i;
                assertThatThrownBy(() -> CheckpointImage.verify(written.file()))
                        .as("flipped byte %d", at)
                        .isInstanceOfSatisfying(LrepException.class,
                                e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED))
                        .hasMessageContaining(written.file().toString());
                raf.seek(i);
                raf.write(full[i]);
            }
        }
    }

    @Test
    void shouldRejectBytesAfterTheTrailer() throws IOException {
        CheckpointImage written = writeImage(records(new Random(1), 3));
        Files.write(written.file(), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> CheckpointImage.verify(written.file()))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED))
                .hasMessageContaining("after the trailer");
    }

    @Test
    void shouldNameAMissingFile() {
        Path missing = CheckpointImage.path(dataDir, 0x1000000L);
        assertThatThrownBy(() -> CheckpointImage.verify(missing))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_FILE))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void shouldLeaveNoFileWhenTheExportFails() {
        assertThatThrownBy(() -> CheckpointImage.write(dataDir, SNAPSHOT, REDO, 1, 1, 1, out -> {
            out.accept(new WalRecord.SequenceAdvance(0, 1, 1, true));
            throw new IllegalStateException("export failed");
        })).hasMessage("export failed");
        assertThat(dataDir.resolve("pg_checkpoint")).isEmptyDirectory();
    }
}
