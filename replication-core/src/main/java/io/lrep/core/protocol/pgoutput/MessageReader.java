package io.lrep.core.protocol.pgoutput;

import io.lrep.core.protocol.ProtocolViolation;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one pgoutput message, checking each against the bytes left so that a
 * short or garbled message fails with 08P01 naming the message and the field.
 */
final class MessageReader {

    private final ByteBuf in;
    private final String message;

    MessageReader(ByteBuf in, String message) {
        this.in = in;
        this.message = message;
    }

    private void need(int n, String field) {
        if (in.readableBytes() < n) {
            throw new ProtocolViolation("insufficient data left in message",
                    message + " message ends before its " + field + " (" + n + " bytes needed, " + in.readableBytes() + " left).");
        }
    }

    byte int8(String field) {
        need(1, field);
        return in.readByte();
    }

    int uint16(String field) {
        need(2, field);
        return in.readUnsignedShort();
    }

    int int32(String field) {
        need(4, field);
        return in.readInt();
    }

    long int64(String field) {
        need(8, field);
        return in.readLong();
    }

    /** A NUL-terminated UTF-8 string. */
    String string(String field) {
        int len = in.bytesBefore((byte) 0);
        if (len < 0) {
            throw new ProtocolViolation("invalid string in message",
                    message + " message's " + field + " has no NUL terminator.");
        }
        String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
        in.skipBytes(len + 1);
        return s;
    }

    /** An int32 length (which must fit in what is left) and that many bytes. */
    byte[] counted(String field) {
        if (in.readableBytes() < 4) {
            need(4, field + " length"); // throws; the name is built only for the error
        }
        int len = in.readInt();
        if (len < 0 || len > in.readableBytes()) {
            throw new ProtocolViolation("insufficient data left in message",
                    message + " message's " + field + " claims " + len + " bytes, " + in.readableBytes() + " left.");
        }
        byte[] b = new byte[len];
        in.readBytes(b);
        return b;
    }

    int remaining() {
        return in.readableBytes();
    }
}
