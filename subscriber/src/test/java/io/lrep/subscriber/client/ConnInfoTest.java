package io.lrep.subscriber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.subscriber.client.ConnInfo.HostAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnInfoTest {

    private static void syntaxError(String conninfo, String libpqMessage) {
        assertThatThrownBy(() -> ConnInfo.parse(conninfo)).isInstanceOf(LrepException.class)
                .hasMessage("invalid connection string syntax: " + libpqMessage)
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.SYNTAX_ERROR);
    }

    @Test
    void shouldParseKeywordValuePairsWithQuotesAndEscapes() {
        ConnInfo c = ConnInfo.parse("  host=db1 port = 5433 dbname='my db' password='it\\'s' user=a\\ b application_name=''");
        assertThat(c.values()).containsExactly(Map.entry("host", "db1"), Map.entry("port", "5433"),
                Map.entry("dbname", "my db"), Map.entry("password", "it's"), Map.entry("user", "a b"),
                Map.entry("application_name", ""));
        assertThat(c.hosts()).containsExactly(new HostAddress("db1", null, 5433));
        assertThat(c.applicationName()).isNull();
        assertThat(c.toString()).contains("password=********").doesNotContain("it's");
    }

    @Test
    void shouldApplyLibpqDefaults() {
        ConnInfo c = ConnInfo.parse("");
        assertThat(c.hosts()).containsExactly(new HostAddress("localhost", null, 5432));
        assertThat(c.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(c.dbname()).isEqualTo(c.user());
        assertThat(ConnInfo.parse("user=bob").dbname()).isEqualTo("bob");
        assertThat(c.sslmode()).isEqualTo("prefer");
        assertThat(c.targetSessionAttrs()).isEqualTo("any");
        assertThat(c.connectTimeoutSeconds()).isZero();
        assertThat(ConnInfo.parse("connect_timeout=1").connectTimeoutSeconds()).isEqualTo(2);
        assertThat(ConnInfo.parse("connect_timeout=10").connectTimeoutSeconds()).isEqualTo(10);
    }

    @Test
    void shouldSplitSeveralHostsAndPorts() {
        assertThat(ConnInfo.parse("host=a,b port=5432,5433").hosts())
                .containsExactly(new HostAddress("a", null, 5432), new HostAddress("b", null, 5433));
        assertThat(ConnInfo.parse("host=a,b,c port=6000").hosts()).extracting(HostAddress::port).containsOnly(6000);
        assertThat(ConnInfo.parse("host=a,,c").hosts()).extracting(HostAddress::host).containsExactly("a", "localhost", "c");
        assertThat(ConnInfo.parse("host=h hostaddr=127.0.0.1").hosts())
                .containsExactly(new HostAddress("h", "127.0.0.1", 5432));
        assertThat(ConnInfo.parse("hostaddr=127.0.0.1").hosts().get(0).connectTo()).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldReportLibpqConnectTimeErrors() {
        assertThatThrownBy(() -> ConnInfo.parse("host=a,b,c port=1,2").hosts()).isInstanceOf(ClientException.class)
                .hasMessage("could not match 2 port numbers to 3 hosts");
        assertThatThrownBy(() -> ConnInfo.parse("port=abc").hosts()).hasMessage("invalid port number: \"abc\"");
        assertThatThrownBy(() -> ConnInfo.parse("port=70000").hosts()).hasMessage("invalid port number: \"70000\"");
        assertThatThrownBy(() -> ConnInfo.parse("sslmode=maybe").sslmode()).hasMessage("invalid sslmode value: \"maybe\"");
        assertThatThrownBy(() -> ConnInfo.parse("target_session_attrs=x").targetSessionAttrs())
                .hasMessage("invalid target_session_attrs value: \"x\"");
        assertThatThrownBy(() -> ConnInfo.parse("connect_timeout=x").connectTimeoutSeconds())
                .hasMessage("invalid integer value \"x\" for connection option \"connect_timeout\"");
        assertThatThrownBy(() -> ConnInfo.parse("host=a,b hostaddr=1.2.3.4").hosts())
                .hasMessage("could not match 2 host names to 1 hostaddr values");
        assertThat(new ClientException("x").sqlState()).isEqualTo(SqlState.CONNECTION_FAILURE);
    }

    @Test
    void shouldReportLibpqSyntaxErrors() {
        syntaxError("host=a x=1", "invalid connection option \"x\"");
        syntaxError("host", "missing \"=\" after \"host\" in connection info string");
        syntaxError("host=a port", "missing \"=\" after \"port\" in connection info string");
        syntaxError("host='abc", "unterminated quoted string in connection info string");
        syntaxError("postgresql://h/db?foo=1", "invalid URI query parameter: \"foo\"");
        syntaxError("postgresql://h/db?port", "missing key/value separator \"=\" in URI query parameter: \"port\"");
        syntaxError("postgresql://h/db?port=1=2", "extra key/value separator \"=\" in URI query parameter: \"port=1=2\"");
        syntaxError("postgresql://h/d%zzb", "invalid percent-encoded token: \"d%zzb\"");
        syntaxError("postgresql://h/d%00b", "forbidden value %00 in percent-encoded value: \"d%00b\"");
        syntaxError("postgresql://[::1", "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"postgresql://[::1\"");
        syntaxError("postgresql://[]/db", "IPv6 host address may not be empty in URI: \"postgresql://[]/db\"");
        syntaxError("postgresql://[::1]x/db",
                "unexpected character \"x\" at position 19 in URI (expected \":\" or \"/\"): \"postgresql://[::1]x/db\"");
    }

    @Test
    void shouldParseUris() {
        ConnInfo c = ConnInfo.parse("postgresql://us%40er:p%3Ass@host1:5433,host2:5434/my%20db?application_name=app&connect_timeout=5");
        assertThat(c.user()).isEqualTo("us@er");
        assertThat(c.password()).isEqualTo("p:ss");
        assertThat(c.dbname()).isEqualTo("my db");
        assertThat(c.applicationName()).isEqualTo("app");
        assertThat(c.connectTimeoutSeconds()).isEqualTo(5);
        assertThat(c.hosts()).containsExactly(new HostAddress("host1", null, 5433), new HostAddress("host2", null, 5434));

        assertThat(ConnInfo.parse("postgres://").values()).isEmpty();
        assertThat(ConnInfo.parse("postgresql://localhost").hosts()).containsExactly(new HostAddress("localhost", null, 5432));
        assertThat(ConnInfo.parse("postgresql://[::1]:6000/db").hosts()).containsExactly(new HostAddress("::1", null, 6000));
        assertThat(ConnInfo.parse("postgresql://h?ssl=true").sslmode()).isEqualTo("require");
        assertThat(ConnInfo.parse("postgresql://h/?replication=database&dbname=x").values())
                .containsEntry("replication", "database").containsEntry("dbname", "x");
        assertThat(ConnInfo.parse("postgresql://a,b:5/db").hosts())
                .containsExactly(new HostAddress("a", null, 5432), new HostAddress("b", null, 5));
    }

    @Test
    void shouldAddSettingsLikeLibpqKeywordArrays() {
        ConnInfo c = ConnInfo.parse("host=h application_name=mine")
                .with("replication", "database")
                .withDefault("fallback_application_name", "sub1")
                .withDefault("application_name", "ignored");
        assertThat(c.replication()).isEqualTo("database");
        assertThat(c.applicationName()).isEqualTo("mine");
        assertThat(c.fallbackApplicationName()).isEqualTo("sub1");
        assertThatThrownBy(() -> c.with("nope", "1")).hasMessageContaining("invalid connection option \"nope\"");
        assertThat(ConnInfo.quote("a b'c")).isEqualTo("'a b\\'c'");
        assertThat(ConnInfo.parse("user=" + ConnInfo.quote("a b'c")).user()).isEqualTo("a b'c");
    }

    @Test
    void shouldComputeServerVersionNumbersAsLibpq() {
        assertThat(List.of("15.0", "15.18", "9.6.3", "16beta1", "15devel", "10.1 (Debian)", "x"))
                .map(ReplicationConnection::parseServerVersion)
                .containsExactly(150000, 150018, 90603, 160000, 150000, 100001, 0);
    }
}
