package io.lrep.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class BinaryCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The bytes of PostgreSQL 15's *_send functions for these values. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "numeric|1.50|000200000000000200011388",
        "numeric|0|0000000000000000",
        "numeric|0.00|0000000000000002",
        "numeric|-12345.6789|0003000140000004000109291a85",
        "numeric|10000|00010001000000000001",
        "numeric|0.0001|0001ffff000000040001",
        "numeric|123456789.12345|0005000200000005000109291a8504d21388",
        "numeric|1e-20|0001fffb000000140001",
        "date|2024-01-31|0000225c",
        "date|infinity|7fffffff",
        "timestamp|2024-01-31 13:45:00.123|0002b33cda966f78",
        "timestamp|infinity|7fffffffffffffff",
        "timestamp|-infinity|8000000000000000",
        "timestamptz|1999-12-31 23:59:59.999999+00|ffffffffffffffff",
        "jsonb|{\"a\":1}|017b2261223a20317d",
        "float8|1.5|3ff8000000000000",
        "uuid|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|a0eebc999c0b4ef8bb6d6bb9bd380a11",
        "pg_lsn|16/B374D848|00000016b374d848",
        "oid|4294967295|ffffffff",
        "int2|-2|fffe",
        "bool|t|01",
        "char|\\303|c3",
        "text|é|c3a9",
    })
    void shouldSendAsPostgres(String type, String text, String hex) {
        PgType t = PgType.byName(type);
        Object v = TextCodec.parse(t, TypMod.NONE, text);
        assertThat(HEX.formatHex(BinaryCodec.send(t, v))).isEqualTo(hex);
        Object back = BinaryCodec.receive(t, TypMod.NONE, HEX.parseHex(hex));
        assertThat(TextCodec.format(t, back)).isEqualTo(TextCodec.format(t, v));
    }

    @ParameterizedTest
    @EnumSource(PgType.class)
    void shouldRoundTripRandomValuesThroughBinaryAndText(PgType type) {
        long seed = RandomValues.seed("BinaryCodecTest." + type);
        RandomValues values = new RandomValues(new Random(seed));
        for (int i = 0; i < 500; i++) {
            Object v = values.value(type);
            byte[] wire = BinaryCodec.send(type, v);
            Object back = BinaryCodec.receive(type, TypMod.NONE, ByteBuffer.wrap(wire));
            assertThat(same(type, back, v)).as("binary %s %s (seed %s)", type, TextCodec.format(type, v), seed).isTrue();
            String text = TextCodec.format(type, v);
            Object parsed = TextCodec.parse(type, TypMod.NONE, text);
            assertThat(same(type, parsed, v)).as("text %s %s (seed %s)", type, text, seed).isTrue();
            assertThat(TextCodec.format(type, parsed)).isEqualTo(text);
        }
    }

    private static boolean same(PgType type, Object a, Object b) {
        switch (type) {
            case JSON:
                return a.equals(b);
            case FLOAT4:
                return Float.floatToIntBits((Float) a) == Float.floatToIntBits((Float) b);
            case FLOAT8:
                return Double.doubleToLongBits((Double) a) == Double.doubleToLongBits((Double) b);
            case NUMERIC:
                return a.equals(b);
            case BPCHAR:
            case VOID:
                return a.equals(b);
            default:
                return Values.equal(type, a, b);
        }
    }

    @Test
    void shouldApplyTypmodOnReceive() {
        byte[] wire = BinaryCodec.send(PgType.NUMERIC, new BigDecimal("2.345"));
        assertThat(BinaryCodec.receive(PgType.NUMERIC, TypMod.numeric(4, 2), wire)).isEqualTo(new BigDecimal("2.35"));
        assertThat(BinaryCodec.receive(PgType.BPCHAR, TypMod.length(3), "a".getBytes())).isEqualTo("a  ");
        assertThat(BinaryCodec.receive(PgType.TIMESTAMP, TypMod.precision(0),
                BinaryCodec.send(PgType.TIMESTAMP, LocalDateTime.of(2024, 1, 1, 0, 0, 0, 500_000_000))))
                .isEqualTo(LocalDateTime.of(2024, 1, 1, 0, 0, 1));
    }

    @Test
    void shouldTruncateNumericDigitsHiddenByDscale() {
        // 1.2345 with dscale 2, as numeric_recv reads it: 1.23.
        byte[] wire = HEX.parseHex("0002000000000002" + "0001" + "0929");
        assertThat(BinaryCodec.receive(PgType.NUMERIC, TypMod.NONE, wire)).isEqualTo(new BigDecimal("1.23"));
    }

    @Test
    void shouldRejectMalformedBinaryInput() {
        assertCode(PgType.INT4, "000001", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.INT8, "", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.UUID, "00", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.NUMERIC, "0001000000000000", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.NUMERIC, "0001000000000000" + "000100", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.NUMERIC, "0001000012340000" + "0001", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.NUMERIC, "0001000000000000" + "2710", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.NUMERIC, "00000000c0000000", SqlState.FEATURE_NOT_SUPPORTED);
        assertCode(PgType.JSONB, "027b7d", SqlState.INVALID_BINARY_REPRESENTATION);
        assertCode(PgType.JSONB, "017b", SqlState.INVALID_TEXT_REPRESENTATION);
        assertCode(PgType.TEXT, "c3", SqlState.CHARACTER_NOT_IN_REPERTOIRE);
        assertCode(PgType.DATE, "7ffffffe", SqlState.DATETIME_FIELD_OVERFLOW);
        assertCode(PgType.TIMESTAMP, "7ffffffffffffffe", SqlState.DATETIME_FIELD_OVERFLOW);
        assertCode(PgType.NAME, "61".repeat(64), SqlState.NAME_TOO_LONG);
        assertThatThrownBy(() -> BinaryCodec.receive(PgType.NUMERIC, TypMod.NONE, HEX.parseHex("0001000000000000")))
                .hasMessage("invalid length in external \"numeric\" value");
    }

    @Test
    void shouldKeepInfinitiesAndNullsAndMoveTheBuffer() {
        assertThat(BinaryCodec.receive(PgType.TIMESTAMPTZ, TypMod.NONE, BinaryCodec.send(PgType.TIMESTAMPTZ, Instant.MIN)))
                .isEqualTo(Instant.MIN);
        assertThat(BinaryCodec.receive(PgType.DATE, TypMod.NONE, BinaryCodec.send(PgType.DATE, LocalDate.MIN)))
                .isEqualTo(LocalDate.MIN);
        assertThat(BinaryCodec.send(PgType.INT4, null)).isNull();
        assertThat(BinaryCodec.receive(PgType.INT4, TypMod.NONE, (byte[]) null)).isNull();
        ByteBuffer buf = ByteBuffer.wrap(BinaryCodec.send(PgType.UUID, new UUID(1, 2)));
        assertThat(BinaryCodec.receive(PgType.UUID, TypMod.NONE, buf)).isEqualTo(new UUID(1, 2));
        assertThat(buf.hasRemaining()).isFalse();
        assertThat(BinaryCodec.receive(PgType.PG_LSN, TypMod.NONE, BinaryCodec.send(PgType.PG_LSN, Lsn.of(-1))))
                .isEqualTo(Lsn.of(-1));
    }

    private static void assertCode(PgType type, String hex, SqlState state) {
        assertThatThrownBy(() -> BinaryCodec.receive(type, TypMod.NONE, HEX.parseHex(hex)))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(state));
    }
}
