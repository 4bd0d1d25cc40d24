package io.lrep.core.protocol.replication;

import io.lrep.core.lsn.Lsn;
import io.netty.buffer.ByteBuf;

/**
 * 'r' standby status update (client to server): the WAL positions (last byte + 1) the client
 * has written, flushed and applied. On a logical slot only {@code flushLsn} advances the slot's
 * confirmed_flush. With {@code replyRequested} the server answers with a keepalive at once.
 */
public record StandbyStatusUpdate(long writeLsn, long flushLsn, long applyLsn, long sendTimeMicros, boolean replyRequested)
        implements ReplicationMessage {

    @Override
    public byte typeByte() {
        return ReplicationDescriptor.STANDBY_STATUS_UPDATE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(ReplicationDescriptor.STANDBY_STATUS_UPDATE).writeLong(writeLsn).writeLong(flushLsn).writeLong(applyLsn)
                .writeLong(sendTimeMicros).writeByte(replyRequested ? 1 : 0);
    }

    static StandbyStatusUpdate read(ByteBuf in) {
        Checks.exactLength(in, ReplicationDescriptor.STANDBY_STATUS_UPDATE_LENGTH, "standby status update");
        in.skipBytes(1);
        return new StandbyStatusUpdate(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readByte() != 0);
    }

    @Override
    public String toString() {
        return "StandbyStatusUpdate[write=" + Lsn.format(writeLsn) + ", flush=" + Lsn.format(flushLsn) + ", apply="
                + Lsn.format(applyLsn) + ", sendTimeMicros=" + sendTimeMicros + ", replyRequested=" + replyRequested + "]";
    }
}
