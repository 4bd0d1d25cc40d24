package io.lrep.core.protocol;

import static io.lrep.core.protocol.CodecTestSupport.concat;
import static io.lrep.core.protocol.CodecTestSupport.encodeWith;
import static io.lrep.core.protocol.CodecTestSupport.feedByteByByte;
import static io.lrep.core.protocol.CodecTestSupport.feedWhole;
import static io.lrep.core.protocol.CodecTestSupport.twice;
import static io.lrep.core.protocol.CodecTestSupport.violation;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class FrontendCodecTest {

    static final FrontendMessage.StartupMessage STARTUP = FrontendMessage.StartupMessage.of(startupParameters());

    private static Map<String, String> startupParameters() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("user", "alice");
        p.put("database", "db\u00E9");
        return p;
    }

    static List<FrontendMessage> typedMessages() {
        return List.of(
                new FrontendMessage.Query("select 'h\u00E9llo'; select 2"),
                new FrontendMessage.Query(""),
                new FrontendMessage.Parse("s1", "select $1::int, $2", List.of(23, 0)),
                new FrontendMessage.Parse("", "begin", List.of()),
                new FrontendMessage.Bind("p1", "s1", List.of(0, 1), new byte[][] {"42".getBytes(StandardCharsets.UTF_8),
                        null, new byte[0]}, List.of(1)),
                new FrontendMessage.Bind("", "", List.of(), new byte[0][], List.of()),
                new FrontendMessage.Describe('S', "s1"),
                new FrontendMessage.Describe('P', ""),
                new FrontendMessage.Execute("p1", 100),
                new FrontendMessage.Sync(),
                new FrontendMessage.Flush(),
                new FrontendMessage.Close('S', "s1"),
                new FrontendMessage.Close('P', "p1"),
                new FrontendMessage.Terminate(),
                new CopyData(new byte[] {1, 2, 0, 3}),
                new CopyData(new byte[0]),
                new CopyDone(),
                new FrontendMessage.CopyFail("client gave up"),
                new FrontendMessage.FunctionCall(1598, List.of(0), new byte[][] {{7}, null}, 1));
    }

    private static EmbeddedChannel afterStartup() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrontendMessageDecoder());
        assertThat(feedWhole(ch, encodeWith(new FrontendMessageEncoder(), STARTUP))).containsExactly(STARTUP);
        return ch;
    }

    private static byte[] bytes(FrontendMessage m) {
        return encodeWith(new FrontendMessageEncoder(), m);
    }

    private static void roundTrip(FrontendMessage m, Consumer<EmbeddedChannel> check) {
        byte[] b = bytes(m);
        EmbeddedChannel whole = afterStartup();
        assertThat(feedWhole(whole, b)).as("whole %s", m).containsExactly(m);
        EmbeddedChannel single = afterStartup();
        assertThat(feedByteByByte(single, b)).as("byte by byte %s", m).containsExactly(m);
        EmbeddedChannel two = afterStartup();
        assertThat(feedWhole(two, twice(b))).as("two frames %s", m).containsExactly(m, m);
        for (EmbeddedChannel ch : List.of(whole, single, two)) {
            check.accept(ch);
            assertThat(ch.finish()).isFalse();
        }
    }

    @Test
    void shouldRoundTripEveryTypedMessage() {
        for (FrontendMessage m : typedMessages()) {
            roundTrip(m, ch -> { });
        }
    }

    @Test
    void shouldDecodePasswordMessagesByWhatTheServerAskedFor() {
        FrontendMessage.PasswordMessage password = new FrontendMessage.PasswordMessage("md5abc");
        FrontendMessage.SASLInitialResponse initial = new FrontendMessage.SASLInitialResponse("SCRAM-SHA-256",
                "n,,n=,r=abc".getBytes(StandardCharsets.UTF_8));
        FrontendMessage.SASLInitialResponse initialNoData = new FrontendMessage.SASLInitialResponse("SCRAM-SHA-256", null);
        FrontendMessage.SASLResponse response = new FrontendMessage.SASLResponse("c=biws".getBytes(StandardCharsets.UTF_8));

        for (EmbeddedChannel ch : List.of(afterStartup())) {
            List<Object> got = feedByteByByte(ch, concat(bytes(password), bytes(initial), bytes(initialNoData),
                    bytes(response)));
            assertThat(got).hasSize(4).allMatch(o -> o instanceof FrontendMessage.AuthenticationResponse);
            assertThat(((FrontendMessage.AuthenticationResponse) got.get(0)).toPasswordMessage()).isEqualTo(password);
            assertThat(((FrontendMessage.AuthenticationResponse) got.get(1)).toSaslInitialResponse()).isEqualTo(initial);
            assertThat(((FrontendMessage.AuthenticationResponse) got.get(1)).isScramSha256Initial()).isTrue();
            assertThat(((FrontendMessage.AuthenticationResponse) got.get(2)).toSaslInitialResponse()).isEqualTo(initialNoData);
            assertThat(((FrontendMessage.AuthenticationResponse) got.get(3)).toSaslResponse()).isEqualTo(response);
            assertThat(ch.finish()).isFalse();
        }
        // read as the wrong form, the fields do not add up
        FrontendMessage.AuthenticationResponse asRaw = new FrontendMessage.AuthenticationResponse(
                "SCRAM-SHA-256\0\0\0\0\u0009abc".getBytes(StandardCharsets.UTF_8));
        assertThat(catchState(asRaw::toSaslInitialResponse)).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        assertThat(catchState(asRaw::toPasswordMessage)).isEqualTo(SqlState.PROTOCOL_VIOLATION);
    }

    private static SqlState catchState(Runnable r) {
        try {
            r.run();
        } catch (LrepException e) {
            return e.sqlState();
        }
        return null;
    }

    @Test
    void shouldDecodeStartupPackets() {
        byte[] ssl = bytes(new FrontendMessage.SSLRequest());
        assertThat(ssl).containsExactly(0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f);
        byte[] startup = bytes(STARTUP);
        EmbeddedChannel ch = new EmbeddedChannel(new FrontendMessageDecoder());
        assertThat(feedByteByByte(ch, ssl)).containsExactly(new FrontendMessage.SSLRequest());
        assertThat(((FrontendMessageDecoder) ch.pipeline().first()).inStartupPhase()).isTrue();
        assertThat(feedWhole(ch, bytes(new FrontendMessage.GSSENCRequest()))).containsExactly(new FrontendMessage.GSSENCRequest());
        List<Object> got = feedByteByByte(ch, concat(startup, bytes(new FrontendMessage.Sync())));
        assertThat(got).containsExactly(STARTUP, new FrontendMessage.Sync());
        FrontendMessage.StartupMessage decoded = (FrontendMessage.StartupMessage) got.get(0);
        assertThat(decoded.parameters()).containsExactly(Map.entry("user", "alice"), Map.entry("database", "db\u00E9"))
                .isEqualTo(STARTUP.parameters());
        assertThat(decoded.majorVersion()).isEqualTo(3);
        assertThat(decoded.minorVersion()).isZero();
        assertThat(ch.finish()).isFalse();

        // a 3.2 client gets through: the server answers with NegotiateProtocolVersion
        FrontendMessage.StartupMessage newer = new FrontendMessage.StartupMessage((3 << 16) | 2,
                Map.of("user", "bob", "_pq_.something", "on"));
        assertThat(feedWhole(new EmbeddedChannel(new FrontendMessageDecoder()), bytes(newer))).containsExactly(newer);
    }

    @Test
    void shouldStopReadingAfterCancelRequest() {
        FrontendMessage.CancelRequest cancel = new FrontendMessage.CancelRequest(1234, -5);
        EmbeddedChannel ch = new EmbeddedChannel(new FrontendMessageDecoder());
        assertThat(feedWhole(ch, concat(bytes(cancel), bytes(STARTUP)))).containsExactly(cancel);
        assertThat(feedWhole(ch, new byte[] {'x', 1, 2})).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldRefuseUnencryptedDataAfterSslRequest() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrontendMessageDecoder());
        LrepException e = violation(ch, concat(bytes(new FrontendMessage.SSLRequest()), bytes(STARTUP)));
        assertThat(e.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        assertThat(e.getMessage()).isEqualTo("received unencrypted data after SSL request");
        assertThat(CodecTestSupport.drain(ch)).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldRefuseBadStartupPackets() {
        assertThat(violation(new EmbeddedChannel(new FrontendMessageDecoder()), new byte[] {0, 0, 0, 4, 0, 3, 0, 0})
                .getMessage()).isEqualTo("invalid length of startup packet");
        assertThat(violation(new EmbeddedChannel(new FrontendMessageDecoder()), new byte[] {0, 0, 0x27, 0x11})
                .getMessage()).isEqualTo("invalid length of startup packet");
        LrepException v2 = violation(new EmbeddedChannel(new FrontendMessageDecoder()),
                new byte[] {0, 0, 0, 9, 0, 2, 0, 0, 0});
        assertThat(v2.sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED);
        assertThat(v2.getMessage()).isEqualTo("unsupported frontend protocol 2.0: server supports 3.0 to 3.0");
        // "user\0alice" with no terminator
        byte[] noTerminator = concat(new byte[] {0, 0, 0, 18, 0, 3, 0, 0}, "user\0alice".getBytes(StandardCharsets.US_ASCII));
        assertThat(violation(new EmbeddedChannel(new FrontendMessageDecoder()), noTerminator).getMessage())
                .isEqualTo("invalid startup packet layout: expected terminator as last byte");
        byte[] danglingName = concat(new byte[] {0, 0, 0, 14, 0, 3, 0, 0}, "user\0\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(violation(new EmbeddedChannel(new FrontendMessageDecoder()), danglingName).sqlState())
                .isEqualTo(SqlState.PROTOCOL_VIOLATION);
        byte[] cancelTooLong = new byte[] {0, 0, 0, 20, 4, (byte) 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};
        assertThat(violation(new EmbeddedChannel(new FrontendMessageDecoder()), cancelTooLong).getMessage())
                .isEqualTo("invalid message format");
    }

    @Test
    void shouldRefuseUnknownTypeOnceThenDiscard() {
        EmbeddedChannel ch = afterStartup();
        LrepException e = violation(ch, concat(new byte[] {'x', 0, 0, 0, 4}, bytes(new FrontendMessage.Sync())));
        assertThat(e.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        assertThat(e.getMessage()).isEqualTo("invalid frontend message type 120");
        assertThat(e.severity()).isEqualTo(LrepException.Severity.FATAL);
        assertThat(((FrontendMessageDecoder) ch.pipeline().first()).isFailed()).isTrue();
        // later input is discarded without another error
        assertThat(feedWhole(ch, bytes(new FrontendMessage.Sync()))).isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldRefuseUnknownTypeBeforeItsLengthArrives() {
        EmbeddedChannel ch = afterStartup();
        assertThat(violation(ch, new byte[] {0}).getMessage()).isEqualTo("invalid frontend message type 0");
    }

    @Test
    void shouldRefuseBadLengthsBeforeBuffering() {
        assertThat(violation(afterStartup(), new byte[] {'Q', 0, 0, 0, 3}).getMessage()).isEqualTo("invalid message length");
        assertThat(violation(afterStartup(), new byte[] {'Q', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})
                .getMessage()).isEqualTo("invalid message length");
        EmbeddedChannel small = new EmbeddedChannel(new FrontendMessageDecoder(1024));
        feedWhole(small, bytes(STARTUP));
        // header alone says 1025: refused without waiting for the body
        assertThat(violation(small, new byte[] {'d', 0, 0, 4, 1}).getMessage()).isEqualTo("invalid message length");
        EmbeddedChannel justFits = new EmbeddedChannel(new FrontendMessageDecoder(1024));
        feedWhole(justFits, bytes(STARTUP));
        assertThat(feedWhole(justFits, bytes(new CopyData(new byte[1020])))).hasSize(1);
        assertThat(justFits.finish()).isFalse();
    }

    @Test
    void shouldRefuseFieldsThatDoNotAddUp() {
        // Query whose string has no terminator within the frame
        assertThat(violation(afterStartup(), new byte[] {'Q', 0, 0, 0, 6, 'a', 'b'}).getMessage())
                .isEqualTo("invalid string in message");
        // Execute with two bytes too many
        byte[] execute = bytes(new FrontendMessage.Execute("", 0));
        byte[] padded = concat(new byte[] {'E', 0, 0, 0, (byte) (execute.length + 1)},
                java.util.Arrays.copyOfRange(execute, 5, execute.length), new byte[] {0, 0});
        assertThat(violation(afterStartup(), padded).getMessage()).isEqualTo("invalid message format");
        // Sync with a body
        assertThat(violation(afterStartup(), new byte[] {'S', 0, 0, 0, 5, 0}).getMessage()).isEqualTo("invalid message format");
        // Bind claiming three parameters but carrying one
        ByteBuf bind = Unpooled.buffer();
        int at = Wire.beginMessage(bind, 'B');
        bind.writeBytes(new byte[] {0, 0}).writeShort(0).writeShort(3).writeInt(1).writeByte(7);
        Wire.endMessage(bind, at);
        assertThat(violation(afterStartup(), ByteBufUtil.getBytes(bind)).sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        // Bind value length below -1
        ByteBuf bad = Unpooled.buffer();
        int at2 = Wire.beginMessage(bad, 'B');
        bad.writeBytes(new byte[] {0, 0}).writeShort(0).writeShort(1).writeInt(-2).writeShort(0);
        Wire.endMessage(bad, at2);
        assertThat(violation(afterStartup(), ByteBufUtil.getBytes(bad)).sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        // Execute cut short: portal name, then only two of the four bytes of max rows
        assertThat(violation(afterStartup(), new byte[] {'E', 0, 0, 0, 7, 0, 0, 0}).getMessage())
                .isEqualTo("invalid message format");
    }

    @Test
    void shouldRefuseNulInsideEncodedStrings() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bytes(new FrontendMessage.Query("a\0b")))
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }
}
