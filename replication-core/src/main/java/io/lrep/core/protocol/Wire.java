package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Primitive reads and writes of the protocol: big-endian integers, NUL-terminated UTF-8 strings,
 * and a message frame whose int32 length (which counts itself) is back-patched at the end.
 */
public final class Wire {

    private Wire() {
    }

    /** Writes a type byte and a length placeholder; returns where the length goes. */
    public static int beginMessage(ByteBuf out, char type) {
        out.writeByte(type);
        return beginPacket(out);
    }

    /** Writes a length placeholder (untyped startup packets); returns where the length goes. */
    public static int beginPacket(ByteBuf out) {
        int at = out.writerIndex();
        out.writeInt(0);
        return at;
    }

    /** Back-patches the length written at {@code at}: everything from there to the writer index. */
    public static void endMessage(ByteBuf out, int at) {
        out.setInt(at, out.writerIndex() - at);
    }

    /** Writes a string as UTF-8 followed by NUL. */
    public static void writeString(ByteBuf out, String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("string contains a NUL character: " + s.replace('\0', '?'));
        }
        ByteBufUtil.writeUtf8(out, s);
        out.writeByte(0);
    }

    /** Reads a NUL-terminated UTF-8 string. */
    public static String readString(ByteBuf in) {
        int len = in.bytesBefore((byte) 0);
        if (len < 0) {
            throw new ProtocolViolation("invalid string in message");
        }
        String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
        in.skipBytes(len + 1);
        return s;
    }

    /** Reads {@code n} bytes into a new array. */
    public static byte[] readBytes(ByteBuf in, int n) {
        if (n < 0 || n > in.readableBytes()) {
            throw new ProtocolViolation("insufficient data left in message");
        }
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    /** Reads the rest of the buffer into a new array. */
    public static byte[] readRest(ByteBuf in) {
        return readBytes(in, in.readableBytes());
    }

    /** Reads an int16 count followed by that many int16 values. */
    static List<Integer> readInt16List(ByteBuf in) {
        int n = in.readUnsignedShort();
        List<Integer> list = new ArrayList<>(Math.min(n, in.readableBytes() / 2 + 1));
        for (int i = 0; i < n; i++) {
            list.add((int) in.readShort());
        }
        return List.copyOf(list);
    }

    /** Writes an int16 count followed by the int16 values. */
    static void writeInt16List(ByteBuf out, List<Integer> values) {
        out.writeShort(values.size());
        for (int v : values) {
            out.writeShort(v);
        }
    }

    /** Reads an int16 count followed by that many int32 length-prefixed values (-1 = NULL). */
    static byte[][] readValues(ByteBuf in) {
        int n = in.readUnsignedShort();
        if (n * 4L > in.readableBytes()) {
            throw new ProtocolViolation("insufficient data left in message");
        }
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            int len = in.readInt();
            if (len < -1) {
                throw new ProtocolViolation("invalid message format", "Value length " + len + " is negative.");
            }
            values[i] = len == -1 ? null : readBytes(in, len);
        }
        return values;
    }

    /** Writes an int16 count followed by int32 length-prefixed values (-1 = NULL). */
    static void writeValues(ByteBuf out, byte[][] values) {
        out.writeShort(values.length);
        for (byte[] v : values) {
            if (v == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(v.length);
                out.writeBytes(v);
            }
        }
    }

    static byte[][] copy(byte[][] values) {
        byte[][] c = values.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] = c[i] == null ? null : c[i].clone();
        }
        return c;
    }

    static String describe(byte[][] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(values[i] == null ? "NULL" : values[i].length + " bytes");
        }
        return sb.append(']').toString();
    }

    static boolean equal(byte[][] a, byte[][] b) {
        return Arrays.deepEquals(a, b);
    }
}
