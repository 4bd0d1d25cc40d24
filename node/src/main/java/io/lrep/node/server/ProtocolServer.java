package io.lrep.node.server;

import io.lrep.core.error.SqlState;
import io.lrep.core.error.LrepException;
import io.lrep.core.protocol.FrontendMessageDecoder;
import io.lrep.node.sql.SqlEngine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
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
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's PostgreSQL protocol (v3) server on Netty: a one-thread boss group accepts, a
 * two-thread NIO worker group decodes and writes, and each connection's backend runs on a thread
 * of its own ({@link ClientConnection}), so a statement that blocks (a lock wait, a slow scan)
 * holds up neither an event loop nor a CancelRequest aimed at it.
 *
 * <p>Per connection, the pipeline is {@link FrontendMessageDecoder} (framing, the startup
 * phase, the message length limit) and a handler that hands decoded messages to the backend.
 * A decoding failure (malformed, oversized or unknown message) is answered with FATAL 08P01 and
 * ends that connection only.
 */
public final class ProtocolServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProtocolServer.class);
    private static final int WORKER_THREADS = 2;

    /** What every connection of this server shares. */
    record Shared(String nodeName, SqlEngine engine, RoleLookup roles, AtomicReference<HbaConfig> hbaRules, ServerConfig config,
            ConnectionRegistry registry) {

        /** The rules in force now (replaced by {@link ProtocolServer#reloadHba(HbaConfig)}). */
        HbaConfig hba() {
            return hbaRules.get();
        }
    }

    private final Shared shared;
    private final ChannelGroup channels = new DefaultChannelGroup("lrep-clients", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ExecutorService backends;
    private Channel serverChannel;
    private volatile boolean closed;

    public ProtocolServer(String nodeName, SqlEngine engine, RoleLookup roles, HbaConfig hba, ServerConfig config) {
        this(nodeName, engine, roles, hba, config, new ConnectionRegistry());
    }

    public ProtocolServer(String nodeName, SqlEngine engine, RoleLookup roles, HbaConfig hba, ServerConfig config,
            ConnectionRegistry registry) {
        this.shared = new Shared(nodeName, engine, roles, new AtomicReference<>(hba), config, registry);
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
        if (serverChannel != null || closed) {
            throw new IllegalStateException("protocol server already started or closed");
        }
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pg-accept-" + shared.nodeName(), true),
                ioHandlerFactory());
        workers = new MultiThreadIoEventLoopGroup(WORKER_THREADS, new DefaultThreadFactory("pg-io-" + shared.nodeName(), true),
                ioHandlerFactory());
        AtomicInteger backendIds = new AtomicInteger();
        backends = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "backend-" + shared.nodeName() + "-" + backendIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ClientConnection connection = new ClientConnection(shared, ch);
                            ch.pipeline().addLast("decoder", new FrontendMessageDecoder(shared.config().maxMessageBytes()));
                            ch.pipeline().addLast("backend", new Handler(connection));
                            channels.add(ch);
                            try {
                                backends.execute(connection);
                            } catch (RejectedExecutionException e) {
                                // the server is closing: refuse the connection
                                ch.close();
                            }
                        }
                    });
            serverChannel = b.bind(host, port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownGroups();
            throw e;
        } catch (Exception e) { // syncUninterruptibly rethrows the bind failure, checked or not
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
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        LOG.info("Protocol server of {} stopped", shared.nodeName());
    }

    private void shutdownGroups() {
        if (backends != null) {
            backends.shutdown();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
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

    /** Hands a channel's events to its backend. */
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
