package io.lrep.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    @Test
    void shouldSplitOnTheDelimiterAndReadTheNullString() {
        assertThat(CopyText.fields("1\tabc\t\\N\t", '\t', "\\N")).containsExactly("1", "abc", null, "");
        assertThat(CopyText.fields("", '\t', "\\N")).containsExactly("");
        assertThat(CopyText.fields("a,NULL", ',', "NULL")).containsExactly("a", null);
    }

    @Test
    void shouldDecodeBackslashEscapesAsPostgresDoes() {
        assertThat(CopyText.fields("tab\\there\\nnew\\\\slash\\rcr\\bb\\ff\\vv", '\t', "\\N"))
                .containsExactly("tab\there\nnew\\slash\rcr\bb\ff\u000bv");
        assertThat(CopyText.fields("\\x41\\x4a2\\xZ\\101\\0\\7", '\t', "\\N")).containsExactly("AJ2xZA\u0000\u0007");
        assertThat(CopyText.fields("a\\\tb", '\t', "\\N")).as("an escaped delimiter is data").containsExactly("a\tb");
        assertThat(CopyText.fields("\\q\\", '\t', "\\N")).as("any other character stands for itself").containsExactly("q\\");
    }

    @Test
    void shouldCompareTheNullStringBeforeDecoding() {
        assertThat(CopyText.fields("\\\\N\t\\N", '\t', "\\N")).isEqualTo(Arrays.asList("\\N", null));
    }
}
