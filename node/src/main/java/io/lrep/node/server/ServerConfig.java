package io.lrep.node.server;

import io.lrep.node.NodeConfig;

/**
 * The protocol server's limits.
 *
 * @param maxConnections {@code max_connections}: normal client connections
 * @param maxWalSenders {@code max_wal_senders}: replication connections (counted apart, as in PostgreSQL)
 * @param maxMessageBytes the longest frontend message accepted (its length word included); a
 *                        longer one is a protocol violation (08P01) that ends the connection.
 *                        PostgreSQL allows 1 GB for data messages and far less before
 *                        authentication; we take 64 MiB ({@link #DEFAULT_MAX_MESSAGE_BYTES}),
 *                        ample for COPY chunks and large Bind messages. (Startup packets are
 *                        limited to 10000 bytes, PostgreSQL's MAX_STARTUP_PACKET_LENGTH.)
 */
public record ServerConfig(int maxConnections, int maxWalSenders, int maxMessageBytes) {

    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    public ServerConfig {
        if (maxConnections < 1 || maxWalSenders < 0 || maxMessageBytes < 1024) {
            throw new IllegalArgumentException("server limits: connections " + maxConnections + ", walsenders " + maxWalSenders
                    + ", message bytes " + maxMessageBytes);
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(100, 10, DEFAULT_MAX_MESSAGE_BYTES);
    }

    /** The limits from a node's settings ({@code max_connections}, {@code max_wal_senders}). */
    public static ServerConfig of(NodeConfig config) {
        return new ServerConfig(config.getInt("max_connections"), config.getInt("max_wal_senders"), DEFAULT_MAX_MESSAGE_BYTES);
    }

    public ServerConfig withMaxConnections(int n) {
        return new ServerConfig(n, maxWalSenders, maxMessageBytes);
    }

    public ServerConfig withMaxMessageBytes(int n) {
        return new ServerConfig(maxConnections, maxWalSenders, n);
    }
}
