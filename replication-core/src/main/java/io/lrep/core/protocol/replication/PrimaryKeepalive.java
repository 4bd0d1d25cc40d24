package io.lrep.core.protocol.replication;

import io.lrep.core.lsn.Lsn;
import io.netty.buffer.ByteBuf;

/**
 * 'k' primary keepalive (server to client): the server's end of WAL sent so far, and whether the
 * client must answer with a {@link StandbyStatusUpdate} at once.
 */
public record PrimaryKeepalive(long walEnd, long sendTimeMicros, boolean replyRequested) implements ReplicationMessage {

    @Override
    public byte typeByte() {
        return ReplicationDescriptor.PRIMARY_KEEPALIVE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(ReplicationDescriptor.PRIMARY_KEEPALIVE).writeLong(walEnd).writeLong(sendTimeMicros)
                .writeByte(replyRequested ? 1 : 0);
    }

    static PrimaryKeepalive read(ByteBuf in) {
        Checks.exactLength(in, ReplicationDescriptor.PRIMARY_KEEPALIVE_LENGTH, "primary keepalive");
        in.skipBytes(1);
        return new PrimaryKeepalive(in.readLong(), in.readLong(), in.readByte() != 0);
    }

    @Override
    public String toString() {
        return "PrimaryKeepalive[walEnd=" + Lsn.format(walEnd) + ", sendTimeMicros=" + sendTimeMicros
                + ", replyRequested=" + replyRequested + "]";
    }
}
