package io.lrep.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The null server answers as pgbench needs, in both threading models, and only after its flush. Correctness only. */
class NullCommitServerTest {

    @ParameterizedTest
    @EnumSource(NullCommitServer.Model.class)
    @Timeout(30)
    void answersEachQueryOnceItsRecordIsDurable(NullCommitServer.Model model, @TempDir Path dir) throws Exception {
        try (NullCommitServer server = new NullCommitServer(dir.resolve("log"), true, model, 100);
                Socket s = new Socket("127.0.0.1", server.start(0))) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] params = "user\0bench\0database\0postgres\0\0".getBytes(StandardCharsets.US_ASCII);
            out.writeInt(8 + params.length);
            out.writeInt(196608);
            out.write(params);
            out.flush();
            assertThat(readUntilReady(in)).startsWith("R").contains("S", "K").endsWith("Z");

            for (int i = 0; i < 3; i++) {
                byte[] sql = "INSERT INTO t VALUES (1)\0".getBytes(StandardCharsets.US_ASCII);
                out.writeByte('Q');
                out.writeInt(4 + sql.length);
                out.write(sql);
                out.flush();
                assertThat(readUntilReady(in)).isEqualTo("CZ");
                assertThat(server.durableBytes()).isEqualTo(100L * (i + 1)); // answered only once its record was flushed
            }
            out.writeByte('X');
            out.writeInt(4);
            out.flush();
            assertThat(in.read()).isEqualTo(-1); // the server closes after Terminate
        }
    }

    @ParameterizedTest
    @EnumSource(NullCommitServer.Model.class)
    @Timeout(60)
    void servesPgbenchWithoutFailures(NullCommitServer.Model model, @TempDir Path dir) throws Exception {
        assumeTrue(PgCluster.binaries().isPresent(), "PostgreSQL 15's pgbench is not installed in /usr/lib/postgresql/15/bin"
                + " (Debian package postgresql-15): the null server is not tried with pgbench");
        Path script = Path.of(System.getProperty("user.dir")).resolve("pgbench/txn.sql");
        try (NullCommitServer server = new NullCommitServer(dir.resolve("log"), false, model, 200)) {
            int port = server.start(0);
            List<String> cmd = new ArrayList<>(List.of(PgCluster.binaries().get().resolve("pgbench").toString(), "-n", "-h", "127.0.0.1",
                    "-p", Integer.toString(port), "-U", "bench", "-c", "4", "-j", "2", "-t", "200", "-f", script.toString(), "postgres"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).contains("number of transactions actually processed: 800/800", "number of failed transactions: 0");
        }
    }

    /** The types of the backend messages up to and including ReadyForQuery. */
    private static String readUntilReady(DataInputStream in) throws IOException {
        StringBuilder types = new StringBuilder();
        while (true) {
            int type = in.readUnsignedByte();
            int length = in.readInt();
            in.readFully(new byte[length - 4]);
            types.append((char) type);
            if (type == 'Z') {
                return types.toString();
            }
        }
    }
}
