package io.lrep.subscriber.client;

import java.util.List;
import java.util.StringJoiner;

/** SQL text for the commands and queries the subscriber sends to a publisher. */
public final class Quoting {

    private Quoting() {
    }

    /** A double-quoted identifier (always quoted: valid for every name). */
    public static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A string literal as PostgreSQL's quote_literal writes it: {@code E'...'} when it holds a backslash. */
    public static String literal(String s) {
        String body = s.replace("'", "''");
        return body.contains("\\") ? "E'" + body.replace("\\", "\\\\") + "'" : "'" + body + "'";
    }

    /** {@code 'a', 'b'}: each value a literal, comma separated. */
    public static String literals(List<String> values) {
        StringJoiner j = new StringJoiner(", ");
        for (String v : values) {
            j.add(literal(v));
        }
        return j.toString();
    }
}
