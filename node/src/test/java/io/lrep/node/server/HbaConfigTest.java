package io.lrep.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.node.server.HbaConfig.Method;
import io.lrep.node.server.HbaConfig.Replication;
import io.lrep.node.server.HbaConfig.Request;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HbaConfigTest {

    private static final Path FILE = Path.of("data", "hba.conf");
    private static final HbaConfig.Membership SELF = String::equals;

    private static Optional<Method> match(HbaConfig hba, String addr, String user, String db, Replication repl) throws Exception {
        return hba.match(new Request(InetAddress.getByName(addr), user, db, repl), SELF).map(HbaConfig.Rule::method);
    }

    @Test
    void shouldPickFirstMatchingLine() throws Exception {
        HbaConfig hba = HbaConfig.parse(FILE, """
                # comment
                host  sales,"all"   alice        127.0.0.1/32   reject
                host  all           bob          127.0.0.0 255.0.0.0  md5   # trailing comment
                hostnossl sameuser  all          ::1/128        password
                host  all           +admins      all            scram-sha-256
                host  all           all          10.0.0.0/8     trust
                """);
        assertThat(match(hba, "127.0.0.1", "alice", "sales", Replication.NONE)).contains(Method.REJECT);
        // a quoted "all" is a database name, not the keyword
        assertThat(match(hba, "127.0.0.1", "alice", "all", Replication.NONE)).contains(Method.REJECT);
        assertThat(match(hba, "127.0.0.1", "alice", "other", Replication.NONE)).isEmpty();
        assertThat(match(hba, "127.1.2.3", "bob", "x", Replication.NONE)).contains(Method.MD5);
        assertThat(match(hba, "::1", "carol", "carol", Replication.NONE)).contains(Method.PASSWORD);
        assertThat(match(hba, "::1", "carol", "other", Replication.NONE)).isEmpty();
        assertThat(match(hba, "192.168.1.1", "admins", "x", Replication.NONE)).contains(Method.SCRAM_SHA_256);
        assertThat(match(hba, "10.1.2.3", "dave", "x", Replication.NONE)).contains(Method.TRUST);
    }

    @Test
    void shouldMatchReplicationKeywordForPhysicalReplicationOnly() throws Exception {
        HbaConfig hba = HbaConfig.parse(FILE, """
                host replication all 127.0.0.1/32 md5
                host all         all 127.0.0.1/32 trust
                """);
        assertThat(match(hba, "127.0.0.1", "u", "replication", Replication.NONE)).contains(Method.TRUST);
        assertThat(match(hba, "127.0.0.1", "u", "u", Replication.PHYSICAL)).contains(Method.MD5);
        assertThat(match(hba, "127.0.0.1", "u", "db", Replication.LOGICAL)).contains(Method.TRUST);
        HbaConfig onlyAll = HbaConfig.parse(FILE, "host all all 127.0.0.1/32 trust\n");
        assertThat(match(onlyAll, "127.0.0.1", "u", "u", Replication.PHYSICAL)).isEmpty();
    }

    @Test
    void shouldNeverMatchSslOrLocalRules() throws Exception {
        HbaConfig hba = HbaConfig.parse(FILE, """
                local all all trust
                hostssl all all all trust
                host all all ::ffff:127.0.0.1/128 md5
                """);
        // an IPv4 client is compared with an IPv6 rule as its IPv4-mapped address
        assertThat(match(hba, "127.0.0.1", "u", "d", Replication.NONE)).contains(Method.MD5);
    }

    @Test
    void shouldContinueLinesEndingInBackslash() throws Exception {
        HbaConfig hba = HbaConfig.parse(FILE, "host all \\\n all 127.0.0.1/32 \\\n trust\n");
        assertThat(match(hba, "127.0.0.1", "u", "d", Replication.NONE)).contains(Method.TRUST);
    }

    @Test
    void shouldWordNoEntryAsPostgres() throws Exception {
        LrepException e = HbaConfig.noEntry(new Request(InetAddress.getByName("127.0.0.1"), "x", "y", Replication.NONE));
        assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_AUTHORIZATION_SPECIFICATION);
        assertThat(e.getMessage()).isEqualTo("no pg_hba.conf entry for host \"127.0.0.1\", user \"x\", database \"y\", no encryption");
        assertThat(HbaConfig.noEntry(new Request(InetAddress.getByName("127.0.0.1"), "x", "x", Replication.PHYSICAL)).getMessage())
                .isEqualTo("no pg_hba.conf entry for replication connection from host \"127.0.0.1\", user \"x\", no encryption");
    }

    @Test
    void shouldNameFileAndLineOfBadRule() {
        assertThatThrownBy(() -> HbaConfig.parse(FILE, "host all all 127.0.0.1/32 trust\n\nhost all all 127.0.0.1/32 ident\n"))
                .isInstanceOf(LrepException.class)
                .hasMessageContaining("invalid authentication method \"ident\"")
                .hasMessageContaining("line 3 of configuration file \"" + FILE + "\"");
        assertThatThrownBy(() -> HbaConfig.parse(FILE, "hots all all all trust\n")).hasMessageContaining("invalid connection type \"hots\"");
        assertThatThrownBy(() -> HbaConfig.parse(FILE, "host all all 127.0.0.1/33 trust\n")).hasMessageContaining("invalid CIDR mask");
        assertThatThrownBy(() -> HbaConfig.parse(FILE, "host all all 127.0.0.1\n")).hasMessageContaining("line 1");
        assertThatThrownBy(() -> HbaConfig.parse(FILE, "host all\n")).hasMessageContaining("end-of-line before role specification");
        assertThatThrownBy(() -> HbaConfig.parse(FILE, "host \"all all 127.0.0.1/32 trust\n")).hasMessageContaining("unterminated");
    }

    @Test
    void shouldParseStartupOptionsWithEscapes() {
        assertThat(StartupOptions.parse("-c search_path=a\\ b --statement-timeout=5s -cwork_mem=4MB  -c x=\\\\y"))
                .containsExactly(java.util.Map.entry("search_path", "a b"), java.util.Map.entry("statement_timeout", "5s"),
                        java.util.Map.entry("work_mem", "4MB"), java.util.Map.entry("x", "\\y"));
        assertThatThrownBy(() -> StartupOptions.parse("-B 100")).hasMessageContaining("invalid command-line argument for server process: -B");
        assertThatThrownBy(() -> StartupOptions.parse("-c foo")).hasMessageContaining("-c foo requires a value");
    }
}
