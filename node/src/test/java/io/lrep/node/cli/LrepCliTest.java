package io.lrep.node.cli;

import static io.lrep.node.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.node.Node;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's answers to the mistakes people make: each a clear error, exit code 1. */
class LrepCliTest {

    @TempDir
    Path tmp;

    @Test
    void shouldRefuseAMissingDataDirectory() {
        CliRun r = run("start", "-D", tmp.resolve("nowhere").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("data directory \"" + tmp.resolve("nowhere") + "\" does not exist").contains("lrep init");
    }

    @Test
    void shouldRefuseALockedDataDirectory() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of("port", "0"));
        try (Node running = Node.start(dir, Map.of())) {
            assertThat(running.port()).isPositive();
            CliRun r = run("start", "-D", dir.toString());
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("lock file").contains("lrep.pid").contains("SQLSTATE F0001");
        }
    }

    @Test
    void shouldRefuseAPortInUse() throws Exception {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of());
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            CliRun r = run("start", "-D", dir.toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("could not bind address \"127.0.0.1\" port " + taken.getLocalPort())
                    .contains("Is another server already running on port");
        }
        // the failed start left nothing behind: the directory opens again
        try (Node node = Node.start(dir, Map.of("port", "0"))) {
            assertThat(node.port()).isPositive();
        }
    }

    @Test
    void shouldNameTheLineOfABadSetting() throws Exception {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of());
        Files.writeString(dir.resolve("lrep.conf"), "port = 0\nmax_connections = lots\n");
        CliRun r = run("start", "-D", dir.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("max_connections").contains("line 2").contains(dir.resolve("lrep.conf").toString());
    }

    @Test
    void shouldReportStatusOfAStoppedNodeWithPgCtlsExitCode() {
        Path dir = tmp.resolve("data");
        Node.init(dir, Map.of());
        CliRun r = run("status", "-D", dir.toString());
        assertThat(r.exitCode()).isEqualTo(Lrep.EXIT_NOT_RUNNING);
    }

    @Test
    void shouldInitWithScramFromAPasswordFile() throws Exception {
        Path pw = Files.writeString(tmp.resolve("pw"), "secret\n");
        Path dir = tmp.resolve("data");
        CliRun r = run("init", "-D", dir.toString(), "-U", "admin", "--auth", "scram-sha-256", "--pwfile", pw.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(dir.resolve("hba.conf"))).contains("scram-sha-256");
        CliRun noPassword = run("init", "-D", tmp.resolve("other").toString(), "--auth", "md5");
        assertThat(noPassword.exitCode()).isEqualTo(1);
        assertThat(noPassword.err()).contains("must specify a password");
    }
}
