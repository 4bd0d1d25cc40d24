package io.lrep.node.sql.parser;

import io.lrep.core.types.PgType;

/**
 * One lexical token.
 *
 * @param kind what it is
 * @param value IDENT: the case-folded name; STRING: the unescaped contents; BITSTRING: the bits;
 *     NUMBER: the digits as written; PARAM: the number; OP: the operator ({@code !=} as {@code <>})
 * @param keyword for an unquoted identifier that is a keyword, the keyword (lower case); else null
 * @param numberType for NUMBER: int4, int8 or numeric
 * @param start 0-based char offset of the token's first char
 * @param end 0-based char offset just past the token
 * @param pos 1-based character position (what ErrorResponse P reports)
 */
public record Token(Kind kind, String value, String keyword, PgType numberType, int start, int end, int pos) {

    public enum Kind { IDENT, STRING, BITSTRING, NUMBER, PARAM, OP, EOF }

    /** True for the unquoted keyword {@code kw} (lower case). */
    public boolean is(String kw) {
        return keyword != null && keyword.equals(kw);
    }

    /** True for the operator or punctuation {@code op}. */
    public boolean isOp(String op) {
        return kind == Kind.OP && value.equals(op);
    }
}
