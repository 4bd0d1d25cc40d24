package io.lrep.core.wal;

import java.nio.file.Path;

final class WalTestSupport {

    private WalTestSupport() {}

    /** Small ring, small segments, no fsync: fast tests that still lap and cross segments. */
    static WalConfig small(Path root, int ringBytes, int segmentBytes) {
        return WalConfig.of(root.resolve("pg_wal")).withRingFile(root.resolve("wal_buffers")).withRingCapacity(ringBytes)
                .withSegmentSize(segmentBytes).withFsync(false);
    }

    static Path segment(WalConfig c, long lsn) {
        return c.walDir().resolve(WalSegment.fileName(c.timeline(), lsn / c.segmentSizeBytes(), c.segmentSizeBytes()));
    }
}
