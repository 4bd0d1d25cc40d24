package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.charset.StandardCharsets;

/** Length rules of varchar(n), character(n), name and "char". */
final class StringTypes {

    private StringTypes() {
    }

    /**
     * varchar(n) / character(n): a value longer than n characters is an error (22001) unless
     * the excess is all spaces, which is cut off; an explicit cast truncates instead. character(n)
     * pads with spaces to n. Without a typmod the value is kept as it is.
     */
    static String applyLength(PgType type, int typmod, String s, boolean explicit) {
        int max = TypMod.lengthOf(typmod);
        if (max < 0) {
            return s;
        }
        int len = s.codePointCount(0, s.length());
        if (len > max) {
            int cut = s.offsetByCodePoints(0, max);
            if (!explicit) {
                for (int i = cut; i < s.length(); i++) {
                    if (s.charAt(i) != ' ') {
                        throw new LrepException(SqlState.STRING_DATA_RIGHT_TRUNCATION,
                                "value too long for type " + TypeNames.sqlName(type) + "(" + max + ")");
                    }
                }
            }
            return s.substring(0, cut);
        }
        if (type == PgType.BPCHAR && len < max) {
            StringBuilder sb = new StringBuilder(s.length() + max - len).append(s);
            for (int i = len; i < max; i++) {
                sb.append(' ');
            }
            return sb.toString();
        }
        return s;
    }

    /** Cuts a name to at most 63 UTF-8 bytes on a character boundary. */
    static String truncateName(String s) {
        if (s.length() * 3 <= TextCodec.NAME_MAX_BYTES) {
            return s;
        }
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > TextCodec.NAME_MAX_BYTES) {
                return s.substring(0, i);
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** bpchar without its trailing spaces, as its comparisons see it. */
    static String stripTrailingSpaces(String s) {
        int e = s.length();
        while (e > 0 && s.charAt(e - 1) == ' ') {
            e--;
        }
        return s.substring(0, e);
    }

    /** The byte a "char" value holds; the empty string is the zero byte, as PostgreSQL prints it. */
    static int charByte(String v) {
        if (v.isEmpty()) {
            return 0;
        }
        if (v.length() != 1 || v.charAt(0) > 0xFF) {
            throw new LrepException(SqlState.DATATYPE_MISMATCH,
                    "\"char\" value must be one character in U+0000..U+00FF (one byte): \"" + v + "\"");
        }
        return v.charAt(0);
    }
}
