package io.lrep.bench;

import io.lrep.core.wal.WalRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Helpers shared by the benchmarks: temporary WAL directories and records of a chosen framed size.
 *
 * <p>Directories are created under the system property {@code lrep.bench.dir} when set, else under
 * {@code java.io.tmpdir}. Benchmarks that fsync must run on the disk under test, so the default is
 * the ordinary temporary directory (on this project's machines a disk, not tmpfs).
 */
final class BenchFiles {

    /**
     * Framed size of a {@link WalRecord.LogicalMessage} with an empty prefix and no content:
     * header (16) + type (1) + xid (4) + transactional flag (1) + prefix length (4) + content length (4).
     */
    static final int EMPTY_MESSAGE_FRAME = 16 + 1 + 4 + 1 + 4 + 4;

    private BenchFiles() {}

    /** A fresh empty directory for one benchmark trial. */
    static Path newDir(String prefix) {
        String base = System.getProperty("lrep.bench.dir");
        try {
            return base == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(Path.of(base), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a benchmark directory for " + prefix, e);
        }
    }

    /** Deletes {@code dir} and everything below it; a missing directory is fine. */
    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete benchmark directory " + dir, e);
        }
    }

    /**
     * A non-transactional logical message whose FRAMED size (header, body and padding) is exactly
     * {@code framedBytes}: an empty prefix and {@code framedBytes - 30} content bytes, so the
     * unpadded length is already a multiple of 8 when {@code framedBytes} is.
     */
    static WalRecord.LogicalMessage messageOfFramedSize(int framedBytes) {
        if (framedBytes < EMPTY_MESSAGE_FRAME + 2 || framedBytes % 8 != 0) {
            throw new IllegalArgumentException("framed record size " + framedBytes + " (expected: a multiple of 8 of at least 32)");
        }
        byte[] content = new byte[framedBytes - EMPTY_MESSAGE_FRAME];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        return new WalRecord.LogicalMessage(0, false, "", content);
    }
}
