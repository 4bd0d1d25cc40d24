package io.lrep.core.protocol.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.CopyData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplicationMessageTest {

    /** Bytes written field by field from the documented layout (big-endian, as the docs say). */
    private static final class Layout {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Layout byte1(int b) {
            return run(() -> out.writeByte(b));
        }

        Layout int32(int v) {
            return run(() -> out.writeInt(v));
        }

        Layout int64(long v) {
            return run(() -> out.writeLong(v));
        }

        Layout raw(byte[] b) {
            return run(() -> out.write(b));
        }

        byte[] build() {
            return bytes.toByteArray();
        }

        private Layout run(IoStep step) {
            try {
                step.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        private interface IoStep {
            void run() throws IOException;
        }
    }

    private static byte[] encode(ReplicationMessage m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            m.encode(buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            assertThat(buf.release()).isTrue();
        }
    }

    /** Decodes from a buffer of our own, checking the decoder consumed it all and kept no reference. */
    private static ReplicationMessage decode(byte[] bytes) {
        ByteBuf buf = Unpooled.buffer(bytes.length).writeBytes(bytes);
        try {
            ReplicationMessage m = ReplicationMessage.decode(buf);
            assertThat(buf.isReadable()).isFalse();
            assertThat(buf.refCnt()).isEqualTo(1);
            return m;
        } finally {
            assertThat(buf.release()).isTrue();
        }
    }

    private static void assertLayout(ReplicationMessage m, byte[] expected) {
        assertThat(encode(m)).as("encode %s", m).containsExactly(expected);
        assertThat(decode(expected)).as("decode %s", m).isEqualTo(m);
        assertThat(ReplicationMessage.decode(m.toCopyData())).isEqualTo(m);
    }

    @Test
    void xlogDataMatchesTheDocumentedLayout() {
        byte[] payload = "B-payload".getBytes(StandardCharsets.US_ASCII);
        XLogData m = new XLogData(0x16_B374_D848L, 0x17_0000_0001L, 734_000_000_123L, payload);
        assertLayout(m, new Layout().byte1('w').int64(0x16_B374_D848L).int64(0x17_0000_0001L).int64(734_000_000_123L)
                .raw(payload).build());
        assertThat(new Layout().byte1('w').int64(1).int64(2).int64(3).build()).hasSize(ReplicationDescriptor.XLOG_DATA_HEADER_LENGTH);
    }

    @Test
    void xlogDataWithEmptyPayload() {
        assertLayout(new XLogData(0, 0, 0, new byte[0]), new Layout().byte1('w').int64(0).int64(0).int64(0).build());
    }

    @Test
    void headerWrittenAloneThenPatchedSendTime() {
        ByteBuf buf = Unpooled.buffer();
        try {
            int at = buf.writerIndex();
            XLogData.writeHeader(buf, 5, 6, 0);
            buf.writeBytes(new byte[] {'E'});
            buf.setLong(at + ReplicationDescriptor.XLOG_DATA_SEND_TIME_OFFSET, 99);
            assertThat(ReplicationMessage.decode(buf)).isEqualTo(new XLogData(5, 6, 99, new byte[] {'E'}));
        } finally {
            buf.release();
        }
    }

    @Test
    void primaryKeepaliveMatchesTheDocumentedLayout() {
        assertLayout(new PrimaryKeepalive(0x1_0000_0000L, -5, true),
                new Layout().byte1('k').int64(0x1_0000_0000L).int64(-5).byte1(1).build());
        assertLayout(new PrimaryKeepalive(42, 7, false), new Layout().byte1('k').int64(42).int64(7).byte1(0).build());
    }

    @Test
    void standbyStatusUpdateMatchesTheDocumentedLayout() {
        byte[] bytes = new Layout().byte1('r').int64(300).int64(200).int64(100).int64(123_456_789L).byte1(1).build();
        assertThat(bytes).hasSize(ReplicationDescriptor.STANDBY_STATUS_UPDATE_LENGTH);
        assertLayout(new StandbyStatusUpdate(300, 200, 100, 123_456_789L, true), bytes);
    }

    @Test
    void hotStandbyFeedbackMatchesTheDocumentedLayout() {
        byte[] bytes = new Layout().byte1('h').int64(77).int32(740).int32(1).int32(731).int32(2).build();
        assertThat(bytes).hasSize(ReplicationDescriptor.HOT_STANDBY_FEEDBACK_LENGTH);
        HotStandbyFeedback m = new HotStandbyFeedback(77, 740, 1, 731, 2);
        assertLayout(m, bytes);
        assertThat(m.stopsFeedback()).isFalse();
        assertThat(new HotStandbyFeedback(0, 0, 0, 0, 0).stopsFeedback()).isTrue();
    }

    @Test
    void anyNonZeroReplyByteMeansReplyRequested() {
        assertThat(decode(new Layout().byte1('k').int64(1).int64(2).byte1(2).build()))
                .isEqualTo(new PrimaryKeepalive(1, 2, true));
    }

    @Test
    void unknownTypeByteIsAProtocolViolation() {
        LrepException e = violation(new byte[] {'x', 0, 0});
        assertThat(e.getMessage()).isEqualTo("unexpected message type \"x\"");
        assertThat(violation(new byte[] {(byte) 0xff}).getMessage()).isEqualTo("unexpected message type \"??? (255)\"");
        assertThat(violation(new byte[0]).getMessage()).contains("invalid streaming replication message");
    }

    @Test
    void everyTruncationIsAProtocolViolationNamingTheMessage() {
        for (ReplicationMessage m : samples()) {
            byte[] full = encode(m);
            int minimum = m instanceof XLogData ? ReplicationDescriptor.XLOG_DATA_HEADER_LENGTH : full.length;
            for (int n = 1; n < minimum; n++) {
                LrepException e = violation(Arrays.copyOf(full, n));
                assertThat(e.getMessage()).isEqualTo("insufficient data left in message");
                assertThat(e.detail()).contains("needs").contains("got " + n);
            }
        }
    }

    @Test
    void trailingBytesAfterAFixedLengthMessageAreAProtocolViolation() {
        for (ReplicationMessage m : samples()) {
            if (m instanceof XLogData) {
                continue; // its payload runs to the end
            }
            byte[] longer = Arrays.copyOf(encode(m), encode(m).length + 1);
            assertThat(violation(longer).getMessage()).contains("message length");
        }
    }

    @Test
    void decodeOfEncodeIsIdentityForRandomMessages() {
        long seed = seed("ReplicationMessageTest.decodeOfEncodeIsIdentityForRandomMessages");
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            ReplicationMessage m = random(random);
            assertThat(decode(encode(m))).as("seed %d, message %d", seed, i).isEqualTo(m);
        }
    }

    @Test
    void garbageNeverEscapesAsAnythingButAProtocolViolation() {
        long seed = seed("ReplicationMessageTest.garbageNeverEscapesAsAnythingButAProtocolViolation");
        Random random = new Random(seed);
        byte[] types = {'w', 'k', 'r', 'h', 'x', 0};
        for (int i = 0; i < 5_000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (bytes.length > 0) {
                bytes[0] = types[random.nextInt(types.length)];
            }
            try {
                ReplicationMessage m = ReplicationMessage.decode(bytes);
                assertThat(encode(m)).as("seed %d", seed).containsExactly(normalized(bytes));
            } catch (LrepException e) {
                assertThat(e.sqlState()).as("seed %d", seed).isEqualTo(SqlState.PROTOCOL_VIOLATION);
            }
        }
    }

    /** The reply byte is any non-zero value on input, 1 on output. */
    private static byte[] normalized(byte[] bytes) {
        byte[] b = bytes.clone();
        if ((b[0] == 'k' || b[0] == 'r') && b[b.length - 1] != 0) {
            b[b.length - 1] = 1;
        }
        return b;
    }

    @Test
    void decodedPayloadIsACopyIndependentOfTheBuffer() {
        ByteBuf buf = Unpooled.buffer();
        new XLogData(1, 2, 3, new byte[] {9, 8, 7}).encode(buf);
        XLogData m = (XLogData) ReplicationMessage.decode(buf);
        buf.setByte(ReplicationDescriptor.XLOG_DATA_HEADER_LENGTH, 0);
        assertThat(buf.release()).isTrue();
        assertThat(m.payload()).containsExactly(9, 8, 7);
        assertThat(m.toCopyData()).isEqualTo(new CopyData(new Layout().byte1('w').int64(1).int64(2).int64(3)
                .raw(new byte[] {9, 8, 7}).build()));
    }

    @Test
    void timestampsCountMicrosecondsFrom2000() {
        assertThat(PgTimestamp.fromInstant(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(PgTimestamp.toInstant(0)).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(PgTimestamp.toInstant(-1)).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
        assertThat(PgTimestamp.fromInstant(Instant.parse("2024-05-06T07:08:09.123456789Z")))
                .isEqualTo((Instant.parse("2024-05-06T07:08:09Z").getEpochSecond() - 946_684_800L) * 1_000_000L + 123_456);
        assertThat(PgTimestamp.fromEpochMicros(946_684_800_000_001L)).isEqualTo(1);
        assertThat(PgTimestamp.toEpochMicros(1)).isEqualTo(946_684_800_000_001L);
        assertThat(PgTimestamp.now(java.time.Clock.fixed(Instant.parse("2000-01-01T00:00:01Z"), java.time.ZoneOffset.UTC)))
                .isEqualTo(1_000_000L);
        assertThatThrownBy(() -> PgTimestamp.fromEpochMicros(Long.MIN_VALUE)).isInstanceOf(ArithmeticException.class);
    }

    private static LrepException violation(byte[] bytes) {
        Throwable t = catchThrowable(() -> decode(bytes));
        assertThat(t).as("decoding %s", Arrays.toString(bytes)).isInstanceOf(LrepException.class);
        LrepException e = (LrepException) t;
        assertThat(e.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        return e;
    }

    private static List<ReplicationMessage> samples() {
        return List.of(new XLogData(1, 2, 3, new byte[] {'B', 1}), new PrimaryKeepalive(4, 5, true),
                new StandbyStatusUpdate(6, 7, 8, 9, false), new HotStandbyFeedback(10, 11, 12, 13, 14));
    }

    private static ReplicationMessage random(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> {
                byte[] payload = new byte[r.nextInt(64)];
                r.nextBytes(payload);
                yield new XLogData(r.nextLong(), r.nextLong(), r.nextLong(), payload);
            }
            case 1 -> new PrimaryKeepalive(r.nextLong(), r.nextLong(), r.nextBoolean());
            case 2 -> new StandbyStatusUpdate(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextBoolean());
            default -> new HotStandbyFeedback(r.nextLong(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt());
        };
    }

    static long seed(String test) {
        String prop = System.getProperty("lrep.seed");
        long seed = prop != null ? Long.parseLong(prop) : System.nanoTime();
        System.out.println(test + " seed=" + seed + " (rerun with -Dlrep.seed=" + seed + ")");
        return seed;
    }

}
