package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Identifier text as regclass input reads it: dot-separated, double-quoted parts kept, others lower-cased. */
final class Names {

    private Names() {}

    static List<String> splitQualified(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (c == '.') {
                out.add(cur.toString());
                cur.setLength(0);
                wasQuoted = false;
            } else {
                cur.append(Character.toLowerCase(c));
            }
        }
        if (quoted) {
            throw new LrepException(SqlState.INVALID_NAME, "invalid name syntax");
        }
        String last = wasQuoted ? cur.toString() : cur.toString().trim().toLowerCase(Locale.ROOT);
        out.add(last);
        for (String s : out) {
            if (s.isEmpty()) {
                throw new LrepException(SqlState.INVALID_NAME, "invalid name syntax");
            }
        }
        return out;
    }
}
