package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Client side: writes {@link FrontendMessage}s. Stateless and sharable. */
@ChannelHandler.Sharable
public final class FrontendMessageEncoder extends MessageToByteEncoder<FrontendMessage> {

    public FrontendMessageEncoder() {
        super(FrontendMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, FrontendMessage msg, ByteBuf out) {
        msg.encode(out);
    }
}
