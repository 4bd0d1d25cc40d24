package io.lrep.core.wal;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.file.Path;

/**
 * Settings of a {@link Wal}.
 *
 * @param walDir            directory of the segment files (PostgreSQL's {@code pg_wal})
 * @param ringFile          the memory-mapped file that holds the WAL buffers
 * @param ringCapacityBytes size of the WAL buffers ({@code wal_buffers}); a power of two, at least 4096
 * @param segmentSizeBytes  size of a segment file ({@code wal_segment_size}); a power of two from 4096 to 1 GiB
 * @param timeline          the timeline in segment names (1 for a new cluster)
 * @param fsync             whether flushes fsync ({@code fsync}); off only for tests and benchmarks
 * @param writerDelayNanos  how long records nobody asked to flush may wait for the WAL writer ({@code wal_writer_delay})
 * @param writerFlushAfterBytes how much such WAL the writer flushes without waiting for the delay ({@code wal_writer_flush_after})
 */
public record WalConfig(Path walDir, Path ringFile, int ringCapacityBytes, int segmentSizeBytes, int timeline, boolean fsync,
        long writerDelayNanos, long writerFlushAfterBytes) {

    /** PostgreSQL's wal_writer_delay default, 200 ms. */
    public static final long DEFAULT_WRITER_DELAY_NANOS = 200_000_000L;
    /** PostgreSQL's wal_writer_flush_after default, 1MB. */
    public static final long DEFAULT_WRITER_FLUSH_AFTER = 1024 * 1024;

    /** PostgreSQL's largest wal_buffers default, 16 MiB. */
    public static final int DEFAULT_RING_CAPACITY = 16 * 1024 * 1024;

    public WalConfig {
        if (walDir == null || ringFile == null) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "WAL directory and WAL buffers file must be set");
        }
        if (ringCapacityBytes < 4096 || Integer.bitCount(ringCapacityBytes) != 1) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "wal_buffers: " + ringCapacityBytes
                    + " bytes (expected: a power of two of at least 4096)");
        }
        if (segmentSizeBytes < 4096 || segmentSizeBytes > (1 << 30) || Integer.bitCount(segmentSizeBytes) != 1) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "wal_segment_size: " + segmentSizeBytes
                    + " bytes (expected: a power of two from 4096 to 1073741824)");
        }
        if (timeline < 1) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "timeline: " + timeline + " (expected: at least 1)");
        }
        if (writerDelayNanos <= 0 || writerFlushAfterBytes < 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "wal_writer_delay must be positive and wal_writer_flush_after at least 0");
        }
    }

    /** Defaults: 16 MiB ring in {@code wal_buffers} beside {@code walDir}, 16 MiB segments, timeline 1, fsync on, PostgreSQL's WAL writer defaults. */
    public static WalConfig of(Path walDir) {
        Path abs = walDir.toAbsolutePath();
        return new WalConfig(abs, abs.resolveSibling("wal_buffers"), DEFAULT_RING_CAPACITY, WalSegment.DEFAULT_SIZE, 1, true,
                DEFAULT_WRITER_DELAY_NANOS, DEFAULT_WRITER_FLUSH_AFTER);
    }

    public WalConfig withRingFile(Path file) {
        return new WalConfig(walDir, file, ringCapacityBytes, segmentSizeBytes, timeline, fsync, writerDelayNanos, writerFlushAfterBytes);
    }

    public WalConfig withRingCapacity(int bytes) {
        return new WalConfig(walDir, ringFile, bytes, segmentSizeBytes, timeline, fsync, writerDelayNanos, writerFlushAfterBytes);
    }

    public WalConfig withSegmentSize(int bytes) {
        return new WalConfig(walDir, ringFile, ringCapacityBytes, bytes, timeline, fsync, writerDelayNanos, writerFlushAfterBytes);
    }

    public WalConfig withTimeline(int tli) {
        return new WalConfig(walDir, ringFile, ringCapacityBytes, segmentSizeBytes, tli, fsync, writerDelayNanos, writerFlushAfterBytes);
    }

    public WalConfig withFsync(boolean on) {
        return new WalConfig(walDir, ringFile, ringCapacityBytes, segmentSizeBytes, timeline, on, writerDelayNanos, writerFlushAfterBytes);
    }

    public WalConfig withWriter(long delayNanos, long flushAfterBytes) {
        return new WalConfig(walDir, ringFile, ringCapacityBytes, segmentSizeBytes, timeline, fsync, delayNanos, flushAfterBytes);
    }

    /** Where a brand-new WAL starts: 0/1000000 (segment 1 of 16 MiB), or the first segment after 0 if larger. */
    public long initialLsn() {
        long segno = Math.max(1, 0x1000000L / segmentSizeBytes);
        return segno * segmentSizeBytes;
    }
}
