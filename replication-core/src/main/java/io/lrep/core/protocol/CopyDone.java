package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;

/** 'c' CopyDone, in both directions: {@code byte1 'c', int32 4}. */
public record CopyDone() implements FrontendMessage, BackendMessage {
    @Override
    public void encode(ByteBuf out) {
        out.writeByte('c').writeInt(4);
    }
}
