package io.lrep.node.sql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.node.sql.SqlSession;
import org.junit.jupiter.api.Test;

/**
 * Results PostgreSQL 15 gives for expressions, functions and orderings (captured from a real
 * server with psql -At; NULL prints empty, errors as "ERROR message"), compared with ours.
 */
class PostgresParityTest {

    private static final String[][] CASES = {
                {"SELECT 1::int2 + 1::int2, pg_typeof(1::int2 + 1::int2)::text", "2|smallint"},
                {"SELECT 5 / 2.0, 10::numeric / 4, 1.0 / 3", "2.5000000000000000|2.5000000000000000|0.33333333333333333333"},
                {"SELECT 2.5::numeric * 1.25, 7.5 - 2.25, 3 * 1.5", "3.125|5.25|4.5"},
                {"SELECT 1e3, 1.5e-2::float8, 0.1::float4 + 0.2::float4", "1000|0.015|0.3"},
                {"SELECT 'abc' || NULL, NULL || 'x', 'a' || 1.5", "||a1.5"},
                {"SELECT true AND NULL, false AND NULL, true OR NULL, NOT NULL::bool", "|f|t|"},
                {"SELECT length(''), substr('abc', 0, 2), substr('abc', -1, 3), left('abc', -1), right('abc', -1)", "0|a|a|ab|bc"},
                {"SELECT lpad('abc', 2), rpad('abc', 5, 'xy'), repeat('x', 0), split_part('a,b', ',', -1)", "ab|abcxy||b"},
                {"SELECT trim(leading 'x' from 'xxaxx'), trim(trailing 'x' from 'xxaxx'), trim(both from '  a  ')", "axx|xxa|a"},
                {"SELECT round(-2.5), round(2.345, 2), trunc(-2.7), ceil(-2.1), floor(-2.1), abs(-2.5)", "-3|2.35|-2|-2|-3|2.5"},
                {"SELECT mod(-7, 3), -7 % 3, 7 / -2", "-1|-1|-3"},
                {"SELECT greatest('a', 'b'), least(1, 2.5), coalesce(NULL::int, 1)", "b|1|1"},
                {"SELECT 'x' = ANY(ARRAY['x','y']), 1 <> ALL(ARRAY[2,3]), NULL = ANY(ARRAY[1])", "t|t|"},
                {"SELECT ARRAY[1,2] || 3, ARRAY[1,2] || ARRAY[3], 0 || ARRAY[1]", "{1,2,3}|{1,2,3}|{0,1}"},
                {"SELECT array_to_string(ARRAY[1, NULL, 3], ',', '*'), array_length(ARRAY[]::int[], 1)", "1,*,3|"},
                {"SELECT '2024-01-31'::date + 1, '2024-03-01'::date - '2024-02-01'::date", "2024-02-01|29"},
                {"SELECT date '2024-01-01' < timestamp '2024-01-01 00:00:01'", "t"},
                {"SELECT 'a' < 'B', 'a' < 'b', 'Z' < 'a'", "f|t|t"},
                {"SELECT CASE WHEN NULL THEN 1 ELSE 2 END, CASE 1 WHEN 2 THEN 'x' END", "2|"},
                {"SELECT 10 BETWEEN SYMMETRIC 20 AND 5, 1 NOT BETWEEN 2 AND 3", "t|t"},
                {"SELECT 'abc' SIMILAR TO 'a%'", "t"},
                {"SELECT concat_ws(NULL, 'a'), concat(), quote_ident('Foo'), quote_ident('foo'), quote_literal('a''b')", "ERROR function concat() does not exist"},
                {"SELECT strpos('abc', ''), position('' in 'abc'), replace('abc', '', 'x')", "1|1|abc"},
                {"SELECT to_hex(255), chr(65), ascii('A'), initcap('hello world')", "ff|A|65|Hello World"},
                {"SELECT 9223372036854775807 + 1", "ERROR bigint out of range"},
                {"SELECT (-2147483648)::int4 / -1", "ERROR integer out of range"},
                {"SELECT 1::numeric(3,1), 12.345::numeric(4,2), 'x'::char(3) || 'y'", "1.0|12.35|xy"},
                {"SELECT string_agg(x, '-') FROM (VALUES ('a'), (NULL), ('b')) v(x)", "a-b"},
                {"SELECT count(DISTINCT x), sum(DISTINCT x) FROM (VALUES (1), (1), (2)) v(x)", "2|3"},
                {"SELECT avg(x::float8), avg(x::int8), sum(x::float4) FROM (VALUES (1), (2)) v(x)", "1.5|1.5000000000000000|3"},
                {"SELECT min(x), max(x) FROM (VALUES ('b'), ('a')) v(x)", "a|b"},
                {"SELECT x FROM (VALUES (3), (1), (NULL), (2)) v(x) ORDER BY x DESC", "\n3\n2\n1"},
                {"SELECT x, y FROM (VALUES (1, 'a'), (1, 'b'), (2, 'a')) v(x, y) ORDER BY x DESC, y", "2|a\n1|a\n1|b"},
                {"SELECT sqrt(2::numeric), power(2::numeric, 0.5), 2::numeric ^ 3", "1.414213562373095|1.4142135623730950|8.0000000000000000"},
                {"SELECT exp(1::float8), ln(10::float8), log(100::float8)", "2.718281828459045|2.302585092994046|2"},
    };

    private static final String[] SETUP = {
        "CREATE TABLE pa (id int PRIMARY KEY, g text, n int)",
        "CREATE TABLE pb (id int PRIMARY KEY, a_id int, label text)",
        "INSERT INTO pa VALUES (1, 'x', 10), (2, 'x', 20), (3, 'y', NULL), (4, 'z', 5)",
        "INSERT INTO pb VALUES (1, 1, 'one'), (2, 1, 'uno'), (3, 2, 'two'), (4, 9, 'nine')",
    };

    private static final String[][] TABLE_CASES = {
                {"SELECT * FROM pa WHERE id = 'x'", "ERROR invalid input syntax for type integer: \"x\""},
                {"SELECT nosuch FROM pa", "ERROR column \"nosuch\" does not exist"},
                {"SELECT pa.nosuch FROM pa", "ERROR column pa.nosuch does not exist"},
                {"SELECT zz.id FROM pa", "ERROR missing FROM-clause entry for table \"zz\""},
                {"SELECT id FROM pa, pb", "ERROR column reference \"id\" is ambiguous"},
                {"SELECT * FROM nosuch", "ERROR relation \"nosuch\" does not exist"},
                {"INSERT INTO pa VALUES (1, 'a', 1)", "ERROR duplicate key value violates unique constraint \"pa_pkey\""},
                {"INSERT INTO pa (id, nosuch) VALUES (9, 1)", "ERROR column \"nosuch\" of relation \"pa\" does not exist"},
                {"INSERT INTO pa VALUES (9, 'a', 1, 2)", "ERROR INSERT has more expressions than target columns"},
                {"INSERT INTO pa (id, g) VALUES (9)", "ERROR INSERT has more target columns than expressions"},
                {"INSERT INTO pa VALUES ('x', 'a', 1)", "ERROR invalid input syntax for type integer: \"x\""},
                {"UPDATE pa SET nosuch = 1", "ERROR column \"nosuch\" of relation \"pa\" does not exist"},
                {"SELECT g, n FROM pa GROUP BY g", "ERROR column \"pa.n\" must appear in the GROUP BY clause or be used in an aggregate function"},
                {"SELECT count(*) FROM pa WHERE sum(n) > 1", "ERROR aggregate functions are not allowed in WHERE"},
                {"SELECT id FROM pa ORDER BY 5", "ERROR ORDER BY position 5 is not in select list"},
                {"SELECT 1 UNION SELECT 'a'", "ERROR invalid input syntax for type integer: \"a\""},
                {"SELECT 1 UNION SELECT 1, 2", "ERROR each UNION query must have the same number of columns"},
                {"SELECT id FROM pa WHERE g = 1", "ERROR operator does not exist: text = integer"},
                {"SELECT 'a' + 1", "ERROR invalid input syntax for type integer: \"a\""},
                {"SELECT * FROM (SELECT 1)", "ERROR subquery in FROM must have an alias"},
                {"SELECT avg(g) FROM pa", "ERROR function avg(text) does not exist"},
                {"SELECT g, sum(n), count(*) FILTER (WHERE n > 5) FROM pa GROUP BY g ORDER BY g", "x|30|2\ny||0\nz|5|0"},
                {"SELECT pa.id, pb.label FROM pa JOIN pb USING (id) ORDER BY 1", "1|one\n2|uno\n3|two\n4|nine"},
                {"SELECT id, label FROM pa NATURAL JOIN pb ORDER BY 1", "1|one\n2|uno\n3|two\n4|nine"},
                {"SELECT g, (SELECT max(label) FROM pb WHERE pb.a_id = pa.id) FROM pa ORDER BY id", "x|uno\nx|two\ny|\nz|"},
                {"SELECT DISTINCT n IS NULL FROM pa ORDER BY 1", "f\nt"},
                {"SELECT id FROM pa WHERE n IN (SELECT n FROM pa WHERE n > 5) ORDER BY 1", "1\n2"},
                {"SELECT id FROM pa WHERE n NOT IN (SELECT n FROM pa) ORDER BY 1", ""},
                {"SELECT count(*), count(n), sum(n)::text, max(g) FROM pa WHERE false", "0|0||"},
                {"SELECT count(*) FROM pa", "4"},
                {"SELECT count(*), count(*) FILTER (WHERE n > 5), count(*) FROM pa", "4|2|4"},
                {"SELECT count(*) FROM pa WHERE g = 'x'", "2"},
                {"SELECT id FROM pa LIMIT -1", "ERROR LIMIT must not be negative"},
                {"SELECT CAST(n AS text) || g FROM pa ORDER BY id", "10x\n20x\n\n5z"},
                {"SELECT x.* FROM pa x WHERE x.id < 3 ORDER BY x.id DESC", "2|x|20\n1|x|10"},
                {"SELECT g AS grp, count(*) FROM pa GROUP BY grp ORDER BY grp", "x|2\ny|1\nz|1"},
                {"SELECT upper(g) u FROM pa ORDER BY u DESC LIMIT 1 OFFSET 1", "Y"},
                {"SELECT nextval('nosuch')", "ERROR relation \"nosuch\" does not exist"},
                {"SELECT 1 FROM pa HAVING count(*) > 2", "1"},
                {"SELECT id FROM pa WHERE id = ANY('{1,3}') ORDER BY id", "1\n3"},
                {"SELECT (SELECT 1, 2)", "ERROR subquery must return only one column"},
                {"SELECT * FROM pa WHERE id IN (1, '2') ORDER BY id", "1|x|10\n2|x|20"},
                {"SELECT n::float8 / 3 FROM pa WHERE id = 1", "3.3333333333333335"},
                {"SELECT sum(n) / count(n) FROM pa", "11"},
                {"SELECT pg_typeof(sum(n)), pg_typeof(avg(n)), pg_typeof(count(n)) FROM pa", "bigint|numeric|bigint"},
                {"SELECT id, CASE WHEN n > 10 THEN 'big' WHEN n > 0 THEN 'small' ELSE 'none' END FROM pa ORDER BY id", "1|small\n2|big\n3|none\n4|small"},
                {"SELECT $1", "ERROR there is no parameter $1"},
    };

    @Test
    void sameResultsAndErrorsOnTablesAsPostgres() {
        try (SqlHarness h = new SqlHarness()) {
            SqlSession s = h.session();
            for (String sql : SETUP) {
                assertThat(SqlHarness.run(s, sql)).as(sql).doesNotStartWith("ERROR");
            }
            for (String[] c : TABLE_CASES) {
                String got = SqlHarness.run(s, c[0]).replace("null", "").replace("(0 rows)", "").replaceAll("^ERROR [0-9A-Z]{5}: ", "ERROR ");
                assertThat(got).as(c[0]).isEqualTo(c[1]);
            }
        }
    }

    @Test
    void sameResultsAsPostgres() {
        try (SqlHarness h = new SqlHarness()) {
            SqlSession s = h.session();
            for (String[] c : CASES) {
                String got = SqlHarness.run(s, c[0]).replace("null", "").replaceAll("^ERROR [0-9A-Z]{5}: ", "ERROR ");
                assertThat(got).as(c[0]).isEqualTo(c[1]);
            }
        }
    }
}
