package io.lrep.core.protocol.pgoutput;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Bytes written field by field from the documented layouts: big-endian integers, String = UTF-8 + NUL. */
final class Layout {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Layout of(char type) {
        return new Layout().byte1(type);
    }

    Layout byte1(int b) {
        out.write(b);
        return this;
    }

    Layout int16(int v) {
        return byte1(v >>> 8).byte1(v);
    }

    Layout int32(int v) {
        return int16(v >>> 16).int16(v);
    }

    Layout int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    Layout string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        return byte1(0);
    }

    Layout raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** A text column: 't', int32 length, bytes. */
    Layout text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return byte1('t').int32(b.length).raw(b);
    }

    byte[] build() {
        return out.toByteArray();
    }
}
