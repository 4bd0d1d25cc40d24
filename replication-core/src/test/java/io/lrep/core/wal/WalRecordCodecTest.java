package io.lrep.core.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WalRecordCodecTest {

    @Test
    void shouldRoundTripRandomRecords() {
        long seed = WalRecords.seed("walcodec.seed");
        Random rnd = new Random(seed);
        for (int i = 0; i < 5_000; i++) {
            WalRecord r = WalRecords.random(rnd);
            int size = WalRecordCodec.encodedSize(r);
            ByteBuffer buf = ByteBuffer.allocate(size + 7).order(i % 2 == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            buf.position(3);
            WalRecordCodec.encode(r, buf);
            assertThat(buf.position()).as("encodedSize of %s (seed %s)", WalRecords.describe(r), seed).isEqualTo(size + 3);
            buf.flip().position(3);
            WalRecord back = WalRecordCodec.decode(buf);
            assertThat(buf.remaining()).isZero();
            assertThat(WalRecords.deepEquals(r, back)).as("round trip of %s (seed %s)", WalRecords.describe(r), seed).isTrue();
        }
    }

    @Test
    void shouldRoundTripEveryValueClassIncludingInfinities() {
        Object[] row = {null, true, (short) -3, 7, Long.MIN_VALUE, 1.5f, Double.NaN, new BigDecimal("-12345678901234567890.0012"),
            "h\u00e9llo \ud83d\ude00", new byte[] {1, 2, 3}, LocalDate.MIN, LocalDate.MAX, LocalDateTime.MIN, LocalDateTime.MAX,
            Instant.MIN, Instant.MAX, UUID.randomUUID(), Lsn.parse("16/B374D848"), new BigDecimal("0"), ""};
        WalRecord r = new WalRecord.Update(42, 16384, row, true, row);
        ByteBuffer buf = ByteBuffer.allocate(WalRecordCodec.encodedSize(r));
        WalRecordCodec.encode(r, buf);
        assertThat(buf.hasRemaining()).isFalse();
        WalRecord back = WalRecordCodec.decode(buf.flip());
        assertThat(WalRecords.deepEquals(r, back)).isTrue();

        // a row given already encoded (as the storage engine keeps it) is written as the same bytes
        assertThat(java.util.Arrays.deepEquals(WalRecordCodec.decodeRow(WalRecordCodec.encodeRow(row)), row)).isTrue();
        byte[] encoded = WalRecordCodec.encodeRow(row);
        for (WalRecord[] pair : new WalRecord[][] {
            {new WalRecord.Insert(7, 16384, row), new WalRecord.Insert(7, 16384, row, encoded)},
            {r, new WalRecord.Update(42, 16384, row, true, row, encoded)}}) {
            assertThat(bytes(pair[1])).isEqualTo(bytes(pair[0]));
        }
    }

    private static byte[] bytes(WalRecord r) {
        ByteBuffer b = ByteBuffer.allocate(WalRecordCodec.encodedSize(r));
        WalRecordCodec.encode(r, b);
        assertThat(b.hasRemaining()).isFalse();
        return b.array();
    }

    @Test
    void shouldCountLoneSurrogatesAsStringGetBytesDoes() {
        String s = "a\ud800b\udc00\ud83d\ude00";
        assertThat(WalRecordCodec.utf8Length(s)).isEqualTo(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void shouldWriteStringsAsTheirUtf8BytesWhetherAsciiOrNot() {
        for (String s : new String[] {"", "p", "ascii prefix ~\u007f", "h\u00e9llo", "a\ud800b", "\ud83d\ude00x"}) {
            byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            WalRecord r = new WalRecord.LogicalMessage(1, true, s, new byte[] {9});
            ByteBuffer buf = ByteBuffer.allocate(WalRecordCodec.encodedSize(r));
            WalRecordCodec.encode(r, buf);
            assertThat(buf.hasRemaining()).as("size of %s", s).isFalse();
            ByteBuffer expected = ByteBuffer.allocate(buf.capacity());
            expected.put((byte) 8).putInt(1).put((byte) 1).putInt(utf8.length).put(utf8).putInt(1).put((byte) 9);
            assertThat(buf.array()).as("encoding of %s", s).isEqualTo(expected.array());
            ByteBuffer value = ByteBuffer.wrap(WalRecordCodec.encodeValue(s));
            assertThat(value.get()).isEqualTo((byte) 8);
            assertThat(value.getInt()).isEqualTo(utf8.length);
            assertThat(value.remaining()).isEqualTo(utf8.length);
        }
    }

    @Test
    void shouldRejectTruncatedBodyAsCorrupt() {
        WalRecord r = new WalRecord.Insert(1, 2, new Object[] {"some text", 5L});
        ByteBuffer buf = ByteBuffer.allocate(WalRecordCodec.encodedSize(r));
        WalRecordCodec.encode(r, buf);
        for (int cut = 0; cut < buf.capacity(); cut++) {
            ByteBuffer part = ByteBuffer.wrap(buf.array(), 0, cut);
            assertThatThrownBy(() -> WalRecordCodec.decode(part)).isInstanceOf(LrepException.class)
                    .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.DATA_CORRUPTED);
        }
    }

    @Test
    void shouldRejectUnknownTypeAndTag() {
        ByteBuffer type = ByteBuffer.wrap(new byte[] {99, 0, 0, 0, 1});
        assertThatThrownBy(() -> WalRecordCodec.decode(type)).isInstanceOf(LrepException.class)
                .hasMessageContaining("unknown WAL record type 99");
        ByteBuffer tag = ByteBuffer.allocate(64);
        tag.put(WalRecordCodec.TYPE_INSERT).putInt(1).putInt(2).putInt(1).put((byte) 77).flip();
        assertThatThrownBy(() -> WalRecordCodec.decode(tag)).isInstanceOf(LrepException.class)
                .hasMessageContaining("unknown WAL value tag 77")
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.DATA_CORRUPTED);
    }

    @Test
    void shouldRejectValueOfUnsupportedClass() {
        WalRecord r = new WalRecord.Insert(1, 2, new Object[] {new Object()});
        assertThatThrownBy(() -> WalRecordCodec.encodedSize(r)).isInstanceOf(LrepException.class)
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void shouldFrameWithLengthCrcAndLsn() {
        long lsn = 0x1000028L;
        WalRecord r = new WalRecord.Commit(9, 123L, 0, 0L);
        int frame = WalRecordCodec.frameSize(r);
        assertThat(frame % WalRecordDescriptor.ALIGNMENT).isZero();
        ByteBuffer buf = ByteBuffer.allocate(frame + 8);
        assertThat(WalRecordCodec.encodeFrame(r, lsn, buf)).isEqualTo(frame);
        assertThat(buf.position()).isEqualTo(frame);
        assertThat(WalRecordDescriptor.lsn(buf, 0)).isEqualTo(lsn);
        assertThat(WalRecordDescriptor.length(buf, 0)).isEqualTo(WalRecordDescriptor.HEADER_LENGTH + WalRecordCodec.encodedSize(r));
        buf.flip();
        WalRecord back = WalRecordCodec.decodeFrame(buf, lsn);
        assertThat(WalRecords.deepEquals(r, back)).isTrue();
        assertThat(buf.position()).isEqualTo(frame);
    }

    @Test
    void shouldRejectFrameReadAtAnotherLsn() {
        ByteBuffer buf = ByteBuffer.allocate(128);
        WalRecordCodec.encodeFrame(new WalRecord.Abort(3), 0x1000000L, buf);
        buf.flip();
        assertThatThrownBy(() -> WalRecordCodec.decodeFrame(buf, 0x1000040L)).isInstanceOf(LrepException.class)
                .hasMessageContaining("at 0/1000040").hasMessageContaining("expected 0/1000040");
        // Rewriting the LSN field without the CRC is caught too: the CRC covers the LSN.
        buf.order(ByteOrder.LITTLE_ENDIAN).putLong(WalRecordDescriptor.LSN_OFFSET, 0x1000040L);
        assertThatThrownBy(() -> WalRecordCodec.decodeFrame(buf, 0x1000040L)).isInstanceOf(LrepException.class)
                .hasMessageContaining("incorrect record CRC");
    }

    @Test
    void shouldCatchEveryFlippedByte() {
        WalRecord r = new WalRecord.Insert(5, 16384, new Object[] {1, "x", null, 2.5d});
        ByteBuffer buf = ByteBuffer.allocate(WalRecordCodec.frameSize(r));
        int length = WalRecordCodec.encodeFrame(r, 0x2000000L, buf);
        int unpadded = WalRecordDescriptor.length(buf, 0);
        for (int i = 0; i < unpadded; i++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer copy = ByteBuffer.wrap(buf.array().clone(), 0, length);
                copy.put(i, (byte) (copy.get(i) ^ (1 << bit)));
                assertThat(WalRecordDescriptor.validate(copy, 0, length, 0x2000000L)).as("flip byte %d bit %d", i, bit).isNotNull();
            }
        }
        assertThat(WalRecordDescriptor.validate(ByteBuffer.wrap(buf.array()), 0, length, 0x2000000L)).isNull();
    }

    @Test
    void shouldReportZeroHeaderAndTruncation() {
        ByteBuffer zeros = ByteBuffer.allocate(64);
        assertThat(WalRecordDescriptor.validate(zeros, 0, 64, 0x1000000L)).isEqualTo("record header is zero");
        ByteBuffer buf = ByteBuffer.allocate(64);
        int n = WalRecordCodec.encodeFrame(new WalRecord.Abort(1), 0x1000000L, buf);
        assertThat(WalRecordDescriptor.validate(buf, 0, n - 8, 0x1000000L)).contains("truncated");
        assertThat(WalRecordDescriptor.validate(buf, 0, 10, 0x1000000L)).contains("header is truncated");
    }
}
