package io.lrep.core.protocol.auth;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;

/** A cursor over a SCRAM message's comma-separated {@code a=value} attributes. */
final class ScramAttributes {

    private final String text;
    private int pos;

    ScramAttributes(String text, int pos) {
        this.text = text;
        this.pos = pos;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= text.length();
    }

    char peek() {
        return atEnd() ? '\0' : text.charAt(pos);
    }

    /** Reads attribute {@code name}'s value, failing when the next attribute is another. */
    String read(char name) {
        if (peek() != name) {
            throw malformed("Expected attribute \"" + name + "\" but found \"" + sanitize(peek()) + "\".");
        }
        return readAny();
    }

    /** Reads whatever attribute comes next; its name is at {@code position()} before the call. */
    String readAny() {
        char name = peek();
        if (!((name >= 'A' && name <= 'Z') || (name >= 'a' && name <= 'z'))) {
            throw malformed("Attribute expected, but found invalid character \"" + sanitize(name) + "\".");
        }
        if (pos + 1 >= text.length() || text.charAt(pos + 1) != '=') {
            throw malformed("Expected character \"=\" for attribute \"" + name + "\".");
        }
        int start = pos + 2;
        int end = text.indexOf(',', start);
        if (end < 0) {
            end = text.length();
            pos = end;
        } else {
            pos = end + 1;
        }
        return text.substring(start, end);
    }

    static String sanitize(char c) {
        return c >= 0x21 && c <= 0x7E ? String.valueOf(c) : String.format("0x%02x", (int) c);
    }

    static boolean isPrintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    static LrepException malformed(String detail) {
        return new LrepException(SqlState.PROTOCOL_VIOLATION, "malformed SCRAM message").withDetail(detail);
    }
}
