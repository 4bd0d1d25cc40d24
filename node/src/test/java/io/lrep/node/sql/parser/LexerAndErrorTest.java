package io.lrep.node.sql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.node.sql.ast.Expr;
import io.lrep.node.sql.ast.QueryExpr;
import io.lrep.node.sql.ast.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LexerAndErrorTest {

    private static String string(String sql) {
        return ((Expr.StringLiteral) SqlParser.parseExpression(sql)).value();
    }

    @Test
    void shouldReadStringConstants() {
        assertThat(string("'it''s'")).isEqualTo("it's");
        assertThat(string("E'a\\nb\\t\\'c\\\\'")).isEqualTo("a\nb\t'c\\");
        assertThat(string("E'\\x41\\101\\u00e9'")).isEqualTo("AAé");
        assertThat(string("'back\\slash'")).isEqualTo("back\\slash");
        assertThat(string("$$it's $ a $$")).isEqualTo("it's $ a ");
        assertThat(string("$fn$ body $$ inner $$ $fn$")).isEqualTo(" body $$ inner $$ ");
        assertThat(string("'foo'\n  'bar'")).isEqualTo("foobar");
        assertThat(string("U&'d\\0061t\\+000061'")).isEqualTo("data");
        assertThat(string("N'x'")).isEqualTo("x");
    }

    @Test
    void shouldFoldIdentifiers() {
        Expr.ColumnRef c = (Expr.ColumnRef) SqlParser.parseExpression("Foo.\"BaR\"\"x\"");
        assertThat(c.names()).containsExactly("foo", "BaR\"x");
        assertThat(((Expr.ColumnRef) SqlParser.parseExpression("U&\"d\\0061t\"")).names()).containsExactly("dat");
        assertThat(((Expr.ColumnRef) SqlParser.parseExpression("\"select\"")).names()).containsExactly("select");
    }

    @Test
    void shouldSkipComments() {
        List<Statement> s = SqlParser.parse("/* a /* nested */ comment */ SELECT 1 -- trailing\n, 2");
        assertThat(s).hasSize(1);
        assertThat(((QueryExpr.SelectCore) ((Statement.Select) s.get(0)).query().body()).targets()).hasSize(2);
        assertThat(SqlParser.parse("-- only a comment")).isEmpty();
        assertThat(SqlParser.parse("")).isEmpty();
        assertThat(SqlParser.parse(" ; ;")).isEmpty();
    }

    @Test
    void shouldApplyTrailingPlusMinusRule() {
        // "a+-b" is a + (-b): the trailing '-' is not part of the operator
        assertThat(ExprRenderer.render(SqlParser.parseExpression("a+-b"))).isEqualTo("(a + (- b))");
        assertThat(ExprRenderer.render(SqlParser.parseExpression("a*-1"))).isEqualTo("(a * -1)");
        // '@-' keeps its '-' because '@' is special
        assertThat(ExprRenderer.render(SqlParser.parseExpression("a @- b"))).isEqualTo("(a @- b)");
        assertThat(ExprRenderer.render(SqlParser.parseExpression("a<=b"))).isEqualTo("(a <= b)");
        assertThat(ExprRenderer.render(SqlParser.parseExpression("a--b\n+c"))).isEqualTo("(a + c)");
    }

    @Test
    void shouldAcceptNonReservedKeywordsAsColumnNames() {
        Statement.Select s = (Statement.Select) SqlParser.parseOne(
                "SELECT name, type, key, value, position, text, data, action, level FROM t WHERE name = 'x'");
        QueryExpr.SelectCore core = (QueryExpr.SelectCore) s.query().body();
        assertThat(core.targets()).extracting(t -> ((Expr.ColumnRef) t.expr()).column())
                .containsExactly("name", "type", "key", "value", "position", "text", "data", "action", "level");
        Statement ct = SqlParser.parseOne("CREATE TABLE kv (key text PRIMARY KEY, value text, name text, type int)");
        assertThat(((Statement.CreateTable) ct).columns()).hasSize(4);
    }

    private static LrepException error(String sql) {
        try {
            SqlParser.parse(sql);
        } catch (LrepException e) {
            return e;
        }
        throw new AssertionError("no error for: " + sql);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', textBlock = """
            SELECT * FRM t                 # syntax error at or near "FRM"           # 10
            SELECT 1 +                      # syntax error at end of input            # 11
            SELECT 1 FROM                   # syntax error at end of input            # 14
            SELECT 'abc                     # unterminated quoted string at or near "'abc" # 8
            SELECT 1; SELEC 2               # syntax error at or near "SELEC"         # 11
            SELECT (1                       # syntax error at end of input            # 10
            SELECT 1 FROM t WHERE           # syntax error at end of input            # 22
            SELECT 1 /* x                   # unterminated /* comment at or near "/* x" # 10
            SELECT "abc                     # unterminated quoted identifier at or near ""abc" # 8
            SELECT $$abc                    # unterminated dollar-quoted string at or near "$$abc" # 8
            SELECT 123abc                   # trailing junk after numeric literal at or near "123abc" # 8
            SELECT 1.5x                     # trailing junk after numeric literal at or near "1.5x" # 8
            SELECT $1abc                    # trailing junk after parameter at or near "$1abc" # 8
            SELECT ""                       # zero-length delimited identifier at or near \"\"\"\" # 8
            INSERT INTO t VALUES (1,)       # syntax error at or near ")"             # 25
            CREATE TABEL t (a int)          # syntax error at or near "TABEL"         # 8
            SELECT * FROM (SELECT 1)        # subquery in FROM must have an alias     # 15
            """)
    void shouldReportPostgresSyntaxErrors(String sql, String message, int position) {
        LrepException e = error(sql);
        assertThat(e.sqlState()).isEqualTo(SqlState.SYNTAX_ERROR);
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.position()).isEqualTo(position);
    }

    @Test
    void shouldCountPositionsInCharacters() {
        LrepException e = error("SELECT '😀', 'é' FRM t");
        assertThat(e.getMessage()).isEqualTo("syntax error at or near \"t\"");
        assertThat(e.position()).isEqualTo(21);
    }

    @Test
    void shouldGiveEachStatementItsSpan() {
        String sql = "  SELECT 1 ;INSERT INTO t VALUES (1);; COMMIT";
        List<Statement> all = SqlParser.parse(sql);
        assertThat(all).extracting(s -> s.span().text()).containsExactly("SELECT 1", "INSERT INTO t VALUES (1)",
                "COMMIT");
        assertThat(all.get(1).span().start()).isEqualTo(12);
        assertThat(all.get(1).pos()).isEqualTo(13);
    }
}
