package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Server side: decodes what a client sends into {@link FrontendMessage}s. A connection starts
 * with untyped startup packets ({@code int32 length, int32 code, ...}): SSLRequest and
 * GSSENCRequest keep the decoder in that phase (the server answers one byte and the client
 * sends another startup packet); CancelRequest ends the connection's input; StartupMessage
 * switches to typed messages. A 'p' message decodes as
 * {@link FrontendMessage.AuthenticationResponse}.
 *
 * <p>Not sharable: one instance per channel.
 */
public final class FrontendMessageDecoder extends MessageFrameDecoder {

    /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
    public static final int MAX_STARTUP_PACKET_LENGTH = 10_000;

    private enum Phase { STARTUP, MESSAGES, DONE }

    private Phase phase = Phase.STARTUP;

    public FrontendMessageDecoder() {
        this(DEFAULT_MAX_MESSAGE_LENGTH);
    }

    public FrontendMessageDecoder(int maxMessageLength) {
        super(maxMessageLength);
    }

    /** True while the decoder expects a startup packet rather than typed messages. */
    public boolean inStartupPhase() {
        return phase == Phase.STARTUP;
    }

    @Override
    protected void decodeOne(ByteBuf in, List<Object> out) {
        switch (phase) {
            case STARTUP -> decodeStartup(in, out);
            case MESSAGES -> decodeTyped(in, out);
            case DONE -> in.skipBytes(in.readableBytes()); // after CancelRequest the server closes; nothing else counts
            default -> throw new IllegalStateException("phase " + phase);
        }
    }

    private void decodeStartup(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) {
            throw new ProtocolViolation("invalid length of startup packet");
        }
        if (in.readableBytes() < length) {
            return;
        }
        in.skipBytes(4);
        FrontendMessage msg = FrontendCodec.decodeStartupPacket(in.readSlice(length - 4));
        if (msg instanceof FrontendMessage.SSLRequest && in.isReadable()) {
            // bytes sent before the TLS handshake would be trusted as if encrypted (CVE-2021-23214)
            throw new ProtocolViolation("received unencrypted data after SSL request",
                    "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.");
        }
        if (msg instanceof FrontendMessage.GSSENCRequest && in.isReadable()) {
            throw new ProtocolViolation("received unencrypted data after GSSAPI encryption request",
                    "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.");
        }
        if (msg instanceof FrontendMessage.CancelRequest) {
            phase = Phase.DONE;
        } else if (msg instanceof FrontendMessage.StartupMessage) {
            phase = Phase.MESSAGES;
        }
        out.add(msg);
    }

    @Override
    protected boolean isKnownType(int type) {
        return FrontendCodec.isKnownType(type);
    }

    @Override
    protected ProtocolViolation unknownType(int type) {
        return new ProtocolViolation("invalid frontend message type " + type);
    }

    @Override
    protected Object decodeBody(int type, ByteBuf body) {
        return FrontendCodec.decode(type, body);
    }
}
