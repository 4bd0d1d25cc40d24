package io.lrep.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Interval semantics; every expected string was observed on PostgreSQL 15 (TimeZone UTC unless said). */
class PgIntervalTest {

    private static PgInterval iv(String text) {
        return PgInterval.parse(text);
    }

    @Test
    void shouldFormatInPostgresStyle() {
        assertThat(PgInterval.ofMicros(1234).toString()).isEqualTo("00:00:00.001234");
        assertThat(new PgInterval(0, 1, 7_384_000_000L).toString()).isEqualTo("1 day 02:03:04");
        assertThat(PgInterval.ofMicros(-1_000_000).toString()).isEqualTo("-00:00:01");
        assertThat(new PgInterval(14, 3, 14_706_500_000L).toString()).isEqualTo("1 year 2 mons 3 days 04:05:06.5");
        assertThat(PgInterval.ZERO.toString()).isEqualTo("00:00:00");
        assertThat(new PgInterval(0, -1, 7_200_000_000L).toString()).isEqualTo("-1 days +02:00:00");
    }

    @Test
    void shouldCompareBySpanAsPostgres() {
        assertThat(iv("1 mon").compareTo(iv("30 days"))).isZero();
        assertThat(iv("1 day").compareTo(iv("24 hours"))).isZero();
        assertThat(Values.equal(PgType.INTERVAL, iv("1 mon"), iv("30 days"))).isTrue();
        assertThat(Values.hash(PgType.INTERVAL, iv("1 mon"))).isEqualTo(Values.hash(PgType.INTERVAL, iv("720:00:00")));
        assertThat(iv("1 mon").compareTo(iv("30 days 00:00:00.000001"))).isNegative();
        assertThat(iv("-1 day").compareTo(iv("-23:59:59"))).isNegative();
        assertThat(iv("178956970 years 7 mons").compareTo(iv("2147483647 days"))).isPositive();
        assertThat(new PgInterval(0, 0, Long.MIN_VALUE).compareTo(new PgInterval(Integer.MIN_VALUE, 0, 0))).isPositive();
    }

    @Test
    void shouldKeepHashConsistentWithEqualityForRandomValues() {
        long seed = RandomValues.seed("PgIntervalTest.hash");
        Random r = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            PgInterval a = new PgInterval(r.nextInt(5) - 2, r.nextInt(121) - 60, (r.nextInt(9) - 4) * PgInterval.MICROS_PER_DAY / 2);
            PgInterval b = new PgInterval(r.nextInt(5) - 2, r.nextInt(121) - 60, (r.nextInt(9) - 4) * PgInterval.MICROS_PER_DAY / 2);
            if (a.compareTo(b) == 0) {
                assertThat(a.spanHash()).as("seed %d: %s vs %s", seed, a, b).isEqualTo(b.spanHash());
            }
            assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
        }
    }

    @Test
    void shouldSendAndReceiveInIntervalSendOrder() {
        PgInterval v = new PgInterval(14, 3, 14_706_500_000L);
        byte[] bytes = BinaryCodec.send(PgType.INTERVAL, v);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("000000036c9361a0" + "00000003" + "0000000e");
        assertThat(BinaryCodec.receive(PgType.INTERVAL, -1, bytes)).isEqualTo(v);
        assertThatThrownBy(() -> BinaryCodec.receive(PgType.INTERVAL, -1, new byte[12]))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_BINARY_REPRESENTATION));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1 year 2 mons 3 days 04:05:06.5|1.5|1 year 9 mons 4 days 18:07:39.75",
        "1 mon|0.3|9 days",
        "-1 mon 1 day|-2.5|2 mons 13 days -12:00:00",
    })
    void shouldMultiplyCascadingFractionsDown(String in, double factor, String out) {
        assertThat(iv(in).multiply(factor).toString()).isEqualTo(out);
    }

    @Test
    void shouldDivideAddSubtractAndNegate() {
        assertThat(iv("1 day").divide(7).toString()).isEqualTo("03:25:42.857143");
        assertThat(iv("3 days 01:00").divide(2.5).toString()).isEqualTo("1 day 05:12:00");
        assertThat(iv("1 mon").divide(3).toString()).isEqualTo("10 days");
        assertThat(iv("1 mon 1 day 1 hour").plus(iv("-2 days 3 hours")).toString()).isEqualTo("1 mon -1 days +04:00:00");
        assertThat(iv("1 mon").minus(iv("1 day 02:00")).toString()).isEqualTo("1 mon -1 days -02:00:00");
        assertThat(iv("1 day 2 hours").negate().toString()).isEqualTo("-1 days -02:00:00");
        assertThatThrownBy(() -> iv("1 day").divide(0))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DIVISION_BY_ZERO));
        assertThatThrownBy(() -> iv("2147483647 days").plus(iv("1 day")))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.DATETIME_FIELD_OVERFLOW);
                    assertThat(e.getMessage()).isEqualTo("interval out of range");
                });
    }

    @Test
    void shouldJustifyAsPostgres() {
        assertThat(iv("50 hours 10 min").justifyHours().toString()).isEqualTo("2 days 02:10:00");
        assertThat(iv("-1 day 26:00").justifyHours().toString()).isEqualTo("02:00:00");
        assertThat(iv("65 days").justifyDays().toString()).isEqualTo("2 mons 5 days");
        assertThat(iv("-1 mon 35 days").justifyDays().toString()).isEqualTo("5 days");
        assertThat(iv("1 mon -1 hour").justifyInterval().toString()).isEqualTo("29 days 23:00:00");
        assertThat(iv("-35 days 1 hour").justifyInterval().toString()).isEqualTo("-1 mons -4 days -23:00:00");
    }

    @Test
    void shouldDoTimestampArithmeticAsPostgres() {
        ZoneId utc = ZoneOffset.UTC;
        Instant a = Instant.parse("2024-03-10T12:00:00Z");
        Instant b = Instant.parse("2024-03-01T13:30:00.25Z");
        assertThat(PgInterval.between(a, b).toString()).isEqualTo("8 days 22:29:59.75");
        assertThat(PgInterval.between(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-03T01:00:00Z")).toString())
                .isEqualTo("-2 days -01:00:00");
        assertThat(iv("1 mon").addTo(Instant.parse("2024-01-31T10:00:00Z"), utc)).isEqualTo(Instant.parse("2024-02-29T10:00:00Z"));
        assertThat(iv("1 mon 1 day 01:00").addTo(Instant.parse("2024-01-31T10:00:00Z"), utc))
                .isEqualTo(Instant.parse("2024-03-01T11:00:00Z"));
        assertThat(iv("1 mon").negate().addTo(Instant.parse("2024-03-31T00:00:00Z"), utc)).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
        // Days are calendar days in the session zone: across the DST change '1 day' is 23 hours.
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant beforeDst = Instant.parse("2024-03-30T11:00:00Z");
        assertThat(iv("1 day").addTo(beforeDst, berlin)).isEqualTo(Instant.parse("2024-03-31T10:00:00Z"));
        assertThat(iv("24 hours").addTo(beforeDst, berlin)).isEqualTo(Instant.parse("2024-03-31T11:00:00Z"));
        assertThat(iv("1 day").addTo(Instant.MAX, utc)).isEqualTo(Instant.MAX);
        assertThatThrownBy(() -> PgInterval.between(Instant.MAX, a))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.getMessage()).isEqualTo("cannot subtract infinite timestamps"));
    }

    @Test
    void shouldComputeAgeMonthAware() {
        ZoneId utc = ZoneOffset.UTC;
        assertThat(PgInterval.age(Instant.parse("2024-03-31T10:00:00Z"), Instant.parse("2024-02-29T12:30:00Z"), utc).toString())
                .isEqualTo("1 mon 1 day 21:30:00");
        assertThat(PgInterval.age(Instant.parse("2024-01-31T00:00:00Z"), Instant.parse("2024-03-01T00:00:00Z"), utc).toString())
                .isEqualTo("-1 mons -1 days");
        assertThat(PgInterval.age(Instant.parse("2023-03-01T00:00:00.5Z"), Instant.parse("2022-01-31T23:59:59.75Z"), utc).toString())
                .isEqualTo("1 year 1 mon 00:00:00.75");
        assertThat(PgInterval.age(Instant.parse("2024-03-31T22:00:00Z"), Instant.parse("2024-02-29T23:00:00Z"),
                ZoneId.of("Europe/Berlin")).toString()).isEqualTo("1 mon");
    }

    @Test
    void shouldExtractEpochAndTruncateToFields() {
        assertThat(iv("1 day").epoch()).isEqualByComparingTo("86400");
        assertThat(iv("1 year 1 mon 1.5 s").epoch()).isEqualTo(new BigDecimal("34149601.500000"));
        assertThat(iv("1 day 02:03:04").truncateTo("minute").toString()).isEqualTo("1 day 02:03:00");
        assertThat(iv("1 day 02:03:04").truncateTo("day").toString()).isEqualTo("1 day");
        assertThat(iv("14 mons 3 days").truncateTo("year").toString()).isEqualTo("1 year");
        assertThat(PgInterval.parse("5", "minute").toString()).isEqualTo("00:05:00");
        assertThat(PgInterval.parse("3", "month").toString()).isEqualTo("3 mons");
    }
}
