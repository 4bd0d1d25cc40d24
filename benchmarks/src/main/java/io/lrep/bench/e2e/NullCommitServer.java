package io.lrep.bench.e2e;

import io.lrep.core.protocol.BackendMessage;
import io.lrep.core.protocol.BackendMessage.TransactionStatus;
import io.lrep.core.protocol.FrontendMessage;
import io.lrep.core.protocol.FrontendMessageDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A server that speaks just enough of PostgreSQL's protocol for pgbench's simple-protocol scripts
 * and runs no SQL: each Query appends a record of {@code record-bytes} bytes to a log, and is
 * answered (CommandComplete, ReadyForQuery) once that record is durable. One flusher thread
 * writes and fsyncs ({@code fdatasync}) everything appended since its last flush, as lrep's WAL
 * writer does (group commit). Any server that makes each statement durable before answering does
 * this much and more, so its pgbench rate on a machine is bounded by this server's there.
 *
 * <p>Two threading models: {@code threads}, a thread per connection that sleeps until its flush
 * and then until the client's next statement (lrep's backends and PostgreSQL's processes work
 * so); {@code loop}, one event loop per CPU for all connections, which answers every statement a
 * flush made durable in one pass.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.lrep.bench.e2e.NullCommitServer --port=N
 * --log=FILE [--fsync=on|off] [--model=threads|loop] [--record-bytes=200]}; it serves until killed.
 */
public final class NullCommitServer implements AutoCloseable {

    /** The threading model. */
    public enum Model { THREADS, LOOP }

    private static final int LOG_BYTES = 64 << 20;
    private static final String TAG = "INSERT 0 1";

    private final GroupLog log;
    private final Model model;
    private final int recordBytes;
    private final IoHandlerFactory ioHandlers = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    private EventLoopGroup acceptor;
    private EventLoopGroup loops;
    private Channel server;

    public NullCommitServer(Path logFile, boolean fsync, Model model, int recordBytes) throws IOException {
        this.log = new GroupLog(logFile, fsync);
        this.model = model;
        this.recordBytes = recordBytes;
    }

    /** Binds to 127.0.0.1 ({@code port} 0 picks a free one) and returns the port. */
    public int start(int port) {
        acceptor = new MultiThreadIoEventLoopGroup(1, ioHandlers);
        if (model == Model.LOOP) {
            loops = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), ioHandlers);
        }
        server = Epoll.isAvailable() ? new EpollServerSocketChannel() : new NioServerSocketChannel();
        server.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                accepted((Channel) msg);
            }
        });
        acceptor.register(server).syncUninterruptibly();
        server.bind(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly();
        log.start();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private void accepted(Channel child) {
        child.config().setOption(ChannelOption.TCP_NODELAY, true);
        child.pipeline().addLast(new FrontendMessageDecoder());
        if (model == Model.LOOP) {
            child.pipeline().addLast(new LoopConnection());
            loops.register(child);
        } else {
            ThreadConnection c = new ThreadConnection(child);
            child.pipeline().addLast(c);
            Thread t = new Thread(c, "null-backend");
            t.setDaemon(true);
            t.start();
        }
    }

    /** How many bytes of records are durable (flushed, and fsynced when fsync is on). */
    long durableBytes() {
        return log.flushed();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        log.close();
    }

    /** What a connection sends after its startup packet; the SSL request is refused ('N'). */
    private static void answerStartup(Channel ch, Object msg) {
        ByteBuf out = ch.alloc().buffer();
        if (msg instanceof FrontendMessage.SSLRequest) {
            out.writeByte('N');
        } else {
            new BackendMessage.AuthenticationOk().encode(out);
            for (Map.Entry<String, String> p : Map.of("server_version", "15.0", "client_encoding", "UTF8", "DateStyle", "ISO, MDY",
                    "integer_datetimes", "on", "standard_conforming_strings", "on").entrySet()) {
                new BackendMessage.ParameterStatus(p.getKey(), p.getValue()).encode(out);
            }
            new BackendMessage.BackendKeyData(1, 1).encode(out);
            ready(out);
        }
        ch.writeAndFlush(out);
    }

    private static void ready(ByteBuf out) {
        new BackendMessage.ReadyForQuery(TransactionStatus.IDLE).encode(out);
    }

    private static void answerQuery(ByteBuf out) {
        new BackendMessage.CommandComplete(TAG).encode(out);
        ready(out);
    }

    /** {@link Model#THREADS}: the connection's own thread drives its socket and waits for each flush. */
    private final class ThreadConnection extends ChannelInboundHandlerAdapter implements Runnable {
        private final Channel channel;
        private final Queue<Object> inbox = new ArrayDeque<>();
        private boolean closed;

        ThreadConnection(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inbox.add(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
        }

        @Override
        public void run() {
            ManualIoEventLoop loop = new ManualIoEventLoop(Thread.currentThread(), ioHandlers);
            loop.runNow();
            ChannelPromise registered = new DefaultChannelPromise(channel, loop);
            channel.unsafe().register(loop, registered);
            try {
                while (!closed) {
                    Object msg = inbox.poll();
                    if (msg == null) {
                        loop.run(0);
                    } else if (msg instanceof FrontendMessage.Query) {
                        log.await(log.append(recordBytes));
                        ByteBuf out = channel.alloc().buffer();
                        answerQuery(out);
                        channel.writeAndFlush(out, channel.voidPromise());
                    } else if (msg instanceof FrontendMessage.Terminate) {
                        break;
                    } else if (msg instanceof FrontendMessage.SSLRequest || msg instanceof FrontendMessage.StartupMessage) {
                        answerStartup(channel, msg);
                    }
                }
            } finally {
                channel.close();
                loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                while (!loop.isTerminated()) {
                    loop.run(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        }
    }

    /** {@link Model#LOOP}: statements are logged on the event loop; their answers wait in order for the flush. */
    private final class LoopConnection extends ChannelInboundHandlerAdapter implements GroupLog.Listener {
        private final ArrayDeque<Long> unanswered = new ArrayDeque<>();
        private Channel channel;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            channel = ctx.channel();
            if (msg instanceof FrontendMessage.Query) {
                long lsn = log.append(recordBytes);
                if (unanswered.isEmpty()) {
                    log.listen(this);
                }
                unanswered.add(lsn);
            } else if (msg instanceof FrontendMessage.Terminate) {
                ctx.close();
            } else if (msg instanceof FrontendMessage.SSLRequest || msg instanceof FrontendMessage.StartupMessage) {
                answerStartup(ctx.channel(), msg);
            }
        }

        /** On the flusher: one task per connection with answers due; the event loop batches its wake-ups. */
        @Override
        public void flushed(long lsn) {
            channel.eventLoop().execute(this::answerDurable);
        }

        private void answerDurable() {
            long durable = log.flushed();
            ByteBuf out = null;
            while (!unanswered.isEmpty() && unanswered.peekFirst() <= durable) {
                unanswered.pollFirst();
                if (out == null) {
                    out = channel.alloc().buffer();
                }
                answerQuery(out);
            }
            if (out != null) {
                channel.writeAndFlush(out, channel.voidPromise());
            }
            if (!unanswered.isEmpty()) {
                log.listen(this);
            }
        }
    }

    /** The log: appends from any thread, one flusher thread that writes and fsyncs them in groups. */
    static final class GroupLog {

        /** Told once, on the flusher thread, after the next flush. */
        interface Listener {
            void flushed(long lsn);
        }

        private final FileChannel file;
        private final boolean fsync;
        private final Object lock = new Object();
        private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Listener> listeners = new ConcurrentLinkedQueue<>();
        private final Thread flusher = new Thread(this::flushLoop, "null-flusher");
        private ByteBuffer filling = ByteBuffer.allocateDirect(4 << 20);
        private ByteBuffer spare = ByteBuffer.allocateDirect(4 << 20);
        private long inserted;
        private volatile long flushed;
        private volatile boolean closed;
        private long position;

        GroupLog(Path path, boolean fsync) throws IOException {
            this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            this.fsync = fsync;
            // written once so that flushes overwrite allocated blocks, as lrep's preallocated segments do
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long p = 0; p < LOG_BYTES; p += zeros.capacity()) {
                zeros.clear();
                file.write(zeros, p);
            }
            file.force(true);
            flusher.setDaemon(true);
        }

        void start() {
            flusher.start();
        }

        long append(int bytes) {
            synchronized (lock) {
                for (int i = 0; i < bytes; i++) {
                    filling.put((byte) i);
                }
                inserted += bytes;
                return inserted;
            }
        }

        long flushed() {
            return flushed;
        }

        /** Parks the calling thread until {@code lsn} is durable. */
        void await(long lsn) {
            if (flushed >= lsn) {
                return;
            }
            Thread me = Thread.currentThread();
            waiters.add(me);
            LockSupport.unpark(flusher);
            while (flushed < lsn && !closed) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            }
            waiters.remove(me);
        }

        /** Asks for a call after the next flush (appends before this call are in it or an earlier one). */
        void listen(Listener l) {
            listeners.add(l);
            LockSupport.unpark(flusher);
        }

        private void flushLoop() {
            while (!closed) {
                ByteBuffer batch;
                long upTo;
                synchronized (lock) {
                    batch = filling.position() == 0 ? null : filling;
                    if (batch != null) {
                        filling = spare;
                        spare = batch;
                    }
                    upTo = inserted;
                }
                if (batch == null) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(2));
                    continue;
                }
                write(batch);
                flushed = upTo;
                for (Thread t : waiters) {
                    LockSupport.unpark(t);
                }
                for (int n = listeners.size(); n > 0; n--) {
                    Listener l = listeners.poll();
                    if (l != null) {
                        l.flushed(upTo);
                    }
                }
            }
        }

        private void write(ByteBuffer batch) {
            try {
                batch.flip();
                while (batch.hasRemaining()) {
                    if (position + batch.remaining() > LOG_BYTES) {
                        position = 0;
                    }
                    position += file.write(batch, position);
                }
                if (fsync) {
                    file.force(false);
                }
                batch.clear();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void close() {
            closed = true;
            LockSupport.unpark(flusher);
            try {
                flusher.join(5_000);
                file.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = BenchSql.parseArgs(argv);
        Model model = Model.valueOf(args.getOrDefault("model", "threads").toUpperCase(java.util.Locale.ROOT));
        NullCommitServer s = new NullCommitServer(Path.of(args.get("log")), !args.getOrDefault("fsync", "on").equals("off"), model,
                Integer.parseInt(args.getOrDefault("record-bytes", "200")));
        int port = s.start(Integer.parseInt(args.getOrDefault("port", "0")));
        System.out.println("listening on 127.0.0.1:" + port + " (" + model.name().toLowerCase(java.util.Locale.ROOT) + ", fsync "
                + args.getOrDefault("fsync", "on") + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        Thread.currentThread().join();
    }
}
