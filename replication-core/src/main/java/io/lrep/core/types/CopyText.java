package io.lrep.core.types;

import java.util.ArrayList;
import java.util.List;

/**
 * COPY's text format (PostgreSQL's copyfromparse.c CopyReadAttributesText): one line of a
 * COPY text stream, without its newline, split into its fields.
 */
public final class CopyText {

    private CopyText() {
    }

    /**
     * Splits {@code line} on {@code delimiter} and decodes each field's backslash escapes
     * ({@code \b \f \n \r \t \v}, {@code \x} plus one or two hex digits, one to three octal
     * digits, any other character standing for itself). A field whose raw text equals
     * {@code nullString} (compared before decoding, as PostgreSQL does) is null.
     */
    public static List<String> fields(String line, char delimiter, String nullString) {
        List<String> out = new ArrayList<>();
        int n = line.length();
        int start = 0;
        while (true) {
            int i = start;
            while (i < n && line.charAt(i) != delimiter && line.charAt(i) != '\\') {
                i++;
            }
            if (i < n && line.charAt(i) == '\\') {
                start = escapedField(line, start, delimiter, nullString, out); // the rare field with escapes
            } else {
                boolean isNull = i - start == nullString.length() && line.startsWith(nullString, start);
                out.add(isNull ? null : line.substring(start, i));
                start = i + 1;
            }
            if (start > n) {
                return out;
            }
        }
    }

    /**
     * Decodes the field starting at {@code start} into {@code out}; returns the position after
     * its delimiter, or {@code line.length() + 1} when it ends the line.
     */
    private static int escapedField(String line, int start, char delimiter, String nullString, List<String> out) {
        StringBuilder raw = new StringBuilder();
        StringBuilder val = new StringBuilder();
        int i = start;
        for (; i < line.length() && line.charAt(i) != delimiter; i++) {
            char c = line.charAt(i);
            if (c != '\\' || i + 1 >= line.length()) {
                raw.append(c);
                val.append(c);
                continue;
            }
            char n = line.charAt(++i);
            raw.append(c).append(n);
            switch (n) {
                case 'b' -> val.append('\b');
                case 'f' -> val.append('\f');
                case 'n' -> val.append('\n');
                case 'r' -> val.append('\r');
                case 't' -> val.append('\t');
                case 'v' -> val.append('\u000b');
                case 'x' -> i = digits(line, i, 16, 2, raw, val, 'x');
                default -> {
                    if (n >= '0' && n <= '7') {
                        i = digits(line, i - 1, 8, 3, raw, val, n);
                    } else {
                        val.append(n);
                    }
                }
            }
        }
        out.add(raw.toString().equals(nullString) ? null : val.toString());
        return i + 1;
    }

    /**
     * Decodes up to {@code max} digits of {@code radix} after position {@code at}; with none,
     * appends {@code bare}. Returns the position of the last character consumed.
     */
    private static int digits(String line, int at, int radix, int max, StringBuilder raw, StringBuilder val, char bare) {
        int k = at + 1;
        int v = 0;
        while (k < line.length() && k <= at + max && Character.digit(line.charAt(k), radix) >= 0) {
            v = v * radix + Character.digit(line.charAt(k), radix);
            if (k > at + 1 || radix == 16) {
                raw.append(line.charAt(k));
            }
            k++;
        }
        if (k == at + 1) {
            val.append(bare);
            return at;
        }
        val.append((char) v);
        return k - 1;
    }
}
