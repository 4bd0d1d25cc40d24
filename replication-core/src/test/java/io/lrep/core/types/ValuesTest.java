package io.lrep.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ValuesTest {

    @ParameterizedTest
    @EnumSource(value = PgType.class, names = {"JSON", "VOID"}, mode = EnumSource.Mode.EXCLUDE)
    void shouldOrderConsistently(PgType type) {
        long seed = RandomValues.seed("ValuesTest." + type);
        Random random = new Random(seed);
        RandomValues values = new RandomValues(random);
        List<Object> sample = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Object v = values.value(type);
            sample.add(v);
            if (random.nextInt(4) == 0) {
                // An equal value that is not the same object: through text and back.
                sample.add(TextCodec.parse(type, TypMod.NONE, TextCodec.format(type, v)));
            }
        }
        sample.add(null);
        for (Object a : sample) {
            assertThat(Values.compare(type, a, a)).isZero();
            for (Object b : sample) {
                int ab = Integer.signum(Values.compare(type, a, b));
                assertThat(Integer.signum(Values.compare(type, b, a))).as("antisymmetric (seed %s)", seed).isEqualTo(-ab);
                assertThat(Values.equal(type, a, b)).as("equal iff compare = 0 (seed %s)", seed).isEqualTo(ab == 0);
                if (ab == 0) {
                    assertThat(Values.hash(type, a)).as("hash (seed %s)", seed).isEqualTo(Values.hash(type, b));
                }
            }
        }
        // Transitive: once sorted, every earlier element is at most every later one.
        List<Object> sorted = new ArrayList<>(sample);
        sorted.sort((a, b) -> Values.compare(type, a, b));
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                assertThat(Values.compare(type, sorted.get(i), sorted.get(j))).as("transitive (seed %s)", seed).isLessThanOrEqualTo(0);
            }
        }
    }

    @Test
    void shouldCompareAsPostgres() {
        assertThat(Values.equal(PgType.BPCHAR, "ab", "ab   ")).isTrue();
        assertThat(Values.hash(PgType.BPCHAR, "ab")).isEqualTo(Values.hash(PgType.BPCHAR, "ab   "));
        assertThat(Values.equal(PgType.TEXT, "ab", "ab ")).isFalse();
        assertThat(Values.compare(PgType.FLOAT8, Double.NaN, Double.POSITIVE_INFINITY)).isPositive();
        assertThat(Values.equal(PgType.FLOAT8, Double.NaN, Double.NaN)).isTrue();
        assertThat(Values.equal(PgType.FLOAT8, -0.0, 0.0)).isTrue();
        assertThat(Values.hash(PgType.FLOAT8, -0.0)).isEqualTo(Values.hash(PgType.FLOAT8, 0.0));
        assertThat(Values.equal(PgType.NUMERIC, new BigDecimal("1.0"), new BigDecimal("1.00"))).isTrue();
        assertThat(Values.hash(PgType.NUMERIC, new BigDecimal("1.0"))).isEqualTo(Values.hash(PgType.NUMERIC, BigDecimal.ONE));
        assertThat(Values.compare(PgType.UUID, new UUID(-1, 0), new UUID(1, 0))).isPositive();
        assertThat(Values.compare(PgType.BYTEA, new byte[] {(byte) 0x80}, new byte[] {0x7f})).isPositive();
        assertThat(Values.compare(PgType.BYTEA, new byte[] {1}, new byte[] {1, 0})).isNegative();
        assertThat(Values.compare(PgType.TEXT, "\uFFFD", "\uD83D\uDE00")).isNegative();
        assertThat(Values.compare(PgType.TEXT, "B", "a")).isNegative();
        assertThat(Values.compare(PgType.CHAR, "\u00e9", "a")).isPositive();
        assertThat(Values.compare(PgType.DATE, LocalDate.MAX, LocalDate.of(5_874_897, 12, 31))).isPositive();
        assertThat(Values.compare(PgType.INT4, null, 1)).isPositive();
        assertThat(Values.equal(PgType.INT4, null, null)).isTrue();
        assertThat(Values.equal(PgType.INT4, null, 1)).isFalse();
    }

    @Test
    void shouldOrderJsonbAsPostgres() {
        // Observed on PostgreSQL 15: each is less than the next.
        String[] ascending = {"[]", "null", "\"a\"", "\"b\"", "1", "2.5", "false", "true", "[\"a\"]", "[1]", "[true]",
            "[[]]", "[{}]", "[null, 1]", "[1, 2]", "{}", "{\"aa\": 1}", "{\"b\": 1}", "{\"b\": 2}", "{\"a\": 1, \"b\": 2}"};
        for (int i = 0; i + 1 < ascending.length; i++) {
            assertThat(Values.compare(PgType.JSONB, ascending[i], ascending[i + 1]))
                    .as("%s < %s", ascending[i], ascending[i + 1]).isNegative();
        }
        assertThat(Values.equal(PgType.JSONB, "{\"a\": 1.0}", "{\"a\": 1}")).isTrue();
        assertThat(Values.hash(PgType.JSONB, "{\"a\": 1.0}")).isEqualTo(Values.hash(PgType.JSONB, "{\"a\": 1}"));
        assertThatThrownBy(() -> Values.equal(PgType.JSON, "1", "1"))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_FUNCTION));
    }

    @Test
    void shouldCastBetweenNumbersAsAssignment() {
        assertThat(Values.coerce(PgType.INT4, TypMod.NONE, 2.5d)).isEqualTo(2);
        assertThat(Values.coerce(PgType.INT4, TypMod.NONE, 3.5d)).isEqualTo(4);
        assertThat(Values.coerce(PgType.INT4, TypMod.NONE, new BigDecimal("2.5"))).isEqualTo(3);
        assertThat(Values.coerce(PgType.INT4, TypMod.NONE, new BigDecimal("-2.5"))).isEqualTo(-3);
        assertThat(Values.coerce(PgType.INT8, TypMod.NONE, (short) 7)).isEqualTo(7L);
        assertThat(Values.coerce(PgType.NUMERIC, TypMod.NONE, 1.0000000000000002d)).isEqualTo(BigDecimal.ONE);
        assertThat(Values.coerce(PgType.NUMERIC, TypMod.NONE, 0.1f)).isEqualTo(new BigDecimal("0.1"));
        assertThat(Values.coerce(PgType.NUMERIC, TypMod.numeric(5, 2), 12)).isEqualTo(new BigDecimal("12.00"));
        assertThat(Values.coerce(PgType.FLOAT8, TypMod.NONE, new BigDecimal("0.1"))).isEqualTo(0.1d);
        assertThat(Values.coerce(PgType.OID, TypMod.NONE, -1)).isEqualTo(4294967295L);
        assertCode(() -> Values.coerce(PgType.INT4, TypMod.NONE, 3_000_000_000L), SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "integer out of range");
        assertCode(() -> Values.coerce(PgType.INT2, TypMod.NONE, Double.NaN), SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "smallint out of range");
        assertCode(() -> Values.coerce(PgType.FLOAT4, TypMod.NONE, 1e300), SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "value out of range: overflow");
        assertCode(() -> Values.coerce(PgType.NUMERIC, TypMod.numeric(3, 1), 100), SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "numeric field overflow");
    }

    @Test
    void shouldCastStringsAndThroughText() {
        assertThat(Values.coerce(PgType.BPCHAR, PgType.TEXT, TypMod.NONE, "ab  ")).isEqualTo("ab");
        assertThat(Values.coerce(PgType.VARCHAR, TypMod.length(3), "abc  ")).isEqualTo("abc");
        assertThat(Values.coerce(PgType.BPCHAR, TypMod.length(3), "a")).isEqualTo("a  ");
        assertCode(() -> Values.coerce(PgType.VARCHAR, TypMod.length(3), "abcd"), SqlState.STRING_DATA_RIGHT_TRUNCATION,
                "value too long for type character varying(3)");
        assertThat(Values.coerce(PgType.TEXT, TypMod.NONE, 1e20)).isEqualTo("1e+20");
        assertThat(Values.coerce(PgType.TEXT, TypMod.NONE, true)).isEqualTo("true");
        assertThat(Values.coerce(PgType.VARCHAR, TypMod.length(10), LocalDate.of(2024, 1, 31))).isEqualTo("2024-01-31");
        assertThat(Values.coerce(PgType.INT4, TypMod.NONE, " 42 ")).isEqualTo(42);
        assertThat(Values.coerce(PgType.UUID, TypMod.NONE, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
                .isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assertCode(() -> Values.coerce(PgType.INT4, TypMod.NONE, "abc"), SqlState.INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type integer: \"abc\"");
        assertThat(Values.coerce(PgType.TEXT, PgType.NAME, TypMod.NONE, "x".repeat(70))).isEqualTo("x".repeat(63));
        assertThat(Values.coerce(PgType.JSON, PgType.JSONB, TypMod.NONE, "{\"b\":1,\"a\":2}")).isEqualTo("{\"a\": 2, \"b\": 1}");
        assertThat(Values.coerce(PgType.TEXT, PgType.CHAR, TypMod.NONE, "xyz")).isEqualTo("x");
    }

    @Test
    void shouldCastDateTimesInTheSessionZone() {
        ZoneId ny = ZoneId.of("America/New_York");
        LocalDateTime local = LocalDateTime.of(2024, 1, 31, 10, 0);
        assertThat(Values.coerce(PgType.TIMESTAMP, PgType.TIMESTAMPTZ, TypMod.NONE, local, ny))
                .isEqualTo(Instant.parse("2024-01-31T15:00:00Z"));
        assertThat(Values.coerce(PgType.TIMESTAMPTZ, PgType.DATE, TypMod.NONE, Instant.parse("2024-02-01T03:00:00Z"), ny))
                .isEqualTo(LocalDate.of(2024, 1, 31));
        assertThat(Values.coerce(PgType.TIMESTAMP, TypMod.NONE, LocalDate.of(2024, 1, 31))).isEqualTo(local.withHour(0));
        assertThat(Values.coerce(PgType.TIMESTAMPTZ, TypMod.NONE, LocalDate.MAX)).isEqualTo(Instant.MAX);
        assertThat(Values.coerce(PgType.TIMESTAMP, TypMod.precision(0), LocalDateTime.of(2024, 1, 1, 0, 0, 0, 500_000_000)))
                .isEqualTo(LocalDateTime.of(2024, 1, 1, 0, 0, 1));
    }

    @Test
    void shouldRejectCastsPostgresDoesNotAssign() {
        assertCode(() -> Values.coerce(PgType.INT4, TypMod.NONE, true), SqlState.DATATYPE_MISMATCH,
                "value of type boolean cannot be assigned to type integer");
        assertCode(() -> Values.coerce(PgType.UUID, TypMod.NONE, 1), SqlState.DATATYPE_MISMATCH,
                "value of type integer cannot be assigned to type uuid");
        assertCode(() -> Values.coerce(PgType.DATE, TypMod.NONE, new byte[0]), SqlState.DATATYPE_MISMATCH,
                "value of type bytea cannot be assigned to type date");
    }

    private static void assertCode(Runnable r, SqlState state, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(state);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }
}
