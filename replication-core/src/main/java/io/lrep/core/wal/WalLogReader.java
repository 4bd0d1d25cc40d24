package io.lrep.core.wal;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.ring.WalRing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link WalReader} over a {@link Wal}: returns only flushed records, copying each out of the
 * ring while the ring still holds it and reading it from its segment file otherwise (the ring
 * lapped it, or it predates this run's ring). Every record's CRC and LSN are verified. One
 * thread per reader.
 */
final class WalLogReader implements WalReader {

    private final Wal wal;
    private final WalRing ring;
    private final SegmentFileReader files;
    private ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private long position;
    private boolean closed;

    WalLogReader(Wal wal, long fromLsn) {
        this.wal = wal;
        this.ring = wal.ring();
        WalConfig c = wal.config();
        this.files = new SegmentFileReader(c.walDir(), c.timeline(), c.segmentSizeBytes());
        this.position = fromLsn;
    }

    @Override
    public WalEntry next() {
        if (closed) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "WAL reader at " + Lsn.format(position) + " is closed");
        }
        // Pairs with the WAL writer's publication of flushedUpTo: the bytes below are visible.
        long flushed = ring.getFlushedUpToAcquire();
        if (position >= flushed) {
            return null;
        }
        wal.checkNotRemoved(position);
        WalRecord record = fromRing(flushed);
        if (record == null) {
            wal.stats().onReaderFallback();
            record = fromSegments(flushed);
        } else {
            wal.stats().onRingRead();
        }
        long start = position;
        position = start + WalRecordDescriptor.align(buf.limit());
        return new WalEntry(start, position, record);
    }

    /** The record at {@code position} copied out of the ring, or null if the ring cannot give it intact. */
    private WalRecord fromRing(long flushed) {
        buf.clear();
        int length = ring.copyOut(position, buf);
        if (length < 0) {
            grow(-length);
            buf.clear();
            length = ring.copyOut(position, buf);
        }
        if (length <= 0 || position + WalRecordDescriptor.align(length) > flushed) {
            return null;
        }
        buf.clear().limit(length);
        try {
            WalRecord r = WalRecordCodec.decodeFrame(buf, position);
            buf.position(0);
            return r;
        } catch (LrepException e) {
            return null; // the copy is damaged; the segment read below decides whether the record is
        }
    }

    private WalRecord fromSegments(long flushed) {
        buf.clear();
        int n = files.read(position, buf, WalRecordDescriptor.HEADER_LENGTH, flushed);
        String problem = null;
        if (n == WalRecordDescriptor.HEADER_LENGTH) {
            int length = WalRecordDescriptor.length(buf, 0);
            if (length >= WalRecordDescriptor.MIN_LENGTH && length <= WalRecordDescriptor.MAX_LENGTH
                    && WalRecordDescriptor.lsn(buf, 0) == position) {
                grow(length);
                buf.clear();
                n = files.read(position, buf, length, flushed);
            }
        }
        problem = WalRecordDescriptor.validate(buf, 0, n, position);
        if (problem != null) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "invalid WAL record at " + Lsn.format(position) + " in segment "
                    + WalSegment.fileName(wal.config().timeline(), position / wal.config().segmentSizeBytes(),
                            wal.config().segmentSizeBytes()) + ": " + problem);
        }
        int length = WalRecordDescriptor.length(buf, 0);
        buf.clear().limit(length);
        WalRecord r = WalRecordCodec.decodeFrame(buf, position);
        buf.position(0);
        return r;
    }

    private void grow(int length) {
        if (buf.capacity() < length) {
            buf = ByteBuffer.allocate(Integer.highestOneBit(length) * 2).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        closed = true;
        files.close();
    }
}
