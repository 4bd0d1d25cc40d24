package io.lrep.core.protocol.replication;

import io.lrep.core.lsn.Lsn;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * 'w' XLogData (server to client): a piece of the WAL stream, for a logical slot one pgoutput
 * message. {@code walStart} is where the payload starts in WAL, {@code walEnd} the server's
 * current end of WAL; a logical walsender puts the callback's write location in both, or 0 for
 * the intermediate writes of a callback.
 *
 * <p>The payload array is held and returned without copying: whoever makes an XLogData gives
 * it up. A walsender that encodes straight into its output buffer uses {@link #writeHeader}.
 */
public record XLogData(long walStart, long walEnd, long sendTimeMicros, byte[] payload) implements ReplicationMessage {

    public XLogData {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public byte typeByte() {
        return ReplicationDescriptor.XLOG_DATA;
    }

    @Override
    public void encode(ByteBuf out) {
        writeHeader(out, walStart, walEnd, sendTimeMicros);
        out.writeBytes(payload);
    }

    /**
     * Writes the 25-byte header; the payload goes right after it. The send time may be patched
     * later at {@link ReplicationDescriptor#XLOG_DATA_SEND_TIME_OFFSET} from the header start.
     */
    public static void writeHeader(ByteBuf out, long walStart, long walEnd, long sendTimeMicros) {
        out.writeByte(ReplicationDescriptor.XLOG_DATA).writeLong(walStart).writeLong(walEnd).writeLong(sendTimeMicros);
    }

    static XLogData read(ByteBuf in) {
        Checks.atLeast(in, ReplicationDescriptor.XLOG_DATA_HEADER_LENGTH, "XLogData");
        in.skipBytes(1);
        long start = in.readLong();
        long end = in.readLong();
        long time = in.readLong();
        byte[] payload = new byte[in.readableBytes()];
        in.readBytes(payload);
        return new XLogData(start, end, time, payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XLogData x && x.walStart == walStart && x.walEnd == walEnd
                && x.sendTimeMicros == sendTimeMicros && Arrays.equals(x.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(walStart, walEnd, sendTimeMicros) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "XLogData[walStart=" + Lsn.format(walStart) + ", walEnd=" + Lsn.format(walEnd)
                + ", sendTimeMicros=" + sendTimeMicros + ", payload=" + payload.length + " bytes]";
    }
}
