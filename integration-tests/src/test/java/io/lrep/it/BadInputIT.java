package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input ends at most its own connection: malformed protocol messages get 08P01 and a
 * closed connection, bad credentials get 28P01/28000/3D000, and the node keeps serving others.
 */
class BadInputIT {

    @TempDir
    static Path tmp;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        Path dir = tmp.resolve("data");
        node = TestNode.start(dir, Map.of());
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE alice LOGIN PASSWORD 'wonderland'");
            s.execute("CREATE ROLE bob NOLOGIN");
        }
        // alice must authenticate with SCRAM; everyone else is trusted (first matching line wins)
        Path hba = dir.resolve("hba.conf");
        Files.writeString(hba, "host all alice 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
        node.node().reloadHba();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static Connection connect(String user, String password, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + node.port() + "/" + database, p);
    }

    private static void assertStillServing() throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    @Test
    void shouldAuthenticateWithScramAndRejectWrongPasswordsUnknownRolesAndDatabases() throws SQLException {
        try (Connection c = connect("alice", "wonderland", "postgres")) {
            assertThat(c.isValid(5)).isTrue();
        }
        assertThatThrownBy(() -> connect("alice", "looking-glass", "postgres"))
                .hasMessageContaining("password authentication failed for user \"alice\"")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28P01");
        assertThatThrownBy(() -> connect("nobody", null, "postgres"))
                .hasMessageContaining("role \"nobody\" does not exist")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28000");
        assertThatThrownBy(() -> connect("bob", null, "postgres"))
                .hasMessageContaining("not permitted to log in")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28000");
        assertThatThrownBy(() -> connect(TestNode.SUPERUSER, null, "nosuchdb"))
                .hasMessageContaining("database \"nosuchdb\" does not exist")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("3D000");
        assertStillServing();
    }

    /** A raw protocol connection that has completed start-up. */
    private static Socket startedConnection() throws IOException {
        Socket socket = new Socket("127.0.0.1", node.port());
        socket.setSoTimeout(10_000);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        b.writeInt(196608);
        for (String s : new String[] {"user", TestNode.SUPERUSER, "database", "postgres"}) {
            b.write(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        b.write(0);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(body.size() + 4);
        out.write(body.toByteArray());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        while (true) {
            byte type = in.readByte();
            byte[] payload = new byte[in.readInt() - 4];
            in.readFully(payload);
            if (type == 'Z') {
                return socket;
            }
        }
    }

    /** Reads messages until an ErrorResponse; returns its SQLSTATE, then expects the server to close. */
    private static String errorThenClose(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String code = null;
        try {
            while (true) {
                byte type = in.readByte();
                byte[] payload = new byte[in.readInt() - 4];
                in.readFully(payload);
                if (type == 'E') {
                    String fields = new String(payload, StandardCharsets.UTF_8);
                    int at = fields.indexOf("\0C");
                    code = fields.substring(at + 2, at + 7);
                }
            }
        } catch (EOFException closed) {
            return code; // the server closed the connection, as it must after a protocol violation
        }
    }

    @Test
    void shouldAnswerAnUnknownMessageTypeWith08P01AndClose() throws Exception {
        try (Socket s = startedConnection()) {
            // one write: a second segment arriving after the server closed would be answered with a reset
            s.getOutputStream().write(new byte[] {'x', 0, 0, 0, 4});
            s.getOutputStream().flush();
            assertThat(errorThenClose(s)).isEqualTo("08P01");
        }
        assertStillServing();
    }

    @Test
    void shouldAnswerAnOversizedMessageWith08P01AndClose() throws Exception {
        try (Socket s = startedConnection()) {
            s.getOutputStream().write(new byte[] {'Q', 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // length 2^31-1, one write
            s.getOutputStream().flush();
            assertThat(errorThenClose(s)).isEqualTo("08P01");
        }
        assertStillServing();
    }

    @Test
    void shouldSurviveGarbageAndTruncatedMessages() throws Exception {
        long seed = Long.getLong("badinput.seed", System.nanoTime());
        System.out.println("BadInputIT seed=" + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 10; i++) {
            try (Socket s = startedConnection()) {
                byte[] garbage = new byte[1 + random.nextInt(200)];
                random.nextBytes(garbage);
                s.getOutputStream().write(garbage);
                s.getOutputStream().flush();
                s.shutdownOutput(); // truncated: whatever message the garbage began never completes
                try {
                    errorThenClose(s);
                } catch (SocketException reset) {
                    // closed with garbage still unread, the server's side answers with a reset: also an end
                }
            }
        }
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.getOutputStream().write(new byte[] {0, 0, 0, 2}); // a start-up packet of impossible length
            s.getOutputStream().flush();
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().readAllBytes()).isNotNull();
        }
        assertStillServing();
    }
}
