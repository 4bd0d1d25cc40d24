package io.lrep.subscriber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.XLogData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client against a real PostgreSQL server, when one is installed: a throwaway cluster
 * (initdb into a temporary directory, wal_level = logical, a free loopback port), scram-sha-256
 * and md5 roles, and the commands a subscriber sends. Skipped with a message without the
 * binaries.
 */
class PostgresReplicationTest {

    private static Path bin;
    private static Path dir;
    private static int port;
    private static boolean started;
    private static ReplicationClient client;

    @BeforeAll
    static void startPostgres() throws Exception {
        Optional<Path> found = Stream.of("17", "16", "15").map(v -> Path.of("/usr/lib/postgresql", v, "bin"))
                .filter(p -> Files.isExecutable(p.resolve("initdb"))).findFirst();
        assumeTrue(found.isPresent(), "PostgreSQL server binaries are not installed (Debian: apt-get install postgresql); skipping");
        bin = found.get();
        dir = Files.createTempDirectory("lrep-client-pg");
        if (isRoot()) {
            run("chown", "postgres", dir.toString());
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        asPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--no-sync");
        asPostgres("sh", "-c", "cat >> " + data.resolve("postgresql.conf") + " <<'EOF'\n"
                + "listen_addresses = '127.0.0.1'\nport = " + port + "\nunix_socket_directories = '" + dir + "'\n"
                + "wal_level = logical\nmax_wal_senders = 5\nmax_replication_slots = 5\nfsync = off\n"
                + "EOF\n"
                + "cat > " + data.resolve("pg_hba.conf") + " <<'EOF'\n"
                + "local all all trust\nhost all md5user 127.0.0.1/32 md5\nhost all all 127.0.0.1/32 scram-sha-256\n"
                + "EOF\n");
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "start");
        started = true;
        asPostgres(bin.resolve("psql").toString(), "-h", dir.toString(), "-p", Integer.toString(port), "-U", "postgres",
                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
                "SET password_encryption = 'md5'; CREATE ROLE md5user LOGIN REPLICATION PASSWORD 'md5pw';"
                        + " SET password_encryption = 'scram-sha-256';"
                        + " CREATE ROLE scramuser LOGIN REPLICATION SUPERUSER PASSWORD 'scrampw';"
                        + " CREATE TABLE t (id int PRIMARY KEY, val text); INSERT INTO t VALUES (1, 'one'), (2, NULL);"
                        + " GRANT SELECT ON t TO md5user; CREATE PUBLICATION pub FOR TABLE t;");
        client = new ReplicationClient(1);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (client != null) {
            client.close();
        }
        if (started) {
            asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void asPostgres(String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>();
        if (isRoot()) {
            all.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        all.addAll(List.of(command));
        run(all.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    private String conninfo(String user, String password) {
        return "host=127.0.0.1 port=" + port + " dbname=postgres user=" + user + " password=" + password
                + " replication=database";
    }

    @Test
    void shouldAuthenticateWithScramAndMd5() {
        for (String[] cred : new String[][] {{"scramuser", "scrampw"}, {"md5user", "md5pw"}}) {
            try (ReplicationConnection c = client.connect(conninfo(cred[0], cred[1]))) {
                assertThat(c.usedPassword()).isTrue();
                assertThat(c.serverVersion()).isGreaterThanOrEqualTo(150000);
                assertThat(c.query("SELECT pg_catalog.set_config('search_path', '', false);").value(0, 0)).isEmpty();
                assertThat(c.query("IDENTIFY_SYSTEM").value(0, 3)).isEqualTo("postgres");
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.connect(conninfo("scramuser", "wrong")))
                .isInstanceOfSatisfying(ServerErrorException.class, e -> assertThat(e.sqlStateCode()).isEqualTo("28P01"));
    }

    @Test
    void shouldCreateASlotCopyStreamAndDropIt() throws Exception {
        try (ReplicationConnection c = client.connect(conninfo("scramuser", "scrampw") + " target_session_attrs=read-write");
                ReplicationConnection sql = client.connect("host=127.0.0.1 port=" + port
                        + " dbname=postgres user=scramuser password=scrampw")) {
            QueryResult slot = c.query("CREATE_REPLICATION_SLOT \"client_test\" LOGICAL pgoutput (SNAPSHOT 'nothing')");
            assertThat(slot.value(0, 0)).isEqualTo("client_test");
            long consistent = Lsn.parse(slot.value(0, 1)).value();

            List<String> rows = new ArrayList<>();
            long n = c.copyOut("COPY (SELECT id, val FROM public.t ORDER BY id) TO STDOUT",
                    d -> rows.add(new String(d, StandardCharsets.UTF_8)));
            assertThat(n).isEqualTo(2);
            assertThat(rows).containsExactly("1\tone\n", "2\t\\N\n");

            ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"client_test\" LOGICAL "
                    + Lsn.format(consistent) + " (proto_version '3', publication_names '\"pub\"')");
            sql.query("INSERT INTO t VALUES (3, 'three')");
            List<Character> kinds = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!kinds.contains('C') && System.nanoTime() < deadline) {
                ReplicationMessage m = stream.receive(Duration.ofSeconds(1));
                if (m instanceof XLogData x) {
                    kinds.add((char) x.payload()[0]);
                } else if (m instanceof PrimaryKeepalive k && k.replyRequested()) {
                    stream.sendStatus(stream.lastReceivedLsn(), 0, 0, false);
                }
            }
            assertThat(kinds).containsSubsequence('B', 'R', 'I', 'C');
            stream.sendStatus(stream.lastReceivedLsn(), stream.lastReceivedLsn(), stream.lastReceivedLsn(), false);
            assertThat(stream.end(Duration.ofSeconds(30))).extracting(QueryResult::commandTag).contains("START_REPLICATION");
            assertThat(c.query("DROP_REPLICATION_SLOT \"client_test\" WAIT").commandTag()).isEqualTo("DROP_REPLICATION_SLOT");
        }
    }
}
