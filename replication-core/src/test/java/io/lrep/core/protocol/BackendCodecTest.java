package io.lrep.core.protocol;

import static io.lrep.core.protocol.CodecTestSupport.concat;
import static io.lrep.core.protocol.CodecTestSupport.encodeWith;
import static io.lrep.core.protocol.CodecTestSupport.feedByteByByte;
import static io.lrep.core.protocol.CodecTestSupport.feedWhole;
import static io.lrep.core.protocol.CodecTestSupport.twice;
import static io.lrep.core.protocol.CodecTestSupport.violation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.BackendMessage.Field;
import io.lrep.core.protocol.BackendMessage.NoticeField;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendCodecTest {

    static List<BackendMessage> messages() {
        return List.of(
                new BackendMessage.AuthenticationOk(),
                new BackendMessage.AuthenticationCleartextPassword(),
                new BackendMessage.AuthenticationMD5Password(new byte[] {1, 2, 3, 4}),
                new BackendMessage.AuthenticationSASL(List.of("SCRAM-SHA-256")),
                new BackendMessage.AuthenticationSASLContinue("r=abc,s=xyz,i=4096".getBytes(StandardCharsets.UTF_8)),
                new BackendMessage.AuthenticationSASLFinal("v=sig".getBytes(StandardCharsets.UTF_8)),
                new BackendMessage.AuthenticationOther(7, new byte[0]),
                new BackendMessage.ParameterStatus("server_version", "15.0"),
                new BackendMessage.BackendKeyData(4711, -99),
                new BackendMessage.ReadyForQuery(BackendMessage.TransactionStatus.IDLE),
                new BackendMessage.ReadyForQuery(BackendMessage.TransactionStatus.IN_TRANSACTION),
                new BackendMessage.ReadyForQuery(BackendMessage.TransactionStatus.FAILED),
                new BackendMessage.RowDescription(List.of(new Field("id", 16384, 1, 23, 4, -1, 0),
                        new Field("n\u00E4me", 0, 0, 25, -1, -1, 1))),
                new BackendMessage.RowDescription(List.of()),
                new BackendMessage.DataRow(new byte[][] {"1".getBytes(StandardCharsets.UTF_8), null, new byte[0]}),
                new BackendMessage.DataRow(new byte[0][]),
                new BackendMessage.CommandComplete("INSERT 0 1"),
                new BackendMessage.EmptyQueryResponse(),
                BackendMessage.ErrorResponse.of(new LrepException(SqlState.UNDEFINED_TABLE,
                        "relation \"t\" does not exist").withPosition(15).withHint("Check the name.")),
                new BackendMessage.ErrorResponse(List.of(new NoticeField('S', "ERROR"), new NoticeField('C', "23505"),
                        new NoticeField('M', "dup"), new NoticeField('s', "public"), new NoticeField('t', "t"),
                        new NoticeField('c', "id"), new NoticeField('n', "t_pkey"), new NoticeField('W', "here"),
                        new NoticeField('F', "x.c"), new NoticeField('L', "12"), new NoticeField('R', "fn"))),
                BackendMessage.NoticeResponse.of("NOTICE", "00000", "table \"t\" does not exist, skipping", null, null),
                new BackendMessage.ParseComplete(),
                new BackendMessage.BindComplete(),
                new BackendMessage.CloseComplete(),
                new BackendMessage.NoData(),
                new BackendMessage.PortalSuspended(),
                new BackendMessage.ParameterDescription(List.of(23, 25)),
                new BackendMessage.CopyInResponse(0, List.of(0, 0)),
                new BackendMessage.CopyOutResponse(1, List.of(1)),
                new BackendMessage.CopyBothResponse(0, List.of()),
                new CopyData(new byte[] {'w', 0, 1}),
                new CopyDone(),
                new BackendMessage.NegotiateProtocolVersion(0, List.of("_pq_.x")),
                new BackendMessage.NotificationResponse(12, "chan", "payload"));
    }

    private static byte[] bytes(BackendMessage m) {
        return encodeWith(new BackendMessageEncoder(), m);
    }

    @Test
    void shouldRoundTripEveryMessage() {
        for (BackendMessage m : messages()) {
            byte[] b = bytes(m);
            EmbeddedChannel whole = new EmbeddedChannel(new BackendMessageDecoder());
            assertThat(feedWhole(whole, b)).as("whole %s", m).containsExactly(m);
            EmbeddedChannel single = new EmbeddedChannel(new BackendMessageDecoder());
            assertThat(feedByteByByte(single, b)).as("byte by byte %s", m).containsExactly(m);
            EmbeddedChannel two = new EmbeddedChannel(new BackendMessageDecoder());
            assertThat(feedWhole(two, twice(b))).as("two frames %s", m).containsExactly(m, m);
            assertThat(whole.finish()).isFalse();
            assertThat(single.finish()).isFalse();
            assertThat(two.finish()).isFalse();
        }
    }

    @Test
    void shouldCarryExceptionFieldsIntoErrorResponse() {
        LrepException e = new LrepException(SqlState.SYNTAX_ERROR, "syntax error at or near \"selec\"").withPosition(1)
                .withDetail("d");
        BackendMessage.ErrorResponse r = BackendMessage.ErrorResponse.of(e);
        assertThat(r.severity()).isEqualTo("ERROR");
        assertThat(r.field('V')).isEqualTo("ERROR");
        assertThat(r.sqlState()).isEqualTo("42601");
        assertThat(r.message()).isEqualTo("syntax error at or near \"selec\"");
        assertThat(r.field('D')).isEqualTo("d");
        assertThat(r.field('H')).isNull();
        assertThat(r.field('P')).isEqualTo("1");
        assertThat(BackendMessage.ErrorResponse.of(new ProtocolViolation("invalid message length")).severity())
                .isEqualTo("FATAL");
    }

    @Test
    void shouldWriteDataRowsStraightIntoTheBuffer() {
        BackendMessage.DataRow expected = new BackendMessage.DataRow(new byte[][] {
            "42".getBytes(StandardCharsets.UTF_8), null, "h\u00E9".getBytes(StandardCharsets.UTF_8), {1, 2, 3, 4}});
        BackendMessage streamed = new BackendMessage.StreamedDataRow(4, w -> {
            w.writeText("42").writeNull().writeText("h\u00E9");
            w.beginValue().writeInt(0x01020304);
            w.endValue();
        });
        assertThat(bytes(streamed)).isEqualTo(bytes(expected));
        EmbeddedChannel ch = new EmbeddedChannel(new BackendMessageDecoder());
        assertThat(feedByteByByte(ch, bytes(streamed))).containsExactly(expected);
        assertThat(ch.finish()).isFalse();

        ByteBuf buf = Unpooled.buffer();
        DataRowWriter few = DataRowWriter.begin(buf, 2).writeNull();
        assertThatThrownBy(few::end).isInstanceOf(IllegalStateException.class);
        DataRowWriter many = DataRowWriter.begin(buf, 1).writeNull();
        assertThatThrownBy(many::writeNull).isInstanceOf(IllegalStateException.class);
        buf.release();
    }

    @Test
    void shouldRefuseUnknownTypeOnceThenDiscard() {
        EmbeddedChannel ch = new EmbeddedChannel(new BackendMessageDecoder());
        LrepException e = violation(ch, new byte[] {'?', 0, 0, 0, 4});
        assertThat(e.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        assertThat(e.getMessage()).isEqualTo("invalid backend message type 63");
        assertThat(feedWhole(ch, bytes(new BackendMessage.NoData()))).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldRefuseBadLengthsAndFields() {
        assertThat(violation(new EmbeddedChannel(new BackendMessageDecoder()), new byte[] {'Z', 0, 0, 0, 2}).getMessage())
                .isEqualTo("invalid message length");
        assertThat(violation(new EmbeddedChannel(new BackendMessageDecoder(100)), new byte[] {'D', 0, 0, 0, 101})
                .getMessage()).isEqualTo("invalid message length");
        assertThat(violation(new EmbeddedChannel(new BackendMessageDecoder()), new byte[] {'Z', 0, 0, 0, 5, 'Q'})
                .sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        assertThat(violation(new EmbeddedChannel(new BackendMessageDecoder()), new byte[] {'K', 0, 0, 0, 8, 0, 0, 0, 1})
                .getMessage()).isEqualTo("invalid message format");
        assertThat(violation(new EmbeddedChannel(new BackendMessageDecoder()),
                concat(new byte[] {'C', 0, 0, 0, 7}, "ab\0".getBytes(StandardCharsets.US_ASCII), new byte[] {0}))
                .sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
    }

    @Test
    void shouldHandleRandomGarbageWithoutHanging() {
        long seed = System.nanoTime();
        System.out.println("BackendCodecTest garbage seed=" + seed);
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < 500; i++) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            EmbeddedChannel server = new EmbeddedChannel(new FrontendMessageDecoder(4096));
            EmbeddedChannel client = new EmbeddedChannel(new BackendMessageDecoder(4096));
            for (EmbeddedChannel ch : List.of(server, client)) {
                try {
                    ch.writeInbound(Unpooled.wrappedBuffer(junk));
                } catch (io.netty.handler.codec.DecoderException e) {
                    assertThat(e.getCause()).as("seed %d", seed).isInstanceOf(LrepException.class);
                }
                CodecTestSupport.drain(ch);
                ch.finishAndReleaseAll();
            }
        }
    }
}
