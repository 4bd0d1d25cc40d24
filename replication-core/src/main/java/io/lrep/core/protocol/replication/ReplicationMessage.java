package io.lrep.core.protocol.replication;

import io.lrep.core.protocol.CopyData;
import io.lrep.core.protocol.ProtocolViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A message of the streaming-replication sub-protocol, carried as the payload of one CopyData
 * (layouts in {@link ReplicationDescriptor}). {@link #encode} writes the payload only, not the
 * CopyData frame; {@link #decode} reads one whole payload.
 */
public sealed interface ReplicationMessage permits XLogData, PrimaryKeepalive, StandbyStatusUpdate, HotStandbyFeedback {

    /** The first payload byte: 'w', 'k', 'r' or 'h'. */
    byte typeByte();

    /** Writes this message as a CopyData payload (type byte first) at the writer index. */
    void encode(ByteBuf out);

    /** This message as a CopyData, ready to send. */
    default CopyData toCopyData() {
        ByteBuf buf = Unpooled.buffer();
        try {
            encode(buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return new CopyData(bytes);
        } finally {
            buf.release();
        }
    }

    /**
     * Reads the whole readable part of {@code payload} (one CopyData payload) as one message and
     * advances the reader index past it. The buffer stays the caller's to release.
     *
     * @throws ProtocolViolation (08P01) for an unknown type byte, a short payload or trailing bytes
     */
    static ReplicationMessage decode(ByteBuf payload) {
        if (!payload.isReadable()) {
            throw new ProtocolViolation("invalid streaming replication message", "The CopyData message is empty.");
        }
        byte type = payload.getByte(payload.readerIndex());
        return switch (type) {
            case ReplicationDescriptor.XLOG_DATA -> XLogData.read(payload);
            case ReplicationDescriptor.PRIMARY_KEEPALIVE -> PrimaryKeepalive.read(payload);
            case ReplicationDescriptor.STANDBY_STATUS_UPDATE -> StandbyStatusUpdate.read(payload);
            case ReplicationDescriptor.HOT_STANDBY_FEEDBACK -> HotStandbyFeedback.read(payload);
            default -> throw new ProtocolViolation("unexpected message type \"" + Checks.describe(type) + "\"",
                    "Streaming replication CopyData starts with 'w', 'k', 'r' or 'h'.");
        };
    }

    /** {@link #decode(ByteBuf)} of a CopyData's bytes. */
    static ReplicationMessage decode(byte[] payload) {
        return decode(Unpooled.wrappedBuffer(payload));
    }

    /** {@link #decode(ByteBuf)} of a CopyData. */
    static ReplicationMessage decode(CopyData copyData) {
        return decode(copyData.data());
    }
}
