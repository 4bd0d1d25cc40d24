package io.lrep.node.server;

import io.lrep.core.error.SqlState;
import io.lrep.core.error.LrepException;
import io.lrep.core.protocol.FrontendMessageDecoder;
import io.lrep.node.sql.SqlEngine;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's PostgreSQL protocol (v3) server on Netty: a one-thread event loop accepts, and each
 * connection's backend runs on a thread of its own ({@link ClientConnection}) that also drives
 * that connection's I/O through an event loop of its own (Netty's {@link
 * io.netty.channel.ManualIoEventLoop}), as PostgreSQL runs a process per connection that reads
 * and writes its own socket. A message thus costs no hand-off between threads, and a statement
 * that blocks (a lock wait, a slow scan) holds up neither another connection nor a
 * CancelRequest aimed at it.
 *
 * <p>Per connection, the pipeline is {@link FrontendMessageDecoder} (framing, the startup
 * phase, the message length limit) and a handler that hands decoded messages to the backend.
 * A decoding failure (malformed, oversized or unknown message) is answered with FATAL 08P01 and
 * ends that connection only.
 */
public final class ProtocolServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolServer.class);

    /** What every connection of this server shares. */
    record Shared(String nodeName, SqlEngine engine, RoleLookup roles, AtomicReference<HbaConfig> hbaRules, ServerConfig config,
            ConnectionRegistry registry, IoHandlerFactory ioHandlers, ChannelGroup channels, AtomicBoolean closing,
            ReplicationCommands replication) {

        /** The rules in force now (replaced by {@link ProtocolServer#reloadHba(HbaConfig)}). */
        HbaConfig hba() {
            return hbaRules.get();
        }
    }

    private final Shared shared;
    private EventLoopGroup boss;
    private ExecutorService backends;
    private Channel serverChannel;

    public ProtocolServer(String nodeName, SqlEngine engine, RoleLookup roles, HbaConfig hba, ServerConfig config) {
        this(nodeName, engine, roles, hba, config, new ConnectionRegistry());
    }

    public ProtocolServer(String nodeName, SqlEngine engine, RoleLookup roles, HbaConfig hba, ServerConfig config,
            ConnectionRegistry registry) {
        this(nodeName, engine, roles, hba, config, registry, null);
    }

    /**
     * @param replication what walsender connections ({@code replication=database|true}) run; null
     *     answers their replication commands with 0A000
     */
    public ProtocolServer(String nodeName, SqlEngine engine, RoleLookup roles, HbaConfig hba, ServerConfig config,
            ConnectionRegistry registry, ReplicationCommands replication) {
        this.shared = new Shared(nodeName, engine, roles, new AtomicReference<>(hba), config, registry, ioHandlerFactory(),
                new DefaultChannelGroup("lrep-clients", GlobalEventExecutor.INSTANCE), new AtomicBoolean(), replication);
    }

    /** Replaces the client authentication rules for connections that start from now on (as a reload does). */
    public void reloadHba(HbaConfig hba) {
        shared.hbaRules().set(hba);
        LOG.info("Reloaded client authentication rules");
    }


    /**
     * Binds and starts accepting. Returns the bound port ({@code port} 0 picks a free one).
     *
     * @throws IllegalStateException if already started
     */
    public synchronized int start(String host, int port) {
        if (serverChannel != null || shared.closing().get()) {
            throw new IllegalStateException("protocol server already started or closed");
        }
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pg-accept-" + shared.nodeName(), true), shared.ioHandlers());
        AtomicInteger backendIds = new AtomicInteger();
        backends = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "backend-" + shared.nodeName() + "-" + backendIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Channel server = Epoll.isAvailable() ? new EpollServerSocketChannel() : new NioServerSocketChannel();
        server.config().setOption(ChannelOption.SO_BACKLOG, 128);
        server.pipeline().addLast("acceptor", new Acceptor());
        try {
            boss.register(server).syncUninterruptibly();
            server.bind(new InetSocketAddress(host, port)).syncUninterruptibly();
            serverChannel = server;
        } catch (Exception e) { // syncUninterruptibly rethrows the bind failure, checked or not
            server.close();
            shutdownGroups();
            throw new LrepException(SqlState.IO_ERROR, "could not bind address \"" + host + "\" port " + port + ": " + e.getMessage(), e)
                    .withHint("Is another server already running on port " + port + "? If not, wait a few seconds and retry.");
        }
        int bound = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        LOG.info("Listening on {}:{}", host, bound);
        return bound;
    }

    /** Linux's epoll where Netty's native transport loads (fewer system calls per message), NIO elsewhere. */
    private static IoHandlerFactory ioHandlerFactory() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The connections of this server. */
    public ConnectionRegistry registry() {
        return shared.registry();
    }

    /** Stops accepting, closes every connection (their sessions roll back), and stops the threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (!shared.closing().compareAndSet(false, true)) {
            return;
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        shared.channels().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        LOG.info("Protocol server of {} stopped", shared.nodeName());
    }

    private void shutdownGroups() {
        if (backends != null) {
            backends.shutdown();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (backends != null) {
            try {
                if (!backends.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("backend threads still running 5 s after close; interrupting them");
                    backends.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                backends.shutdownNow();
            }
        }
    }

    /**
     * Takes the server channel's accepted connections (not yet registered with an event loop) and
     * gives each its pipeline and a backend thread, which registers it with its own event loop.
     */
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            child.config().setOption(ChannelOption.TCP_NODELAY, true);
            child.config().setOption(ChannelOption.SO_KEEPALIVE, true);
            child.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
            ClientConnection connection = new ClientConnection(shared, child);
            child.pipeline().addLast("decoder", new FrontendMessageDecoder(shared.config().maxMessageBytes()));
            child.pipeline().addLast("backend", new Handler(connection));
            try {
                backends.execute(connection);
            } catch (RejectedExecutionException e) {
                // the server is closing: refuse the connection
                child.unsafe().closeForcibly();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // accept(2) failed (for example: out of file descriptors); the server channel goes on
            LOG.warn("accepting a connection failed: {}", cause.toString());
        }
    }

    /** Hands a channel's events to its backend (on the backend's own thread). */
    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final ClientConnection connection;

        Handler(ClientConnection connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            connection.offer(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connection.onClosed();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            connection.onWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof java.io.IOException) {
                // the peer reset the connection: nothing to answer; channelInactive ends the backend
                ctx.close();
                return;
            }
            // decoding failures: the backend answers (FATAL 08P01), then closes
            connection.onDecodeFailure(cause);
        }
    }
}
