package io.lrep.core.protocol.pgoutput;

import io.lrep.core.protocol.ProtocolViolation;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamAbort;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamCommit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStart;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStop;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Decodes a pgoutput stream message by message, tracking Stream Start / Stream Stop itself so
 * that each message is read with the right in-stream flag. Checks the block structure as
 * PostgreSQL's apply worker does: no Stream Start inside a block, no Stream Stop outside one, and
 * Stream Commit, Stream Abort and Stream Prepare only outside blocks. Not thread-safe: one per
 * stream, used by the thread that reads it. After a failure the state is unchanged.
 */
public final class PgOutputStreamDecoder {

    private final PgOutputDecoder decoder;
    private boolean inStream;
    private int streamXid;

    public PgOutputStreamDecoder(int protocolVersion) {
        this.decoder = new PgOutputDecoder(protocolVersion);
    }

    public int protocolVersion() {
        return decoder.protocolVersion();
    }

    /** True between a Stream Start and its Stream Stop. */
    public boolean inStream() {
        return inStream;
    }

    /** The top-level xid of the open stream block, or 0 outside one. */
    public int streamXid() {
        return streamXid;
    }

    /** {@link #decode(ByteBuf)} of an array. */
    public PgOutputMessage decode(byte[] payload) {
        return decode(Unpooled.wrappedBuffer(payload));
    }

    /**
     * Reads one message (the whole readable part of {@code in}) and updates the stream state.
     *
     * @throws ProtocolViolation (08P01) for a malformed message or one out of block order
     */
    public PgOutputMessage decode(ByteBuf in) {
        PgOutputMessage m = decoder.decode(in, inStream);
        if (m instanceof StreamStart s) {
            if (inStream) {
                throw new ProtocolViolation("duplicate STREAM START message");
            }
            inStream = true;
            streamXid = s.xid();
        } else if (m instanceof StreamStop) {
            if (!inStream) {
                throw new ProtocolViolation("STREAM STOP message without STREAM START");
            }
            inStream = false;
            streamXid = 0;
        } else if (inStream && m instanceof StreamCommit) {
            throw new ProtocolViolation("STREAM COMMIT message without STREAM STOP");
        } else if (inStream && m instanceof StreamAbort) {
            throw new ProtocolViolation("STREAM ABORT message without STREAM STOP");
        } else if (inStream && m instanceof StreamPrepare) {
            throw new ProtocolViolation("STREAM PREPARE message without STREAM STOP");
        }
        return m;
    }

    /** Forgets an open block, as after a reconnect. */
    public void reset() {
        inStream = false;
        streamXid = 0;
    }
}
