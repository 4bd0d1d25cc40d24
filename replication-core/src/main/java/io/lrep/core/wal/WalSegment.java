package io.lrep.core.wal;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * One WAL segment file: {@code segmentSize} bytes (16 MiB by default) of the WAL stream, the
 * byte at LSN {@code L} at offset {@code L % segmentSize} of segment {@code L / segmentSize}.
 * Named as PostgreSQL names them: timeline, then segno / segments-per-4-GiB, then segno %
 * segments-per-4-GiB, each as 8 upper-case hex digits ({@code 000000010000000000000001}).
 * New files are created at full size, zero-filled.
 *
 * <p>Not thread-safe for writing: only the WAL writer writes. Positional reads may come from
 * any thread.
 */
public final class WalSegment implements AutoCloseable {

    /** PostgreSQL's default wal_segment_size, 16 MiB. */
    public static final int DEFAULT_SIZE = 16 * 1024 * 1024;

    private final Path path;
    private final long segno;
    private final int size;
    private final FileChannel channel;

    private WalSegment(Path path, long segno, int size, FileChannel channel) {
        this.path = path;
        this.segno = segno;
        this.size = size;
        this.channel = channel;
    }

    /** The file name of segment {@code segno} on {@code timeline}. */
    public static String fileName(int timeline, long segno, int segmentSize) {
        long perId = segmentsPerXLogId(segmentSize);
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, segno / perId, segno % perId);
    }

    /** The segment number named by {@code name}, or -1 if it is not a segment file name. */
    public static long segmentNumber(String name, int segmentSize) {
        if (!isSegmentName(name)) {
            return -1;
        }
        long hi = Long.parseLong(name, 8, 16, 16);
        long lo = Long.parseLong(name, 16, 24, 16);
        return hi * segmentsPerXLogId(segmentSize) + lo;
    }

    /** The timeline named by a segment file name. */
    public static int timeline(String name) {
        return (int) Long.parseLong(name, 0, 8, 16);
    }

    /** True for 24 upper-case hex digits. */
    public static boolean isSegmentName(String name) {
        if (name.length() != 24) {
            return false;
        }
        for (int i = 0; i < 24; i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    private static long segmentsPerXLogId(int segmentSize) {
        return 0x1_0000_0000L / segmentSize;
    }

    /**
     * Creates segment {@code segno} in {@code dir}, zero-filled to full size (an existing file is
     * truncated first, so stale bytes never survive), and when {@code fsync} syncs the directory.
     */
    static WalSegment create(Path dir, int timeline, long segno, int segmentSize, boolean fsync) {
        Path path = dir.resolve(fileName(timeline, segno, segmentSize));
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                ch.truncate(0);
                // Written out in full, as PostgreSQL's wal_init_zero does: a sparse file would make every
                // later fdatasync allocate blocks and journal metadata, which slows each commit's flush.
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long pos = 0; pos < segmentSize; pos += zeros.capacity()) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), segmentSize - pos));
                    while (zeros.hasRemaining()) {
                        ch.write(zeros, pos + zeros.position());
                    }
                }
                if (fsync) {
                    ch.force(true);
                    syncDirectory(dir);
                }
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new WalSegment(path, segno, segmentSize, ch);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not create WAL segment file \"" + path + "\": " + e.getMessage(), e);
        }
    }

    /** Opens an existing segment for writing. */
    static WalSegment open(Path dir, int timeline, long segno, int segmentSize) {
        Path path = dir.resolve(fileName(timeline, segno, segmentSize));
        try {
            return new WalSegment(path, segno, segmentSize, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (NoSuchFileException e) {
            throw new LrepException(SqlState.UNDEFINED_FILE, "WAL segment file \"" + path + "\" does not exist", e);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not open WAL segment file \"" + path + "\": " + e.getMessage(), e);
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    public Path path() {
        return path;
    }

    public long segno() {
        return segno;
    }

    /** The LSN of this segment's first byte. */
    public long startLsn() {
        return segno * size;
    }

    /** Writes all of {@code src} at {@code offset} within the segment. */
    void write(ByteBuffer src, long offset) {
        if (offset < 0 || offset + src.remaining() > size) {
            throw new LrepException(SqlState.INTERNAL_ERROR, "write of " + src.remaining() + " bytes at offset " + offset
                    + " is outside WAL segment file \"" + path + "\"");
        }
        try {
            long pos = offset;
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not write to WAL segment file \"" + path + "\" at offset " + offset
                    + ": " + e.getMessage(), e);
        }
    }

    /** Zeroes bytes {@code [from, size)} of the segment. */
    void zeroFrom(long from) {
        ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
        long pos = from;
        while (pos < size) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
            write(zeros, pos);
            pos += zeros.limit();
        }
    }

    /** fsync of the data (FileChannel.force(false)). */
    void force() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not fsync WAL segment file \"" + path + "\": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not close WAL segment file \"" + path + "\": " + e.getMessage(), e);
        }
    }
}
