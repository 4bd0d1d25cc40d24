package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** One-dimensional array text ({@code {1,2,NULL,"a b"}}), as array_in / array_out. */
public final class ArrayText {

    private ArrayText() {}

    public static String format(PgType arrayType, Object[] values, ZoneId zone) {
        PgType el = arrayType.elementType() == null ? PgType.TEXT : arrayType.elementType();
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            if (values[i] == null) {
                sb.append("NULL");
                continue;
            }
            String s = Casts.output(el, values[i], zone);
            if (s.isEmpty() || s.equalsIgnoreCase("null") || s.chars().anyMatch(c -> c == '"' || c == '\\' || c == '{' || c == '}'
                    || c == ',' || Character.isWhitespace(c))) {
                sb.append('"');
                for (int k = 0; k < s.length(); k++) {
                    char c = s.charAt(k);
                    if (c == '"' || c == '\\') {
                        sb.append('\\');
                    }
                    sb.append(c);
                }
                sb.append('"');
            } else {
                sb.append(s);
            }
        }
        return sb.append('}').toString();
    }

    public static Object[] parse(PgType arrayType, String text, ZoneId zone) {
        PgType el = arrayType.elementType() == null ? PgType.TEXT : arrayType.elementType();
        String t = text.trim();
        if (t.length() < 2 || t.charAt(0) != '{' || t.charAt(t.length() - 1) != '}') {
            throw new LrepException(SqlState.INVALID_TEXT_REPRESENTATION, "malformed array literal: \"" + text + "\"")
                    .withDetail("Array value must start with \"{\" or dimension information.");
        }
        List<Object> out = new ArrayList<>();
        int i = 1;
        int end = t.length() - 1;
        while (i < end) {
            while (i < end && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            StringBuilder sb = new StringBuilder();
            boolean quoted = false;
            if (i < end && t.charAt(i) == '"') {
                quoted = true;
                i++;
                while (i < end && t.charAt(i) != '"') {
                    if (t.charAt(i) == '\\' && i + 1 < end) {
                        i++;
                    }
                    sb.append(t.charAt(i++));
                }
                i++;
            } else {
                while (i < end && t.charAt(i) != ',') {
                    if (t.charAt(i) == '\\' && i + 1 < end) {
                        i++;
                    }
                    sb.append(t.charAt(i++));
                }
            }
            String item = quoted ? sb.toString() : sb.toString().trim();
            out.add(!quoted && item.equalsIgnoreCase("NULL") ? null : Casts.input(el, -1, item, zone));
            while (i < end && t.charAt(i) != ',') {
                i++;
            }
            i++;
        }
        return out.toArray();
    }
}
