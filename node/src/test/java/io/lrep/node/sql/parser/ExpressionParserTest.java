package io.lrep.node.sql.parser;

import static io.lrep.node.sql.parser.ExprRenderer.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ast.Expr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionParserTest {

    private static String r(String sql) {
        return render(SqlParser.parseExpression(sql));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', textBlock = """
            a = b IS NULL # ((a = b) IS NULL)
            -2 ^ 2 # (-2 ^ 2)
            - a ^ 2 # ((- a) ^ 2)
            NOT a = b # (NOT (a = b))
            a || b LIKE c # ((a || b) LIKE c)
            a OR b AND c # (a OR (b AND c))
            a AND b OR c AND d # ((a AND b) OR (c AND d))
            NOT a AND b # ((NOT a) AND b)
            a + b * c # (a + (b * c))
            a - b - c # ((a - b) - c)
            a * b ^ c # (a * (b ^ c))
            a ^ b ^ c # ((a ^ b) ^ c)
            a < b + 1 # (a < (b + 1))
            a = b AND c <> d # ((a = b) AND (c <> d))
            a != b # (a <> b)
            x BETWEEN 1 AND 2 + 3 # (x BETWEEN 1 AND (2 + 3))
            x NOT BETWEEN 1 AND 2 AND y # ((x NOT BETWEEN 1 AND 2) AND y)
            x NOT IN (1, 2) # (x NOT IN (1, 2))
            a NOT LIKE 'x%' ESCAPE '!' # (a NOT LIKE 'x%' ESCAPE '!')
            a ILIKE b # (a ILIKE b)
            a IS NOT DISTINCT FROM b # (a IS NOT DISTINCT FROM b)
            a IS TRUE # (a IS_TRUE)
            a IS NOT FALSE # (a IS_NOT_FALSE)
            a ISNULL # (a IS NULL)
            a NOTNULL # (a IS NOT NULL)
            -x::int # (- (x::pg_catalog.int4))
            a::text[] # (a::text[])
            '1'::numeric(10,2) # ('1'::pg_catalog.numeric(10,2))
            x::double precision # (x::pg_catalog.float8)
            x::character varying(20) # (x::pg_catalog.varchar(20))
            x::timestamp with time zone # (x::pg_catalog.timestamptz)
            x::pg_catalog.regtype # (x::pg_catalog.regtype)
            CAST(x AS bigint) # (x::pg_catalog.int8)
            a[1] # a[1]
            a[1:2] # a[1:2]
            t.a + s.t.b # (t.a + s.t.b)
            $1 + $2 # ($1 + $2)
            a ~ 'x' AND b !~ 'y' # ((a ~ 'x') AND (b !~ 'y'))
            a ~* b # (a ~* b)
            a !~* b # (a !~* b)
            a @> b # (a @> b)
            j -> 'k' ->> 'v' # ((j -> 'k') ->> 'v')
            a OPERATOR(pg_catalog.~) 'x' # (a OPERATOR(pg_catalog.~) 'x')
            x = ANY (ARRAY[1, 2]) # (x = ANY ARRAY[1, 2])
            x <> ALL (y) # (x <> ALL y)
            count(*) # count(*)
            count(DISTINCT a) # count(DISTINCT a)
            pg_catalog.pg_get_userbyid(c.relowner) # pg_catalog.pg_get_userbyid(c.relowner)
            DATE '2024-01-01' # date '2024-01-01'
            int '1' # pg_catalog.int4 '1'
            EXTRACT(year FROM d) # pg_catalog.extract('year', d)
            POSITION('a' IN s) # pg_catalog.position(s, 'a')
            SUBSTRING(s FROM 2 FOR 3) # pg_catalog.substring(s, 2, 3)
            TRIM(LEADING 'x' FROM s) # pg_catalog.ltrim(s, 'x')
            TRIM(s) # pg_catalog.btrim(s)
            a COLLATE pg_catalog.default # (a COLLATE pg_catalog.default)
            (a, b) = (1, 2) # (ROW(a, b) = ROW(1, 2))
            a + 1 = b OR c # (((a + 1) = b) OR c)
            1 - -1 # (1 - -1)
            a AT TIME ZONE 'UTC' # pg_catalog.timezone('UTC', a)
            name || type || key || value || position || text # (((((name || type) || key) || value) || position) || text)
            """)
    void shouldFollowPostgresPrecedence(String sql, String expected) {
        assertThat(r(sql)).isEqualTo(expected);
    }

    @Test
    void shouldTypeNumbersLikePostgres() {
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression("2147483647")).type()).isEqualTo(PgType.INT4);
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression("2147483648")).type()).isEqualTo(PgType.INT8);
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression("-2147483648")).type()).isEqualTo(PgType.INT4);
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression("9223372036854775808")).type())
                .isEqualTo(PgType.NUMERIC);
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression("-9223372036854775808")).type())
                .isEqualTo(PgType.INT8);
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression("1.5")).type()).isEqualTo(PgType.NUMERIC);
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression("1e3")).type()).isEqualTo(PgType.NUMERIC);
        assertThat(((Expr.NumberLiteral) SqlParser.parseExpression(".5")).text()).isEqualTo(".5");
    }

    @Test
    void shouldParseSpecialForms() {
        assertThat(SqlParser.parseExpression("CURRENT_TIMESTAMP")).isInstanceOf(Expr.SqlValueFunction.class);
        assertThat(((Expr.SqlValueFunction) SqlParser.parseExpression("current_timestamp(3)")).precision())
                .isEqualTo(3);
        assertThat(SqlParser.parseExpression("current_schema")).isInstanceOf(Expr.SqlValueFunction.class);
        assertThat(SqlParser.parseExpression("current_schema()")).isInstanceOf(Expr.FuncCall.class);
        assertThat(SqlParser.parseExpression("COALESCE(a, b, 1)")).isInstanceOf(Expr.Coalesce.class);
        assertThat(SqlParser.parseExpression("NULLIF(a, '')")).isInstanceOf(Expr.NullIf.class);
        assertThat(((Expr.MinMax) SqlParser.parseExpression("GREATEST(1, 2)")).greatest()).isTrue();
        assertThat(((Expr.MinMax) SqlParser.parseExpression("LEAST(1, 2)")).greatest()).isFalse();
        assertThat(SqlParser.parseExpression("EXISTS (SELECT 1)")).isInstanceOf(Expr.Exists.class);
        assertThat(SqlParser.parseExpression("(SELECT 1)")).isInstanceOf(Expr.ScalarSubquery.class);
        assertThat(SqlParser.parseExpression("((SELECT 1) + 1)")).isInstanceOf(Expr.BinaryOp.class);
        assertThat(SqlParser.parseExpression("ARRAY(SELECT 1)")).isInstanceOf(Expr.ArraySubquery.class);
        assertThat(SqlParser.parseExpression("x IN (SELECT a FROM t)")).isInstanceOf(Expr.InSubquery.class);
        assertThat(SqlParser.parseExpression("x = ANY (SELECT a FROM t)")).isInstanceOf(Expr.QuantifiedSubquery.class);
        Expr.Case c = (Expr.Case) SqlParser.parseExpression("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END");
        assertThat(c.operand()).isNotNull();
        assertThat(c.whens()).hasSize(2);
        Expr.Case searched = (Expr.Case) SqlParser.parseExpression("CASE WHEN a > 1 THEN 1 END");
        assertThat(searched.operand()).isNull();
        assertThat(searched.elseResult()).isNull();
        Expr.FuncCall agg = (Expr.FuncCall) SqlParser.parseExpression(
                "string_agg(x, ',' ORDER BY y DESC) FILTER (WHERE x IS NOT NULL)");
        assertThat(agg.orderBy()).hasSize(1);
        assertThat(agg.filter()).isNotNull();
        Expr.FuncCall win = (Expr.FuncCall) SqlParser.parseExpression("row_number() OVER (PARTITION BY a ORDER BY b)");
        assertThat(win.over().partitionBy()).hasSize(1);
        Expr.ArrayConstructor nested = (Expr.ArrayConstructor) SqlParser.parseExpression("ARRAY[[1,2],[3,4]]");
        assertThat(nested.elements()).allMatch(e -> e instanceof Expr.ArrayConstructor);
        Expr.TypedLiteral iv = (Expr.TypedLiteral) SqlParser.parseExpression("interval '1' day");
        assertThat(iv.type().intervalFields()).containsExactly("day");
        Expr.TypedLiteral reg = (Expr.TypedLiteral) SqlParser.parseExpression("pg_catalog.regclass 't'");
        assertThat(reg.type().schema()).isEqualTo("pg_catalog");
        assertThat(SqlParser.parseExpression("ROW(1, 'a')")).isInstanceOf(Expr.RowConstructor.class);
        assertThat(SqlParser.parseExpression("left(s, 2)")).isInstanceOf(Expr.FuncCall.class);
        assertThat(SqlParser.parseExpression("B'0101'")).isEqualTo(new Expr.BitStringLiteral("0101", 1));
        assertThat(SqlParser.parseExpression("X'1F'")).isEqualTo(new Expr.BitStringLiteral("00011111", 1));
    }

    @Test
    void shouldRecordPositions() {
        Expr.BinaryOp op = (Expr.BinaryOp) SqlParser.parseExpression("abc  + def");
        assertThat(op.pos()).isEqualTo(6);
        assertThat(op.left().pos()).isEqualTo(1);
        assertThat(op.right().pos()).isEqualTo(8);
        Expr.FuncCall f = (Expr.FuncCall) SqlParser.parseExpression("  lower(x)");
        assertThat(f.pos()).isEqualTo(3);
    }

    @Test
    void shouldRejectChainedComparisons() {
        assertThatThrownBy(() -> SqlParser.parseExpression("a < b < c"))
                .isInstanceOf(LrepException.class)
                .hasMessage("syntax error at or near \"<\"")
                .satisfies(e -> assertThat(((LrepException) e).position()).isEqualTo(7));
    }
}
