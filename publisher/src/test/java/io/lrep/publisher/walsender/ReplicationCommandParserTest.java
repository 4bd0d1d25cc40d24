package io.lrep.publisher.walsender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.publisher.walsender.ReplicationCommand.CreateSlot;
import io.lrep.publisher.walsender.ReplicationCommand.DropSlot;
import io.lrep.publisher.walsender.ReplicationCommand.IdentifySystem;
import io.lrep.publisher.walsender.ReplicationCommand.PluginOption;
import io.lrep.publisher.walsender.ReplicationCommand.ReadSlot;
import io.lrep.publisher.walsender.ReplicationCommand.Show;
import io.lrep.publisher.walsender.ReplicationCommand.SnapshotAction;
import io.lrep.publisher.walsender.ReplicationCommand.StartLogical;
import io.lrep.publisher.walsender.ReplicationCommand.StartPhysical;
import io.lrep.publisher.walsender.ReplicationCommand.TimelineHistory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicationCommandParserTest {

    private static void assertError(String sql, SqlState state, String message) {
        assertThatThrownBy(() -> ReplicationCommandParser.parse(sql)).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(state);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void shouldParseTheSimpleCommandsInAnyCaseWithAnOptionalSemicolon() {
        assertThat(ReplicationCommandParser.parse("IDENTIFY_SYSTEM")).isEqualTo(new IdentifySystem());
        assertThat(ReplicationCommandParser.parse("  identify_system ;")).isEqualTo(new IdentifySystem());
        assertThat(ReplicationCommandParser.parse("SHOW wal_sender_timeout")).isEqualTo(new Show("wal_sender_timeout"));
        assertThat(ReplicationCommandParser.parse("SHOW Foo.Bar")).isEqualTo(new Show("foo.bar"));
        assertThat(ReplicationCommandParser.parse("TIMELINE_HISTORY 2")).isEqualTo(new TimelineHistory(2));
        assertThat(ReplicationCommandParser.parse("READ_REPLICATION_SLOT \"Phys\"")).isEqualTo(new ReadSlot("Phys"));
        assertThat(ReplicationCommandParser.parse("DROP_REPLICATION_SLOT s1")).isEqualTo(new DropSlot("s1", false));
        assertThat(ReplicationCommandParser.parse("DROP_REPLICATION_SLOT s1 WAIT")).isEqualTo(new DropSlot("s1", true));
    }

    @Test
    void shouldLeaveSqlToTheSqlParser() {
        assertThat(ReplicationCommandParser.parse("SELECT 1")).isNull();
        assertThat(ReplicationCommandParser.parse("select pg_catalog.set_config('search_path', '', false)")).isNull();
        assertThat(ReplicationCommandParser.parse("")).isNull();
        assertThat(ReplicationCommandParser.parse("'unterminated")).isNull();
        assertThat(ReplicationCommandParser.isReplicationCommand("CREATE_REPLICATION_SLOT")).isTrue();
        assertThat(ReplicationCommandParser.isReplicationCommand("CREATE TABLE t (a int)")).isFalse();
    }

    @Test
    void shouldParseCreateSlotInTheNewSyntax() {
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT \"sub1\" LOGICAL pgoutput (SNAPSHOT 'nothing')"))
                .isEqualTo(new CreateSlot("sub1", false, true, "pgoutput", SnapshotAction.NOTHING, false, false));
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT t TEMPORARY LOGICAL pgoutput (SNAPSHOT 'use', TWO_PHASE)"))
                .isEqualTo(new CreateSlot("t", true, true, "pgoutput", SnapshotAction.USE, false, true));
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT p PHYSICAL (RESERVE_WAL false)"))
                .isEqualTo(new CreateSlot("p", false, false, null, SnapshotAction.EXPORT, false, false));
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT s LOGICAL pgoutput"))
                .as("export is the default").isEqualTo(new CreateSlot("s", false, true, "pgoutput", SnapshotAction.EXPORT, false, false));
    }

    @Test
    void shouldParseCreateSlotInTheLegacySyntax() {
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT s LOGICAL pgoutput NOEXPORT_SNAPSHOT"))
                .isEqualTo(new CreateSlot("s", false, true, "pgoutput", SnapshotAction.NOTHING, false, false));
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT s TEMPORARY LOGICAL pgoutput USE_SNAPSHOT"))
                .isEqualTo(new CreateSlot("s", true, true, "pgoutput", SnapshotAction.USE, false, false));
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT p PHYSICAL RESERVE_WAL"))
                .isEqualTo(new CreateSlot("p", false, false, null, SnapshotAction.EXPORT, true, false));
    }

    @Test
    void shouldRejectBadSlotOptionsAsPostgreSqlDoes() {
        assertError("CREATE_REPLICATION_SLOT s LOGICAL pgoutput (SNAPSHOT 'later')", SqlState.INVALID_PARAMETER_VALUE,
                "unrecognized value for CREATE_REPLICATION_SLOT option \"snapshot\": \"later\"");
        assertError("CREATE_REPLICATION_SLOT s LOGICAL pgoutput (SNAPSHOT 'use', SNAPSHOT 'use')", SqlState.SYNTAX_ERROR,
                "conflicting or redundant options");
        assertError("CREATE_REPLICATION_SLOT s PHYSICAL (SNAPSHOT 'use')", SqlState.SYNTAX_ERROR, "conflicting or redundant options");
        assertError("CREATE_REPLICATION_SLOT s LOGICAL pgoutput (RESERVE_WAL)", SqlState.SYNTAX_ERROR, "conflicting or redundant options");
        assertError("CREATE_REPLICATION_SLOT s LOGICAL pgoutput (TWO_PHASE 'maybe')", SqlState.SYNTAX_ERROR,
                "two_phase requires a Boolean value");
        assertError("CREATE_REPLICATION_SLOT s PHYSICAL (FAILOVER)", SqlState.SYNTAX_ERROR, "conflicting or redundant options");
        assertError("CREATE_REPLICATION_SLOT s LOGICAL pgoutput (FAILOVER, FAILOVER false)", SqlState.SYNTAX_ERROR,
                "conflicting or redundant options");
        assertError("CREATE_REPLICATION_SLOT s LOGICAL pgoutput (BOGUS)", SqlState.SYNTAX_ERROR, "unrecognized option: bogus");
    }

    @Test
    void shouldParseFailoverAsPostgreSql17() {
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT \"s\" LOGICAL pgoutput (FAILOVER, SNAPSHOT 'nothing')"))
                .isEqualTo(new CreateSlot("s", false, true, "pgoutput", SnapshotAction.NOTHING, false, false, true));
        assertThat(ReplicationCommandParser.parse("CREATE_REPLICATION_SLOT s LOGICAL pgoutput (FAILOVER false)"))
                .isEqualTo(new CreateSlot("s", false, true, "pgoutput", SnapshotAction.EXPORT, false, false, false));
        assertThat(ReplicationCommandParser.parse("ALTER_REPLICATION_SLOT \"s\" ( FAILOVER true )"))
                .isEqualTo(new ReplicationCommand.AlterSlot("s", true));
        assertThat(ReplicationCommandParser.parse("alter_replication_slot s (failover 'off');"))
                .isEqualTo(new ReplicationCommand.AlterSlot("s", false));
        assertError("ALTER_REPLICATION_SLOT s", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("ALTER_REPLICATION_SLOT s (FAILOVER, FAILOVER)", SqlState.SYNTAX_ERROR, "conflicting or redundant options");
        assertError("ALTER_REPLICATION_SLOT s (TWO_PHASE)", SqlState.INTERNAL_ERROR, "unrecognized option: two_phase");
    }

    @Test
    void shouldParseStartReplication() {
        assertThat(ReplicationCommandParser.parse(
                "START_REPLICATION SLOT \"sub1\" LOGICAL 0/1A2B3C (proto_version '2', publication_names '\"p1\",\"p2\"', binary)"))
                .isEqualTo(new StartLogical("sub1", 0x1A2B3CL, List.of(new PluginOption("proto_version", "2"),
                        new PluginOption("publication_names", "\"p1\",\"p2\""), new PluginOption("binary", null))));
        assertThat(ReplicationCommandParser.parse("START_REPLICATION SLOT s LOGICAL 16/B374D848"))
                .isEqualTo(new StartLogical("s", 0x16B374D848L, List.of()));
        assertThat(ReplicationCommandParser.parse("START_REPLICATION 0/3000000 TIMELINE 1"))
                .isEqualTo(new StartPhysical(null, 0x3000000L, 1));
        assertThat(ReplicationCommandParser.parse("START_REPLICATION SLOT p PHYSICAL A/0"))
                .isEqualTo(new StartPhysical("p", 0xA00000000L, 0));
        assertThat(ReplicationCommandParser.parse("START_REPLICATION SLOT s LOGICAL 0/0 (messages 'it''s')"))
                .isEqualTo(new StartLogical("s", 0, List.of(new PluginOption("messages", "it's"))));
    }

    @Test
    void shouldReportMalformedCommandsAsSyntaxErrors() {
        assertError("START_REPLICATION SLOT s LOGICAL", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("START_REPLICATION SLOT s LOGICAL 0/0 (proto_version 2)", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("START_REPLICATION LOGICAL 0/0", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("START_REPLICATION SLOT s LOGICAL 1FFFFFFFF/0", SqlState.SYNTAX_ERROR, "invalid streaming start location");
        assertError("CREATE_REPLICATION_SLOT", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("CREATE_REPLICATION_SLOT s LOGICAL", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("DROP_REPLICATION_SLOT s NOW", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("IDENTIFY_SYSTEM extra", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("IDENTIFY_SYSTEM; IDENTIFY_SYSTEM", SqlState.SYNTAX_ERROR, "syntax error");
        assertError("DROP_REPLICATION_SLOT s @", SqlState.SYNTAX_ERROR, "syntax error: unexpected character \"@\"");
        assertError("DROP_REPLICATION_SLOT 's", SqlState.SYNTAX_ERROR, "unterminated quoted string");
        assertError("DROP_REPLICATION_SLOT \"\"", SqlState.SYNTAX_ERROR, "zero-length delimited identifier");
    }

    @Test
    void shouldTruncateLongIdentifiersToSixtyThreeBytes() {
        String name = "s".repeat(70);
        assertThat(ReplicationCommandParser.parse("DROP_REPLICATION_SLOT " + name)).isEqualTo(new DropSlot("s".repeat(63), false));
    }
}
