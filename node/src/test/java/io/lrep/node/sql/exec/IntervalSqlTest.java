package io.lrep.node.sql.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.node.sql.SqlSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interval type through the SQL engine; every expected result was observed on PostgreSQL 15 with TimeZone UTC. */
class IntervalSqlTest {

    private SqlHarness h;
    private SqlSession s;

    @BeforeEach
    void setUp() {
        h = new SqlHarness();
        s = h.session();
        assertThat(SqlHarness.run(s, "SET TimeZone = 'UTC'")).isEqualTo("SET");
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private void script(String... steps) {
        SqlHarness.script(s, steps);
    }

    @Test
    void shouldReadWriteAndCastIntervals() {
        script(
                "SELECT '1 day'::text::interval, (interval '1 day 02:00')::text, '1 year 2 mons 3 days 04:05:06.5'::interval",
                "1 day|1 day 02:00:00|1 year 2 mons 3 days 04:05:06.5",
                "SELECT interval '5' minute, interval '1 day 02:03:04' hour to minute, CAST('-1 hour' AS interval)",
                "00:05:00|1 day 02:03:00|-01:00:00",
                "SELECT pg_typeof(interval '1 day'), pg_typeof(now() - now()), '{1 day,2 hours}'::interval[]",
                "interval|interval|{\"1 day\",02:00:00}",
                "SELECT 'abc'::interval", "ERROR 22007: invalid input syntax for type interval: \"abc\"",
                "SELECT '2147483648 days'::interval", "ERROR 22015: interval field value out of range: \"2147483648 days\"",
                "SELECT '178956971 years'::interval", "ERROR 22008: interval out of range");
    }

    @Test
    void shouldStoreIntervalColumns() {
        script(
                "CREATE TABLE lag (id int PRIMARY KEY, d interval)", "CREATE TABLE",
                "INSERT INTO lag VALUES (1, '1 mon'), (2, interval '29 days'), (3, '-1 hour'), (4, '1 day'), (5, NULL)", "INSERT 0 5",
                "SELECT d FROM lag WHERE d IS NOT NULL ORDER BY d", "-01:00:00\n1 day\n29 days\n1 mon",
                "SELECT id FROM lag WHERE d = '30 days'", "1",
                "SELECT id FROM lag WHERE d > interval '1 hour' AND d <= '29 days' ORDER BY id", "2\n4",
                "UPDATE lag SET d = d * 2 WHERE id = 4", "UPDATE 1",
                "SELECT sum(d), avg(d), max(d), count(*) FROM lag", "1 mon 31 days -01:00:00|15 days 05:45:00|1 mon|5");
    }

    @Test
    void shouldDoIntervalArithmetic() {
        script(
                "SELECT interval '1 day' + interval '02:00', interval '1 day' - '1 hour', interval '1 day' * 2, 2 * interval '1 day'",
                "1 day 02:00:00|1 day -01:00:00|2 days|2 days",
                "SELECT interval '1 day' / 4, -interval '1 hour', interval '1 mon' = interval '30 days', interval '1 day' < '25 hours'",
                "06:00:00|-01:00:00|t|t",
                "SELECT interval '1 day' / 0", "ERROR 22012: division by zero",
                "SELECT interval '2147483647 days' + interval '1 day'", "ERROR 22008: interval out of range");
    }

    @Test
    void shouldDoTimestampArithmeticWithIntervals() {
        script(
                "SELECT '2024-01-31 10:00+00'::timestamptz + interval '1 mon', '2024-03-10 12:00+00'::timestamptz - '2024-03-01 13:30:00.25+00'",
                "2024-02-29 10:00:00+00|8 days 22:29:59.75",
                "SELECT '2024-03-01 00:00+00'::timestamptz - interval '1 day 1 hour', interval '1 hour' + '2024-01-01 00:00+00'::timestamptz",
                "2024-02-28 23:00:00+00|2024-01-01 01:00:00+00",
                "SELECT '2024-01-01'::date + interval '1 day 1 hour', '2024-01-02 10:00'::timestamp - '2024-01-01'::timestamp",
                "2024-01-02 01:00:00|1 day 10:00:00",
                "SELECT '2024-01-02'::date - interval '1 mon', '2024-01-01'::date - '2023-12-01'", "2023-12-02 00:00:00|31",
                "SELECT now() + '1 hour' > now(), now() - interval '1 hour' < now()", "t|t",
                "SELECT now() - '1 hour'", "ERROR 22007: invalid input syntax for type timestamp with time zone: \"1 hour\"",
                "SELECT '2024-01-01'::date + '1 day'", "ERROR 42725: operator is not unique: date + unknown",
                "SELECT * FROM generate_series('2024-01-01 00:00+00'::timestamptz, '2024-01-01 03:00+00', interval '90 minutes')",
                "2024-01-01 00:00:00+00\n2024-01-01 01:30:00+00\n2024-01-01 03:00:00+00");
    }

    @Test
    void shouldExtractAndJustify() {
        script(
                "SELECT extract(epoch from interval '1 day 1 hour'), date_part('epoch', interval '1.5 s'), extract(hour from interval '26 hours')",
                "90000.000000|1.5|26",
                "SELECT extract(epoch from '2024-01-01 00:00:01.5+00'::timestamptz), extract(year from '2024-02-03'::date)",
                "1704067201.500000|2024",
                "SELECT extract(dow from '2024-02-03'::date), extract(second from '2024-01-01 10:11:12.5'::timestamp), "
                        + "extract(epoch from '2024-01-02'::date)",
                "6|12.500000|1704153600",
                "SELECT extract(dow from interval '1 day')", "ERROR 0A000: unit \"dow\" not supported for type interval",
                "SELECT extract(foo from interval '1 day')", "ERROR 22023: unit \"foo\" not recognized for type interval",
                "SELECT justify_hours(interval '50 hours'), justify_days(interval '65 days'), justify_interval(interval '1 mon -1 hour')",
                "2 days 02:00:00|2 mons 5 days|29 days 23:00:00",
                "SELECT make_interval(1, 2, 1, 3, 4, 5, 6.5), make_interval(0, 0, 0, 2)", "1 year 2 mons 10 days 04:05:06.5|2 days");
    }

    @Test
    void shouldComputeAgeMonthAware() {
        script(
                "SELECT age('2024-03-31 10:00+00'::timestamptz, '2024-02-29 12:30+00'::timestamptz)", "1 mon 1 day 21:30:00",
                "SELECT age('2024-03-31'::timestamp, '2023-02-28 12:00'::timestamp)", "1 year 1 mon 2 days 12:00:00",
                "SELECT age(now()) <= interval '0', age(now() - interval '2 days') > interval '1 day'", "t|t");
    }
}
