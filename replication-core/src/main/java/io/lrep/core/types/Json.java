package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small JSON parser with PostgreSQL's json/jsonb rules: the RFC 8259 grammar as PostgreSQL's
 * lexer applies it (numbers {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}, strings
 * without raw control characters, surrogate escapes in pairs), and jsonb's normalized text:
 * object keys sorted by UTF-8 length then bytes, the last duplicate winning, numbers as
 * numeric prints them, {@code ": "} and {@code ", "} separators.
 *
 * <p>Trees: object = {@link TreeMap} in jsonb key order, array = {@link List}, string =
 * {@link String}, number = {@link BigDecimal}, true/false = {@link Boolean}, null = {@link #NULL}.
 */
final class Json {

    /** JSON null in a tree. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** jsonb's key order: shorter UTF-8 first, then bytewise. */
    static final Comparator<String> KEY_ORDER = (a, b) -> {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        return Arrays.compareUnsigned(x, y);
    };

    /** Deepest nesting accepted; PostgreSQL's limit is its stack depth, ours is explicit. */
    static final int MAX_DEPTH = 1000;

    private final String text;
    private final boolean jsonb;
    private int pos;
    private int depth;

    private Json(String text, boolean jsonb) {
        this.text = text;
        this.jsonb = jsonb;
    }

    /** Checks json syntax; the text is kept as it is. */
    static void validate(String text) {
        Json p = new Json(text, false);
        p.document();
    }

    /** Parses as jsonb does, into a tree. */
    static Object parseJsonb(String text) {
        return new Json(text, true).document();
    }

    /** The jsonb output text of a tree. */
    static String format(Object tree) {
        StringBuilder sb = new StringBuilder();
        write(sb, tree);
        return sb.toString();
    }

    /** jsonb normalization of json text. */
    static String normalize(String text) {
        return format(parseJsonb(text));
    }

    private Object document() {
        skipSpace();
        Object v = value();
        skipSpace();
        if (pos < text.length()) {
            throw syntax("Expected end of input, but found \"" + token() + "\".");
        }
        return v;
    }

    private Object value() {
        if (pos >= text.length()) {
            throw syntax("The input string ended unexpectedly.");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                if (c == '}' || c == ']' || c == ',' || c == ':') {
                    throw syntax("Expected JSON value, but found \"" + c + "\".");
                }
                throw syntax("Token \"" + token() + "\" is invalid.");
        }
    }

    private Object object() {
        enter();
        Map<String, Object> map = jsonb ? new TreeMap<>(KEY_ORDER) : null;
        skipSpace();
        if (peek() == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw expected("string");
            }
            String key = string();
            skipSpace();
            if (peek() != ':') {
                throw expected("\":\"");
            }
            pos++;
            skipSpace();
            Object v = value();
            if (map != null) {
                map.put(key, v);
            }
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                depth--;
                return map;
            }
            if (c != ',') {
                pos--;
                throw expected("\",\" or \"}\"");
            }
        }
    }

    private Object array() {
        enter();
        List<Object> list = jsonb ? new ArrayList<>() : null;
        skipSpace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipSpace();
            Object v = value();
            if (list != null) {
                list.add(v);
            }
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                depth--;
                return list;
            }
            if (c != ',') {
                pos--;
                throw expected("\",\" or \"]\"");
            }
        }
    }

    private void enter() {
        pos++;
        if (++depth > MAX_DEPTH) {
            throw new LrepException(SqlState.STATEMENT_TOO_COMPLEX, "stack depth limit exceeded")
                    .withDetail("JSON nesting is deeper than " + MAX_DEPTH + " levels.");
        }
    }

    private Object literal(String word, Object v) {
        String t = token();
        if (!t.equals(word)) {
            throw syntax("Token \"" + t + "\" is invalid.");
        }
        pos += word.length();
        return v;
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw syntax("Token \"" + tokenFrom(start) + "\" is invalid.");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw syntax("Token \"" + tokenFrom(start) + "\" is invalid.");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw syntax("Token \"" + tokenFrom(start) + "\" is invalid.");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (pos < text.length() && isWordChar(text.charAt(pos))) {
            throw syntax("Token \"" + tokenFrom(start) + "\" is invalid.");
        }
        return jsonb ? NumericText.checkLimits(NumericText.normalize(new BigDecimal(text.substring(start, pos)))) : null;
    }

    private String string() {
        pos++;
        StringBuilder sb = jsonb ? new StringBuilder() : null;
        int pendingHigh = -1;
        while (true) {
            if (pos >= text.length()) {
                throw syntax("The input string ended unexpectedly.");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                if (pendingHigh >= 0) {
                    throw unicode("Unicode high surrogate must not be followed by a non-surrogate.");
                }
                return sb == null ? null : sb.toString();
            }
            if (c < 0x20) {
                throw syntax("Character with value 0x" + String.format("%02x", (int) c) + " must be escaped.");
            }
            if (c != '\\') {
                if (pendingHigh >= 0) {
                    throw unicode("Unicode low surrogate must follow a high surrogate.");
                }
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (pos >= text.length()) {
                throw syntax("The input string ended unexpectedly.");
            }
            char e = text.charAt(pos++);
            if (e == 'u') {
                int cp = 0;
                for (int i = 0; i < 4; i++) {
                    int d = pos < text.length() ? Character.digit(text.charAt(pos), 16) : -1;
                    if (d < 0) {
                        throw syntax("\"\\u\" must be followed by four hexadecimal digits.");
                    }
                    cp = cp * 16 + d;
                    pos++;
                }
                if (!jsonb) {
                    continue; // json keeps escapes as written: PostgreSQL only checks them when de-escaping
                }
                if (Character.isHighSurrogate((char) cp)) {
                    if (pendingHigh >= 0) {
                        throw unicode("Unicode high surrogate must not follow a high surrogate.");
                    }
                    pendingHigh = cp;
                } else if (Character.isLowSurrogate((char) cp)) {
                    if (pendingHigh < 0) {
                        throw unicode("Unicode low surrogate must follow a high surrogate.");
                    }
                    if (sb != null) {
                        sb.append((char) pendingHigh).append((char) cp);
                    }
                    pendingHigh = -1;
                } else {
                    if (pendingHigh >= 0) {
                        throw unicode("Unicode low surrogate must follow a high surrogate.");
                    }
                    if (cp == 0 && jsonb) {
                        throw new LrepException(SqlState.UNTRANSLATABLE_CHARACTER, "unsupported Unicode escape sequence")
                                .withDetail("\\u0000 cannot be converted to text.");
                    }
                    if (sb != null) {
                        sb.append((char) cp);
                    }
                }
                continue;
            }
            if (pendingHigh >= 0) {
                throw unicode("Unicode low surrogate must follow a high surrogate.");
            }
            char out;
            switch (e) {
                case '"': out = '"'; break;
                case '\\': out = '\\'; break;
                case '/': out = '/'; break;
                case 'b': out = '\b'; break;
                case 'f': out = '\f'; break;
                case 'n': out = '\n'; break;
                case 'r': out = '\r'; break;
                case 't': out = '\t'; break;
                default:
                    pos--;
                    throw syntax("Escape sequence \"\\" + token() + "\" is invalid.");
            }
            if (sb != null) {
                sb.append(out);
            }
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private String token() {
        return tokenFrom(pos);
    }

    private String tokenFrom(int start) {
        if (start >= text.length()) {
            return "";
        }
        int end = start;
        while (end < text.length() && isWordChar(text.charAt(end))) {
            end++;
        }
        return text.substring(start, Math.max(end, start + 1));
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '+' || c == '.' || c >= 0x80;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private LrepException expected(String what) {
        if (pos >= text.length()) {
            return syntax("The input string ended unexpectedly.");
        }
        return syntax("Expected " + what + ", but found \"" + token() + "\".");
    }

    private static LrepException syntax(String detail) {
        return new LrepException(SqlState.INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json")
                .withDetail(detail);
    }

    private static LrepException unicode(String detail) {
        return syntax(detail);
    }

    // ---------------------------------------------------------------- output

    @SuppressWarnings("unchecked")
    private static void write(StringBuilder sb, Object v) {
        if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                quote(sb, e.getKey());
                sb.append(": ");
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List) {
            sb.append('[');
            boolean first = true;
            for (Object o : (List<Object>) v) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else if (v instanceof String) {
            quote(sb, (String) v);
        } else if (v instanceof BigDecimal) {
            sb.append(NumericText.format((BigDecimal) v));
        } else if (v instanceof Boolean) {
            sb.append(((Boolean) v) ? "true" : "false");
        } else {
            sb.append("null");
        }
    }

    /** PostgreSQL's escape_json. */
    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    // ---------------------------------------------------------------- ordering

    /**
     * jsonb ordering: Object &gt; Array &gt; Boolean &gt; Number &gt; String &gt; Null; containers
     * with more members are greater; then members in storage order. A top-level scalar is a
     * one-element array that sorts before a real one-element array, so {@code []} sorts below
     * every scalar.
     */
    static int compareTop(Object a, Object b) {
        boolean sa = !(a instanceof Map) && !(a instanceof List);
        boolean sb = !(b instanceof Map) && !(b instanceof List);
        if (sa && sb) {
            return compare(a, b);
        }
        if (sa && b instanceof List) {
            int nb = ((List<?>) b).size();
            return nb != 1 ? Integer.compare(1, nb) : -1;
        }
        if (sb && a instanceof List) {
            int na = ((List<?>) a).size();
            return na != 1 ? Integer.compare(na, 1) : 1;
        }
        return compare(a, b);
    }

    @SuppressWarnings("unchecked")
    static int compare(Object a, Object b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        switch (ra) {
            case 0:
                return 0;
            case 1:
                return Values.compareCodePoints((String) a, (String) b);
            case 2:
                return ((BigDecimal) a).compareTo((BigDecimal) b);
            case 3:
                return Boolean.compare((Boolean) a, (Boolean) b);
            case 4: {
                List<Object> x = (List<Object>) a;
                List<Object> y = (List<Object>) b;
                if (x.size() != y.size()) {
                    return Integer.compare(x.size(), y.size());
                }
                for (int i = 0; i < x.size(); i++) {
                    int c = compare(x.get(i), y.get(i));
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            }
            default: {
                Map<String, Object> x = (Map<String, Object>) a;
                Map<String, Object> y = (Map<String, Object>) b;
                if (x.size() != y.size()) {
                    return Integer.compare(x.size(), y.size());
                }
                var ix = x.entrySet().iterator();
                var iy = y.entrySet().iterator();
                while (ix.hasNext()) {
                    var ex = ix.next();
                    var ey = iy.next();
                    int c = Values.compareCodePoints(ex.getKey(), ey.getKey());
                    if (c != 0) {
                        return c;
                    }
                    c = compare(ex.getValue(), ey.getValue());
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            }
        }
    }

    private static int rank(Object v) {
        if (v instanceof String) {
            return 1;
        }
        if (v instanceof BigDecimal) {
            return 2;
        }
        if (v instanceof Boolean) {
            return 3;
        }
        if (v instanceof List) {
            return 4;
        }
        if (v instanceof Map) {
            return 5;
        }
        return 0;
    }

    /** A hash consistent with {@link #compare}: numbers hash by value, not scale. */
    @SuppressWarnings("unchecked")
    static int hash(Object v) {
        if (v instanceof Map) {
            int h = 5;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                h = h * 31 + e.getKey().hashCode();
                h = h * 31 + hash(e.getValue());
            }
            return h;
        }
        if (v instanceof List) {
            int h = 4;
            for (Object o : (List<Object>) v) {
                h = h * 31 + hash(o);
            }
            return h;
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).stripTrailingZeros().hashCode();
        }
        return v.hashCode();
    }
}
