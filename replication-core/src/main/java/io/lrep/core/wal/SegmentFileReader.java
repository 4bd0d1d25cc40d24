package io.lrep.core.wal;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads WAL stream bytes out of segment files, across segment boundaries, through a read-ahead
 * window. Bytes are only read up to a caller-given limit (the flushed position), so the window
 * never holds bytes that may still change. Not thread-safe: one per reader.
 */
final class SegmentFileReader implements AutoCloseable {

    private static final int WINDOW_BYTES = 256 * 1024;

    private final Path dir;
    private final int timeline;
    private final int segmentSize;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart;
    private int windowLength;
    private long openSegno = -1;
    private FileChannel channel;

    SegmentFileReader(Path dir, int timeline, int segmentSize) {
        this.dir = dir;
        this.timeline = timeline;
        this.segmentSize = segmentSize;
    }

    /**
     * Copies the stream bytes {@code [lsn, lsn + length)} into {@code dst} from index 0, but
     * none at or beyond {@code limit}; returns how many were copied.
     *
     * @throws LrepException UNDEFINED_FILE ("has already been removed") if a needed segment file is missing
     */
    int read(long lsn, ByteBuffer dst, int length, long limit) {
        int wanted = (int) Math.max(0, Math.min(length, limit - lsn));
        if (lsn >= windowStart && lsn + wanted <= windowStart + windowLength) {
            dst.put(0, window, (int) (lsn - windowStart), wanted);
            return wanted;
        }
        if (wanted > WINDOW_BYTES / 2) {
            ByteBuffer d = dst.duplicate();
            d.clear().limit(wanted);
            return readFiles(lsn, d);
        }
        window.clear().limit((int) Math.min(WINDOW_BYTES, limit - lsn));
        windowStart = lsn;
        windowLength = 0;
        windowLength = readFiles(lsn, window);
        int n = Math.min(wanted, windowLength);
        dst.put(0, window, 0, n);
        return n;
    }

    /** Fills {@code dst} from {@code lsn} on; returns bytes read. */
    private int readFiles(long lsn, ByteBuffer dst) {
        int total = 0;
        long pos = lsn;
        while (dst.hasRemaining()) {
            long segno = pos / segmentSize;
            FileChannel ch = channel(segno);
            long offset = pos % segmentSize;
            int saveLimit = dst.limit();
            dst.limit((int) Math.min(saveLimit, dst.position() + (segmentSize - offset)));
            try {
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, offset);
                    if (n < 0) {
                        dst.limit(saveLimit);
                        return total;
                    }
                    total += n;
                    offset += n;
                }
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not read WAL segment file \""
                        + dir.resolve(WalSegment.fileName(timeline, segno, segmentSize)) + "\" at offset " + offset + ": "
                        + e.getMessage(), e);
            } finally {
                dst.limit(saveLimit);
            }
            pos = lsn + total;
        }
        return total;
    }

    private FileChannel channel(long segno) {
        if (segno == openSegno) {
            return channel;
        }
        closeChannel();
        Path path = dir.resolve(WalSegment.fileName(timeline, segno, segmentSize));
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            openSegno = segno;
            return channel;
        } catch (NoSuchFileException e) {
            throw new LrepException(SqlState.UNDEFINED_FILE, "requested WAL segment " + path.getFileName()
                    + " has already been removed", e);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not open WAL segment file \"" + path + "\": " + e.getMessage(), e);
        }
    }

    /** Forgets the read-ahead window (after segment files were rewritten). */
    void invalidate() {
        windowLength = 0;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Read-only channel: nothing buffered can be lost by a failed close.
            }
            channel = null;
            openSegno = -1;
        }
    }

    @Override
    public void close() {
        closeChannel();
    }
}
