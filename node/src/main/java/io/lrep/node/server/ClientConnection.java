package io.lrep.node.server;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.BackendMessage;
import io.lrep.core.protocol.BackendMessage.TransactionStatus;
import io.lrep.core.protocol.CopyData;
import io.lrep.core.protocol.CopyDone;
import io.lrep.core.protocol.FrontendMessage;
import io.lrep.core.protocol.FrontendMessage.AuthenticationResponse;
import io.lrep.core.protocol.FrontendMessage.Bind;
import io.lrep.core.protocol.FrontendMessage.CancelRequest;
import io.lrep.core.protocol.FrontendMessage.Close;
import io.lrep.core.protocol.FrontendMessage.CopyFail;
import io.lrep.core.protocol.FrontendMessage.Describe;
import io.lrep.core.protocol.FrontendMessage.Execute;
import io.lrep.core.protocol.FrontendMessage.Flush;
import io.lrep.core.protocol.FrontendMessage.FunctionCall;
import io.lrep.core.protocol.FrontendMessage.GSSENCRequest;
import io.lrep.core.protocol.FrontendMessage.Parse;
import io.lrep.core.protocol.FrontendMessage.Query;
import io.lrep.core.protocol.FrontendMessage.SSLRequest;
import io.lrep.core.protocol.FrontendMessage.StartupMessage;
import io.lrep.core.protocol.FrontendMessage.Sync;
import io.lrep.core.protocol.FrontendMessage.Terminate;
import io.lrep.core.protocol.auth.Md5Password;
import io.lrep.core.protocol.auth.ScramServer;
import io.lrep.core.protocol.auth.ScramSha256;
import io.lrep.core.types.BinaryCodec;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TextCodec;
import io.lrep.node.server.HbaConfig.Replication;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.CopyStream;
import io.lrep.node.sql.ExecuteResult;
import io.lrep.node.sql.Notice;
import io.lrep.node.sql.Portal;
import io.lrep.node.sql.Prepared;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlSession;
import io.lrep.publisher.walsender.ReplicationCommand;
import io.lrep.publisher.walsender.ReplicationCommandParser;
import io.lrep.publisher.walsender.WalSender;
import io.lrep.publisher.walsender.WalSenderTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.ManualIoEventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One client connection's backend: the protocol state machine of PostgreSQL's postgres.c, run on
 * a thread of its own (as PostgreSQL runs a process per connection) so that a statement may block
 * without holding up another connection.
 *
 * <p>Threads: the backend thread owns its channel's event loop (a {@link ManualIoEventLoop}) and
 * drives it itself, as a PostgreSQL backend reads and writes its own socket: when it needs the
 * next frontend message it runs the loop, whose decoder {@link #offer}s what it reads to the
 * inbox; its responses go into a buffer that it writes and flushes once per batch (a query's
 * results, a Sync, or every {@link #FLUSH_BYTES}), with no hand-off to another thread. While the
 * channel is not writable it runs the loop until it is (backpressure), and the channel does not
 * read. While a statement runs the loop does not run: the client's next messages wait in the
 * socket, and tasks from other threads (a close at shutdown) wait for the next message.
 *
 * <p>Errors: an {@link LrepException} of severity ERROR becomes an ErrorResponse and the session
 * goes on (extended protocol: messages are then discarded until Sync); FATAL ends the connection
 * after its ErrorResponse; any other exception is an internal error, logged once and answered
 * with XX000.
 */
final class ClientConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    static final int FLUSH_BYTES = 64 * 1024;
    /** PostgreSQL's authentication_timeout. */
    static final long AUTHENTICATION_TIMEOUT_MS = 60_000;

    private static final Object CLOSED = new Object();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A decoding failure handed from the event loop. */
    private record Failure(Throwable cause) {}

    /** Ends the connection quietly (the client left, or a FATAL error was sent). */
    private static final class ConnectionEnd extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConnectionEnd() {
            super(null, null, false, false);
        }
    }

    private final ProtocolServer.Shared shared;
    private final Channel channel;
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    private final Map<String, Prepared> statements = new HashMap<>();
    private final Map<String, BoundPortal> portals = new HashMap<>();

    private ManualIoEventLoop loop;
    private ByteBuf out;
    private ConnectionRegistry.Backend backend;
    private SqlSession session;
    private Replication replication = Replication.NONE;
    private String user = "";
    private String database = "";
    private boolean ignoreTillSync;
    /** The pin of a snapshot CREATE_REPLICATION_SLOT exported; released at the next command. */
    private AutoCloseable exportedSnapshot;

    /** A portal with the result formats Bind asked for. */
    private record BoundPortal(Portal portal, Prepared statement, boolean[] binary) {}

    ClientConnection(ProtocolServer.Shared shared, Channel channel) {
        this.shared = shared;
        this.channel = channel;
    }

    // ---- event loop side (the backend thread, inside loop.run) ---------------------------

    /** A decoded message. */
    void offer(Object message) {
        inbox.add(message);
    }

    /** The decoder failed; the backend answers 08P01 and closes. */
    void onDecodeFailure(Throwable cause) {
        inbox.add(new Failure(cause));
    }

    /** The channel closed. */
    void onClosed() {
        inbox.add(CLOSED);
    }

    /** The channel's writability changed: read only while replies can be written. */
    void onWritabilityChanged() {
        channel.config().setAutoRead(channel.isWritable());
    }

    // ---- backend thread -----------------------------------------------------------------

    @Override
    public void run() {
        MDC.put("node", shared.nodeName());
        String threadName = Thread.currentThread().getName();
        loop = new ManualIoEventLoop(Thread.currentThread(), shared.ioHandlers());
        out = channel.alloc().buffer();
        try {
            if (register() && startup()) {
                Thread.currentThread().setName("backend-" + backend.pid());
                MDC.put("role", "backend-" + backend.pid());
                mainLoop();
            }
        } catch (ConnectionEnd e) {
            // the client left or was sent a FATAL error; nothing more to say
        } catch (LrepException e) {
            sendFatal(e);
        } catch (RuntimeException | Error e) {
            LOG.error("internal error in connection from {}", channel.remoteAddress(), e);
            sendFatal(new LrepException(SqlState.INTERNAL_ERROR, LrepException.Severity.FATAL, internalMessage(e), null, null, e));
        } finally {
            cleanup();
            Thread.currentThread().setName(threadName);
            MDC.remove("role");
            MDC.remove("node");
        }
    }

    /** Registers the accepted channel with this thread's event loop; false if the server is closing. */
    private boolean register() {
        loop.runNow(); // the first run initialises the loop's I/O handler
        ChannelPromise registered = new DefaultChannelPromise(channel, loop);
        channel.unsafe().register(loop, registered);
        while (!registered.isDone()) {
            loop.run(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (!registered.isSuccess()) {
            LOG.warn("could not register connection from {}: {}", channel.remoteAddress(), registered.cause().toString());
            return false;
        }
        shared.channels().add(channel);
        return !shared.closing().get(); // a close that came before the add did not see this channel
    }

    private void cleanup() {
        releaseExportedSnapshot();
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException e) {
                // the connection is ending either way; the session's resources are its own to log
                LOG.warn("closing the session of backend {} failed: {}", backend == null ? "-" : backend.pid(), e.toString());
            }
        }
        if (backend != null) {
            shared.registry().release(backend);
        }
        out.release();
        if (channel.isRegistered()) {
            channel.close();
        } else {
            channel.unsafe().closeForcibly();
        }
        inbox.clear(); // decoded messages hold heap arrays only, nothing pooled to release
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        while (!loop.isTerminated()) {
            loop.run(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private Object take(long timeoutMs) {
        if (inbox.isEmpty()) {
            flushOut();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (inbox.isEmpty()) {
            long waitNanos = 0; // no timeout: wait for input as long as it takes
            if (timeoutMs > 0) {
                waitNanos = deadline - System.nanoTime();
                if (waitNanos <= 0) {
                    LOG.info("authentication timeout for connection from {}", channel.remoteAddress());
                    throw new ConnectionEnd();
                }
            }
            loop.run(waitNanos);
        }
        Object m = inbox.poll();
        if (m == CLOSED) {
            throw new ConnectionEnd();
        }
        if (m instanceof Failure f) {
            Throwable cause = f.cause();
            while (!(cause instanceof LrepException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            LrepException e = cause instanceof LrepException le ? le
                    : new LrepException(SqlState.PROTOCOL_VIOLATION, LrepException.Severity.FATAL, "invalid frontend message: " + cause,
                            null, null, cause);
            if (e.severity() != LrepException.Severity.FATAL) {
                e = new LrepException(e.sqlState(), LrepException.Severity.FATAL, e.getMessage(), e.detail(), e.hint(), e.getCause());
            }
            throw e;
        }
        return m;
    }

    // ---- output -------------------------------------------------------------------------

    private void send(BackendMessage m) {
        int mark = out.writerIndex();
        try {
            m.encode(out);
        } catch (RuntimeException e) {
            out.writerIndex(mark); // drop the half-written message (a value failed to encode)
            throw e;
        }
        if (out.readableBytes() >= FLUSH_BYTES) {
            flushOut();
        }
    }

    /** Writes what is buffered and runs the event loop while the channel is not writable (backpressure). */
    private void flushOut() {
        if (out.isReadable()) {
            ByteBuf full = out;
            out = channel.alloc().buffer();
            channel.writeAndFlush(full, channel.voidPromise());
        }
        while (!channel.isWritable() && channel.isActive()) {
            loop.run(0);
        }
        if (!channel.isActive()) {
            throw new ConnectionEnd();
        }
    }

    private void sendError(LrepException e) {
        shared.registry().stats().onError(e.sqlState().code());
        send(BackendMessage.ErrorResponse.of(e));
    }

    private void sendFatal(LrepException e) {
        String code = e.sqlState().code();
        shared.registry().stats().onError(code);
        if (code.equals("28P01") || code.equals("28000")) {
            shared.registry().stats().onAuthenticationFailure();
        }
        try {
            LrepException fatal = e.severity() == LrepException.Severity.ERROR
                    ? new LrepException(e.sqlState(), LrepException.Severity.FATAL, e.getMessage(), e.detail(), e.hint(), e.position(), e.getCause())
                    : e;
            send(BackendMessage.ErrorResponse.of(fatal));
            if (out.isReadable()) {
                ByteBuf full = out;
                out = channel.alloc().buffer();
                channel.writeAndFlush(full, channel.voidPromise());
            }
        } catch (RuntimeException ignored) {
            // the channel is closing; the client may already be gone, and cleanup closes it
        }
    }

    private static String internalMessage(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    // ---- startup and authentication -------------------------------------------------------

    /** Returns true when the connection is authenticated and ready for queries. */
    private boolean startup() {
        StartupMessage startup;
        while (true) {
            Object m = take(AUTHENTICATION_TIMEOUT_MS);
            if (m instanceof SSLRequest || m instanceof GSSENCRequest) {
                channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
            } else if (m instanceof CancelRequest c) {
                boolean done = shared.registry().cancel(c.processId(), c.secretKey());
                LOG.debug("cancel request for backend {}: {}", c.processId(), done ? "sent" : "no such backend or wrong key");
                return false;
            } else if (m instanceof StartupMessage s) {
                startup = s;
                break;
            } else {
                throw new LrepException(SqlState.PROTOCOL_VIOLATION, LrepException.Severity.FATAL,
                        "invalid startup packet layout: expected StartupMessage, got " + m.getClass().getSimpleName(), null, null, null);
            }
        }
        if (startup.majorVersion() != 3) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, LrepException.Severity.FATAL,
                    "unsupported frontend protocol " + startup.majorVersion() + "." + startup.minorVersion()
                            + ": server supports 3.0 to 3.0", null, null, null);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> unrecognized = new ArrayList<>();
        String options = null;
        String replicationParam = "false";
        String userParam = null;
        String databaseParam = null;
        for (Map.Entry<String, String> p : startup.parameters().entrySet()) {
            switch (p.getKey()) {
                case "user" -> userParam = p.getValue();
                case "database" -> databaseParam = p.getValue();
                case "options" -> options = p.getValue();
                case "replication" -> replicationParam = p.getValue();
                default -> {
                    if (p.getKey().startsWith("_pq_.")) {
                        unrecognized.add(p.getKey());
                    } else {
                        settings.put(p.getKey(), p.getValue());
                    }
                }
            }
        }
        if (startup.minorVersion() > 0 || !unrecognized.isEmpty()) {
            send(new BackendMessage.NegotiateProtocolVersion(0, unrecognized));
        }
        if (userParam == null || userParam.isEmpty()) {
            throw new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, LrepException.Severity.FATAL,
                    "no PostgreSQL user name specified in startup packet", null, null, null);
        }
        user = userParam;
        replication = parseReplication(replicationParam);
        database = databaseParam == null || databaseParam.isEmpty() ? user : databaseParam;
        Map<String, String> startupSettings = new LinkedHashMap<>();
        if (options != null) {
            startupSettings.putAll(StartupOptions.parse(options));
        }
        startupSettings.putAll(settings);

        backend = shared.registry().admit(replication != Replication.NONE,
                replication != Replication.NONE ? shared.config().maxWalSenders() : shared.config().maxConnections());

        InetAddress client = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        HbaConfig.Request request = new HbaConfig.Request(client, user, database, replication);
        HbaConfig.Rule rule = shared.hba().match(request, shared.roles()::isMember).orElseThrow(() -> HbaConfig.noEntry(request));
        Optional<Role> role = shared.roles().find(user);
        authenticate(rule, role, request);

        Role r = role.orElseThrow(() -> new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, LrepException.Severity.FATAL,
                "role \"" + user + "\" does not exist", null, null, null));
        if (!r.canLogin()) {
            throw new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, LrepException.Severity.FATAL,
                    "role \"" + user + "\" is not permitted to log in", null, null, null);
        }
        shared.registry().assignRole(backend, r);
        if (replication != Replication.NONE && !r.superuser() && !r.replication()) {
            throw new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, LrepException.Severity.FATAL,
                    "must be superuser or replication role to start walsender", null, null, null);
        }
        String clientAddress = client.getHostAddress();
        SessionContext context = new SessionContext(user, database, backend.pid(), Map.copyOf(startupSettings),
                replicationParamValue(), clientAddress);
        session = shared.engine().openSession(context);
        backend.session(session, context);

        send(new BackendMessage.AuthenticationOk());
        session.reportedParameters().forEach((k, v) -> send(new BackendMessage.ParameterStatus(k, v)));
        session.drainParameterChanges();
        send(new BackendMessage.BackendKeyData(backend.pid(), backend.secretKey()));
        sendAsync();
        readyForQuery();
        LOG.debug("connection authorized: user={} database={} pid={} replication={}", user, database, backend.pid(), replication);
        return true;
    }

    private String replicationParamValue() {
        return switch (replication) {
            case NONE -> "false";
            case PHYSICAL -> "true";
            case LOGICAL -> "database";
        };
    }

    private static Replication parseReplication(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.equals("database")) {
            return Replication.LOGICAL;
        }
        switch (v) {
            case "true", "on", "yes", "1", "t", "y" -> {
                return Replication.PHYSICAL;
            }
            case "false", "off", "no", "0", "f", "n" -> {
                return Replication.NONE;
            }
            default -> throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, LrepException.Severity.FATAL,
                    "invalid value for parameter \"replication\": \"" + value + "\"", null,
                    "Valid values are: \"false\", 0, \"true\", 1, \"database\".", null);
        }
    }

    private void authenticate(HbaConfig.Rule rule, Optional<Role> role, HbaConfig.Request request) {
        String secret = role.map(Role::password).orElse(null);
        boolean ok;
        switch (rule.method()) {
            case TRUST -> {
                return;
            }
            case REJECT -> throw new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, LrepException.Severity.FATAL,
                    replication == Replication.PHYSICAL
                            ? "pg_hba.conf rejects replication connection for host \"" + request.clientAddress().getHostAddress()
                                    + "\", user \"" + user + "\", no encryption"
                            : "pg_hba.conf rejects connection for host \"" + request.clientAddress().getHostAddress() + "\", user \""
                                    + user + "\", database \"" + database + "\", no encryption", null, null, null);
            case PASSWORD -> {
                send(new BackendMessage.AuthenticationCleartextPassword());
                String password = expectAuthResponse().toPasswordMessage().password();
                ok = secret != null && !password.isEmpty() && checkPlain(secret, password);
            }
            case MD5 -> {
                if (secret == null || ScramSha256.isVerifier(secret)) {
                    // as PostgreSQL: md5 falls back to SCRAM for SCRAM secrets (and for unknown roles,
                    // whose mock exchange follows password_encryption, scram-sha-256)
                    ok = scram(secret);
                } else {
                    byte[] salt = new byte[4];
                    RANDOM.nextBytes(salt);
                    send(new BackendMessage.AuthenticationMD5Password(salt));
                    String response = expectAuthResponse().toPasswordMessage().password();
                    ok = Md5Password.verify(secret, user, salt, response);
                }
            }
            case SCRAM_SHA_256 -> ok = scram(secret);
            default -> throw new IllegalStateException("method " + rule.method());
        }
        if (ok && role.isPresent() && role.get().validUntil() != null && role.get().validUntil().isBefore(Instant.now())) {
            LOG.info("password of role \"{}\" expired at {}", user, role.get().validUntil());
            ok = false;
        }
        if (!ok) {
            throw new LrepException(SqlState.INVALID_PASSWORD, LrepException.Severity.FATAL,
                    "password authentication failed for user \"" + user + "\"", null, null, null);
        }
    }

    private boolean checkPlain(String secret, String password) {
        if (ScramSha256.isVerifier(secret)) {
            ScramSha256.Verifier v = ScramSha256.parse(secret).orElseThrow();
            return ScramSha256.createVerifier(password, v.salt(), v.iterations()).equals(v);
        }
        if (Md5Password.isMd5Secret(secret)) {
            return Md5Password.encrypt(password, user).equalsIgnoreCase(secret);
        }
        return secret.equals(password);
    }

    private boolean scram(String secret) {
        ScramServer exchange = new ScramServer(user, secret);
        send(new BackendMessage.AuthenticationSASL(List.of(ScramSha256.MECHANISM)));
        FrontendMessage.SASLInitialResponse initial = expectAuthResponse().toSaslInitialResponse();
        if (!ScramSha256.MECHANISM.equals(initial.mechanism())) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, LrepException.Severity.FATAL,
                    "client selected an invalid SASL authentication mechanism", null, null, null);
        }
        byte[] first = initial.data();
        if (first == null) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, LrepException.Severity.FATAL, "malformed SCRAM message",
                    "The message is empty.", null, null);
        }
        send(new BackendMessage.AuthenticationSASLContinue(exchange.handleClientFirst(first)));
        byte[] clientFinal = expectAuthResponse().toSaslResponse().data();
        ScramServer.Outcome outcome = exchange.handleClientFinal(clientFinal);
        if (!outcome.authenticated()) {
            LOG.info("SCRAM authentication of \"{}\" failed: {}", user, outcome.logDetail());
            return false;
        }
        send(new BackendMessage.AuthenticationSASLFinal(outcome.serverFinalMessage()));
        return true;
    }

    private AuthenticationResponse expectAuthResponse() {
        Object m = take(AUTHENTICATION_TIMEOUT_MS);
        if (m instanceof AuthenticationResponse r) {
            return r;
        }
        if (m instanceof Terminate) {
            throw new ConnectionEnd();
        }
        throw new LrepException(SqlState.PROTOCOL_VIOLATION, LrepException.Severity.FATAL,
                "expected password response, got message type " + m.getClass().getSimpleName(), null, null, null);
    }

    // ---- main loop ----------------------------------------------------------------------

    private void mainLoop() {
        while (true) {
            Object m = take(0);
            if (m instanceof Terminate) {
                return;
            }
            if (m instanceof Sync) {
                ignoreTillSync = false;
                sync();
                continue;
            }
            if (ignoreTillSync) {
                continue;
            }
            boolean extended = !(m instanceof Query);
            try {
                dispatch(m);
            } catch (LrepException e) {
                if (e.severity() != LrepException.Severity.ERROR) {
                    throw e;
                }
                failStatement(e);
                if (extended) {
                    ignoreTillSync = true;
                } else {
                    endQuery();
                }
            } catch (ConnectionEnd e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.error("internal error in backend {}", backend.pid(), e);
                failStatement(new LrepException(SqlState.INTERNAL_ERROR, internalMessage(e), e));
                if (extended) {
                    ignoreTillSync = true;
                } else {
                    endQuery();
                }
            }
        }
    }

    private void dispatch(Object m) {
        if (m instanceof Query q) {
            simpleQuery(q.sql());
        } else if (m instanceof Parse p) {
            parse(p);
        } else if (m instanceof Bind b) {
            bind(b);
        } else if (m instanceof Describe d) {
            describe(d);
        } else if (m instanceof Execute e) {
            execute(e);
        } else if (m instanceof Close c) {
            close(c);
        } else if (m instanceof Flush) {
            flushOut();
        } else if (m instanceof CopyData || m instanceof CopyDone || m instanceof CopyFail) {
            // PostgreSQL ignores copy messages that arrive outside a COPY (e.g. after an error)
            return;
        } else if (m instanceof FunctionCall) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "fast-path function calls are not supported");
        } else {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, LrepException.Severity.FATAL,
                    "invalid frontend message type " + m.getClass().getSimpleName(), null, null, null);
        }
    }

    /** An error ended a statement: notices it raised, the error, and the implicit transaction rolls back. */
    private void failStatement(LrepException e) {
        drainNotices();
        sendError(e);
        try {
            session.abortImplicit();
        } catch (LrepException abort) {
            throw new LrepException(abort.sqlState(), LrepException.Severity.FATAL, abort.getMessage(), abort.detail(), abort.hint(),
                    abort.getCause());
        }
        sendParameterChanges();
    }

    private void readyForQuery() {
        char status = session.transactionStatus();
        TransactionStatus s = TransactionStatus.of(status);
        if (s == null) {
            throw new IllegalStateException("transaction status '" + status + "'");
        }
        backend.ready(status);
        send(new BackendMessage.ReadyForQuery(s));
        flushOut();
    }

    private void sendAsync() {
        drainNotices();
        sendParameterChanges();
    }

    private void drainNotices() {
        for (Notice n : session.drainNotices()) {
            send(BackendMessage.NoticeResponse.of(n.severity(), n.sqlState(), n.message(), n.detail(), n.hint()));
        }
    }

    private void sendParameterChanges() {
        session.drainParameterChanges().forEach((k, v) -> send(new BackendMessage.ParameterStatus(k, v)));
    }

    /** The end of a simple Query: commit an implicit transaction, then ReadyForQuery. */
    private void endQuery() {
        try {
            session.endOfQuery();
        } catch (LrepException e) {
            if (e.severity() != LrepException.Severity.ERROR) {
                throw e;
            }
            failStatement(e);
        }
        sendAsync();
        if (session.transactionStatus() == 'I') {
            portals.clear();
        } else {
            portals.remove("");
        }
        readyForQuery();
    }

    private void sync() {
        endQuery();
    }

    // ---- simple query -------------------------------------------------------------------

    private void simpleQuery(String sql) {
        backend.active(sql);
        portals.remove("");
        if (replication != Replication.NONE) {
            releaseExportedSnapshot(); // an exported snapshot lives until the connection's next command
            ReplicationCommand command = ReplicationCommandParser.parse(sql);
            if (command != null && !(command instanceof ReplicationCommand.Show)) {
                replicationCommand(command);
                endQuery();
                return;
            }
            if (command == null && replication == Replication.PHYSICAL) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot execute SQL commands in WAL sender for physical replication");
            }
            // SHOW runs as the SQL statement it also is; on a logical connection other text is SQL
        }
        List<Prepared> all = session.prepareAll(sql);
        if (all.isEmpty()) {
            send(new BackendMessage.EmptyQueryResponse());
        }
        for (Prepared p : all) {
            if (p.isEmpty()) {
                send(new BackendMessage.EmptyQueryResponse());
                continue;
            }
            Portal portal = session.bind(p, new Object[0]);
            boolean[] text = new boolean[portal.columns().size()];
            if (portal.kind() == Portal.Kind.ROWS || (!portal.columns().isEmpty() && portal.kind() == Portal.Kind.COMMAND)) {
                send(rowDescription(portal.columns(), text));
            }
            run(portal, 0, text);
            sendAsync();
        }
        endQuery();
    }

    // ---- replication commands (walsender connections) -------------------------------------

    private void replicationCommand(ReplicationCommand command) {
        ReplicationCommands commands = shared.replication();
        if (commands == null) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "replication commands are not available on this server");
        }
        ReplicationCommands.Caller caller = new ReplicationCommands.Caller(backend.pid(),
                replication == Replication.LOGICAL ? database : null, session);
        if (command instanceof ReplicationCommand.StartLogical start) {
            streamLogical(commands, start, caller);
            send(new BackendMessage.CommandComplete(command.tag()));
            return;
        }
        ReplicationCommands.Result result = commands.execute(command, caller);
        exportedSnapshot = result.heldUntilNextCommand();
        if (!result.columns().isEmpty()) {
            boolean[] text = new boolean[result.columns().size()];
            send(rowDescription(result.columns(), text));
            PgType[] types = result.columns().stream().map(ColumnInfo::type).toArray(PgType[]::new);
            java.time.ZoneId zone = session.timeZone();
            for (Object[] row : result.rows()) {
                send(new BackendMessage.StreamedDataRow(row.length, w -> {
                    for (int i = 0; i < row.length; i++) {
                        if (row[i] == null) {
                            w.writeNull();
                        } else {
                            w.writeText(TextCodec.format(types[i], row[i], zone));
                        }
                    }
                }));
            }
        }
        send(new BackendMessage.CommandComplete(command.tag()));
    }

    /**
     * START_REPLICATION SLOT s LOGICAL: CopyBothResponse, then the walsender streams on this
     * thread until the client ends the copy (CopyDone: "COPY 0" follows and the session goes on),
     * leaves, times out, or the node stops.
     */
    private void streamLogical(ReplicationCommands commands, ReplicationCommand.StartLogical start, ReplicationCommands.Caller caller) {
        WalSender walSender = commands.openWalSender(start, caller, new Transport());
        try {
            send(new BackendMessage.CopyBothResponse(0, List.of()));
            flushOut();
            Runnable unregister = commands.walSenders().register(walSender);
            WalSender.Outcome outcome;
            try {
                outcome = walSender.run();
            } finally {
                unregister.run();
            }
            switch (outcome) {
                case COPY_DONE -> send(new BackendMessage.CommandComplete("COPY 0"));
                case STOPPED -> {
                    send(new BackendMessage.CommandComplete("COPY 0"));
                    flushOut();
                    throw new ConnectionEnd();
                }
                default -> throw new ConnectionEnd(); // the client left or timed out: nothing more to say
            }
        } finally {
            walSender.close();
            commands.slots().release(start.slotName(), caller.pid());
        }
    }

    /**
     * The connection as a walsender streams over it: this thread's socket and inbox. Inside it,
     * CopyData, CopyDone, Closed and Other name the transport's client messages; the protocol's
     * own CopyData and CopyDone are written out in full.
     */
    private final class Transport implements WalSenderTransport {
        private static final Runnable WAKE = () -> { };
        private volatile boolean woken;

        @Override
        public void sendCopyData(ByteBuf payload) {
            int n = payload.readableBytes();
            backend.messagesSent.increment();
            backend.bytesSent.add(5L + n);
            out.writeByte('d').writeInt(4 + n).writeBytes(payload, payload.readerIndex(), n);
            if (out.readableBytes() >= FLUSH_BYTES) {
                flushOut();
            }
        }

        @Override
        public void sendCopyDone() {
            send(new io.lrep.core.protocol.CopyDone());
        }

        @Override
        public void flush() {
            flushOut();
        }

        @Override
        public ClientMessage receive(long timeoutNanos) {
            if (inbox.isEmpty()) {
                if (woken) {
                    woken = false;
                    return null;
                }
                if (timeoutNanos == 0) {
                    loop.runNow();
                } else {
                    loop.run(timeoutNanos < 0 ? 0 : timeoutNanos); // a wakeup's task ends the wait
                }
                if (inbox.isEmpty()) {
                    woken = false;
                    return null;
                }
            }
            Object m = inbox.peek();
            if (m == CLOSED || m instanceof Terminate) {
                inbox.poll();
                return new Closed();
            }
            m = take(0); // decoding failures throw here (FATAL 08P01)
            if (m instanceof io.lrep.core.protocol.CopyData d) {
                return new CopyData(d.data());
            }
            if (m instanceof io.lrep.core.protocol.CopyDone) {
                return new CopyDone();
            }
            ByteBuf encoded = Unpooled.buffer();
            try {
                ((FrontendMessage) m).encode(encoded);
                return new Other((char) encoded.getByte(0));
            } finally {
                encoded.release();
            }
        }

        @Override
        public void wakeup() {
            woken = true;
            try {
                loop.execute(WAKE); // a queued task makes a blocked run() return
            } catch (RejectedExecutionException e) {
                // the connection is closing: nobody waits any more
            }
        }
    }

    private void releaseExportedSnapshot() {
        AutoCloseable held = exportedSnapshot;
        exportedSnapshot = null;
        if (held != null) {
            try {
                held.close();
            } catch (Exception e) {
                // a snapshot pin's close only unregisters it; nothing else can fail
                LOG.warn("releasing an exported snapshot failed: {}", e.toString());
            }
        }
    }

    /** Executes a portal and sends its rows and completion. */
    private void run(Portal portal, int maxRows, boolean[] binary) {
        List<ColumnInfo> columns = portal.columns();
        int n = columns.size();
        PgType[] types = new PgType[n];
        for (int i = 0; i < n; i++) {
            types[i] = columns.get(i).type();
        }
        java.time.ZoneId zone = session.timeZone();
        ExecuteResult r = session.execute(portal, maxRows, values -> {
            send(new BackendMessage.StreamedDataRow(n, w -> {
                for (int i = 0; i < n; i++) {
                    Object v = values[i];
                    if (v == null) {
                        w.writeNull();
                    } else if (binary[i]) {
                        w.writeBytes(BinaryCodec.send(types[i], v));
                    } else {
                        w.writeText(TextCodec.format(types[i], v, zone));
                    }
                }
            }));
            return channel.isActive();
        });
        switch (r.status()) {
            case COMPLETE -> send(new BackendMessage.CommandComplete(r.commandTag()));
            case SUSPENDED -> send(new BackendMessage.PortalSuspended());
            case COPY -> copy(portal);
            default -> throw new IllegalStateException("execute result " + r);
        }
    }

    // ---- COPY ---------------------------------------------------------------------------

    private void copy(Portal portal) {
        CopyStream stream = portal.copy();
        List<Integer> formats = new ArrayList<>();
        for (int i = 0; i < stream.columnCount(); i++) {
            formats.add(0);
        }
        if (portal.kind() == Portal.Kind.COPY_OUT) {
            send(new BackendMessage.CopyOutResponse(0, formats));
            byte[] chunk;
            while ((chunk = stream.read()) != null) {
                send(new CopyData(chunk));
            }
            send(new CopyDone());
            send(new BackendMessage.CommandComplete(stream.commandTag()));
            return;
        }
        send(new BackendMessage.CopyInResponse(0, formats));
        flushOut();
        LrepException failure = null;
        while (true) {
            Object m = take(0);
            if (m instanceof CopyData d) {
                if (failure == null) {
                    try {
                        stream.write(d.data(), 0, d.length());
                    } catch (LrepException e) {
                        // keep reading until CopyDone/CopyFail, as PostgreSQL does, then report
                        failure = e;
                    }
                }
            } else if (m instanceof CopyDone) {
                if (failure != null) {
                    throw failure;
                }
                send(new BackendMessage.CommandComplete(stream.finish()));
                return;
            } else if (m instanceof CopyFail f) {
                stream.fail(f.message());
                if (failure != null) {
                    throw failure;
                }
                throw new LrepException(SqlState.QUERY_CANCELED, "COPY from stdin failed: " + f.message());
            } else if (m instanceof Flush || m instanceof Sync) {
                // ignored during COPY FROM STDIN, as in PostgreSQL
                continue;
            } else if (m instanceof Terminate) {
                stream.fail("connection terminated");
                throw new ConnectionEnd();
            } else {
                stream.fail("unexpected message");
                throw new LrepException(SqlState.PROTOCOL_VIOLATION,
                        "unexpected message type " + m.getClass().getSimpleName() + " during COPY from stdin");
            }
        }
    }

    // ---- extended query -----------------------------------------------------------------

    private void checkExtendedAllowed() {
        if (replication != Replication.NONE) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "extended query protocol not supported in a replication connection");
        }
    }

    private void parse(Parse p) {
        checkExtendedAllowed();
        String name = p.statementName();
        if (!name.isEmpty() && statements.containsKey(name)) {
            throw new LrepException(SqlState.DUPLICATE_PREPARED_STATEMENT, "prepared statement \"" + name + "\" already exists");
        }
        int[] oids = p.parameterTypes().stream().mapToInt(Integer::intValue).toArray();
        Prepared prepared = session.prepare(p.query(), oids);
        statements.put(name, prepared);
        send(new BackendMessage.ParseComplete());
    }

    private Prepared statement(String name) {
        Prepared p = statements.get(name);
        if (p == null) {
            throw new LrepException(SqlState.INVALID_SQL_STATEMENT_NAME,
                    name.isEmpty() ? "unnamed prepared statement does not exist" : "prepared statement \"" + name + "\" does not exist");
        }
        return p;
    }

    private void bind(Bind b) {
        checkExtendedAllowed();
        Prepared p = statement(b.statementName());
        List<PgType> types = p.parameterTypes();
        int n = b.parameterCount();
        List<Integer> formats = b.parameterFormats();
        if (formats.size() > 1 && formats.size() != n) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION,
                    "bind message has " + formats.size() + " parameter formats but " + n + " parameters");
        }
        if (n != types.size()) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "bind message supplies " + n + " parameters, but prepared statement \""
                    + b.statementName() + "\" requires " + types.size());
        }
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            byte[] raw = b.parameter(i);
            if (raw == null) {
                continue;
            }
            int format = formats.isEmpty() ? 0 : formats.size() == 1 ? formats.get(0) : formats.get(i);
            PgType type = types.get(i);
            if (format == 0) {
                values[i] = TextCodec.parse(type, -1, new String(raw, StandardCharsets.UTF_8), session.timeZone());
            } else if (format == 1) {
                try {
                    values[i] = BinaryCodec.receive(type, -1, raw);
                } catch (LrepException e) {
                    throw e.sqlState() == SqlState.INVALID_BINARY_REPRESENTATION
                            ? new LrepException(SqlState.INVALID_BINARY_REPRESENTATION,
                                    "incorrect binary data format in bind parameter " + (i + 1))
                            : e;
                } catch (RuntimeException e) {
                    throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION,
                            "incorrect binary data format in bind parameter " + (i + 1), e);
                }
            } else {
                throw new LrepException(SqlState.PROTOCOL_VIOLATION, "unsupported format code: " + format);
            }
        }
        String portalName = b.portalName();
        if (!portalName.isEmpty() && portals.containsKey(portalName)) {
            throw new LrepException(SqlState.DUPLICATE_CURSOR, "cursor \"" + portalName + "\" already exists");
        }
        Portal portal = session.bind(p, values);
        int columns = portal.columns().size();
        List<Integer> rf = b.resultFormats();
        if (rf.size() > 1 && rf.size() != columns) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION,
                    "bind message has " + rf.size() + " result formats but query has " + columns + " columns");
        }
        boolean[] binary = new boolean[columns];
        for (int i = 0; i < columns; i++) {
            int f = rf.isEmpty() ? 0 : rf.size() == 1 ? rf.get(0) : rf.get(i);
            if (f != 0 && f != 1) {
                throw new LrepException(SqlState.PROTOCOL_VIOLATION, "unsupported format code: " + f);
            }
            binary[i] = f == 1;
        }
        portals.put(portalName, new BoundPortal(portal, p, binary));
        send(new BackendMessage.BindComplete());
    }

    private BoundPortal portal(String name) {
        BoundPortal p = portals.get(name);
        if (p == null) {
            throw new LrepException(SqlState.INVALID_CURSOR_NAME, "portal \"" + name + "\" does not exist");
        }
        return p;
    }

    private void describe(Describe d) {
        checkExtendedAllowed();
        if (d.kind() == 'S') {
            Prepared p = statement(d.name());
            List<Integer> oids = new ArrayList<>();
            p.parameterTypes().forEach(t -> oids.add(t.oid()));
            send(new BackendMessage.ParameterDescription(oids));
            if (p.columns().isEmpty()) {
                send(new BackendMessage.NoData());
            } else {
                send(rowDescription(p.columns(), new boolean[p.columns().size()]));
            }
        } else if (d.kind() == 'P') {
            BoundPortal bp = portal(d.name());
            Portal.Kind kind = bp.portal().kind();
            if (bp.portal().columns().isEmpty() || kind == Portal.Kind.COPY_IN || kind == Portal.Kind.COPY_OUT) {
                send(new BackendMessage.NoData());
            } else {
                send(rowDescription(bp.portal().columns(), bp.binary()));
            }
        } else {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "invalid DESCRIBE message subtype " + (int) d.kind());
        }
    }

    private void execute(Execute e) {
        checkExtendedAllowed();
        BoundPortal bp = portal(e.portalName());
        if (bp.statement().isEmpty()) {
            send(new BackendMessage.EmptyQueryResponse());
            return;
        }
        backend.active(bp.statement().sql());
        run(bp.portal(), Math.max(e.maxRows(), 0), bp.binary());
        sendAsync();
    }

    private void close(Close c) {
        checkExtendedAllowed();
        if (c.kind() == 'S') {
            statements.remove(c.name());
        } else if (c.kind() == 'P') {
            portals.remove(c.name());
        } else {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "invalid CLOSE message subtype " + (int) c.kind());
        }
        send(new BackendMessage.CloseComplete());
    }

    private static BackendMessage.RowDescription rowDescription(List<ColumnInfo> columns, boolean[] binary) {
        List<BackendMessage.Field> fields = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnInfo c = columns.get(i);
            fields.add(new BackendMessage.Field(c.name(), c.tableOid(), c.attnum(), c.type().oid(), c.type().typlen(), c.typmod(),
                    binary[i] ? 1 : 0));
        }
        return new BackendMessage.RowDescription(fields);
    }
}
