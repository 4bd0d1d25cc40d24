package io.lrep.subscriber.client;

import io.lrep.core.error.LrepException;
import io.lrep.core.protocol.BackendMessage;
import io.lrep.core.protocol.BackendMessage.AuthenticationCleartextPassword;
import io.lrep.core.protocol.BackendMessage.AuthenticationMD5Password;
import io.lrep.core.protocol.BackendMessage.AuthenticationOk;
import io.lrep.core.protocol.BackendMessage.AuthenticationOther;
import io.lrep.core.protocol.BackendMessage.AuthenticationSASL;
import io.lrep.core.protocol.BackendMessage.AuthenticationSASLContinue;
import io.lrep.core.protocol.BackendMessage.AuthenticationSASLFinal;
import io.lrep.core.protocol.BackendMessage.BackendKeyData;
import io.lrep.core.protocol.BackendMessage.CommandComplete;
import io.lrep.core.protocol.BackendMessage.CopyBothResponse;
import io.lrep.core.protocol.BackendMessage.CopyInResponse;
import io.lrep.core.protocol.BackendMessage.CopyOutResponse;
import io.lrep.core.protocol.BackendMessage.DataRow;
import io.lrep.core.protocol.BackendMessage.EmptyQueryResponse;
import io.lrep.core.protocol.BackendMessage.ErrorResponse;
import io.lrep.core.protocol.BackendMessage.NegotiateProtocolVersion;
import io.lrep.core.protocol.BackendMessage.NoticeResponse;
import io.lrep.core.protocol.BackendMessage.NotificationResponse;
import io.lrep.core.protocol.BackendMessage.ParameterStatus;
import io.lrep.core.protocol.BackendMessage.ReadyForQuery;
import io.lrep.core.protocol.BackendMessage.RowDescription;
import io.lrep.core.protocol.BackendMessage.TransactionStatus;
import io.lrep.core.protocol.BackendMessageDecoder;
import io.lrep.core.protocol.CopyData;
import io.lrep.core.protocol.CopyDone;
import io.lrep.core.protocol.FrontendMessage;
import io.lrep.core.protocol.FrontendMessageEncoder;
import io.lrep.core.protocol.auth.Md5Password;
import io.lrep.core.protocol.auth.ScramClient;
import io.lrep.core.protocol.auth.ScramSha256;
import io.lrep.subscriber.client.ConnInfo.HostAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL protocol v3 session to a publisher, as a subscriber worker uses it (libpq plus
 * libpqwalreceiver): simple queries, COPY TO STDOUT, and the CopyBoth stream after
 * START_REPLICATION. Made by {@link ReplicationClient#connect}.
 *
 * <p><b>Threading.</b> One worker thread uses a connection: {@link #query}, {@link #simpleQuery},
 * {@link #copyOut}, {@link #startReplication} and the {@link ReplicationStream} methods must not
 * be called concurrently. Netty's event loop does the I/O and hands decoded messages to that
 * thread through a queue with back-pressure. {@link #cancel()} and {@link #close()} may be
 * called from any thread: close makes a blocked call fail at once with {@link ClientException}.
 * Interrupting the worker thread while it waits closes the connection.
 *
 * <p><b>Errors.</b> An ErrorResponse becomes a {@link ServerErrorException} with the server's
 * SQLSTATE, message, detail and hint, after the server is ready again (the session goes on).
 * Client-side failures (a broken connection, a timeout, a protocol violation) are
 * {@link ClientException}s and leave the connection unusable. Notices are logged.
 */
public final class ReplicationConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationConnection.class);
    private static final String CLOSED_UNEXPECTEDLY = "server closed the connection unexpectedly";

    private enum State { IDLE, BUSY, COPY_BOTH, BROKEN, CLOSED }

    private final Channel channel;
    private final Inbound inbound;
    private final HostAddress host;
    private final ConnInfo info;
    private final Map<String, String> parameters = new ConcurrentHashMap<>();
    private volatile State state = State.BUSY;
    private int processId;
    private int secretKey;
    private TransactionStatus transactionStatus = TransactionStatus.IDLE;
    private boolean usedPassword;
    private ServerErrorException pendingError;

    private ReplicationConnection(Channel channel, Inbound inbound, HostAddress host, ConnInfo info) {
        this.channel = channel;
        this.inbound = inbound;
        this.host = host;
        this.info = info;
    }

    // ---------------------------------------------------------------- connecting

    /** Tries the hosts in order, as libpq's PQconnectdb; see {@link ReplicationClient#connect}. */
    static ReplicationConnection open(EventLoopGroup group, ConnInfo info) {
        String sslmode = info.sslmode();
        if (!sslmode.equals("disable") && !sslmode.equals("allow") && !sslmode.equals("prefer")) {
            throw new ClientException("sslmode value \"" + sslmode + "\" invalid when SSL support is not compiled in");
        }
        String attrs = info.targetSessionAttrs();
        List<HostAddress> hosts = info.hosts();
        long timeoutNanos = info.connectTimeoutSeconds() == 0 ? -1 : TimeUnit.SECONDS.toNanos(info.connectTimeoutSeconds());
        List<String> passes = attrs.equals("prefer-standby") ? List.of("standby", "any") : List.of(attrs);
        List<LrepException> failures = new ArrayList<>();
        for (String pass : passes) {
            for (HostAddress h : hosts) {
                ReplicationConnection c = null;
                try {
                    c = attempt(group, info, h, sslmode.equals("prefer"), timeoutNanos);
                    String mismatch = c.sessionMismatch(pass);
                    if (mismatch == null) {
                        LOG.debug("Connected to {} (server_version {}, pid {})", h, c.parameter("server_version"),
                                c.processId);
                        return c;
                    }
                    failures.add(new ClientException(failedMessage(h, mismatch)));
                    c.close();
                } catch (ServerErrorException e) {
                    failures.add(e);
                } catch (LrepException e) {
                    if (c != null) {
                        c.close();
                    }
                    failures.add(e instanceof ClientException ? new ClientException(failedMessage(h, e.getMessage()), e) : e);
                }
            }
        }
        if (failures.size() == 1) {
            throw failures.get(0);
        }
        StringBuilder all = new StringBuilder();
        for (LrepException f : failures) {
            if (all.length() > 0) {
                all.append('\n');
            }
            all.append(f instanceof ServerErrorException ? "FATAL:  " + f.getMessage() : f.getMessage());
        }
        ClientException e = new ClientException(all.toString(), failures.get(failures.size() - 1));
        failures.subList(0, failures.size() - 1).forEach(e::addSuppressed);
        throw e;
    }

    private static String failedMessage(HostAddress h, String reason) {
        String at = h.hostaddr() != null && !h.hostaddr().equals(h.host())
                ? "\"" + h.host() + "\" (" + h.hostaddr() + ")" : "\"" + h.host() + "\"";
        return "connection to server at " + at + ", port " + h.port() + " failed: " + reason;
    }

    private static ReplicationConnection attempt(EventLoopGroup group, ConnInfo info, HostAddress h, boolean sslRequest,
            long timeoutNanos) {
        long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
        Inbound inbound = new Inbound();
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutNanos < 0 ? 0 : (int) TimeUnit.NANOSECONDS.toMillis(timeoutNanos))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (sslRequest) {
                            ch.pipeline().addLast("ssl-answer", new Inbound.SslAnswerDecoder());
                        }
                        ch.pipeline().addLast("decoder", new BackendMessageDecoder());
                        ch.pipeline().addLast("encoder", new FrontendMessageEncoder());
                        ch.pipeline().addLast("inbound", inbound);
                    }
                });
        ChannelFuture f = b.connect(h.connectTo(), h.port());
        f.awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            throw new ClientException(cause == null ? "could not connect" : describe(cause), cause);
        }
        ReplicationConnection c = new ReplicationConnection(f.channel(), inbound, h, info);
        try {
            if (sslRequest) {
                c.send(new FrontendMessage.SSLRequest());
                Object answer = c.next(deadline);
                if (!(answer instanceof Inbound.SslAnswer a) || a.answer() != 'N') {
                    // The server would do TLS (or does not understand the request); lrep has no
                    // TLS yet, so sslmode=prefer goes on without it, as libpq does when TLS fails.
                    c.closeChannel();
                    return attempt(group, info, h, false, timeoutNanos);
                }
            }
            c.startup(deadline);
            return c;
        } catch (RuntimeException e) {
            c.closeChannel();
            throw e;
        }
    }

    private static String describe(Throwable cause) {
        String m = cause.getMessage();
        if (m == null) {
            return cause.getClass().getSimpleName();
        }
        int colon = m.indexOf(": ");
        // Netty prefixes the address ("Connection refused: /127.0.0.1:5432"); libpq says just the reason
        return cause instanceof java.net.ConnectException && colon > 0 ? m.substring(0, colon) : m;
    }

    private void startup(long deadline) {
        Map<String, String> params = new LinkedHashMap<>();
        String user = info.user();
        params.put("user", user);
        params.put("database", info.dbname());
        if (info.replication() != null) {
            params.put("replication", info.replication());
        }
        if (info.options() != null) {
            params.put("options", info.options());
        }
        if (info.applicationName() != null) {
            params.put("application_name", info.applicationName());
        } else if (info.fallbackApplicationName() != null) {
            params.put("application_name", info.fallbackApplicationName());
        }
        params.put("client_encoding", "UTF8");
        LOG.trace("=> StartupMessage({})", params);
        send(FrontendMessage.StartupMessage.of(params));
        ScramClient scram = null;
        ServerErrorException error = null;
        while (true) {
            Object m = nextOrTimeout(deadline, "timeout expired");
            if (m instanceof AuthenticationOk) {
                continue;
            } else if (m instanceof AuthenticationCleartextPassword) {
                send(new FrontendMessage.PasswordMessage(requirePassword()));
            } else if (m instanceof AuthenticationMD5Password md5) {
                send(new FrontendMessage.PasswordMessage(Md5Password.clientResponse(requirePassword(), user, md5.salt())));
            } else if (m instanceof AuthenticationSASL sasl) {
                if (!sasl.mechanisms().contains(ScramSha256.MECHANISM)) {
                    throw new ClientException("none of the server's SASL authentication mechanisms are supported");
                }
                scram = new ScramClient(requirePassword());
                send(new FrontendMessage.SASLInitialResponse(ScramSha256.MECHANISM, scram.clientFirstMessage()));
            } else if (m instanceof AuthenticationSASLContinue cont) {
                if (scram == null) {
                    throw new ClientException("AuthenticationSASLContinue without AuthenticationSASL");
                }
                send(new FrontendMessage.SASLResponse(scram.handleServerFirst(cont.data())));
            } else if (m instanceof AuthenticationSASLFinal fin) {
                if (scram == null) {
                    throw new ClientException("AuthenticationSASLFinal without AuthenticationSASL");
                }
                scram.verifyServerFinal(fin.data());
            } else if (m instanceof AuthenticationOther other) {
                throw new ClientException("authentication method " + other.code() + " not supported");
            } else if (m instanceof BackendKeyData key) {
                processId = key.processId();
                secretKey = key.secretKey();
            } else if (m instanceof NegotiateProtocolVersion) {
                continue; // we ask for 3.0 with no protocol options: nothing to give up
            } else if (m instanceof ErrorResponse e) {
                error = serverError(e);
                break;
            } else if (m instanceof ReadyForQuery rfq) {
                transactionStatus = rfq.status();
                state = State.IDLE;
                return;
            } else {
                throw unexpected(m, "during startup");
            }
        }
        throw error;
    }

    private String requirePassword() {
        String pw = info.password();
        if (pw == null || pw.isEmpty()) {
            throw new ClientException("fe_sendauth: no password supplied");
        }
        usedPassword = true;
        return pw;
    }

    /** Null when the session is what target_session_attrs asks for, else libpq's reason. */
    private String sessionMismatch(String attrs) {
        switch (attrs) {
            case "read-write", "read-only" -> {
                boolean readOnly;
                String dflt = parameter("default_transaction_read_only");
                String hot = parameter("in_hot_standby");
                if (dflt != null && hot != null) {
                    readOnly = dflt.equals("on") || hot.equals("on");
                } else {
                    readOnly = "on".equals(query("SHOW transaction_read_only").value(0, 0));
                }
                if (attrs.equals("read-write") && readOnly) {
                    return "session is read-only";
                }
                if (attrs.equals("read-only") && !readOnly) {
                    return "session is not read-only";
                }
                return null;
            }
            case "primary", "standby" -> {
                String hot = parameter("in_hot_standby");
                boolean standby = hot != null ? hot.equals("on")
                        : "t".equals(query("SELECT pg_catalog.pg_is_in_recovery()").value(0, 0));
                if (attrs.equals("primary") && standby) {
                    return "server is in hot standby mode";
                }
                if (attrs.equals("standby") && !standby) {
                    return "server is not in hot standby mode";
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    // ---------------------------------------------------------------- session facts

    /** The host this session reached. */
    public HostAddress host() {
        return host;
    }

    /** The connection string this session was made from. */
    public ConnInfo connInfo() {
        return info;
    }

    /** A ParameterStatus value the server reported (server_version, client_encoding, ...), or null. */
    public String parameter(String name) {
        return parameters.get(name);
    }

    /** Every ParameterStatus value reported so far. */
    public Map<String, String> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The server's version as libpq's PQserverVersion: 15.18 gives 150018, 9.6.3 gives 90603; 0 if unknown. */
    public int serverVersion() {
        return parseServerVersion(parameter("server_version"));
    }

    /** libpq's conversion of a server_version string to a number; 0 when it cannot be read. */
    public static int parseServerVersion(String version) {
        if (version == null) {
            return 0;
        }
        int[] parts = new int[3];
        int count = 0;
        int i = 0;
        int n = version.length();
        while (count < 3) {
            int start = i;
            while (i < n && Character.isDigit(version.charAt(i))) {
                i++;
            }
            if (i == start) {
                break;
            }
            parts[count++] = Integer.parseInt(version.substring(start, i));
            if (i < n && version.charAt(i) == '.') {
                i++;
            } else {
                break;
            }
        }
        if (count == 0) {
            return 0;
        }
        if (parts[0] >= 10) {
            return parts[0] * 10000 + (count >= 2 ? parts[1] : 0);
        }
        return parts[0] * 10000 + parts[1] * 100 + parts[2];
    }

    /** The backend's process id (BackendKeyData). */
    public int processId() {
        return processId;
    }

    /** The transaction status from the last ReadyForQuery. */
    public TransactionStatus transactionStatus() {
        return transactionStatus;
    }

    /** True when the server asked for a password and got one (libpq's PQconnectionUsedPassword). */
    public boolean usedPassword() {
        return usedPassword;
    }

    /** True until the connection is closed or broken. */
    public boolean isUsable() {
        State s = state;
        return (s == State.IDLE || s == State.COPY_BOTH) && channel.isActive();
    }

    // ---------------------------------------------------------------- queries

    /** Runs one statement with the simple query protocol and returns its result. */
    public QueryResult query(String sql) {
        List<QueryResult> results = simpleQuery(sql);
        if (results.isEmpty()) {
            throw new ClientException("query returned no result: " + sql);
        }
        return results.get(results.size() - 1);
    }

    /**
     * Runs a simple query (one or more statements) and returns one result per statement. An
     * ErrorResponse is thrown as {@link ServerErrorException} once the server is ready again.
     * A COPY in either direction is refused here: use {@link #copyOut} and
     * {@link #startReplication}.
     */
    public List<QueryResult> simpleQuery(String sql) {
        beginCommand(sql);
        List<QueryResult> results = new ArrayList<>();
        List<QueryResult.Column> columns = List.of();
        List<List<String>> rows = new ArrayList<>();
        ServerErrorException error = null;
        while (true) {
            Object m = nextOrTimeout(0, null);
            if (m instanceof RowDescription rd) {
                columns = columns(rd);
                rows = new ArrayList<>();
            } else if (m instanceof DataRow row) {
                rows.add(text(row));
            } else if (m instanceof CommandComplete cc) {
                results.add(new QueryResult(columns, rows, cc.tag()));
                columns = List.of();
                rows = new ArrayList<>();
            } else if (m instanceof EmptyQueryResponse) {
                results.add(new QueryResult(List.of(), List.of(), ""));
            } else if (m instanceof ErrorResponse e) {
                error = serverError(e);
            } else if (m instanceof CopyInResponse) {
                send(new FrontendMessage.CopyFail("COPY FROM STDIN is not supported by the replication client"));
            } else if (m instanceof CopyOutResponse) {
                CopyOutcome outcome = drainCopyOut(null);
                error = outcome.serverError() != null ? outcome.serverError() : error;
            } else if (m instanceof ReadyForQuery rfq) {
                ready(rfq);
                if (error != null) {
                    throw error;
                }
                return results;
            } else {
                throw unexpected(m, "in a query result");
            }
        }
    }

    /** Receives the rows of a COPY TO STDOUT, one CopyData (a row in text format) at a time. */
    @FunctionalInterface
    public interface CopyConsumer {
        /** One CopyData payload (PostgreSQL sends a row per CopyData; other servers may not); the array is the consumer's. */
        void onCopyData(byte[] data) throws Exception;
    }

    /**
     * Runs {@code COPY ... TO STDOUT} and hands each CopyData (COPY text format, usually one row) to {@code consumer} on this thread
     * as it arrives; the socket is read only as fast as the consumer takes the data, so a large
     * table is never held in memory. Returns the row count of the closing {@code COPY n} tag.
     * When the consumer throws, the query is cancelled, the rest of the data is skipped and the
     * consumer's exception is rethrown (wrapped in a ClientException when checked).
     */
    public long copyOut(String sql, CopyConsumer consumer) {
        beginCommand(sql);
        ServerErrorException error = null;
        RuntimeException consumerFailure = null;
        long count = -1;
        boolean sawCopy = false;
        while (true) {
            Object m = nextOrTimeout(0, null);
            if (m instanceof CopyOutResponse) {
                sawCopy = true;
                CopyOutcome outcome = drainCopyOut(consumer);
                consumerFailure = outcome.consumerFailure();
                error = outcome.serverError() != null ? outcome.serverError() : error;
            } else if (m instanceof CommandComplete cc) {
                String tag = cc.tag();
                if (tag.startsWith("COPY ")) {
                    count = Long.parseLong(tag.substring(5).trim());
                }
            } else if (m instanceof ErrorResponse e) {
                error = serverError(e);
            } else if (m instanceof RowDescription || m instanceof DataRow || m instanceof EmptyQueryResponse) {
                continue; // not a COPY: reported once the server is ready
            } else if (m instanceof CopyInResponse) {
                send(new FrontendMessage.CopyFail("COPY FROM STDIN is not supported by the replication client"));
            } else if (m instanceof ReadyForQuery rfq) {
                ready(rfq);
                if (consumerFailure != null) {
                    throw consumerFailure;
                }
                if (error != null) {
                    throw error;
                }
                if (!sawCopy) {
                    throw new ClientException("invalid query response: expected COPY TO STDOUT: " + sql);
                }
                return count;
            } else {
                throw unexpected(m, "in a COPY result");
            }
        }
    }

    private record CopyOutcome(RuntimeException consumerFailure, ServerErrorException serverError) {
    }

    /** Reads CopyData up to CopyDone, or up to an ErrorResponse that ends the COPY instead. */
    private CopyOutcome drainCopyOut(CopyConsumer consumer) {
        RuntimeException failure = null;
        while (true) {
            Object m = nextOrTimeout(0, null);
            if (m instanceof CopyData data) {
                if (consumer != null && failure == null) {
                    try {
                        consumer.onCopyData(data.data());
                    } catch (RuntimeException e) {
                        failure = e;
                        cancel();
                    } catch (Exception e) {
                        failure = new ClientException("COPY consumer failed: " + e.getMessage(), e);
                        cancel();
                    }
                }
            } else if (m instanceof CopyDone) {
                return new CopyOutcome(failure, null);
            } else if (m instanceof ErrorResponse e) {
                // the server ends the COPY with an error (a cancel, a failure): CopyDone will not come
                return new CopyOutcome(failure, serverError(e));
            } else {
                throw unexpected(m, "in COPY data");
            }
        }
    }

    /**
     * Sends a {@code START_REPLICATION ...} command and returns the CopyBoth stream. An error
     * before CopyBothResponse (unknown slot, slot active, bad option) is thrown as
     * {@link ServerErrorException} and the session goes on.
     */
    public ReplicationStream startReplication(String command) {
        beginCommand(command);
        ServerErrorException error = null;
        while (true) {
            Object m = nextOrTimeout(0, null);
            if (m instanceof CopyBothResponse) {
                state = State.COPY_BOTH;
                return new ReplicationStream(this);
            } else if (m instanceof ErrorResponse e) {
                error = serverError(e);
            } else if (m instanceof ReadyForQuery rfq) {
                ready(rfq);
                throw error != null ? error
                        : new ClientException("invalid query response: expected CopyBothResponse to " + command);
            } else if (m instanceof RowDescription || m instanceof DataRow || m instanceof CommandComplete) {
                continue; // not a streaming command: reported once the server is ready
            } else {
                throw unexpected(m, "in reply to START_REPLICATION");
            }
        }
    }

    // ---------------------------------------------------------------- cancel and close

    /**
     * Asks the server to cancel what this session is running (CancelRequest on a new
     * connection, as libpq's PQcancel). Any thread; failures are logged, not thrown, because
     * a cancel is only a request.
     */
    public void cancel() {
        try (Socket s = new Socket()) {
            int timeoutMs = (int) Math.max(TimeUnit.SECONDS.toMillis(info.connectTimeoutSeconds()), 10_000);
            s.connect(new InetSocketAddress(host.connectTo(), host.port()), timeoutMs);
            byte[] msg = new byte[16];
            io.netty.buffer.ByteBuf buf = Unpooled.wrappedBuffer(msg);
            buf.writerIndex(0);
            new FrontendMessage.CancelRequest(processId, secretKey).encode(buf);
            OutputStream out = s.getOutputStream();
            out.write(msg);
            out.flush();
            // the server closes the socket when it has read the request
            s.setSoTimeout(timeoutMs);
            while (s.getInputStream().read() >= 0) {
                continue;
            }
        } catch (IOException e) {
            LOG.warn("Could not send a cancel request to {}: {}", host, e.toString());
        }
    }

    /**
     * Sends Terminate and closes the socket. Idempotent; any thread. A call blocked on this
     * connection fails with {@link ClientException}.
     */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (channel.isActive()) {
            channel.writeAndFlush(new FrontendMessage.Terminate());
        }
        closeChannel();
    }

    private void closeChannel() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- internals

    private void beginCommand(String sql) {
        State s = state;
        if (s != State.IDLE) {
            throw new ClientException(s == State.COPY_BOTH ? "another command is already in progress"
                    : s == State.BUSY ? "another command is already in progress" : "connection is not open");
        }
        state = State.BUSY;
        LOG.trace("=> Query({})", sql);
        send(new FrontendMessage.Query(sql));
    }

    /** Remembers an ErrorResponse so that a server that then closes the socket reports it, not the close. */
    ServerErrorException serverError(ErrorResponse e) {
        ServerErrorException error = new ServerErrorException(e);
        pendingError = error;
        return error;
    }

    private void ready(ReadyForQuery rfq) {
        pendingError = null;
        transactionStatus = rfq.status();
        if (state != State.CLOSED) {
            state = State.IDLE;
        }
    }

    void send(FrontendMessage m) {
        if (!channel.isActive()) {
            state = state == State.CLOSED ? State.CLOSED : State.BROKEN;
            ServerErrorException last = lastQueuedError();
            if (last != null) {
                throw last;
            }
            throw new ClientException(state == State.CLOSED ? "connection is closed" : CLOSED_UNEXPECTEDLY);
        }
        channel.writeAndFlush(m);
    }

    /** A FATAL error the server sent before it closed the socket, if one is still queued. */
    private ServerErrorException lastQueuedError() {
        while (true) {
            Object m;
            try {
                m = inbound.take(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (m == null || m == Inbound.CLOSED || m instanceof Inbound.Failure) {
                return null;
            }
            if (m instanceof ErrorResponse e) {
                return new ServerErrorException(e);
            }
        }
    }

    /** The next message, or null at the deadline (System.nanoTime based; 0 = none). */
    Object next(long deadline) {
        while (true) {
            long wait = deadline == 0 ? -1 : Math.max(0, deadline - System.nanoTime());
            Object m;
            try {
                m = inbound.take(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeAsBroken();
                throw new ClientException("interrupted while waiting for the server");
            }
            if (m == null) {
                return null;
            }
            if ((m == Inbound.CLOSED || m instanceof Inbound.Failure) && pendingError != null) {
                ServerErrorException error = pendingError;
                pendingError = null;
                closeAsBroken();
                throw error;
            }
            if (m == Inbound.CLOSED) {
                boolean closedByUs = state == State.CLOSED;
                closeAsBroken();
                throw new ClientException(closedByUs ? "connection is closed" : CLOSED_UNEXPECTEDLY);
            }
            if (m instanceof Inbound.Failure f) {
                closeAsBroken();
                throw new ClientException("could not receive data from server: " + describe(f.cause()), f.cause());
            }
            if (m instanceof ParameterStatus ps) {
                parameters.put(ps.name(), ps.value());
                continue;
            }
            if (m instanceof NoticeResponse n) {
                LOG.info("{} from {}: {}{}", n.severity(), host, n.message(),
                        n.field(BackendMessage.Fields.DETAIL) == null ? "" : " (" + n.field(BackendMessage.Fields.DETAIL) + ")");
                continue;
            }
            if (m instanceof NotificationResponse) {
                continue; // nobody LISTENs on a replication connection
            }
            if (LOG.isTraceEnabled()) {
                LOG.trace("<= {}", m);
            }
            return m;
        }
    }

    /**
     * The next message; at the deadline the connection is closed and a ClientException with
     * {@code timeoutMessage} is thrown. A FATAL ErrorResponse followed by the server closing
     * the socket surfaces as the server's error, not as a broken connection.
     */
    private Object nextOrTimeout(long deadline, String timeoutMessage) {
        Object m = next(deadline);
        if (m == null) {
            closeAsBroken();
            throw new ClientException(timeoutMessage == null ? "timeout expired" : timeoutMessage);
        }
        return m;
    }

    private void closeAsBroken() {
        if (state != State.CLOSED) {
            state = State.BROKEN;
        }
        channel.close();
    }

    void markBroken() {
        closeAsBroken();
    }

    void streamEnded(ReadyForQuery rfq) {
        ready(rfq);
    }

    static ClientException unexpected(Object m, String where) {
        return new ClientException("unexpected message " + m + " " + where);
    }

    private static List<QueryResult.Column> columns(RowDescription rd) {
        List<QueryResult.Column> cols = new ArrayList<>(rd.fields().size());
        for (BackendMessage.Field f : rd.fields()) {
            cols.add(new QueryResult.Column(f.name(), f.typeOid()));
        }
        return cols;
    }

    static List<String> text(DataRow row) {
        String[] values = new String[row.columnCount()];
        for (int i = 0; i < values.length; i++) {
            byte[] v = row.value(i);
            values[i] = v == null ? null : new String(v, StandardCharsets.UTF_8);
        }
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    static List<QueryResult.Column> columnsOf(RowDescription rd) {
        return columns(rd);
    }

    @Override
    public String toString() {
        return "ReplicationConnection[" + host + ", pid " + processId + ", " + state + "]";
    }

    /** For timeouts given as Durations: a System.nanoTime deadline (never 0). */
    static long deadline(Duration timeout) {
        long d = System.nanoTime() + timeout.toNanos();
        return d == 0 ? 1 : d;
    }
}
