package io.lrep.publisher.pgoutput;

import static io.lrep.publisher.pgoutput.PluginHarness.opts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.publisher.pgoutput.PgOutputOptions.Streaming;
import io.lrep.publisher.walsender.ReplicationCommand.PluginOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** START_REPLICATION options with PostgreSQL's parse_output_parameters / pgoutput_startup errors. */
class PgOutputOptionsTest {

    private static void fails(List<PluginOption> options, SqlState state, String message) {
        assertThatThrownBy(() -> PgOutputOptions.parse(options)).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.getMessage()).isEqualTo(message);
            assertThat(e.sqlState()).isEqualTo(state);
        });
    }

    @Test
    void shouldParseEveryOption() {
        PgOutputOptions o = PgOutputOptions.parse(opts("proto_version", "4", "publication_names", "p1, \"P 2\"", "binary", "TRUE",
                "messages", "on", "streaming", "parallel", "origin", "NONE", "two_phase", "off"));
        assertThat(o).isEqualTo(new PgOutputOptions(4, List.of("p1", "P 2"), true, true, Streaming.PARALLEL, true));
        assertThat(o.streams()).isTrue();

        PgOutputOptions d = PgOutputOptions.parse(opts("proto_version", "1", "publication_names", "p"));
        assertThat(d).isEqualTo(new PgOutputOptions(1, List.of("p"), false, false, Streaming.OFF, false));
        assertThat(d.streams()).isFalse();

        List<PluginOption> noValue = new ArrayList<>(opts("proto_version", " +2", "publication_names", "p"));
        noValue.add(new PluginOption("binary", null));
        noValue.add(new PluginOption("streaming", null));
        assertThat(PgOutputOptions.parse(noValue)).isEqualTo(new PgOutputOptions(2, List.of("p"), true, false, Streaming.ON, false));
    }

    @Test
    void shouldSplitPublicationNamesAsSplitIdentifierString() {
        assertThat(PgOutputOptions.splitIdentifiers(" Pub_A ,\"Mixed \"\"Q\"\"\",b")).containsExactly("pub_a", "Mixed \"Q\"", "b");
        assertThat(PgOutputOptions.splitIdentifiers("  ")).isEmpty();
        assertThat(PgOutputOptions.splitIdentifiers("\"\"")).containsExactly("");
        assertThat(PgOutputOptions.splitIdentifiers("ÉTÉ")).containsExactly("ÉtÉ"); // only ASCII letters are downcased
        assertThat(PgOutputOptions.splitIdentifiers("x".repeat(70))).containsExactly("x".repeat(63));
        assertThat(PgOutputOptions.splitIdentifiers("é".repeat(40)).get(0)).isEqualTo("é".repeat(31));
        for (String bad : List.of("a,", ",a", "a,,b", "a b", "\"open", "\"q\"x", "a, ")) {
            assertThat(PgOutputOptions.splitIdentifiers(bad)).as(bad).isNull();
        }
        fails(opts("proto_version", "1", "publication_names", "a,,b"), SqlState.INVALID_NAME, "invalid publication_names syntax");
    }

    @Test
    void shouldRejectBadOptionsWithPostgresErrors() {
        fails(opts("proto_version", "1", "publication_names", "p", "proto_version", "1"), SqlState.SYNTAX_ERROR,
                "conflicting or redundant options");
        fails(opts("proto_version", "1", "publication_names", "p", "publication_names", "q"), SqlState.SYNTAX_ERROR,
                "conflicting or redundant options");
        fails(opts("proto_version", "1", "bogus", "1"), SqlState.INTERNAL_ERROR, "unrecognized pgoutput option: bogus");
        fails(opts("proto_version", "x1"), SqlState.INVALID_PARAMETER_VALUE, "invalid proto_version");
        fails(opts("proto_version", "1 "), SqlState.INVALID_PARAMETER_VALUE, "invalid proto_version");
        fails(opts("proto_version", "99999999999999999999999"), SqlState.INVALID_PARAMETER_VALUE, "invalid proto_version");
        fails(opts("proto_version", "4294967296"), SqlState.INVALID_PARAMETER_VALUE, "proto_version \"4294967296\" out of range");
        fails(opts("proto_version", "-1"), SqlState.INVALID_PARAMETER_VALUE, "proto_version \"-1\" out of range");
        fails(opts("proto_version", "4294967295", "publication_names", "p"), SqlState.FEATURE_NOT_SUPPORTED,
                "client sent proto_version=-1 but we only support protocol 4 or lower");
        fails(opts("proto_version", "5", "publication_names", "p"), SqlState.FEATURE_NOT_SUPPORTED,
                "client sent proto_version=5 but we only support protocol 4 or lower");
        fails(opts("proto_version", "0", "publication_names", "p"), SqlState.FEATURE_NOT_SUPPORTED,
                "client sent proto_version=0 but we only support protocol 1 or higher");
        fails(opts("publication_names", "p"), SqlState.FEATURE_NOT_SUPPORTED,
                "client sent proto_version=0 but we only support protocol 1 or higher");
        fails(opts("proto_version", ""), SqlState.FEATURE_NOT_SUPPORTED,
                "client sent proto_version=0 but we only support protocol 1 or higher");
        fails(opts("proto_version", "1"), SqlState.INVALID_PARAMETER_VALUE, "publication_names parameter missing");
        fails(opts("proto_version", "1", "publication_names", " "), SqlState.INVALID_PARAMETER_VALUE,
                "publication_names parameter missing");
        fails(opts("proto_version", "1", "publication_names", "p", "binary", "yes"), SqlState.SYNTAX_ERROR,
                "binary requires a Boolean value");
        fails(opts("proto_version", "1", "publication_names", "p", "messages", "1"), SqlState.SYNTAX_ERROR,
                "messages requires a Boolean value");
        fails(opts("proto_version", "2", "publication_names", "p", "streaming", "maybe"), SqlState.SYNTAX_ERROR,
                "streaming requires a Boolean value or \"parallel\"");
        fails(opts("proto_version", "1", "publication_names", "p", "streaming", "on"), SqlState.INVALID_PARAMETER_VALUE,
                "requested proto_version=1 does not support streaming, need 2 or higher");
        fails(opts("proto_version", "3", "publication_names", "p", "streaming", "parallel"), SqlState.INVALID_PARAMETER_VALUE,
                "requested proto_version=3 does not support parallel streaming, need 4 or higher");
        fails(opts("proto_version", "1", "publication_names", "p", "origin", "local"), SqlState.INVALID_PARAMETER_VALUE,
                "unrecognized origin value: \"local\"");
        List<PluginOption> originWithoutValue = new ArrayList<>(opts("proto_version", "1", "publication_names", "p"));
        originWithoutValue.add(new PluginOption("origin", null));
        fails(originWithoutValue, SqlState.SYNTAX_ERROR, "origin requires a parameter");
        fails(opts("proto_version", "2", "publication_names", "p", "two_phase", "on"), SqlState.INVALID_PARAMETER_VALUE,
                "requested proto_version=2 does not support two-phase commit, need 3 or higher");
        fails(opts("proto_version", "3", "publication_names", "p", "two_phase", "true"), SqlState.INVALID_PARAMETER_VALUE,
                "two-phase commit requested, but not supported by output plugin");
        // Checked in PostgreSQL's order: an option's own error before the version's
        fails(opts("proto_version", "9", "binary", "maybe"), SqlState.SYNTAX_ERROR, "binary requires a Boolean value");
    }
}
