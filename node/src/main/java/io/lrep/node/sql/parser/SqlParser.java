package io.lrep.node.sql.parser;

import io.lrep.node.sql.ast.Expr;
import io.lrep.node.sql.ast.Statement;
import java.util.List;

/**
 * Entry points of the SQL parser. Thread-safe; each call parses independently.
 *
 * <p>Errors are {@link io.lrep.core.error.LrepException}s with PostgreSQL's SQLSTATE (42601
 * for syntax errors), message text and 1-based position: {@code syntax error at or near "FRM"},
 * {@code syntax error at end of input}, {@code unterminated quoted string at or near "'abc"}.
 */
public final class SqlParser {

    private static final StatementRegistry STANDARD = StatementRegistry.standard();

    private SqlParser() {
    }

    /**
     * Parses a query string of zero or more statements separated by ';' (empty statements are
     * skipped; an empty or comment-only string gives an empty list). Each statement carries its
     * own text span. As in PostgreSQL, a syntax error anywhere fails the whole string.
     */
    public static List<Statement> parse(String sql) {
        return parse(sql, STANDARD);
    }

    /** As {@link #parse(String)}, with a custom set of statement parsers. */
    public static List<Statement> parse(String sql, StatementRegistry registry) {
        return new Parser(sql, registry).statements();
    }

    /** Parses exactly one statement; 42601 if the string holds none or more than one. */
    public static Statement parseOne(String sql) {
        List<Statement> all = parse(sql);
        if (all.size() != 1) {
            throw new io.lrep.core.error.LrepException(io.lrep.core.error.SqlState.SYNTAX_ERROR,
                    "expected exactly one statement, found " + all.size());
        }
        return all.get(0);
    }

    /** Parses a single value expression (a whole string, e.g. a column DEFAULT). */
    public static Expr parseExpression(String sql) {
        Parser p = new Parser(sql, STANDARD);
        Expr e = p.expr();
        if (p.peek().kind() != Token.Kind.EOF) {
            throw p.syntaxError();
        }
        return e;
    }
}
