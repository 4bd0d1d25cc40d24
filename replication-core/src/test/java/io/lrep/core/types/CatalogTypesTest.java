package io.lrep.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Arrays, vectors, reg*, unknown, void and record, as PostgreSQL 15 reads and prints them. */
class CatalogTypesTest {

    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "_int4|{1,2,3}|{1,2,3}",
        "_int4|' { 1 , -2 ,NULL } '|{1,-2,NULL}",
        "_int4|{}|{}",
        "_int4|{{1,2},{3,4}}|{{1,2},{3,4}}",
        "_int4|[1:2]={5,6}|{5,6}",
        "_text|'{\"a b\",\"c\\\"d\",NULL}'|'{\"a b\",\"c\\\"d\",NULL}'",
        "_text|'{\"NULL\",null,\"\",x}'|'{\"NULL\",NULL,\"\",x}'",
        "_text|'{ a  b , c\\,d }'|'{\"a  b\",\"c,d\"}'",
        "_text|'{\"{}\",\\\\}'|'{\"{}\",\"\\\\\"}'",
        "_varchar|'{ab,\" \"}'|'{ab,\" \"}'",
        "_bool|{t,false,on}|{t,f,t}",
        "_float8|{NaN,-0,1e20}|{NaN,-0,1e+20}",
        "int2vector|1 2  3|1 2 3",
        "int2vector|'  '|''",
        "oidvector|26 4294967295|26 4294967295",
        "regclass|1259|1259",
        "regclass|-|-",
        "regtype|0|-",
        "unknown|'a b'|'a b'",
        "void|anything|''",
    })
    void shouldReadAndPrintAsPostgres(String type, String in, String out) {
        PgType t = PgType.byName(type);
        Object v = TextCodec.parse(t, TypMod.NONE, in);
        assertThat(TextCodec.format(t, v)).isEqualTo(out);
    }

    @Test
    void shouldRejectMalformedArrays() {
        assertMalformed("1,2", "Array value must start with \"{\" or dimension information.");
        assertMalformed("{1,2", "Unexpected end of input.");
        assertMalformed("{{1},{2,3}}", "Multidimensional arrays must have sub-arrays with matching dimensions.");
        assertMalformed("{1}x", "Junk after closing right brace.");
        assertMalformed("{1,{2}}", "Unexpected \"{\" character.");
        assertMalformed("{1,,2}", "Unexpected \",\" character.");
        assertMalformed("[1:3]={1,2}", "Specified array dimensions do not match array contents.");
        assertThatThrownBy(() -> TextCodec.parse(PgType.INT4_ARRAY, TypMod.NONE, "{a}"))
                .hasMessage("invalid input syntax for type integer: \"a\"");
        assertThatThrownBy(() -> TextCodec.parse(PgType.INT4_ARRAY, TypMod.NONE, "[0:1]={1,2}"))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED));
        assertThatThrownBy(() -> TextCodec.parse(PgType.INT4_ARRAY, TypMod.NONE, "{{{{{{{1}}}}}}}"))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.PROGRAM_LIMIT_EXCEEDED));
        assertThatThrownBy(() -> TextCodec.parse(PgType.REGCLASS, TypMod.NONE, "pg_class"))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.FEATURE_NOT_SUPPORTED));
    }

    @Test
    void shouldApplyElementTypmod() {
        assertThat(TextCodec.format(PgType.VARCHAR_ARRAY, TextCodec.parse(PgType.VARCHAR_ARRAY, TypMod.length(2), "{ab,\"b  \"}")))
                .isEqualTo("{ab,\"b \"}");
        assertThatThrownBy(() -> TextCodec.parse(PgType.VARCHAR_ARRAY, TypMod.length(2), "{abc}"))
                .hasMessage("value too long for type character varying(2)");
    }

    /** The bytes of PostgreSQL 15's array_send, int2vectorsend, oidvectorsend and regclasssend. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "_int4|{1,NULL}|00000001000000010000001700000002000000010000000400000001ffffffff",
        "_int4|{}|000000000000000000000017",
        "_int4|{{1},{2}}|0000000200000000000000170000000200000001000000010000000100000004000000010000000400000002",
        "_text|{ab}|000000010000000000000019000000010000000100000002" + "6162",
        "int2vector|1 2|000000010000000000000015000000020000000000000002000100000002" + "0002",
        "oidvector|26|00000001000000000000001a0000000100000000000000040000001a",
        "regclass|1259|000004eb",
        "void|x|''",
    })
    void shouldSendAsPostgres(String type, String text, String hex) {
        PgType t = PgType.byName(type);
        String expected = hex.equals("''") ? "" : hex;
        Object v = TextCodec.parse(t, TypMod.NONE, text);
        assertThat(HEX.formatHex(BinaryCodec.send(t, v))).isEqualTo(expected);
        Object back = BinaryCodec.receive(t, TypMod.NONE, HEX.parseHex(expected));
        assertThat(TextCodec.format(t, back)).isEqualTo(TextCodec.format(t, v));
    }

    @Test
    void shouldRejectMalformedBinaryArrays() {
        // element type int8 where int4 is expected
        assertThatThrownBy(() -> BinaryCodec.receive(PgType.INT4_ARRAY, TypMod.NONE,
                HEX.parseHex("000000010000000000000014000000010000000100000008" + "0000000000000001")))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.DATATYPE_MISMATCH);
                    assertThat(e.getMessage()).isEqualTo("binary data has array element type 20 (int8) instead of expected 23 (int4)");
                });
        assertBinary(PgType.INT4_ARRAY, "ffffffff0000000000000017", "invalid number of dimensions: -1");
        assertBinary(PgType.INT4_ARRAY, "000000010000000200000017", "invalid array flags");
        assertBinary(PgType.INT4_ARRAY, "00000001000000000000001700000001000000010000000400", "insufficient data left in message");
        assertBinary(PgType.INT2VECTOR, "000000010000000000000015000000010000000100000002" + "0001", "invalid int2vector data");
        assertThatThrownBy(() -> BinaryCodec.receive(PgType.INT4_ARRAY, TypMod.NONE, HEX.parseHex("000000070000000000000017")))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.PROGRAM_LIMIT_EXCEEDED));
    }

    private static void assertBinary(PgType type, String hex, String message) {
        assertThatThrownBy(() -> BinaryCodec.receive(type, TypMod.NONE, HEX.parseHex(hex)))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_BINARY_REPRESENTATION);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void shouldOrderArraysAndVectorsAsPostgres() {
        assertThat(Values.compare(PgType.INT4_ARRAY, new Object[] {1, 2}, new Object[] {1, 2, 3})).isNegative();
        assertThat(Values.compare(PgType.INT4_ARRAY, new Object[] {2}, new Object[] {1, 5})).isPositive();
        assertThat(Values.compare(PgType.INT4_ARRAY, new Object[] {1, null}, new Object[] {1, 2})).isPositive();
        assertThat(Values.equal(PgType.TEXT_ARRAY, new Object[] {"a", null}, new Object[] {"a", null})).isTrue();
        assertThat(Values.compare(PgType.INT4_ARRAY, new Object[] {new Object[] {1, 2}}, new Object[] {1, 2})).isPositive();
        assertThat(Values.equal(PgType.FLOAT8_ARRAY, new Object[] {-0.0}, new Object[] {0.0})).isTrue();
        assertThat(Values.hash(PgType.FLOAT8_ARRAY, new Object[] {-0.0})).isEqualTo(Values.hash(PgType.FLOAT8_ARRAY, new Object[] {0.0}));
        // oidvector: the shorter vector first
        assertThat(Values.compare(PgType.OIDVECTOR, new Object[] {5L}, new Object[] {1L, 2L})).isNegative();
        assertThat(Values.compare(PgType.REGCLASS, 1259L, 26L)).isPositive();
        assertThatThrownBy(() -> Values.equal(PgType.VOID, "", ""))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_FUNCTION));
    }

    @Test
    void shouldPrintAndSendRecordsAsPostgres() {
        Object[] row = {1, "a b", null, "x\"y", "", new Object[] {2L, "c"}};
        assertThat(TextCodec.format(PgType.RECORD, row)).isEqualTo("(1,\"a b\",,\"x\"\"y\",\"\",\"(2,c)\")");
        assertThat(TextCodec.parse(PgType.RECORD, TypMod.NONE, "(1,\"a b\",,\"x\"\"y\",\"\")"))
                .isEqualTo(new Object[] {"1", "a b", null, "x\"y", ""});
        assertThat(HEX.formatHex(BinaryCodec.send(PgType.RECORD, new Object[] {1, null})))
                .isEqualTo("00000002" + "00000017" + "00000004" + "00000001" + "000002c1" + "ffffffff");
        Object[] back = (Object[]) BinaryCodec.receive(PgType.RECORD, TypMod.NONE, BinaryCodec.send(PgType.RECORD, row));
        assertThat(Values.equal(PgType.RECORD, back, row)).isTrue();
        assertThatThrownBy(() -> TextCodec.parse(PgType.RECORD, TypMod.NONE, "1,2"))
                .hasMessage("malformed record literal: \"1,2\"");
        assertThatThrownBy(() -> Values.compare(PgType.RECORD, new Object[] {1}, new Object[] {"a"}))
                .hasMessage("cannot compare dissimilar column types integer and text at record column 1");
    }

    @Test
    void shouldNameArrayTypesAsFormatType() {
        assertThat(TypeNames.sqlName(PgType.INT4_ARRAY)).isEqualTo("integer[]");
        assertThat(TypeNames.sqlName(PgType.VARCHAR_ARRAY)).isEqualTo("character varying[]");
        assertThat(TypeNames.sqlName(PgType.OIDVECTOR)).isEqualTo("oidvector");
    }

    private static void assertMalformed(String text, String detail) {
        assertThatThrownBy(() -> TextCodec.parse(PgType.INT4_ARRAY, TypMod.NONE, text))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_TEXT_REPRESENTATION);
                    assertThat(e.getMessage()).isEqualTo("malformed array literal: \"" + text + "\"");
                    assertThat(e.detail()).isEqualTo(detail);
                });
    }
}
