package io.lrep.core.protocol.replication;

import io.netty.buffer.ByteBuf;

/**
 * 'h' hot standby feedback (client to server): the oldest xmin and catalog_xmin the standby
 * still needs, each with its epoch. xmin = catalog_xmin = 0 stops feedback. PostgreSQL's apply
 * worker never sends it; physical standbys do.
 */
public record HotStandbyFeedback(long sendTimeMicros, int xmin, int xminEpoch, int catalogXmin, int catalogXminEpoch)
        implements ReplicationMessage {

    @Override
    public byte typeByte() {
        return ReplicationDescriptor.HOT_STANDBY_FEEDBACK;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(ReplicationDescriptor.HOT_STANDBY_FEEDBACK).writeLong(sendTimeMicros).writeInt(xmin).writeInt(xminEpoch)
                .writeInt(catalogXmin).writeInt(catalogXminEpoch);
    }

    static HotStandbyFeedback read(ByteBuf in) {
        Checks.exactLength(in, ReplicationDescriptor.HOT_STANDBY_FEEDBACK_LENGTH, "hot standby feedback");
        in.skipBytes(1);
        return new HotStandbyFeedback(in.readLong(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
    }

    /** True when the standby asks the server to stop holding back xmin. */
    public boolean stopsFeedback() {
        return xmin == 0 && catalogXmin == 0;
    }
}
