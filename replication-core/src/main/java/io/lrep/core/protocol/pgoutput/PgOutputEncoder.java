package io.lrep.core.protocol.pgoutput;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.Wire;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.AbortInfo;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Begin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.BeginPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Column;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Commit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.CommitPrepared;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Delete;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Insert;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Message;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Origin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Prepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Relation;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.RollbackPrepared;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamAbort;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamCommit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStart;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStop;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Truncate;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Type;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Update;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Writes pgoutput messages (layouts in {@link PgOutputDescriptor}) for one protocol version.
 * Stateless and thread-safe. A message the version does not have (a Stream message below 2, a
 * two-phase message below 3, a streamed xid below 2, Stream Abort's abort info below 4) is
 * refused with {@link SqlState#PROTOCOL_VIOLATION} before anything is written.
 */
public final class PgOutputEncoder {

    private final int protocolVersion;

    /**
     * @throws IllegalArgumentException if the version is not 1 to 4
     */
    public PgOutputEncoder(int protocolVersion) {
        if (!PgOutputDescriptor.isSupported(protocolVersion)) {
            throw new IllegalArgumentException("pgoutput protocol version " + protocolVersion + " is not supported (expected "
                    + PgOutputDescriptor.MIN_PROTOCOL_VERSION + " to " + PgOutputDescriptor.MAX_PROTOCOL_VERSION + ")");
        }
        this.protocolVersion = protocolVersion;
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    /** Encodes into a new array. */
    public byte[] encode(PgOutputMessage m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            encode(m, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /**
     * Writes {@code m} at the writer index of {@code out}.
     *
     * @throws LrepException 08P01 if this protocol version does not have the message
     * @throws IllegalArgumentException if a string holds a NUL character (nothing is written)
     */
    public void encode(PgOutputMessage m, ByteBuf out) {
        if (m.minProtocolVersion() > protocolVersion) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "pgoutput message " + m.messageName()
                    + describeNeed(m) + " requires protocol version " + m.minProtocolVersion()
                    + ", but the stream uses version " + protocolVersion);
        }
        int start = out.writerIndex();
        try {
            write(m, out);
        } catch (RuntimeException e) {
            out.writerIndex(start); // leave no half message behind; the caller gets the error
            throw e;
        }
    }

    private static void write(PgOutputMessage m, ByteBuf out) {
        out.writeByte(m.typeByte());
        if (m instanceof Begin b) {
            out.writeLong(b.finalLsn()).writeLong(b.commitTimeMicros()).writeInt(b.xid());
        } else if (m instanceof Commit c) {
            out.writeByte(0).writeLong(c.commitLsn()).writeLong(c.endLsn()).writeLong(c.commitTimeMicros());
        } else if (m instanceof Origin o) {
            out.writeLong(o.originLsn());
            Wire.writeString(out, o.name());
        } else if (m instanceof Relation r) {
            writeRelation(out, r);
        } else if (m instanceof Type t) {
            writeXid(out, t.xid());
            out.writeInt(t.typeOid());
            Wire.writeString(out, t.namespace());
            Wire.writeString(out, t.name());
        } else if (m instanceof Insert i) {
            writeXid(out, i.xid());
            out.writeInt(i.relationOid()).writeByte(PgOutputDescriptor.NEW_TUPLE);
            writeTuple(out, i.newTuple());
        } else if (m instanceof Update u) {
            writeXid(out, u.xid());
            out.writeInt(u.relationOid());
            if (u.hasOldTuple()) {
                out.writeByte(u.oldKind().code());
                writeTuple(out, u.oldTuple());
            }
            out.writeByte(PgOutputDescriptor.NEW_TUPLE);
            writeTuple(out, u.newTuple());
        } else if (m instanceof Delete d) {
            writeXid(out, d.xid());
            out.writeInt(d.relationOid()).writeByte(d.oldKind().code());
            writeTuple(out, d.oldTuple());
        } else if (m instanceof Truncate t) {
            writeXid(out, t.xid());
            out.writeInt(t.relationOids().size()).writeByte(t.options());
            for (int oid : t.relationOids()) {
                out.writeInt(oid);
            }
        } else if (m instanceof Message msg) {
            writeXid(out, msg.xid());
            out.writeByte(msg.flags()).writeLong(msg.lsn());
            Wire.writeString(out, msg.prefix());
            out.writeInt(msg.content().length).writeBytes(msg.content());
        } else if (m instanceof StreamStart s) {
            out.writeInt(s.xid()).writeByte(s.firstSegment() ? 1 : 0);
        } else if (m instanceof StreamStop) {
            return; // the type byte is the whole message
        } else if (m instanceof StreamCommit c) {
            out.writeInt(c.xid()).writeByte(0).writeLong(c.commitLsn()).writeLong(c.endLsn()).writeLong(c.commitTimeMicros());
        } else if (m instanceof StreamAbort a) {
            out.writeInt(a.xid()).writeInt(a.subXid());
            AbortInfo info = a.abortInfo();
            if (info != null) {
                out.writeLong(info.abortLsn()).writeLong(info.abortTimeMicros());
            }
        } else if (m instanceof BeginPrepare b) {
            out.writeLong(b.prepareLsn()).writeLong(b.endLsn()).writeLong(b.prepareTimeMicros()).writeInt(b.xid());
            Wire.writeString(out, b.gid());
        } else if (m instanceof Prepare p) {
            writePrepare(out, p.prepareLsn(), p.endLsn(), p.prepareTimeMicros(), p.xid(), p.gid());
        } else if (m instanceof StreamPrepare p) {
            writePrepare(out, p.prepareLsn(), p.endLsn(), p.prepareTimeMicros(), p.xid(), p.gid());
        } else if (m instanceof CommitPrepared c) {
            writePrepare(out, c.commitLsn(), c.endLsn(), c.commitTimeMicros(), c.xid(), c.gid());
        } else if (m instanceof RollbackPrepared r) {
            out.writeByte(0).writeLong(r.prepareEndLsn()).writeLong(r.rollbackEndLsn()).writeLong(r.prepareTimeMicros())
                    .writeLong(r.rollbackTimeMicros()).writeInt(r.xid());
            Wire.writeString(out, r.gid());
        } else {
            throw new IllegalStateException("unknown pgoutput message " + m);
        }
    }

    private static String describeNeed(PgOutputMessage m) {
        if (m instanceof StreamAbort a && a.hasAbortInfo()) {
            return " with abort LSN and time";
        }
        return m.minProtocolVersion() == PgOutputDescriptor.STREAMING_PROTOCOL_VERSION && !m.messageName().startsWith("Stream")
                ? " with a streamed transaction ID" : "";
    }

    /** The xid of a change inside a stream block; absent (0) outside one. */
    private static void writeXid(ByteBuf out, int xid) {
        if (xid != 0) {
            out.writeInt(xid);
        }
    }

    private static void writeRelation(ByteBuf out, Relation r) {
        writeXid(out, r.xid());
        out.writeInt(r.relationOid());
        Wire.writeString(out, r.namespace());
        Wire.writeString(out, r.name());
        out.writeByte(r.replicaIdentity());
        out.writeShort(r.columns().size());
        for (Column c : r.columns()) {
            out.writeByte(c.flags());
            Wire.writeString(out, c.name());
            out.writeInt(c.typeOid()).writeInt(c.typeModifier());
        }
    }

    /** The body shared by Prepare, Stream Prepare and Commit Prepared. */
    private static void writePrepare(ByteBuf out, long lsn, long endLsn, long timeMicros, int xid, String gid) {
        out.writeByte(0).writeLong(lsn).writeLong(endLsn).writeLong(timeMicros).writeInt(xid);
        Wire.writeString(out, gid);
    }

    /** Writes a TupleData: int16 column count, then each column's kind and, for text/binary, its bytes. */
    public static void writeTuple(ByteBuf out, TupleData tuple) {
        out.writeShort(tuple.size());
        for (TupleData.Value v : tuple.values()) {
            out.writeByte(v.kind().code());
            if (v.bytes() != null) {
                out.writeInt(v.bytes().length).writeBytes(v.bytes());
            }
        }
    }
}
