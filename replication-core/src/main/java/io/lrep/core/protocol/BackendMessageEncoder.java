package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Server side: writes {@link BackendMessage}s. Stateless and sharable. */
@ChannelHandler.Sharable
public final class BackendMessageEncoder extends MessageToByteEncoder<BackendMessage> {

    public BackendMessageEncoder() {
        super(BackendMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, BackendMessage msg, ByteBuf out) {
        msg.encode(out);
    }
}
