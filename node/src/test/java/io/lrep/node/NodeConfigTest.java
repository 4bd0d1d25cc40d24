package io.lrep.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldParsePostgresqlConfSyntaxWithUnitsQuotesAndComments() throws Exception {
        Path file = dir.resolve("lrep.conf");
        Files.writeString(file, """
                # a comment
                port = 6543
                wal_sender_timeout = 2min      # trailing comment
                logical_decoding_work_mem 128MB
                cluster_name = 'it''s a node'
                synchronous_commit = OFF
                fsync = false
                """);
        NodeConfig config = NodeConfig.load(file, Map.of("port", "7000"));

        assertThat(config.getInt("port")).isEqualTo(7000);
        assertThat(config.getMillis("wal_sender_timeout")).isEqualTo(120_000);
        assertThat(config.show("wal_sender_timeout")).isEqualTo("2min");
        assertThat(config.getBytes("logical_decoding_work_mem")).isEqualTo(128L * 1024 * 1024);
        assertThat(config.show("logical_decoding_work_mem")).isEqualTo("128MB");
        assertThat(config.get("cluster_name")).isEqualTo("it's a node");
        assertThat(config.get("synchronous_commit")).isEqualTo("off");
        assertThat(config.getBool("fsync")).isFalse();
    }

    @Test
    void shouldShowDefaultsAsPostgresqlDoes() {
        NodeConfig config = NodeConfig.defaults();
        assertThat(config.show("wal_sender_timeout")).isEqualTo("1min");
        assertThat(config.show("logical_decoding_work_mem")).isEqualTo("64MB");
        assertThat(config.show("max_slot_wal_keep_size")).isEqualTo("-1");
        assertThat(config.show("checkpoint_timeout")).isEqualTo("5min");
        assertThat(config.show("synchronous_commit")).isEqualTo("on");
    }

    @Test
    void shouldNameFileAndLineOfABadSetting() throws Exception {
        Path file = dir.resolve("lrep.conf");
        Files.writeString(file, "port = 1\nmax_wal_senders = lots\n");
        assertThatThrownBy(() -> NodeConfig.load(file, Map.of()))
                .isInstanceOf(LrepException.class)
                .hasMessageContaining("max_wal_senders")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 2")
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.CONFIG_FILE_ERROR);
    }

    @Test
    void shouldRejectUnknownParametersOutOfRangeValuesAndWrongUnits() {
        assertThatThrownBy(() -> NodeConfig.builder().set("no_such_thing", "1"))
                .hasMessage("unrecognized configuration parameter \"no_such_thing\"");
        assertThatThrownBy(() -> NodeConfig.builder().set("port", "70000"))
                .hasMessageContaining("outside the valid range for parameter \"port\"");
        assertThatThrownBy(() -> NodeConfig.builder().set("wal_sender_timeout", "10MB"))
                .hasMessageContaining("invalid value for parameter \"wal_sender_timeout\"");
        assertThatThrownBy(() -> NodeConfig.builder().set("fsync", "maybe"))
                .hasMessage("parameter \"fsync\" requires a Boolean value");
        assertThatThrownBy(() -> NodeConfig.builder().set("synchronous_commit", "sometimes"))
                .hasMessageContaining("synchronous_commit");
    }

    @Test
    void shouldReadBackTheDefaultFileItWrites() throws Exception {
        Path file = dir.resolve("lrep.conf");
        Files.writeString(file, NodeConfig.defaultFileText(Map.of("port", "6000", "cluster_name", "n1")));
        NodeConfig config = NodeConfig.load(file, Map.of());
        assertThat(config.getInt("port")).isEqualTo(6000);
        assertThat(config.get("cluster_name")).isEqualTo("n1");
        assertThat(config.getMillis("wal_receiver_timeout")).isEqualTo(60_000);
    }
}
