package io.lrep.publisher.walsender;

import io.netty.buffer.ByteBuf;

/**
 * The client connection as a {@link WalSender} sees it once CopyBothResponse has been sent: the
 * node's connection implements it over its socket.
 *
 * <p>Threads: every method but {@link #wakeup()} is called on the connection's own thread, which
 * also drives the socket (the walsender runs on it). {@link #wakeup()} is called from other
 * threads (the WAL flush listener).
 */
public interface WalSenderTransport {

    /**
     * Queues one CopyData message whose payload is the readable bytes of {@code payload}; the
     * bytes are copied (or written) before this returns and the buffer stays the caller's. What
     * is queued goes out at {@link #flush()}, or earlier when much is buffered.
     */
    void sendCopyData(ByteBuf payload);

    /** Queues a CopyDone. */
    void sendCopyDone();

    /**
     * Writes everything queued to the socket; while the socket cannot take more, waits for it
     * (reading what the client sends meanwhile for later {@link #receive}).
     *
     * @throws RuntimeException the transport's own when the connection is gone
     */
    void flush();

    /**
     * The next client message: waits up to {@code timeoutNanos} (0: do not wait; negative: no
     * time limit) for one to arrive; returns null when none came in time or {@link #wakeup()}
     * was called (during this wait or since the last one began).
     */
    ClientMessage receive(long timeoutNanos);

    /**
     * Makes a {@link #receive} in progress return now, or the next one return at once if none is.
     * Callable from any thread; must not block.
     */
    void wakeup();

    /** What the client sent during COPY BOTH. */
    sealed interface ClientMessage permits CopyData, CopyDone, Closed, Other {}

    /** A CopyData ('d') message: its payload, a replication message. */
    record CopyData(byte[] payload) implements ClientMessage {}

    /** A CopyDone ('c') message. */
    record CopyDone() implements ClientMessage {}

    /** The client sent Terminate ('X') or the connection closed. */
    record Closed() implements ClientMessage {}

    /** Any other frontend message, by its type byte: a protocol violation during COPY BOTH. */
    record Other(char type) implements ClientMessage {}
}
