package io.lrep.subscriber.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hand-off from a connection's event loop to the one thread that uses the connection.
 * Decoded messages go into a queue; the channel runs with auto-read off and reads again only
 * while fewer than {@link #HIGH_WATER} messages wait, so a consumer that is slower than the
 * server (a large COPY) holds the socket back instead of filling the heap.
 *
 * <pre>
 * paused:  set by the event loop when it stops reading at the high-water mark; whoever clears
 *          it (event loop or consumer, by compareAndSet) issues the next read, so exactly one
 *          read is outstanding or the channel is paused.
 * </pre>
 */
final class Inbound extends ChannelInboundHandlerAdapter {

    static final int HIGH_WATER = 512;
    static final int LOW_WATER = 128;

    /** Put in the queue when the channel has closed; stays there for every later take. */
    static final Object CLOSED = new Object();

    /** The channel failed with this cause. */
    record Failure(Throwable cause) {
    }

    /** The one-byte answer to SSLRequest. */
    record SslAnswer(byte answer) {
    }

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean paused = new AtomicBoolean();
    private volatile Channel channel;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        queue.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (queue.size() < HIGH_WATER) {
            ctx.read();
            return;
        }
        paused.set(true);
        // the consumer may have drained the queue before it could see paused set
        if (queue.size() < LOW_WATER && paused.compareAndSet(true, false)) {
            ctx.read();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        queue.add(new Failure(cause));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        queue.add(CLOSED);
        ctx.fireChannelInactive();
    }

    /**
     * The next message, or null when {@code timeoutNanos} passed first; a negative timeout
     * waits indefinitely.
     */
    Object take(long timeoutNanos) throws InterruptedException {
        Object m = timeoutNanos < 0 ? queue.take() : queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        if (m == null) {
            return null;
        }
        if (m == CLOSED) {
            queue.add(CLOSED);
            return m;
        }
        Channel ch = channel;
        if (ch != null && queue.size() < LOW_WATER && paused.compareAndSet(true, false)) {
            ch.read();
        }
        return m;
    }

    /** Reads the single-byte answer to SSLRequest, then leaves the pipeline to the message decoder. */
    static final class SslAnswerDecoder extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (in.isReadable()) {
                out.add(new SslAnswer(in.readByte()));
                ctx.pipeline().remove(this);
            }
        }
    }
}
