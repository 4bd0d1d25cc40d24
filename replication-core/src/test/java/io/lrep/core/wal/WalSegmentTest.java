package io.lrep.core.wal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WalSegmentTest {

    private static final int MIB16 = WalSegment.DEFAULT_SIZE;

    @Test
    void shouldNameSegmentsAsPostgresDoes() {
        assertThat(WalSegment.fileName(1, 1, MIB16)).isEqualTo("000000010000000000000001");
        assertThat(WalSegment.fileName(1, 0xFF, MIB16)).isEqualTo("0000000100000000000000FF");
        assertThat(WalSegment.fileName(1, 0x100, MIB16)).isEqualTo("000000010000000100000000");
        assertThat(WalSegment.fileName(0x1A, 0x16B3, MIB16)).isEqualTo("0000001A00000016000000B3");
        // 1 MiB segments: 4096 per 4 GiB
        assertThat(WalSegment.fileName(1, 4097, 1 << 20)).isEqualTo("000000010000000100000001");
    }

    @Test
    void shouldParseNamesBack() {
        for (long segno : new long[] {1, 255, 256, 0x16B3, 123_456_789L}) {
            String name = WalSegment.fileName(3, segno, MIB16);
            assertThat(WalSegment.segmentNumber(name, MIB16)).isEqualTo(segno);
            assertThat(WalSegment.timeline(name)).isEqualTo(3);
        }
        assertThat(WalSegment.segmentNumber("00000001000000000000000g", MIB16)).isEqualTo(-1);
        assertThat(WalSegment.segmentNumber("wal_buffers", MIB16)).isEqualTo(-1);
        assertThat(WalSegment.isSegmentName("00000001000000000000000a")).isFalse();
    }

    @Test
    void shouldPlaceLsnInSegmentAndOffset() {
        long lsn = io.lrep.core.lsn.Lsn.parseLong("16/B374D848");
        long segno = lsn / MIB16;
        assertThat(WalSegment.fileName(1, segno, MIB16)).isEqualTo("0000000100000016000000B3");
        assertThat(lsn % MIB16).isEqualTo(0x74D848);
    }
}
