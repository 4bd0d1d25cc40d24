package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** bytea text I/O: hex output ({@code bytea_output = hex}); hex and escape input. */
final class ByteaText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ByteaText() {
    }

    static String format(byte[] b) {
        char[] out = new char[2 + 2 * b.length];
        out[0] = '\\';
        out[1] = 'x';
        for (int i = 0; i < b.length; i++) {
            out[2 + 2 * i] = HEX[(b[i] >> 4) & 15];
            out[3 + 2 * i] = HEX[b[i] & 15];
        }
        return new String(out);
    }

    static byte[] parse(String text) {
        if (text.length() >= 2 && text.charAt(0) == '\\' && text.charAt(1) == 'x') {
            return parseHex(text);
        }
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int i = 0;
        while (i < in.length) {
            if (in[i] != '\\') {
                out.write(in[i++]);
            } else if (i + 3 < in.length + 0 && in[i + 1] >= '0' && in[i + 1] <= '3'
                    && in[i + 2] >= '0' && in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
                out.write(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
                i += 4;
            } else if (i + 1 < in.length && in[i + 1] == '\\') {
                out.write('\\');
                i += 2;
            } else {
                throw new LrepException(SqlState.INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea");
            }
        }
        return out.toByteArray();
    }

    private static byte[] parseHex(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() / 2);
        int i = 2;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                i++;
                continue;
            }
            int hi = hexValue(text, i);
            if (i + 1 >= n) {
                throw new LrepException(SqlState.INVALID_TEXT_REPRESENTATION,
                        "invalid hexadecimal data: odd number of digits");
            }
            int lo = hexValue(text, i + 1);
            out.write((hi << 4) | lo);
            i += 2;
        }
        return out.toByteArray();
    }

    private static int hexValue(String text, int i) {
        char c = text.charAt(i);
        int v = c < 0x80 ? Character.digit(c, 16) : -1;
        if (v < 0) {
            throw new LrepException(SqlState.INVALID_TEXT_REPRESENTATION,
                    "invalid hexadecimal digit: \"" + new String(Character.toChars(text.codePointAt(i))) + "\"");
        }
        return v;
    }
}
