package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames typed messages ({@code byte1 type, int32 length, body}) and hands each body to a
 * subclass. The type byte is checked as soon as it arrives and the length as soon as it is
 * complete, so garbage is refused before its body is buffered. On the first
 * {@link io.lrep.core.error.LrepException} the decoder fails: the exception is raised once
 * (Netty delivers it to {@code exceptionCaught} wrapped in a DecoderException) and all later
 * input is discarded.
 */
abstract class MessageFrameDecoder extends ByteToMessageDecoder {

    /** PostgreSQL refuses anything over 1 GB; we default lower. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 64 << 20;

    private final int maxMessageLength;
    private boolean failed;

    MessageFrameDecoder(int maxMessageLength) {
        if (maxMessageLength < 4) {
            throw new IllegalArgumentException("maxMessageLength must be at least 4: " + maxMessageLength);
        }
        this.maxMessageLength = maxMessageLength;
    }

    /** The largest length field accepted. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** True once the decoder has raised an error and is discarding input. */
    public boolean isFailed() {
        return failed;
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeOne(in, out);
        } catch (RuntimeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /** Decodes at most one message (or returns without consuming when one is incomplete). */
    protected void decodeOne(ByteBuf in, List<Object> out) {
        decodeTyped(in, out);
    }

    /** Frames one typed message. */
    protected final void decodeTyped(ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        int start = in.readerIndex();
        int type = in.getUnsignedByte(start);
        if (!isKnownType(type)) {
            throw unknownType(type);
        }
        if (in.readableBytes() < 5) {
            return;
        }
        int length = in.getInt(start + 1);
        if (length < 4 || length > maxMessageLength) {
            throw new ProtocolViolation("invalid message length",
                    "Message type " + describeType(type) + " has length " + length + " (limit " + maxMessageLength + ").");
        }
        if (in.readableBytes() < 1 + length) {
            return;
        }
        in.skipBytes(5);
        ByteBuf body = in.readSlice(length - 4);
        out.add(decodeBody(type, body));
    }

    protected abstract boolean isKnownType(int type);

    protected abstract ProtocolViolation unknownType(int type);

    protected abstract Object decodeBody(int type, ByteBuf body);

    static String describeType(int type) {
        return type >= 0x21 && type <= 0x7E ? "'" + (char) type + "'" : Integer.toString(type);
    }
}
