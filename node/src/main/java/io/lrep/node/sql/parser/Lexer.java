package io.lrep.node.sql.parser;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into tokens by PostgreSQL 15's lexical rules (scan.l), with
 * standard_conforming_strings on: unquoted identifiers fold to lower case, "quoted" ones keep
 * their case; '...' strings (adjacent literals separated by a newline are joined), E'...'
 * escapes, $tag$ dollar quoting, B'..' / X'..' bit strings, U&'..' and U&".."; numbers typed as
 * int4, int8 or numeric; $n parameters; operators with PostgreSQL's rule for a trailing + or -;
 * -- and nested /* *&#47; comments.
 */
public final class Lexer {

    private static final String OP_CHARS = "~!@#^&|`?+-*/%<>=";
    private static final String SELF_CHARS = ",()[].;:+-*/%^<>=";

    private final String sql;
    private final boolean surrogates;
    private int i;

    private Lexer(String sql) {
        this.sql = sql;
        this.surrogates = sql.chars().anyMatch(c -> Character.isSurrogate((char) c));
    }

    /** All tokens of {@code sql}, ending with one EOF token. */
    public static List<Token> tokenize(String sql) {
        return new Lexer(sql).run();
    }

    private List<Token> run() {
        List<Token> out = new ArrayList<>();
        while (true) {
            skipSpaceAndComments();
            if (i >= sql.length()) {
                out.add(new Token(Token.Kind.EOF, "", null, null, sql.length(), sql.length(), pos(sql.length())));
                return out;
            }
            out.add(next());
        }
    }

    /** 1-based character position of a char offset. */
    int pos(int offset) {
        return surrogates ? sql.codePointCount(0, offset) + 1 : offset + 1;
    }

    private LrepException error(String what, int start) {
        return new LrepException(SqlState.SYNTAX_ERROR, what + " at or near \"" + sql.substring(start) + "\"")
                .withPosition(pos(start));
    }

    private char at(int k) {
        return k < sql.length() ? sql.charAt(k) : '\0';
    }

    private void skipSpaceAndComments() {
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
                i++;
            } else if (c == '-' && at(i + 1) == '-') {
                while (i < sql.length() && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && at(i + 1) == '*') {
                int start = i;
                int depth = 0;
                while (true) {
                    if (i >= sql.length()) {
                        throw error("unterminated /* comment", start);
                    }
                    if (sql.charAt(i) == '/' && at(i + 1) == '*') {
                        depth++;
                        i += 2;
                    } else if (sql.charAt(i) == '*' && at(i + 1) == '/') {
                        depth--;
                        i += 2;
                        if (depth == 0) {
                            break;
                        }
                    } else {
                        i++;
                    }
                }
            } else {
                return;
            }
        }
    }

    private static boolean identStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean identCont(char c) {
        return identStart(c) || (c >= '0' && c <= '9') || c == '$';
    }

    private Token token(Token.Kind kind, String value, String keyword, PgType type, int start) {
        return new Token(kind, value, keyword, type, start, i, pos(start));
    }

    private Token next() {
        int start = i;
        char c = sql.charAt(i);
        char c1 = at(i + 1);
        if ((c == 'e' || c == 'E') && c1 == '\'') {
            i++;
            return token(Token.Kind.STRING, quoted(start, true), null, null, start);
        }
        if ((c == 'b' || c == 'B') && c1 == '\'') {
            i++;
            String bits = quoted(start, false);
            for (char b : bits.toCharArray()) {
                if (b != '0' && b != '1') {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "\"" + b + "\" is not a valid binary digit")
                            .withPosition(pos(start));
                }
            }
            return token(Token.Kind.BITSTRING, bits, null, null, start);
        }
        if ((c == 'x' || c == 'X') && c1 == '\'') {
            i++;
            String hex = quoted(start, false);
            StringBuilder bits = new StringBuilder();
            for (char h : hex.toCharArray()) {
                int d = Character.digit(h, 16);
                if (d < 0) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "\"" + h + "\" is not a valid hexadecimal digit")
                            .withPosition(pos(start));
                }
                String b = Integer.toBinaryString(d);
                bits.append("0".repeat(4 - b.length())).append(b);
            }
            return token(Token.Kind.BITSTRING, bits.toString(), null, null, start);
        }
        if ((c == 'n' || c == 'N') && c1 == '\'') {
            i++;
            return token(Token.Kind.STRING, quoted(start, false), null, null, start);
        }
        if ((c == 'u' || c == 'U') && c1 == '&' && (at(i + 2) == '\'' || at(i + 2) == '"')) {
            i += 2;
            if (sql.charAt(i) == '\'') {
                return token(Token.Kind.STRING, unicodeEscapes(quoted(start, false), start), null, null, start);
            }
            String name = quotedIdent(start);
            return token(Token.Kind.IDENT, unicodeEscapes(name, start), null, null, start);
        }
        if (c == '\'') {
            return token(Token.Kind.STRING, quoted(start, false), null, null, start);
        }
        if (c == '"') {
            return token(Token.Kind.IDENT, quotedIdent(start), null, null, start);
        }
        if (c == '$') {
            if (Character.isDigit(c1)) {
                i++;
                while (Character.isDigit(at(i))) {
                    i++;
                }
                if (identCont(at(i)) && at(i) != '$') {
                    i++;
                    throw trailingJunk("trailing junk after parameter", start);
                }
                String digits = sql.substring(start + 1, i);
                int n;
                try {
                    n = Integer.parseInt(digits);
                } catch (NumberFormatException e) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "parameter number too large")
                            .withPosition(pos(start));
                }
                return token(Token.Kind.PARAM, Integer.toString(n), null, null, start);
            }
            String tag = dollarTag(i);
            if (tag != null) {
                i += tag.length();
                int close = sql.indexOf(tag, i);
                if (close < 0) {
                    i = sql.length();
                    throw error("unterminated dollar-quoted string", start);
                }
                String body = sql.substring(i, close);
                i = close + tag.length();
                return token(Token.Kind.STRING, body, null, null, start);
            }
        }
        if (identStart(c)) {
            while (i < sql.length() && identCont(sql.charAt(i))) {
                i++;
            }
            String word = downcase(sql.substring(start, i));
            String kw = Keywords.category(word) != null ? word : null;
            return token(Token.Kind.IDENT, word, kw, null, start);
        }
        if (Character.isDigit(c) || (c == '.' && Character.isDigit(c1))) {
            return number(start);
        }
        if (c == ':' && c1 == ':') {
            i += 2;
            return token(Token.Kind.OP, "::", null, null, start);
        }
        if (c == ':' && c1 == '=') {
            i += 2;
            return token(Token.Kind.OP, ":=", null, null, start);
        }
        if (c == '.' && c1 == '.') {
            i += 2;
            return token(Token.Kind.OP, "..", null, null, start);
        }
        if (OP_CHARS.indexOf(c) >= 0) {
            return operator(start);
        }
        if (SELF_CHARS.indexOf(c) >= 0) {
            i++;
            return token(Token.Kind.OP, String.valueOf(c), null, null, start);
        }
        i++;
        throw new LrepException(SqlState.SYNTAX_ERROR, "syntax error at or near \"" + c + "\"").withPosition(pos(start));
    }

    private LrepException trailingJunk(String what, int start) {
        while (i < sql.length() && identCont(sql.charAt(i))) {
            i++;
        }
        return new LrepException(SqlState.SYNTAX_ERROR, what + " at or near \"" + sql.substring(start, i) + "\"")
                .withPosition(pos(start));
    }

    /** ASCII-only case folding, as PostgreSQL does for multibyte encodings. */
    static String downcase(String s) {
        StringBuilder b = null;
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            if (ch >= 'A' && ch <= 'Z') {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(k, (char) (ch + ('a' - 'A')));
            }
        }
        return b == null ? s : b.toString();
    }

    /** The dollar-quote delimiter starting at {@code k} ("$$" or "$tag$"), or null. */
    private String dollarTag(int k) {
        int j = k + 1;
        if (at(j) == '$') {
            return "$$";
        }
        if (!identStart(at(j))) {
            return null;
        }
        while (j < sql.length() && identCont(sql.charAt(j)) && sql.charAt(j) != '$') {
            j++;
        }
        return at(j) == '$' ? sql.substring(k, j + 1) : null;
    }

    /** A '...' literal at i (i on the quote), with continuation across newlines; E-escapes if asked. */
    private String quoted(int start, boolean escapes) {
        StringBuilder b = new StringBuilder();
        while (true) {
            i++; // opening quote
            while (true) {
                if (i >= sql.length()) {
                    throw error("unterminated quoted string", start);
                }
                char ch = sql.charAt(i);
                if (ch == '\'') {
                    if (at(i + 1) == '\'') {
                        b.append('\'');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (escapes && ch == '\\') {
                    i = escape(b, i + 1, start);
                    continue;
                }
                b.append(ch);
                i++;
            }
            // SQL continuation: whitespace containing a newline, then another quote
            int j = i;
            boolean newline = false;
            while (j < sql.length() && " \t\n\r\f".indexOf(sql.charAt(j)) >= 0) {
                newline |= sql.charAt(j) == '\n' || sql.charAt(j) == '\r';
                j++;
            }
            if (newline && at(j) == '\'') {
                i = j;
                continue;
            }
            return b.toString();
        }
    }

    private int escape(StringBuilder b, int k, int start) {
        if (k >= sql.length()) {
            throw error("unterminated quoted string", start);
        }
        char e = sql.charAt(k);
        switch (e) {
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'n' -> b.append('\n');
            case 'r' -> b.append('\r');
            case 't' -> b.append('\t');
            case 'x' -> {
                int j = k + 1;
                int v = 0;
                while (j < k + 3 && Character.digit(at(j), 16) >= 0) {
                    v = v * 16 + Character.digit(at(j), 16);
                    j++;
                }
                if (j == k + 1) {
                    b.append('x');
                    return k + 1;
                }
                b.append((char) v);
                return j;
            }
            case 'u', 'U' -> {
                int len = e == 'u' ? 4 : 8;
                int v = 0;
                for (int j = k + 1; j <= k + len; j++) {
                    int d = Character.digit(at(j), 16);
                    if (d < 0) {
                        throw new LrepException(SqlState.SYNTAX_ERROR, "invalid Unicode escape")
                                .withHint("Unicode escapes must be \\uXXXX or \\UXXXXXXXX.").withPosition(pos(k - 1));
                    }
                    v = v * 16 + d;
                }
                if (!Character.isValidCodePoint(v) || v == 0) {
                    throw new LrepException(SqlState.SYNTAX_ERROR, "invalid Unicode escape value")
                            .withPosition(pos(k - 1));
                }
                b.appendCodePoint(v);
                return k + 1 + len;
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int j = k;
                    int v = 0;
                    while (j < k + 3 && at(j) >= '0' && at(j) <= '7') {
                        v = v * 8 + (at(j) - '0');
                        j++;
                    }
                    b.append((char) v);
                    return j;
                }
                b.append(e);
            }
        }
        return k + 1;
    }

    /** A "..." identifier at i. */
    private String quotedIdent(int start) {
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
            if (i >= sql.length()) {
                throw error("unterminated quoted identifier", start);
            }
            char ch = sql.charAt(i);
            if (ch == '"') {
                if (at(i + 1) == '"') {
                    b.append('"');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            b.append(ch);
            i++;
        }
        if (b.length() == 0) {
            throw new LrepException(SqlState.SYNTAX_ERROR,
                    "zero-length delimited identifier at or near \"" + sql.substring(start, i) + "\"")
                    .withPosition(pos(start));
        }
        return b.toString();
    }

    /** Applies U&amp; escapes (\XXXX, \+XXXXXX, \\). */
    private String unicodeEscapes(String s, int start) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            if (ch != '\\') {
                b.append(ch);
                continue;
            }
            if (k + 1 < s.length() && s.charAt(k + 1) == '\\') {
                b.append('\\');
                k++;
                continue;
            }
            int len = k + 1 < s.length() && s.charAt(k + 1) == '+' ? 6 : 4;
            int from = len == 6 ? k + 2 : k + 1;
            if (from + len > s.length()) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "invalid Unicode escape")
                        .withHint("Unicode escapes must be \\XXXX or \\+XXXXXX.").withPosition(pos(start));
            }
            int v;
            try {
                v = Integer.parseInt(s.substring(from, from + len), 16);
            } catch (NumberFormatException e) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "invalid Unicode escape")
                        .withHint("Unicode escapes must be \\XXXX or \\+XXXXXX.").withPosition(pos(start));
            }
            b.appendCodePoint(v);
            k = from + len - 1;
        }
        return b.toString();
    }

    private Token number(int start) {
        boolean decimal = false;
        while (Character.isDigit(at(i))) {
            i++;
        }
        if (at(i) == '.' && at(i + 1) != '.') {
            decimal = true;
            i++;
            while (Character.isDigit(at(i))) {
                i++;
            }
        }
        if ((at(i) == 'e' || at(i) == 'E')) {
            int j = i + 1;
            if (at(j) == '+' || at(j) == '-') {
                j++;
            }
            if (Character.isDigit(at(j))) {
                decimal = true;
                i = j;
                while (Character.isDigit(at(i))) {
                    i++;
                }
            } else {
                i = j;
                throw trailingJunk("trailing junk after numeric literal", start);
            }
        }
        if (identStart(at(i))) {
            i++;
            throw trailingJunk("trailing junk after numeric literal", start);
        }
        String text = sql.substring(start, i);
        PgType type = PgType.NUMERIC;
        if (!decimal) {
            try {
                long v = Long.parseLong(text);
                type = v <= Integer.MAX_VALUE ? PgType.INT4 : PgType.INT8;
            } catch (NumberFormatException e) {
                type = PgType.NUMERIC; // too large for int8: numeric, as PostgreSQL
            }
        }
        return token(Token.Kind.NUMBER, text, null, type, start);
    }

    private Token operator(int start) {
        int j = i;
        while (j < sql.length() && OP_CHARS.indexOf(sql.charAt(j)) >= 0) {
            // a comment start ends the operator
            if (j > i && ((sql.charAt(j) == '-' && at(j + 1) == '-') || (sql.charAt(j) == '/' && at(j + 1) == '*'))) {
                break;
            }
            j++;
        }
        String op = sql.substring(i, j);
        if (op.length() > 1 && (op.endsWith("+") || op.endsWith("-"))) {
            boolean special = false;
            for (char ch : op.toCharArray()) {
                if ("~!@#^&|`?%".indexOf(ch) >= 0) {
                    special = true;
                    break;
                }
            }
            if (!special) {
                int len = op.length();
                while (len > 1 && (op.charAt(len - 1) == '+' || op.charAt(len - 1) == '-')) {
                    len--;
                }
                op = op.substring(0, len);
            }
        }
        i += op.length();
        if (op.equals("!=")) {
            op = "<>";
        }
        return token(Token.Kind.OP, op.toLowerCase(Locale.ROOT), null, null, start);
    }
}
