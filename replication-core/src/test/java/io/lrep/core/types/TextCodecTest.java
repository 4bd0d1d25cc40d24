package io.lrep.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextCodecTest {

    /** Each line of the table was observed on PostgreSQL 15 (TimeZone UTC). */
    @TestFactory
    Stream<DynamicTest> shouldMatchPostgres15TextInputOutput() throws IOException {
        return rows("text-io-pg15.tsv").stream().map(r -> dynamicTest(r[0] + " '" + r[1] + "'", () -> {
            PgType type = PgType.byName(r[0].replaceAll("\\(.*", ""));
            int typmod = typmod(r[0]);
            if (r[2].startsWith("ERROR ")) {
                String code = r[2].substring(6, 11);
                String message = r[2].substring(12);
                assertThatThrownBy(() -> TextCodec.parse(type, typmod, r[1]))
                        .isInstanceOfSatisfying(LrepException.class, e -> {
                            assertThat(e.sqlState().code()).isEqualTo(code);
                            assertThat(e.getMessage()).isEqualTo(message);
                        });
            } else {
                Object value = TextCodec.parse(type, typmod, r[1]);
                assertThat(value).isInstanceOf(type.javaClass());
                assertThat(TextCodec.format(type, value)).isEqualTo(r[2]);
                // Output reads back as the same value.
                Object again = TextCodec.parse(type, typmod, r[2]);
                if (type == PgType.JSON) {
                    assertThat(again).isEqualTo(value);
                } else {
                    assertThat(Values.equal(type, again, value)).isTrue();
                }
            }
        }));
    }

    /** Shortest round-trip float output, observed on PostgreSQL 15 for random bit patterns. */
    @TestFactory
    Stream<DynamicTest> shouldPrintFloatsAsPostgres15() throws IOException {
        return rows("float-out-pg15.tsv").stream().map(r -> dynamicTest(r[0] + " " + r[1], () -> {
            PgType type = PgType.byName(r[0]);
            Object v = TextCodec.parse(type, TypMod.NONE, r[1]);
            assertThat(TextCodec.format(type, v)).isEqualTo(r[2]);
            assertThat(TextCodec.parse(type, TypMod.NONE, r[2])).isEqualTo(v);
        }));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1e20|1e+20", "1.5|1.5", "-0|-0", "1e-05|1e-05", "0.0001|0.0001", "1e15|1e+15",
        "100000000000000|100000000000000", "0.1|0.1", "1.0000000000000002|1.0000000000000002",
        "NaN|NaN", "infinity|Infinity", "-inf|-Infinity", "1e23|9.999999999999999e+22",
        "5e-324|5e-324", "123456789012345680000|1.2345678901234568e+20"})
    void shouldFormatFloat8(String in, String out) {
        assertThat(TextCodec.format(PgType.FLOAT8, TextCodec.parse(PgType.FLOAT8, -1, in))).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1e6|1e+06", "123456|123456", "1234567|1.234567e+06", "0.1|0.1",
        "3.4028235e38|3.4028235e+38", "1.4e-45|1e-45"})
    void shouldFormatFloat4(String in, String out) {
        assertThat(TextCodec.format(PgType.FLOAT4, TextCodec.parse(PgType.FLOAT4, -1, in))).isEqualTo(out);
    }

    @Test
    void shouldReportIntegerErrorsAsPostgres() {
        assertError(PgType.INT2, "99999", SqlState.NUMERIC_VALUE_OUT_OF_RANGE,
                "value \"99999\" is out of range for type smallint");
        assertError(PgType.INT4, "abc", SqlState.INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type integer: \"abc\"");
        assertError(PgType.INT8, "1.0", SqlState.INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type bigint: \"1.0\"");
        assertThat(TextCodec.parse(PgType.INT4, -1, " -2147483648 ")).isEqualTo(Integer.MIN_VALUE);
        assertThat(TextCodec.parse(PgType.INT8, -1, "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void shouldKeepNumericScaleAndRoundToTypmod() {
        assertThat(TextCodec.parse(PgType.NUMERIC, -1, "1.50")).isEqualTo(new BigDecimal("1.50"));
        assertThat(TextCodec.format(PgType.NUMERIC, new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(TextCodec.format(PgType.NUMERIC, TextCodec.parse(PgType.NUMERIC, -1, "1.5e-3"))).isEqualTo("0.0015");
        assertThat(TextCodec.format(PgType.NUMERIC, TextCodec.parse(PgType.NUMERIC, TypMod.numeric(5, 2), "2.5")))
                .isEqualTo("2.50");
        assertThat(TextCodec.format(PgType.NUMERIC, TextCodec.parse(PgType.NUMERIC, TypMod.numeric(2, 0), "-0.5")))
                .isEqualTo("-1");
        assertThatThrownBy(() -> TextCodec.parse(PgType.NUMERIC, TypMod.numeric(5, 2), "999.995"))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.NUMERIC_VALUE_OUT_OF_RANGE);
                    assertThat(e.getMessage()).isEqualTo("numeric field overflow");
                    assertThat(e.detail()).isEqualTo(
                            "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
                });
        assertError(PgType.NUMERIC, "NaN", SqlState.FEATURE_NOT_SUPPORTED, "numeric special value \"NaN\" is not supported");
        assertError(PgType.NUMERIC, "1e200000", SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
    }

    @Test
    void shouldApplyCharacterLengthRules() {
        int v3 = TypMod.length(3);
        assertThat(TextCodec.parse(PgType.VARCHAR, v3, "abc   ")).isEqualTo("abc");
        assertThat(TextCodec.parse(PgType.VARCHAR, v3, "ab")).isEqualTo("ab");
        assertThat(TextCodec.parse(PgType.VARCHAR, v3, "日本語")).isEqualTo("日本語");
        assertError(PgType.VARCHAR, v3, "abcd", SqlState.STRING_DATA_RIGHT_TRUNCATION,
                "value too long for type character varying(3)");
        assertThat(TextCodec.parse(PgType.BPCHAR, TypMod.length(4), "ab")).isEqualTo("ab  ");
        assertError(PgType.BPCHAR, v3, "ab c", SqlState.STRING_DATA_RIGHT_TRUNCATION, "value too long for type character(3)");
        assertThat(TextCodec.parse(PgType.BPCHAR, -1, "ab  ")).isEqualTo("ab  ");
        assertThat(((String) TextCodec.parse(PgType.NAME, -1, "é".repeat(40))).getBytes(StandardCharsets.UTF_8)).hasSize(62);
        assertError(PgType.TEXT, "a\0b", SqlState.CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\": 0x00");
    }

    @Test
    void shouldHandleSingleByteChar() {
        assertThat(TextCodec.parse(PgType.CHAR, -1, "é")).isEqualTo("\u00c3");
        assertThat(TextCodec.format(PgType.CHAR, "\u00c3")).isEqualTo("\\303");
        assertThat(TextCodec.parse(PgType.CHAR, -1, "")).isEqualTo("\0");
        assertThat(TextCodec.format(PgType.CHAR, "\0")).isEmpty();
        assertThat(TextCodec.parse(PgType.CHAR, -1, "\\101")).isEqualTo("A");
    }

    @Test
    void shouldReadBothByteaFormats() {
        assertThat((byte[]) TextCodec.parse(PgType.BYTEA, -1, "\\x DE ad\n0f")).containsExactly(0xde, 0xad, 0x0f);
        assertThat((byte[]) TextCodec.parse(PgType.BYTEA, -1, "a\\\\\\001\\377")).containsExactly('a', '\\', 1, 0xff);
        assertThat(TextCodec.format(PgType.BYTEA, new byte[] {0, (byte) 0xff, 0x10})).isEqualTo("\\x00ff10");
        assertThat(TextCodec.format(PgType.BYTEA, new byte[0])).isEqualTo("\\x");
    }

    @Test
    void shouldFormatDatesAndTimestampsInIsoStyle() {
        assertThat(TextCodec.format(PgType.DATE, LocalDate.of(-43, 3, 15))).isEqualTo("0044-03-15 BC");
        assertThat(TextCodec.format(PgType.DATE, LocalDate.MAX)).isEqualTo("infinity");
        assertThat(TextCodec.format(PgType.DATE, LocalDate.MIN)).isEqualTo("-infinity");
        assertThat(TextCodec.format(PgType.TIMESTAMP, LocalDateTime.of(2024, 1, 31, 13, 45, 0, 123_000_000)))
                .isEqualTo("2024-01-31 13:45:00.123");
        Instant i = Instant.parse("2024-01-31T13:45:00Z");
        assertThat(TextCodec.format(PgType.TIMESTAMPTZ, i)).isEqualTo("2024-01-31 13:45:00+00");
        assertThat(TextCodec.format(PgType.TIMESTAMPTZ, i, ZoneId.of("Asia/Kolkata"))).isEqualTo("2024-01-31 19:15:00+05:30");
        assertThat(TextCodec.format(PgType.TIMESTAMPTZ, i, ZoneId.of("America/New_York"))).isEqualTo("2024-01-31 08:45:00-05");
        assertThat(TextCodec.format(PgType.TIMESTAMPTZ, Instant.parse("1800-01-01T00:00:00Z"), ZoneId.of("Europe/Paris")))
                .isEqualTo("1800-01-01 00:09:21+00:09:21");
        assertThat(TextCodec.format(PgType.TIMESTAMPTZ, Instant.MAX)).isEqualTo("infinity");
    }

    @Test
    void shouldReadTimestamptzInTheSessionZone() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        Instant i = (Instant) TextCodec.parse(PgType.TIMESTAMPTZ, -1, "2024-06-01 12:00", paris);
        assertThat(i).isEqualTo(Instant.parse("2024-06-01T10:00:00Z"));
        assertThat(TextCodec.format(PgType.TIMESTAMPTZ, i, paris)).isEqualTo("2024-06-01 12:00:00+02");
        // An explicit zone wins over the session zone.
        assertThat(TextCodec.parse(PgType.TIMESTAMPTZ, -1, "2024-06-01 12:00+00", paris))
                .isEqualTo(Instant.parse("2024-06-01T12:00:00Z"));
    }

    @Test
    void shouldReadSpecialDateTimeWords() {
        Instant before = Instant.now().minusSeconds(1);
        Instant now = (Instant) TextCodec.parse(PgType.TIMESTAMPTZ, -1, "now");
        assertThat(now).isAfter(before).isBefore(Instant.now().plusSeconds(1));
        assertThat(TextCodec.parse(PgType.DATE, -1, "today", ZoneOffset.UTC)).isEqualTo(LocalDate.now(ZoneOffset.UTC));
        assertThat(TextCodec.parse(PgType.TIMESTAMP, -1, "epoch")).isEqualTo(LocalDateTime.of(1970, 1, 1, 0, 0));
        assertThat(TextCodec.parse(PgType.TIMESTAMPTZ, -1, "-infinity")).isEqualTo(Instant.MIN);
        assertThat(TextCodec.parse(PgType.TIMESTAMP, -1, "Infinity")).isEqualTo(LocalDateTime.MAX);
    }

    @Test
    void shouldReadUuidAndLsnForms() {
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(TextCodec.parse(PgType.UUID, -1, "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}")).isEqualTo(u);
        assertThat(TextCodec.parse(PgType.UUID, -1, "a0eebc999c0b4ef8bb6d6bb9bd380a11")).isEqualTo(u);
        assertThat(TextCodec.format(PgType.UUID, u)).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(TextCodec.parse(PgType.PG_LSN, -1, "16/b374d848")).isEqualTo(Lsn.parse("16/B374D848"));
        assertError(PgType.PG_LSN, "0/-0", SqlState.INVALID_TEXT_REPRESENTATION, "invalid input syntax for type pg_lsn: \"0/-0\"");
    }

    @Test
    void shouldNormalizeJsonbButKeepJson() {
        String in = "{\"b\":1,\"aa\":2,\"b\":3, \"c\":1.0e2, \"d\":[true,null,\"\\u0041\\n\"]}";
        assertThat(TextCodec.parse(PgType.JSON, -1, in)).isEqualTo(in);
        assertThat(TextCodec.parse(PgType.JSONB, -1, in)).isEqualTo("{\"b\": 3, \"c\": 100, \"d\": [true, null, \"A\\n\"], \"aa\": 2}");
        assertThatThrownBy(() -> TextCodec.parse(PgType.JSON, -1, "{\"a\":}"))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_TEXT_REPRESENTATION);
                    assertThat(e.getMessage()).isEqualTo("invalid input syntax for type json");
                    assertThat(e.detail()).isEqualTo("Expected JSON value, but found \"}\".");
                });
    }

    @Test
    void shouldLimitJsonNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThatThrownBy(() -> TextCodec.parse(PgType.JSONB, -1, deep))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.STATEMENT_TOO_COMPLEX));
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(TextCodec.parse(PgType.JSON, -1, ok)).isEqualTo(ok);
    }

    @Test
    void shouldPassNullThrough() {
        for (PgType t : PgType.values()) {
            assertThat(TextCodec.parse(t, -1, null)).isNull();
            assertThat(TextCodec.format(t, null)).isNull();
        }
    }

    @Test
    void shouldRejectValueOfWrongClass() {
        assertThatThrownBy(() -> TextCodec.format(PgType.INT4, 1L))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATATYPE_MISMATCH));
    }

    private static void assertError(PgType type, String text, SqlState state, String message) {
        assertError(type, -1, text, state, message);
    }

    private static void assertError(PgType type, int typmod, String text, SqlState state, String message) {
        assertThatThrownBy(() -> TextCodec.parse(type, typmod, text))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(state);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    static int typmod(String spec) {
        int open = spec.indexOf('(');
        if (open < 0) {
            return TypMod.NONE;
        }
        String args = spec.substring(open + 1, spec.length() - 1);
        if (spec.startsWith("numeric")) {
            String[] ps = args.split(",");
            return TypMod.numeric(Integer.parseInt(ps[0]), Integer.parseInt(ps[1]));
        }
        if (spec.startsWith("timestamp")) {
            return TypMod.precision(Integer.parseInt(args));
        }
        return TypMod.length(Integer.parseInt(args));
    }

    static List<String[]> rows(String resource) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = TextCodecTest.class.getResourceAsStream(resource);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("#")) {
                    rows.add(line.split("\t", -1));
                }
            }
        }
        return rows;
    }
}
