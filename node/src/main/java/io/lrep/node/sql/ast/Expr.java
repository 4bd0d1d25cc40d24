package io.lrep.node.sql.ast;

import io.lrep.core.types.PgType;
import java.util.List;

/**
 * A value expression. Every node carries {@code pos}, the 1-based position of the token that
 * PostgreSQL would point at for an error about it (a column reference's first name, a function's
 * name, an operator's symbol, a cast's {@code ::} or {@code CAST}).
 */
public sealed interface Expr {

    /** 1-based position in the query string. */
    int pos();

    // ---- constants ---------------------------------------------------------------------------

    /**
     * A numeric constant. Integers that fit int4 are {@link PgType#INT4}, those that fit int8 are
     * {@link PgType#INT8}, anything else (decimal point, exponent, larger) is
     * {@link PgType#NUMERIC}, as PostgreSQL's lexer decides. A leading unary minus is folded in.
     */
    record NumberLiteral(String text, PgType type, int pos) implements Expr {
    }

    /** A string constant of type unknown ('...', E'...', $$...$$, U&'...'); value is unescaped. */
    record StringLiteral(String value, int pos) implements Expr {
    }

    /** B'0101' or X'1F' as a string of bits ('0'/'1'). */
    record BitStringLiteral(String bits, int pos) implements Expr {
    }

    /** TRUE or FALSE. */
    record BoolLiteral(boolean value, int pos) implements Expr {
    }

    /** NULL. */
    record NullLiteral(int pos) implements Expr {
    }

    /** {@code type 'string'}: DATE '2024-01-01', int '1', pg_catalog.regclass 'x', INTERVAL '1' day. */
    record TypedLiteral(TypeName type, String value, int pos) implements Expr {
    }

    /** $n (1-based). */
    record Param(int index, int pos) implements Expr {
    }

    /** DEFAULT, where a value may be defaulted (INSERT VALUES, UPDATE SET). */
    record DefaultValue(int pos) implements Expr {
    }

    // ---- names ---------------------------------------------------------------------------------

    /** A column reference: {@code a}, {@code t.a}, {@code s.t.a}, {@code excluded.a}. */
    record ColumnRef(List<String> names, int pos) implements Expr {

        /** The last name: the column itself. */
        public String column() {
            return names.get(names.size() - 1);
        }
    }

    /** {@code *} or {@code t.*} (qualifier empty for a bare star). */
    record Star(List<String> qualifier, int pos) implements Expr {
    }

    /** {@code (expr).field} or {@code (expr).*} (field "*"). */
    record FieldSelect(Expr arg, String field, int pos) implements Expr {
    }

    /** {@code expr[index]} or a slice {@code expr[lower:upper]} (either bound may be null in a slice). */
    record Subscript(Expr arg, Expr lower, Expr upper, boolean slice, int pos) implements Expr {
    }

    // ---- operators ------------------------------------------------------------------------------

    /**
     * A binary operator: arithmetic, comparison, ||, ~, LIKE-family written as operators, and
     * {@code OPERATOR(schema.op)} (schema non-null then). {@code !=} is reported as {@code <>}.
     */
    record BinaryOp(String schema, String op, Expr left, Expr right, int pos) implements Expr {
    }

    /** A prefix operator: {@code -x}, {@code +x}, {@code ~x}, {@code OPERATOR(pg_catalog.-) x}. */
    record UnaryOp(String schema, String op, Expr operand, int pos) implements Expr {
    }

    /** AND / OR with two or more arguments (flattened), NOT with one. */
    record BoolExpr(BoolOp op, List<Expr> args, int pos) implements Expr {
    }

    enum BoolOp { AND, OR, NOT }

    /** {@code x IS [NOT] NULL}, {@code x ISNULL}, {@code x NOTNULL}. */
    record NullTest(Expr arg, boolean not, int pos) implements Expr {
    }

    /** {@code x IS [NOT] TRUE|FALSE|UNKNOWN}. */
    record BoolTest(Expr arg, BoolTestKind kind, int pos) implements Expr {
    }

    enum BoolTestKind { IS_TRUE, IS_NOT_TRUE, IS_FALSE, IS_NOT_FALSE, IS_UNKNOWN, IS_NOT_UNKNOWN }

    /** {@code a IS [NOT] DISTINCT FROM b}. */
    record DistinctFrom(Expr left, Expr right, boolean not, int pos) implements Expr {
    }

    /** {@code x [NOT] BETWEEN [SYMMETRIC] low AND high}. */
    record Between(Expr arg, Expr low, Expr high, boolean not, boolean symmetric, int pos) implements Expr {
    }

    /** {@code x [NOT] IN (a, b, ...)}. */
    record InList(Expr arg, List<Expr> list, boolean not, int pos) implements Expr {
    }

    /** {@code x [NOT] IN (SELECT ...)}. */
    record InSubquery(Expr arg, Query query, boolean not, int pos) implements Expr {
    }

    /** {@code x [NOT] LIKE|ILIKE|SIMILAR TO pattern [ESCAPE e]} (escape null when absent). */
    record Like(Expr arg, Expr pattern, Expr escape, LikeKind kind, boolean not, int pos) implements Expr {
    }

    enum LikeKind { LIKE, ILIKE, SIMILAR }

    /** {@code x op ANY|SOME|ALL (array expression)}; op is the operator symbol (schema for OPERATOR()). */
    record QuantifiedArray(String schema, String op, Expr left, boolean all, Expr array, int pos) implements Expr {
    }

    /** {@code x op ANY|SOME|ALL (SELECT ...)}. */
    record QuantifiedSubquery(String schema, String op, Expr left, boolean all, Query query, int pos) implements Expr {
    }

    /** {@code EXISTS (SELECT ...)}. */
    record Exists(Query query, int pos) implements Expr {
    }

    /** {@code (SELECT ...)} used as a value. */
    record ScalarSubquery(Query query, int pos) implements Expr {
    }

    /** {@code ARRAY(SELECT ...)}. */
    record ArraySubquery(Query query, int pos) implements Expr {
    }

    /** {@code ARRAY[a, b]} (nested {@code [..]} elements are ArrayConstructors too). */
    record ArrayConstructor(List<Expr> elements, int pos) implements Expr {
    }

    /** {@code ROW(a, b)} or {@code (a, b)}. */
    record RowConstructor(List<Expr> fields, boolean explicitRow, int pos) implements Expr {
    }

    /** CASE; operand is null for a searched CASE, elseResult null when absent. */
    record Case(Expr operand, List<When> whens, Expr elseResult, int pos) implements Expr {
    }

    /** One WHEN condition THEN result. */
    record When(Expr condition, Expr result, int pos) {
    }

    /** {@code CAST(x AS type)} or {@code x::type}. */
    record Cast(Expr arg, TypeName type, int pos) implements Expr {
    }

    /** {@code x COLLATE collation} (collation name parts, e.g. [pg_catalog, default]). */
    record Collate(Expr arg, List<String> collation, int pos) implements Expr {
    }

    /**
     * A function call. {@code EXTRACT(f FROM x)}, {@code POSITION(a IN b)},
     * {@code SUBSTRING(a FROM x FOR y)}, {@code TRIM(...)}, {@code OVERLAY(...)} and
     * {@code x AT TIME ZONE z} become calls of {@code pg_catalog.extract('f', x)},
     * {@code pg_catalog.position(b, a)}, {@code pg_catalog.substring(a, x, y)},
     * {@code pg_catalog.btrim/ltrim/rtrim(y, x)}, {@code pg_catalog.overlay(...)} and
     * {@code pg_catalog.timezone(z, x)} as PostgreSQL's grammar does.
     *
     * @param schema null unless qualified
     * @param name function name
     * @param args arguments (empty for {@code f()} and {@code count(*)})
     * @param star {@code count(*)}
     * @param distinct {@code agg(DISTINCT x)}
     * @param orderBy {@code agg(x ORDER BY y)} or WITHIN GROUP (ORDER BY ...)
     * @param filter {@code FILTER (WHERE ...)} or null
     * @param over the window for a window function call, or null
     * @param variadic the last argument was written {@code VARIADIC x}
     */
    record FuncCall(String schema, String name, List<Expr> args, boolean star, boolean distinct,
            List<SortItem> orderBy, Expr filter, WindowSpec over, boolean variadic, int pos) implements Expr {

        /** A plain call {@code name(args)}. */
        public static FuncCall of(String schema, String name, List<Expr> args, int pos) {
            return new FuncCall(schema, name, args, false, false, List.of(), null, null, false, pos);
        }
    }

    /** {@code name => value} argument of a function call. */
    record NamedArg(String name, Expr value, int pos) implements Expr {
    }

    /** OVER (...) or OVER name. */
    record WindowSpec(String refName, List<Expr> partitionBy, List<SortItem> orderBy, String frame, int pos) {
    }

    /** COALESCE(a, b, ...). */
    record Coalesce(List<Expr> args, int pos) implements Expr {
    }

    /** NULLIF(a, b). */
    record NullIf(Expr left, Expr right, int pos) implements Expr {
    }

    /** GREATEST(...) (greatest true) or LEAST(...). */
    record MinMax(boolean greatest, List<Expr> args, int pos) implements Expr {
    }

    /**
     * The SQL value functions written without parentheses. precision is the optional
     * {@code CURRENT_TIMESTAMP(3)} argument, or -1.
     */
    record SqlValueFunction(SqlValueKind kind, int precision, int pos) implements Expr {
    }

    enum SqlValueKind {
        CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP, LOCALTIME, LOCALTIMESTAMP,
        CURRENT_USER, CURRENT_ROLE, SESSION_USER, USER, CURRENT_SCHEMA, CURRENT_CATALOG
    }
}
