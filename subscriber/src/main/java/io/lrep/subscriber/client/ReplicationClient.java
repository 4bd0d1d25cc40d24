package io.lrep.subscriber.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Makes {@link ReplicationConnection}s; owns (or borrows) the Netty event loop their I/O runs
 * on. One per node is enough: connections are independent and each is used by one worker
 * thread. Thread-safe.
 */
public final class ReplicationClient implements AutoCloseable {

    private final EventLoopGroup group;
    private final boolean ownsGroup;

    /** A client with its own event loop of {@code threads} daemon threads, shut down by {@link #close()}. */
    public ReplicationClient(int threads) {
        this(new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("replication-client", true),
                NioIoHandler.newFactory()), true);
    }

    /** A client on a NIO event loop group the caller owns (and shuts down). */
    public ReplicationClient(EventLoopGroup group) {
        this(group, false);
    }

    private ReplicationClient(EventLoopGroup group, boolean ownsGroup) {
        this.group = group;
        this.ownsGroup = ownsGroup;
    }

    /**
     * Connects as libpq does: the hosts in order, connect_timeout per host, sslmode (no TLS:
     * disable, allow and prefer connect in clear text), authentication (trust, password, md5,
     * SCRAM-SHA-256) and target_session_attrs. Startup sends user, database, replication,
     * options, application_name (or fallback_application_name) and client_encoding=UTF8.
     *
     * @throws ServerErrorException when the only host tried refused the session (e.g. 28P01)
     * @throws ClientException (08006) when no host could be reached or none was suitable; the
     *     message lists each host's failure as libpq does
     */
    public ReplicationConnection connect(ConnInfo info) {
        return ReplicationConnection.open(group, info);
    }

    /** {@link #connect(ConnInfo)} of a parsed connection string. */
    public ReplicationConnection connect(String conninfo) {
        return connect(ConnInfo.parse(conninfo));
    }

    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
