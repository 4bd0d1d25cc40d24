package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * 'd' CopyData, in both directions: {@code byte1 'd', int32 length, byte[length - 4] data}. Also
 * the carrier of the streaming-replication sub-protocol (XLogData, keepalives, status updates).
 */
public record CopyData(byte[] data) implements FrontendMessage, BackendMessage {

    /** Holds {@code data} without copying it: whoever makes a CopyData gives up the array. */
    public CopyData {
        java.util.Objects.requireNonNull(data, "data");
    }

    /** The payload length in bytes. */
    public int length() {
        return data.length;
    }

    /** Writes the payload into {@code out} without copying it to an array first. */
    public void writeDataTo(ByteBuf out) {
        out.writeBytes(data);
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte('d').writeInt(4 + data.length).writeBytes(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CopyData c && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CopyData[" + data.length + " bytes]";
    }
}
