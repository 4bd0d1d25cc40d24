package io.lrep.core.protocol.replication;

import io.lrep.core.protocol.ProtocolViolation;
import io.netty.buffer.ByteBuf;

/** Length checks and error text shared by the replication message readers. */
final class Checks {

    private Checks() {
    }

    /** A type byte for an error message: the character if printable, else its code. */
    static String describe(byte type) {
        return type >= 0x20 && type < 0x7f ? String.valueOf((char) type) : "??? (" + (type & 0xff) + ")";
    }

    /** Checks that a fixed-length message is exactly {@code length} bytes. */
    static void exactLength(ByteBuf payload, int length, String name) {
        atLeast(payload, length, name);
        int n = payload.readableBytes();
        if (n > length) {
            throw new ProtocolViolation("invalid " + name + " message length",
                    name + " message has " + length + " bytes, got " + n + ".");
        }
    }

    /** Checks that a message has at least {@code length} bytes. */
    static void atLeast(ByteBuf payload, int length, String name) {
        int n = payload.readableBytes();
        if (n < length) {
            throw new ProtocolViolation("insufficient data left in message",
                    name + " message needs " + length + " bytes, got " + n + ".");
        }
    }
}
