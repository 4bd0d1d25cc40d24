package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Client side: decodes what a server sends into {@link BackendMessage}s. The one-byte answer to
 * SSLRequest/GSSENCRequest is not a message: read it before adding this decoder.
 *
 * <p>Not sharable: one instance per channel.
 */
public final class BackendMessageDecoder extends MessageFrameDecoder {

    public BackendMessageDecoder() {
        this(DEFAULT_MAX_MESSAGE_LENGTH);
    }

    public BackendMessageDecoder(int maxMessageLength) {
        super(maxMessageLength);
    }

    @Override
    protected boolean isKnownType(int type) {
        return BackendCodec.isKnownType(type);
    }

    @Override
    protected ProtocolViolation unknownType(int type) {
        return new ProtocolViolation("invalid backend message type " + type);
    }

    @Override
    protected Object decodeBody(int type, ByteBuf body) {
        return BackendCodec.decode(type, body);
    }
}
