package io.lrep.subscriber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.BackendMessage;
import io.lrep.core.protocol.BackendMessage.CommandComplete;
import io.lrep.core.protocol.BackendMessage.DataRow;
import io.lrep.core.protocol.BackendMessage.ErrorResponse;
import io.lrep.core.protocol.BackendMessage.Field;
import io.lrep.core.protocol.BackendMessage.NoticeResponse;
import io.lrep.core.protocol.BackendMessage.RowDescription;
import io.lrep.core.protocol.CopyData;
import io.lrep.core.protocol.CopyDone;
import io.lrep.core.protocol.FrontendMessage;
import io.lrep.core.protocol.auth.Md5Password;
import io.lrep.core.protocol.auth.ScramServer;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.StandbyStatusUpdate;
import io.lrep.core.protocol.replication.XLogData;
import io.lrep.subscriber.client.FakeServer.Peer;
import io.lrep.subscriber.client.FakeServer.Startup;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a scripted server on loopback: startup, authentication, queries, COPY, CopyBoth. */
class ReplicationConnectionTest {

    private static ReplicationClient client;

    @BeforeAll
    static void start() {
        client = new ReplicationClient(1);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RowDescription columns(String... names) {
        List<Field> fields = new ArrayList<>();
        for (String n : names) {
            fields.add(new Field(n, 0, 0, 25, -1, -1, 0));
        }
        return new RowDescription(fields);
    }

    private static ErrorResponse error(String severity, String code, String message, String detail, String hint) {
        List<BackendMessage.NoticeField> fields = new ArrayList<>(List.of(new BackendMessage.NoticeField('S', severity),
                new BackendMessage.NoticeField('V', severity), new BackendMessage.NoticeField('C', code),
                new BackendMessage.NoticeField('M', message)));
        if (detail != null) {
            fields.add(new BackendMessage.NoticeField('D', detail));
        }
        if (hint != null) {
            fields.add(new BackendMessage.NoticeField('H', hint));
        }
        return new ErrorResponse(fields);
    }

    @Test
    void shouldSendLibpqStartupAndRunSimpleQueries() throws Exception {
        AtomicReference<Startup> startup = new AtomicReference<>();
        try (FakeServer server = new FakeServer(peer -> {
            startup.set(peer.trust());
            assertThat(peer.query()).isEqualTo("SELECT 1; SELECT 2");
            peer.send(NoticeResponse.of("WARNING", "01000", "careful", null, null),
                    columns("a", "b"), new DataRow(new byte[][] {utf8("x"), null}), new CommandComplete("SELECT 1"),
                    new BackendMessage.ParameterStatus("application_name", "changed"),
                    new CommandComplete("CREATE TABLE"), Peer.ready());
            assertThat(peer.query()).isEqualTo("bad");
            peer.send(error("ERROR", "42P01", "relation \"t\" does not exist", "some detail", "some hint"), Peer.ready());
            assertThat(peer.query()).isEqualTo("");
            peer.send(new BackendMessage.EmptyQueryResponse(), Peer.ready());
            peer.expectTerminate();
        })) {
            try (ReplicationConnection c = client.connect(ConnInfo.parse(server.conninfo("replication=database options='-c x=y'"))
                    .withDefault("fallback_application_name", "sub1"))) {
                List<QueryResult> results = c.simpleQuery("SELECT 1; SELECT 2");
                assertThat(results).hasSize(2);
                assertThat(results.get(0).columns()).extracting(QueryResult.Column::name).containsExactly("a", "b");
                assertThat(results.get(0).rows()).containsExactly(Arrays.asList("x", null));
                assertThat(results.get(0).commandTag()).isEqualTo("SELECT 1");
                assertThat(results.get(1).hasRows()).isFalse();
                assertThat(results.get(1).commandTag()).isEqualTo("CREATE TABLE");
                assertThat(c.parameter("application_name")).isEqualTo("changed");
                assertThat(c.serverVersion()).isEqualTo(150004);
                assertThat(c.processId()).isEqualTo(4242);
                assertThat(c.usedPassword()).isFalse();

                assertThatThrownBy(() -> c.query("bad")).isInstanceOfSatisfying(ServerErrorException.class, e -> {
                    assertThat(e.sqlStateCode()).isEqualTo("42P01");
                    assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_TABLE);
                    assertThat(e.getMessage()).isEqualTo("relation \"t\" does not exist");
                    assertThat(e.detail()).isEqualTo("some detail");
                    assertThat(e.hint()).isEqualTo("some hint");
                });
                assertThat(c.isUsable()).isTrue();
                assertThat(c.query("").commandTag()).isEmpty();
            }
        }
        assertThat(startup.get().code()).isEqualTo(FrontendMessage.PROTOCOL_3_0);
        assertThat(startup.get().parameters()).containsExactly(
                java.util.Map.entry("user", "alice"), java.util.Map.entry("database", "db"),
                java.util.Map.entry("replication", "database"), java.util.Map.entry("options", "-c x=y"),
                java.util.Map.entry("application_name", "sub1"), java.util.Map.entry("client_encoding", "UTF8"));
    }

    @Test
    void shouldAuthenticateWithCleartextMd5AndScram() throws Exception {
        try (FakeServer server = new FakeServer(
                peer -> {
                    peer.readStartup();
                    peer.send(new BackendMessage.AuthenticationCleartextPassword());
                    assertThat(peer.expect('p').string()).isEqualTo("secret");
                    peer.acceptSession();
                    peer.expectTerminate();
                },
                peer -> {
                    peer.readStartup();
                    byte[] salt = {1, 2, 3, 4};
                    peer.send(new BackendMessage.AuthenticationMD5Password(salt));
                    assertThat(Md5Password.verify(Md5Password.encrypt("secret", "alice"), "alice", salt,
                            peer.expect('p').string())).isTrue();
                    peer.acceptSession();
                    peer.expectTerminate();
                },
                peer -> {
                    peer.readStartup();
                    ScramServer scram = new ScramServer("alice", "secret");
                    peer.send(new BackendMessage.AuthenticationSASL(List.of("SCRAM-SHA-256")));
                    byte[] initial = new FrontendMessage.AuthenticationResponse(peer.expect('p').body())
                            .toSaslInitialResponse().data();
                    peer.send(new BackendMessage.AuthenticationSASLContinue(scram.handleClientFirst(initial)));
                    ScramServer.Outcome outcome = scram.handleClientFinal(peer.expect('p').body());
                    assertThat(outcome.authenticated()).isTrue();
                    peer.send(new BackendMessage.AuthenticationSASLFinal(outcome.serverFinalMessage()));
                    peer.acceptSession();
                    peer.expectTerminate();
                },
                peer -> {
                    peer.readStartup();
                    peer.send(new BackendMessage.AuthenticationMD5Password(new byte[] {1, 2, 3, 4}),
                            error("FATAL", "28P01", "password authentication failed for user \"alice\"", null, null));
                },
                peer -> {
                    peer.readStartup();
                    peer.send(new BackendMessage.AuthenticationCleartextPassword());
                })) {
            for (int i = 0; i < 3; i++) {
                try (ReplicationConnection c = client.connect(server.conninfo("password=secret"))) {
                    assertThat(c.usedPassword()).isTrue();
                    assertThat(c.isUsable()).isTrue();
                }
            }
            assertThatThrownBy(() -> client.connect(server.conninfo("password=wrong")))
                    .isInstanceOfSatisfying(ServerErrorException.class, e -> {
                        assertThat(e.sqlStateCode()).isEqualTo("28P01");
                        assertThat(e.serverSeverity()).isEqualTo("FATAL");
                        assertThat(e.getMessage()).isEqualTo("password authentication failed for user \"alice\"");
                    });
            assertThatThrownBy(() -> client.connect(server.conninfo(""))).isInstanceOf(ClientException.class)
                    .hasMessageEndingWith("failed: fe_sendauth: no password supplied");
        }
    }

    @Test
    void shouldSendSslRequestForPreferOnlyAndGoOnInClearText() throws Exception {
        try (FakeServer server = new FakeServer(
                peer -> {
                    assertThat(peer.readStartup().code()).isEqualTo(FrontendMessage.SSL_REQUEST_CODE);
                    peer.sendRaw((byte) 'N');
                    peer.trust();
                    peer.expectTerminate();
                },
                peer -> {
                    assertThat(peer.readStartup().code()).isEqualTo(FrontendMessage.SSL_REQUEST_CODE);
                    peer.sendRaw((byte) 'S'); // the client cannot do TLS: it reconnects without
                },
                peer -> {
                    assertThat(peer.readStartup().code()).isEqualTo(FrontendMessage.PROTOCOL_3_0);
                    peer.acceptSession();
                    peer.expectTerminate();
                },
                peer -> {
                    assertThat(peer.readStartup().code()).isEqualTo(FrontendMessage.PROTOCOL_3_0);
                    peer.acceptSession();
                    peer.expectTerminate();
                })) {
            String prefer = "host=127.0.0.1 port=" + server.port() + " user=alice";
            client.connect(prefer).close();
            client.connect(prefer + " sslmode=prefer").close();
            client.connect(prefer + " sslmode=disable").close();
            assertThatThrownBy(() -> client.connect(prefer + " sslmode=require")).isInstanceOf(ClientException.class)
                    .hasMessage("sslmode value \"require\" invalid when SSL support is not compiled in");
        }
    }

    @Test
    void shouldTryHostsInOrderAndHonourTargetSessionAttrs() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (FakeServer readOnly = new FakeServer(peer -> {
                    peer.trust();
                    assertThat(peer.query()).isEqualTo("SHOW transaction_read_only");
                    peer.send(columns("transaction_read_only"), new DataRow(new byte[][] {utf8("on")}),
                            new CommandComplete("SHOW"), Peer.ready());
                    peer.expectTerminate();
                });
                FakeServer primary = new FakeServer(peer -> {
                    peer.trust();
                    assertThat(peer.query()).isEqualTo("SHOW transaction_read_only");
                    peer.send(columns("transaction_read_only"), new DataRow(new byte[][] {utf8("off")}),
                            new CommandComplete("SHOW"), Peer.ready());
                    peer.expectTerminate();
                })) {
            String hosts = "host=127.0.0.1,127.0.0.1,127.0.0.1 port=" + closedPort + "," + readOnly.port() + ","
                    + primary.port() + " user=alice sslmode=disable target_session_attrs=read-write connect_timeout=5";
            try (ReplicationConnection c = client.connect(hosts)) {
                assertThat(c.host().port()).isEqualTo(primary.port());
            }
        }
        assertThatThrownBy(() -> client.connect("host=127.0.0.1,127.0.0.1 port=" + closedPort + " sslmode=disable"))
                .isInstanceOf(ClientException.class)
                .hasMessageContaining("connection to server at \"127.0.0.1\", port " + closedPort + " failed: ")
                .satisfies(e -> assertThat(e.getMessage().lines().count()).isEqualTo(2))
                .extracting(e -> ((ClientException) e).sqlState()).isEqualTo(SqlState.CONNECTION_FAILURE);
    }

    @Test
    void shouldStreamCopyOutToTheConsumerAndReportErrors() throws Exception {
        int rows = 20_000;
        try (FakeServer server = new FakeServer(peer -> {
            peer.trust();
            assertThat(peer.query()).isEqualTo("COPY t TO STDOUT");
            peer.send(new BackendMessage.CopyOutResponse(0, List.of(0, 0)));
            BackendMessage[] batch = new BackendMessage[1000];
            for (int i = 0; i < rows; i += batch.length) {
                for (int j = 0; j < batch.length; j++) {
                    batch[j] = new CopyData(utf8((i + j) + "\tv" + (i + j) + "\n"));
                }
                peer.send(batch);
            }
            peer.send(new CopyDone(), new CommandComplete("COPY " + rows), Peer.ready());
            assertThat(peer.query()).isEqualTo("COPY u TO STDOUT");
            peer.send(new BackendMessage.CopyOutResponse(0, List.of(0)), new CopyData(utf8("1\n")),
                    error("ERROR", "57014", "canceling statement due to user request", null, null), Peer.ready());
            assertThat(peer.query()).isEqualTo("SELECT 1");
            peer.send(columns("x"), new CommandComplete("SELECT 0"), Peer.ready());
            peer.expectTerminate();
        })) {
            try (ReplicationConnection c = client.connect(server.conninfo(""))) {
                List<String> received = new ArrayList<>();
                long count = c.copyOut("COPY t TO STDOUT", data -> received.add(new String(data, StandardCharsets.UTF_8)));
                assertThat(count).isEqualTo(rows);
                assertThat(received).hasSize(rows);
                assertThat(received.get(rows - 1)).isEqualTo((rows - 1) + "\tv" + (rows - 1) + "\n");
                List<String> partial = new ArrayList<>();
                assertThatThrownBy(() -> c.copyOut("COPY u TO STDOUT", d -> partial.add(new String(d, StandardCharsets.UTF_8))))
                        .isInstanceOfSatisfying(ServerErrorException.class, e -> assertThat(e.sqlStateCode()).isEqualTo("57014"));
                assertThat(partial).containsExactly("1\n");
                assertThatThrownBy(() -> c.copyOut("SELECT 1", d -> { }))
                        .hasMessageContaining("expected COPY TO STDOUT");
                assertThat(c.isUsable()).isTrue();
            }
        }
    }

    @Test
    void shouldStreamCopyBothAndEndWithCopyDone() throws Exception {
        CountDownLatch statusSeen = new CountDownLatch(1);
        AtomicReference<StandbyStatusUpdate> status = new AtomicReference<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.trust();
            assertThat(peer.query()).isEqualTo("START_REPLICATION SLOT \"gone\" LOGICAL 0/0");
            peer.send(error("ERROR", "42704", "replication slot \"gone\" does not exist", null, null), Peer.ready());
            assertThat(peer.query()).isEqualTo("START_REPLICATION SLOT \"s\" LOGICAL 0/10");
            peer.send(new BackendMessage.CopyBothResponse(0, List.of()),
                    new CopyData(bytes(new XLogData(0x20, 0x20, 1, utf8("B...")))),
                    new CopyData(bytes(new PrimaryKeepalive(0x40, 2, true))));
            Object m = peer.expect('d');
            status.set((StandbyStatusUpdate) ReplicationMessage.decode(((FakeServer.Msg) m).body()));
            statusSeen.countDown();
            peer.expect('c'); // CopyDone
            peer.send(new CopyData(bytes(new XLogData(0x50, 0x50, 3, utf8("late")))), new CopyDone(),
                    new CommandComplete("COPY 0"), new CommandComplete("START_REPLICATION"), Peer.ready());
            assertThat(peer.query()).isEqualTo("DROP_REPLICATION_SLOT \"s\" WAIT");
            peer.send(new CommandComplete("DROP_REPLICATION_SLOT"), Peer.ready());
            peer.expectTerminate();
        })) {
            try (ReplicationConnection c = client.connect(server.conninfo("replication=database"))) {
                assertThatThrownBy(() -> c.startReplication("START_REPLICATION SLOT \"gone\" LOGICAL 0/0"))
                        .isInstanceOfSatisfying(ServerErrorException.class, e -> assertThat(e.sqlStateCode()).isEqualTo("42704"));
                ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"s\" LOGICAL 0/10");
                assertThatThrownBy(() -> c.query("SELECT 1")).hasMessage("another command is already in progress");
                XLogData x = (XLogData) stream.receive(Duration.ofSeconds(10));
                assertThat(new String(x.payload(), StandardCharsets.UTF_8)).isEqualTo("B...");
                PrimaryKeepalive k = (PrimaryKeepalive) stream.receive(Duration.ofSeconds(10));
                assertThat(k.replyRequested()).isTrue();
                assertThat(stream.lastReceivedLsn()).isEqualTo(0x40);
                stream.sendStatus(0x40, 0x20, 0x20, false);
                assertThat(statusSeen.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(stream.receive(Duration.ofMillis(50))).as("nothing more: a timeout").isNull();
                List<QueryResult> closing = stream.end(Duration.ofSeconds(10));
                assertThat(closing).extracting(QueryResult::commandTag).containsExactly("COPY 0", "START_REPLICATION");
                assertThat(stream.serverEnded()).isTrue();
                assertThat(c.query("DROP_REPLICATION_SLOT \"s\" WAIT").commandTag()).isEqualTo("DROP_REPLICATION_SLOT");
            }
        }
        assertThat(status.get().writeLsn()).isEqualTo(0x40);
        assertThat(status.get().flushLsn()).isEqualTo(0x20);
        assertThat(status.get().replyRequested()).isFalse();
    }

    @Test
    void shouldTakeCommandCompleteWithoutCopyDoneAsTheServerEndingTheStream() throws Exception {
        try (FakeServer server = new FakeServer(
                peer -> {
                    peer.trust();
                    peer.query();
                    // a PostgreSQL walsender at a fast shutdown: COPY 0 and no CopyDone, here then the rest of the command
                    peer.send(new BackendMessage.CopyBothResponse(0, List.of()), new CopyData(bytes(new XLogData(0x20, 0x20, 1, utf8("B")))),
                            new CommandComplete("COPY 0"), new CommandComplete("START_REPLICATION"), Peer.ready());
                    // the client sent no CopyDone: its next message is this query
                    assertThat(peer.query()).isEqualTo("IDENTIFY_SYSTEM");
                    peer.send(new CommandComplete("IDENTIFY_SYSTEM"), Peer.ready());
                    peer.expectTerminate();
                },
                peer -> {
                    peer.trust();
                    peer.query();
                    // ... and exits at once (WalSndDone): the connection closes without ReadyForQuery
                    peer.send(new BackendMessage.CopyBothResponse(0, List.of()), new CommandComplete("COPY 0"));
                })) {
            try (ReplicationConnection c = client.connect(server.conninfo("replication=database"))) {
                ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"s\" LOGICAL 0/10");
                assertThat(stream.receive(Duration.ofSeconds(10))).isInstanceOf(XLogData.class);
                assertThat(stream.receive(Duration.ofSeconds(10))).isNull();
                assertThat(stream.serverEnded()).isTrue();
                assertThat(stream.receive(Duration.ofSeconds(10))).as("ended: nothing more").isNull();
                assertThatThrownBy(() -> stream.sendStatus(0x20, 0x20, 0x20, false)).isInstanceOf(ClientException.class);
                assertThat(stream.end(Duration.ofSeconds(10))).extracting(QueryResult::commandTag).containsExactly("COPY 0", "START_REPLICATION");
                assertThat(c.query("IDENTIFY_SYSTEM").commandTag()).isEqualTo("IDENTIFY_SYSTEM");
            }
            try (ReplicationConnection c = client.connect(server.conninfo("replication=database"))) {
                ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"s\" LOGICAL 0/10");
                assertThat(stream.receive(Duration.ofSeconds(10))).isNull();
                assertThat(stream.serverEnded()).isTrue();
                assertThat(stream.end(Duration.ofSeconds(10))).extracting(QueryResult::commandTag).containsExactly("COPY 0");
                assertThat(c.isUsable()).isFalse();
                assertThatThrownBy(() -> stream.end(Duration.ofSeconds(10))).hasMessage("the replication stream is already ended");
            }
        }
    }

    @Test
    void shouldEndTheStreamOnAnErrorOrACloseWithoutSendingCopyDone() throws Exception {
        try (FakeServer server = new FakeServer(
                peer -> {
                    peer.trust();
                    peer.query();
                    peer.send(new BackendMessage.CopyBothResponse(0, List.of()),
                            error("FATAL", "57P01", "terminating connection due to administrator command", null, null));
                },
                peer -> {
                    peer.trust();
                    peer.query();
                    peer.send(new BackendMessage.CopyBothResponse(0, List.of()));
                })) {
            try (ReplicationConnection c = client.connect(server.conninfo("replication=database"))) {
                ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"s\" LOGICAL 0/10");
                assertThatThrownBy(() -> stream.receive(Duration.ofSeconds(10))).isInstanceOfSatisfying(ServerErrorException.class,
                        e -> assertThat(e.sqlStateCode()).isEqualTo("57P01"));
                assertThat(stream.serverEnded()).isTrue();
                assertThat(stream.end(Duration.ofSeconds(10))).isEmpty();
            }
            try (ReplicationConnection c = client.connect(server.conninfo("replication=database"))) {
                ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"s\" LOGICAL 0/10");
                assertThatThrownBy(() -> stream.receive(Duration.ofSeconds(10))).isInstanceOf(ClientException.class)
                        .hasMessage("server closed the connection unexpectedly");
                assertThat(stream.serverEnded()).isTrue();
                assertThat(stream.end(Duration.ofSeconds(10))).isEmpty();
                assertThat(c.isUsable()).isFalse();
            }
        }
    }

    @Test
    void shouldFailBlockedCallsOnCloseOrServerLossAndSendCancelRequests() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<ByteBuffer> cancel = new AtomicReference<>();
        try (FakeServer server = new FakeServer(
                peer -> {
                    peer.trust();
                    peer.query();
                    peer.send(new BackendMessage.CopyBothResponse(0, List.of()));
                    release.await(10, TimeUnit.SECONDS);
                },
                peer -> {
                    peer.trust();
                    peer.query();
                    // the server goes away mid-query
                },
                peer -> {
                    peer.trust();
                    peer.query();
                    release.await(10, TimeUnit.SECONDS);
                },
                peer -> {
                    Startup s = peer.readStartup();
                    cancel.set(ByteBuffer.allocate(12).putInt(s.code()).put(s.body()));
                })) {
            ReplicationConnection c = client.connect(server.conninfo("replication=database"));
            ReplicationStream stream = c.startReplication("START_REPLICATION SLOT \"s\" LOGICAL 0/0");
            CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() -> stream.receive(Duration.ofMinutes(1)));
            c.close();
            assertThat(blocked).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .withCauseInstanceOf(ClientException.class);
            assertThat(c.isUsable()).isFalse();
            c.close(); // idempotent

            try (ReplicationConnection lost = client.connect(server.conninfo(""))) {
                assertThatThrownBy(() -> lost.query("SELECT 1")).isInstanceOf(ClientException.class)
                        .hasMessage("server closed the connection unexpectedly");
                assertThat(lost.isUsable()).isFalse();
            }

            try (ReplicationConnection busy = client.connect(server.conninfo(""))) {
                CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> busy.query("SELECT pg_sleep(1000)"));
                busy.cancel();
                release.countDown();
                assertThat(running).failsWithin(Duration.ofSeconds(10));
            }
            ByteBuffer b = cancel.get().flip();
            assertThat(b.getInt()).isEqualTo(FrontendMessage.CANCEL_REQUEST_CODE);
            assertThat(b.getInt()).isEqualTo(4242);
            assertThat(b.getInt()).isEqualTo(777);
        }
    }

    private static byte[] bytes(ReplicationMessage m) {
        return m.toCopyData().data();
    }
}
