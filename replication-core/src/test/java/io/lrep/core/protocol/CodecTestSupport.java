package io.lrep.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lrep.core.error.LrepException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;

/** Pushes bytes through decoders whole, byte by byte and two frames per buffer. */
final class CodecTestSupport {

    private CodecTestSupport() {
    }

    /** The bytes an encoder handler writes for a message. */
    static byte[] encodeWith(ChannelHandler encoder, Object msg) {
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        assertThat(ch.writeOutbound(msg)).isTrue();
        ByteBuf buf = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        assertThat(ch.finish()).isFalse();
        return bytes;
    }

    static List<Object> feedWhole(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        return drain(ch);
    }

    static List<Object> feedByteByByte(EmbeddedChannel ch, byte[] bytes) {
        for (byte b : bytes) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        return drain(ch);
    }

    static byte[] twice(byte[] bytes) {
        byte[] two = new byte[bytes.length * 2];
        System.arraycopy(bytes, 0, two, 0, bytes.length);
        System.arraycopy(bytes, 0, two, bytes.length, bytes.length);
        return two;
    }

    static List<Object> drain(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Feeds bytes that must fail; returns the error raised. */
    static LrepException violation(EmbeddedChannel ch, byte[] bytes) {
        Throwable t = catchThrowable(() -> ch.writeInbound(Unpooled.wrappedBuffer(bytes)));
        assertThat(t).isInstanceOf(DecoderException.class);
        assertThat(t.getCause()).isInstanceOf(LrepException.class);
        return (LrepException) t.getCause();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
