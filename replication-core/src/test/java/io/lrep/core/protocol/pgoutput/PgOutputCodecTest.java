package io.lrep.core.protocol.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Begin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.BeginPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Insert;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Origin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamAbort;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStart;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStop;
import io.lrep.core.protocol.pgoutput.TupleData.Value;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trips, version gating, and malformed input. */
class PgOutputCodecTest {

    private static final long LSN = 0x16_B374_D848L;

    private static byte[] encode(int version, PgOutputMessage m) {
        ByteBuf out = Unpooled.buffer();
        try {
            new PgOutputEncoder(version).encode(m, out);
            return ByteBufUtil.getBytes(out);
        } finally {
            assertThat(out.release()).isTrue();
        }
    }

    private static PgOutputMessage decode(int version, boolean inStream, byte[] bytes) {
        ByteBuf in = Unpooled.buffer(Math.max(1, bytes.length)).writeBytes(bytes);
        try {
            return new PgOutputDecoder(version).decode(in, inStream);
        } finally {
            assertThat(in.refCnt()).isEqualTo(1);
            assertThat(in.release()).isTrue();
        }
    }

    private static LrepException violation(int version, boolean inStream, byte[] bytes) {
        Throwable t = catchThrowable(() -> decode(version, inStream, bytes));
        assertThat(t).as("v%d decoding %s", version, Arrays.toString(bytes)).isInstanceOf(LrepException.class);
        LrepException e = (LrepException) t;
        assertThat(e.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        return e;
    }

    @Test
    void decodeOfEncodeIsIdentityInEveryVersion() {
        long seed = RandomPgOutput.seed("PgOutputCodecTest.decodeOfEncodeIsIdentityInEveryVersion");
        RandomPgOutput gen = new RandomPgOutput(new Random(seed));
        for (int v = 1; v <= 4; v++) {
            for (int i = 0; i < 3_000; i++) {
                PgOutputMessage m = gen.outsideStream(v);
                assertThat(decode(v, false, encode(v, m))).as("seed %d v%d #%d", seed, v, i).isEqualTo(m);
                if (v >= 2) {
                    PgOutputMessage c = gen.change(gen.xid());
                    assertThat(decode(v, true, encode(v, c))).as("seed %d v%d #%d in stream", seed, v, i).isEqualTo(c);
                }
            }
        }
    }

    @Test
    void theSameMessageEncodesToTheSameBytesInEveryVersionThatHasIt() {
        long seed = RandomPgOutput.seed("PgOutputCodecTest.theSameMessageEncodesToTheSameBytesInEveryVersionThatHasIt");
        RandomPgOutput gen = new RandomPgOutput(new Random(seed));
        for (int i = 0; i < 1_000; i++) {
            PgOutputMessage m = gen.outsideStream(4);
            byte[] bytes = encode(4, m);
            for (int v = m.minProtocolVersion(); v < 4; v++) {
                assertThat(encode(v, m)).as("seed %d %s", seed, m).containsExactly(bytes);
            }
        }
    }

    @Test
    void everyStrictPrefixOfAMessageIsAProtocolViolation() {
        long seed = RandomPgOutput.seed("PgOutputCodecTest.everyStrictPrefixOfAMessageIsAProtocolViolation");
        RandomPgOutput gen = new RandomPgOutput(new Random(seed));
        for (int i = 0; i < 500; i++) {
            PgOutputMessage m = i % 2 == 0 ? gen.outsideStream(4) : gen.change(gen.xid());
            boolean inStream = i % 2 != 0;
            byte[] bytes = encode(4, m);
            for (int n = 0; n < bytes.length; n++) {
                if (m instanceof StreamAbort a && a.hasAbortInfo() && n == PgOutputDescriptor.STREAM_ABORT_LENGTH) {
                    continue; // the first 9 bytes are a valid Stream Abort without abort info
                }
                LrepException e = violation(4, inStream, Arrays.copyOf(bytes, n));
                assertThat(e.getMessage()).as("seed %d %s cut at %d", seed, m, n)
                        .isIn("insufficient data left in message", "invalid string in message", "invalid logical replication message");
            }
        }
    }

    @Test
    void truncationNamesTheMessageAndField() {
        byte[] begin = Layout.of('B').int64(LSN).int64(0).int32(740).build();
        LrepException e = violation(1, false, Arrays.copyOf(begin, 12));
        assertThat(e.getMessage()).isEqualTo("insufficient data left in message");
        assertThat(e.detail()).isEqualTo("Begin message ends before its commit_time (8 bytes needed, 3 left).");
        e = violation(1, false, Layout.of('O').int64(1).raw(new byte[] {'a', 'b'}).build());
        assertThat(e.getMessage()).isEqualTo("invalid string in message");
        assertThat(e.detail()).isEqualTo("Origin message's name has no NUL terminator.");
        e = violation(1, false, Layout.of('I').int32(1).byte1('N').int16(1).byte1('t').int32(5).raw(new byte[] {'a'}).build());
        assertThat(e.detail()).isEqualTo("Insert message's text column value claims 5 bytes, 1 left.");
        e = violation(1, false, Layout.of('I').int32(1).byte1('N').int16(1).byte1('t').int32(-1).build());
        assertThat(e.detail()).isEqualTo("Insert message's text column value claims -1 bytes, 0 left.");
        e = violation(1, false, Layout.of('T').int32(1_000_000).byte1(0).int32(1).build());
        assertThat(e.detail()).isEqualTo("Truncate message claims 1000000 relations, 4 bytes left.");
    }

    @Test
    void garbageNeverEscapesAsAnythingButAProtocolViolation() {
        long seed = RandomPgOutput.seed("PgOutputCodecTest.garbageNeverEscapesAsAnythingButAProtocolViolation");
        Random random = new Random(seed);
        RandomPgOutput gen = new RandomPgOutput(random);
        for (int i = 0; i < 20_000; i++) {
            int v = 1 + random.nextInt(4);
            boolean inStream = v >= 2 && random.nextBoolean();
            byte[] bytes;
            if (random.nextBoolean()) {
                bytes = new byte[random.nextInt(48)];
                random.nextBytes(bytes);
                if (bytes.length > 0 && random.nextBoolean()) {
                    bytes[0] = (byte) "BCORYIUDTMSEcAbPKrp".charAt(random.nextInt(19));
                }
            } else {
                bytes = encode(4, inStream ? gen.change(gen.xid()) : gen.outsideStream(4));
                for (int flips = 1 + random.nextInt(3); flips > 0 && bytes.length > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            try {
                PgOutputMessage m = decode(v, inStream, bytes);
                assertThat(decode(v, inStream, encode(v, m))).as("seed %d", seed).isEqualTo(m);
            } catch (LrepException e) {
                assertThat(e.sqlState()).as("seed %d: %s", seed, e.getMessage()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
            }
        }
    }

    @Test
    void unknownTypeByteIsAProtocolViolation() {
        assertThat(violation(4, false, new byte[] {'Z', 1, 2}).getMessage())
                .isEqualTo("invalid logical replication message type \"??? (90)\"");
        assertThat(violation(4, false, new byte[0]).getMessage()).isEqualTo("invalid logical replication message");
    }

    @Test
    void decoderRejectsMessagesTheVersionDoesNotHave() {
        LrepException e = violation(1, false, Layout.of('S').int32(5).byte1(1).build());
        assertThat(e.getMessage()).isEqualTo("invalid logical replication message type \"S\"");
        assertThat(e.detail()).contains("needs protocol version 2").contains("version 1");
        assertThat(violation(2, false, Layout.of('K').byte1(0).int64(1).int64(2).int64(3).int32(4).string("g").build())
                .detail()).contains("needs protocol version 3");
        // below version 4 a Stream Abort has no abort info: the extra 16 bytes are left over
        assertThat(violation(3, false, Layout.of('A').int32(5).int32(5).int64(1).int64(2).build()).getMessage())
                .isEqualTo("invalid Stream Abort message");
        assertThatThrownBy(() -> new PgOutputDecoder(1).decode(new byte[] {'E'}, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PgOutputDecoder(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PgOutputDecoder(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encoderRejectsMessagesTheVersionDoesNotHaveAndWritesNothing() {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeByte(42);
            assertVersionError(() -> new PgOutputEncoder(1).encode(new StreamStart(5, true), out),
                    "pgoutput message Stream Start requires protocol version 2, but the stream uses version 1");
            assertVersionError(() -> new PgOutputEncoder(1).encode(new StreamStop(), out),
                    "pgoutput message Stream Stop requires protocol version 2, but the stream uses version 1");
            assertVersionError(() -> new PgOutputEncoder(1).encode(new Insert(7, 1, TupleData.of()), out),
                    "pgoutput message Insert with a streamed transaction ID requires protocol version 2, but the stream uses version 1");
            assertVersionError(() -> new PgOutputEncoder(2).encode(new BeginPrepare(1, 2, 3, 4, "g"), out),
                    "pgoutput message Begin Prepare requires protocol version 3, but the stream uses version 2");
            assertVersionError(() -> new PgOutputEncoder(3).encode(new StreamAbort(5, 5, 1, 2), out),
                    "pgoutput message Stream Abort with abort LSN and time requires protocol version 4, but the stream uses version 3");
            assertThatThrownBy(() -> new PgOutputEncoder(1).encode(new Origin(1, "a\0b"), out))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(ByteBufUtil.getBytes(out)).containsExactly(42);
        } finally {
            assertThat(out.release()).isTrue();
        }
        assertThatThrownBy(() -> new PgOutputEncoder(5)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertVersionError(Runnable r, String message) {
        Throwable t = catchThrowable(r::run);
        assertThat(t).isInstanceOf(LrepException.class).hasMessage(message);
        assertThat(((LrepException) t).sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
    }

    @Test
    void readerRefusesWhatPostgresRefuses() {
        assertThat(violation(1, false, Layout.of('B').int64(0).int64(0).int32(1).build()).getMessage())
                .isEqualTo("final_lsn not set in begin message");
        assertThat(violation(1, false, Layout.of('C').byte1(2).int64(1).int64(2).int64(3).build()).getMessage())
                .isEqualTo("unrecognized flags 2 in commit message");
        assertThat(violation(2, false, Layout.of('c').int32(5).byte1(1).int64(1).int64(2).int64(3).build()).getMessage())
                .isEqualTo("unrecognized flags 1 in commit message");
        assertThat(violation(2, false, Layout.of('S').int32(0).byte1(1).build()).getMessage())
                .isEqualTo("invalid transaction ID in streamed replication transaction");
        assertThat(violation(2, true, Layout.of('I').int32(0).int32(1).byte1('N').int16(0).build()).getMessage())
                .isEqualTo("invalid transaction ID in streamed replication transaction");
        assertThat(violation(1, false, Layout.of('I').int32(1).byte1('X').int16(0).build()).getMessage())
                .isEqualTo("expected new tuple but got 88");
        assertThat(violation(1, false, Layout.of('U').int32(1).byte1('X').int16(0).build()).getMessage())
                .isEqualTo("expected action 'N', 'O' or 'K', got X");
        assertThat(violation(1, false, Layout.of('U').int32(1).byte1('K').int16(0).byte1('K').int16(0).build()).getMessage())
                .isEqualTo("expected action 'N', got K");
        assertThat(violation(1, false, Layout.of('D').int32(1).byte1('N').int16(0).build()).getMessage())
                .isEqualTo("expected action 'O' or 'K', got N");
        assertThat(violation(1, false, Layout.of('I').int32(1).byte1('N').int16(1).byte1('x').build()).getMessage())
                .isEqualTo("unrecognized data representation type 'x'");
        assertThat(violation(3, false, Layout.of('b').int64(0).int64(2).int64(3).int32(4).string("g").build()).getMessage())
                .isEqualTo("prepare_lsn not set in begin prepare message");
        assertThat(violation(3, false, Layout.of('b').int64(1).int64(0).int64(3).int32(4).string("g").build()).getMessage())
                .isEqualTo("end_lsn not set in begin prepare message");
        assertThat(violation(3, false, Layout.of('P').byte1(1).int64(1).int64(2).int64(3).int32(4).string("g").build())
                .getMessage()).isEqualTo("unrecognized flags 1 in prepare message");
        assertThat(violation(3, false, Layout.of('p').byte1(0).int64(0).int64(2).int64(3).int32(4).string("g").build())
                .getMessage()).isEqualTo("prepare_lsn is not set in stream prepare message");
        assertThat(violation(3, false, Layout.of('P').byte1(0).int64(1).int64(0).int64(3).int32(4).string("g").build())
                .getMessage()).isEqualTo("end_lsn is not set in prepare message");
        assertThat(violation(3, false, Layout.of('P').byte1(0).int64(1).int64(2).int64(3).int32(0).string("g").build())
                .getMessage()).isEqualTo("invalid two-phase transaction ID in prepare message");
        assertThat(violation(3, false, Layout.of('K').byte1(0).int64(0).int64(2).int64(3).int32(4).string("g").build())
                .getMessage()).isEqualTo("commit_lsn is not set in commit prepared message");
        assertThat(violation(3, false, Layout.of('K').byte1(0).int64(1).int64(0).int64(3).int32(4).string("g").build())
                .getMessage()).isEqualTo("end_lsn is not set in commit prepared message");
        assertThat(violation(3, false, Layout.of('r').byte1(0).int64(0).int64(2).int64(3).int64(4).int32(5).string("g").build())
                .getMessage()).isEqualTo("prepare_end_lsn is not set in rollback prepared message");
        assertThat(violation(3, false, Layout.of('r').byte1(0).int64(1).int64(0).int64(3).int64(4).int32(5).string("g").build())
                .getMessage()).isEqualTo("rollback_end_lsn is not set in rollback prepared message");
        assertThat(violation(3, false, Layout.of('r').byte1(3).int64(1).int64(2).int64(3).int64(4).int32(5).string("g").build())
                .getMessage()).isEqualTo("unrecognized flags 3 in rollback prepared message");
    }

    @Test
    void trailingBytesAreAProtocolViolation() {
        LrepException e = violation(1, false, Layout.of('B').int64(LSN).int64(0).int32(740).byte1(0).build());
        assertThat(e.getMessage()).isEqualTo("invalid Begin message");
        assertThat(e.detail()).isEqualTo("1 bytes left after the last field.");
        assertThat(violation(2, false, new byte[] {'E', 0}).getMessage()).isEqualTo("invalid Stream Stop message");
    }

    @Test
    void aStreamedChangeReadOutsideAStreamIsMisreadAndRefused() {
        // the xid is only there inside a block: read without the flag, its bytes become the relation OID
        byte[] bytes = encode(2, new Insert(743, 16384, TupleData.of(Value.text("x"))));
        assertThat(violation(2, false, bytes).getMessage()).startsWith("expected new tuple but got");
    }

    @Test
    void firstSegmentIsTrueOnlyForOne() {
        assertThat(decode(2, false, Layout.of('S').int32(5).byte1(2).build())).isEqualTo(new StreamStart(5, false));
    }

    @Test
    void valuesCompareByContentAndCheckTheirKind() {
        assertThat(Value.text("a")).isEqualTo(Value.text(new byte[] {'a'})).hasSameHashCodeAs(Value.text("a"));
        assertThat(Value.text("a")).isNotEqualTo(Value.binary(new byte[] {'a'}));
        assertThat(Value.text("\u00E4").textValue()).isEqualTo("\u00E4");
        assertThatThrownBy(() -> new Value(TupleData.Kind.NULL, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Value(TupleData.Kind.TEXT, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Begin(LSN, 0, 740).toString()).contains("16/B374D848");
    }
}
