package io.lrep.node.sql.ast;

/**
 * Where one statement sits in the query string it was parsed from.
 *
 * @param start 0-based char offset of the statement's first token
 * @param end 0-based char offset just past its last token (the ';' excluded)
 * @param text the statement's own text, {@code sql.substring(start, end)}
 */
public record SourceSpan(int start, int end, String text) {

    /** A span for a statement built by hand (tests, internal statements). */
    public static SourceSpan of(String text) {
        return new SourceSpan(0, text.length(), text);
    }
}
