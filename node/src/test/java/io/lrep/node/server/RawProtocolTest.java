package io.lrep.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.protocol.FrontendMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input over raw sockets: each ends at most its own connection. */
class RawProtocolTest {

    private final FakeSqlEngine engine = new FakeSqlEngine();
    private ProtocolServer server;
    private int port;

    /** A backend message as read: type and body. */
    record Msg(char type, byte[] body) {
        Map<Character, String> fields() {
            Map<Character, String> f = new HashMap<>();
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char code = (char) body[i++];
                int end = i;
                while (body[end] != 0) {
                    end++;
                }
                f.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
                i = end + 1;
            }
            return f;
        }
    }

    final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;

        Client() throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            out = socket.getOutputStream();
        }

        void send(FrontendMessage... messages) throws IOException {
            ByteBuf buf = Unpooled.buffer();
            for (FrontendMessage m : messages) {
                m.encode(buf);
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.write(bytes);
            out.flush();
        }

        void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        Msg read() throws IOException {
            char type = (char) in.readUnsignedByte();
            int len = in.readInt();
            byte[] body = new byte[len - 4];
            in.readFully(body);
            return new Msg(type, body);
        }

        /** Reads up to and including a message of {@code type}. */
        List<Msg> readUntil(char type) throws IOException {
            List<Msg> out = new ArrayList<>();
            Msg m;
            do {
                m = read();
                out.add(m);
            } while (m.type() != type);
            return out;
        }

        boolean closedByServer() throws IOException {
            try {
                while (true) {
                    read();
                }
            } catch (EOFException e) {
                return true;
            }
        }

        Client login() throws IOException {
            send(FrontendMessage.StartupMessage.of(Map.of("user", "alice", "database", "db")));
            List<Msg> msgs = readUntil('Z');
            assertThat(msgs.get(0).type()).isEqualTo('R');
            return this;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @BeforeEach
    void start() {
        RoleLookup roles = name -> name.equals("alice")
                ? Optional.of(new Role(16384, "alice", false, true, false, -1, null, null)) : Optional.empty();
        server = new ProtocolServer("raw", engine, roles, HbaConfig.parse(Path.of("hba.conf"), "host all all all trust\n"),
                ServerConfig.defaults().withMaxMessageBytes(64 * 1024));
        port = server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Map<Character, String> fatal(Client c) throws IOException {
        Msg m = c.read();
        assertThat(m.type()).isEqualTo('E');
        assertThat(c.closedByServer()).isTrue();
        return m.fields();
    }

    private void assertOtherConnectionWorks() throws IOException {
        try (Client ok = new Client().login()) {
            ok.send(new FrontendMessage.Query("select rows 3"));
            List<Msg> msgs = ok.readUntil('Z');
            assertThat(msgs).extracting(Msg::type).containsExactly('T', 'D', 'D', 'D', 'C', 'Z');
        }
    }

    @Test
    void shouldRefuseSslThenAcceptStartup() throws Exception {
        try (Client c = new Client()) {
            c.send(new FrontendMessage.SSLRequest());
            assertThat(c.in.readUnsignedByte()).isEqualTo('N');
            c.send(new FrontendMessage.GSSENCRequest());
            assertThat(c.in.readUnsignedByte()).isEqualTo('N');
            c.login();
            c.send(new FrontendMessage.Terminate());
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void shouldNegotiateMinorVersionAndRefuseOtherMajors() throws Exception {
        try (Client c = new Client()) {
            c.send(new FrontendMessage.StartupMessage((3 << 16) | 2, Map.of("user", "alice", "_pq_.compression", "on")));
            Msg v = c.read();
            assertThat(v.type()).isEqualTo('v');
            assertThat(c.readUntil('Z')).isNotEmpty();
        }
        try (Client c = new Client()) {
            c.send(new FrontendMessage.StartupMessage(2 << 16, Map.of("user", "alice")));
            Map<Character, String> f = fatal(c);
            assertThat(f).containsEntry('S', "FATAL").containsEntry('C', "0A000")
                    .containsEntry('M', "unsupported frontend protocol 2.0: server supports 3.0 to 3.0");
        }
        try (Client c = new Client()) {
            c.send(new FrontendMessage.StartupMessage(3 << 16, Map.of("database", "db")));
            assertThat(fatal(c)).containsEntry('C', "28000").containsEntry('M', "no PostgreSQL user name specified in startup packet");
        }
    }

    @Test
    void shouldEndOnlyTheOffendingConnectionOnUnknownType() throws Exception {
        try (Client c = new Client().login()) {
            c.sendRaw(new byte[] {'!', 0, 0, 0, 4});
            assertThat(fatal(c)).containsEntry('S', "FATAL").containsEntry('C', "08P01");
        }
        assertOtherConnectionWorks();
    }

    @Test
    void shouldEndTheConnectionOnOversizedMessage() throws Exception {
        try (Client c = new Client().login()) {
            c.sendRaw(new byte[] {'Q', 0x7f, 0, 0, 0});
            assertThat(fatal(c)).containsEntry('C', "08P01").containsEntry('M', "invalid message length");
        }
        assertOtherConnectionWorks();
    }

    @Test
    void shouldEndTheConnectionOnMalformedMessages() throws Exception {
        // a Query without its terminating NUL
        try (Client c = new Client().login()) {
            c.sendRaw(new byte[] {'Q', 0, 0, 0, 7, 'a', 'b', 'c'});
            assertThat(fatal(c)).containsEntry('C', "08P01");
        }
        // a length shorter than its own field
        try (Client c = new Client().login()) {
            c.sendRaw(new byte[] {'S', 0, 0, 0, 2});
            assertThat(fatal(c)).containsEntry('C', "08P01");
        }
        // garbage instead of a startup packet
        try (Client c = new Client()) {
            c.sendRaw("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(fatal(c)).containsEntry('C', "08P01");
        }
        // a truncated message, then the client goes away: nothing leaks
        try (Client c = new Client().login()) {
            c.sendRaw(new byte[] {'Q', 0, 0, 0, 100, 's', 'e'});
        }
        assertOtherConnectionWorks();
    }

    @Test
    void shouldDiscardExtendedMessagesUntilSyncAfterAnError() throws Exception {
        try (Client c = new Client().login()) {
            c.send(new FrontendMessage.Parse("s1", "select rows 2", List.of()),
                    new FrontendMessage.Parse("s1", "select rows 2", List.of()),
                    new FrontendMessage.Bind("", "s1", List.of(), new byte[0][], List.of()),
                    new FrontendMessage.Execute("", 0),
                    new FrontendMessage.Sync());
            List<Msg> msgs = c.readUntil('Z');
            assertThat(msgs).extracting(Msg::type).containsExactly('1', 'E', 'Z');
            assertThat(msgs.get(1).fields()).containsEntry('C', "42P05").containsEntry('M', "prepared statement \"s1\" already exists");
            c.send(new FrontendMessage.Bind("p", "nope", List.of(), new byte[0][], List.of()), new FrontendMessage.Sync());
            assertThat(c.readUntil('Z').get(0).fields()).containsEntry('C', "26000")
                    .containsEntry('M', "prepared statement \"nope\" does not exist");
            c.send(new FrontendMessage.Execute("nope", 0), new FrontendMessage.Sync());
            assertThat(c.readUntil('Z').get(0).fields()).containsEntry('C', "34000").containsEntry('M', "portal \"nope\" does not exist");
            // a parameter count mismatch
            c.send(new FrontendMessage.Parse("", "select echo $1", List.of(23)),
                    new FrontendMessage.Bind("", "", List.of(), new byte[0][], List.of()), new FrontendMessage.Sync());
            List<Msg> mismatch = c.readUntil('Z');
            assertThat(mismatch.get(1).fields()).containsEntry('C', "08P01")
                    .containsEntry('M', "bind message supplies 0 parameters, but prepared statement \"\" requires 1");
            // describe, row limit and resume
            c.send(new FrontendMessage.Describe('S', "s1"),
                    new FrontendMessage.Bind("p1", "s1", List.of(), new byte[0][], List.of(1)),
                    new FrontendMessage.Describe('P', "p1"),
                    new FrontendMessage.Execute("p1", 1), new FrontendMessage.Execute("p1", 0),
                    new FrontendMessage.Close('P', "p1"), new FrontendMessage.Sync());
            List<Msg> flow = c.readUntil('Z');
            assertThat(flow).extracting(Msg::type).containsExactly('t', 'T', '2', 'T', 'D', 's', 'D', 'C', '3', 'Z');
            // the portal asked for binary results: int4 1 is four bytes
            Msg row = flow.get(6);
            assertThat(row.body()).containsSubsequence(new byte[] {0, 0, 0, 4, 0, 0, 0, 1});
        }
    }

    @Test
    void shouldStopProducingRowsWhileTheClientDoesNotRead() throws Exception {
        int total = 300_000;
        try (Client c = new Client()) {
            c.socket.setReceiveBufferSize(16 * 1024);
            c.login();
            c.send(new FrontendMessage.Query("select rows " + total));
            long[] last = {-1};
            // the backend waits for the channel to drain: production stalls well short of the total
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .pollInterval(java.time.Duration.ofMillis(300))
                    .until(() -> {
                        long now = engine.rowsProduced.get();
                        boolean stalled = now > 0 && now == last[0];
                        last[0] = now;
                        return stalled;
                    });
            assertThat(last[0]).isLessThan(total);
            List<Msg> msgs = c.readUntil('Z');
            assertThat(msgs).hasSize(total + 3);
            assertThat(new String(msgs.get(total + 1).body(), StandardCharsets.UTF_8)).startsWith("SELECT " + total);
        }
    }

    @Test
    void shouldIgnoreCancelWithAWrongKey() throws Exception {
        try (Client c = new Client()) {
            c.send(new FrontendMessage.CancelRequest(12345, 42));
            assertThat(c.closedByServer()).isTrue();
        }
        assertOtherConnectionWorks();
    }
}
