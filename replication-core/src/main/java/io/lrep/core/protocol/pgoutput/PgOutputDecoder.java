package io.lrep.core.protocol.pgoutput;

import io.lrep.core.protocol.ProtocolViolation;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Begin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.BeginPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Column;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Commit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.CommitPrepared;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Delete;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Insert;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Message;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.OldTupleKind;
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
import java.util.ArrayList;
import java.util.List;

/**
 * Reads pgoutput messages (layouts in {@link PgOutputDescriptor}) of one protocol version.
 * Stateless and thread-safe; {@link PgOutputStreamDecoder} adds the stream-block tracking.
 *
 * <p>Each call reads the whole readable part of the buffer as one message (the XLogData payload)
 * and leaves the buffer, the caller's to release, read to its end. Every fault is a
 * {@link ProtocolViolation} (08P01): an unknown type byte or one the version does not have, a
 * short or over-long message, an unknown tuple column kind or tuple marker, non-zero flags, and
 * the zero LSNs and xids that PostgreSQL's reader refuses. The texts are PostgreSQL's.
 */
public final class PgOutputDecoder {

    private final int protocolVersion;

    /**
     * @throws IllegalArgumentException if the version is not 1 to 4
     */
    public PgOutputDecoder(int protocolVersion) {
        if (!PgOutputDescriptor.isSupported(protocolVersion)) {
            throw new IllegalArgumentException("pgoutput protocol version " + protocolVersion + " is not supported (expected "
                    + PgOutputDescriptor.MIN_PROTOCOL_VERSION + " to " + PgOutputDescriptor.MAX_PROTOCOL_VERSION + ")");
        }
        this.protocolVersion = protocolVersion;
    }

    public int protocolVersion() {
        return protocolVersion;
    }

    /** {@link #decode(ByteBuf, boolean)} of an array. */
    public PgOutputMessage decode(byte[] payload, boolean inStream) {
        return decode(Unpooled.wrappedBuffer(payload), inStream);
    }

    /**
     * Reads one message.
     *
     * @param inStream true between a Stream Start and its Stream Stop: then Relation, Type,
     *                 Insert, Update, Delete, Truncate and Message carry an xid (protocol 2+)
     * @throws ProtocolViolation (08P01) if the bytes are not a valid message of this version
     */
    public PgOutputMessage decode(ByteBuf in, boolean inStream) {
        if (inStream && protocolVersion < PgOutputDescriptor.STREAMING_PROTOCOL_VERSION) {
            throw new IllegalArgumentException("protocol version " + protocolVersion + " has no stream blocks");
        }
        if (!in.isReadable()) {
            throw new ProtocolViolation("invalid logical replication message", "The message is empty.");
        }
        byte type = in.readByte();
        int need = minVersion(type);
        if (need < 0) {
            throw new ProtocolViolation("invalid logical replication message type \"??? (" + (type & 0xff) + ")\"");
        }
        if (need > protocolVersion) {
            throw new ProtocolViolation("invalid logical replication message type \"" + (char) type + "\"",
                    "Message type \"" + (char) type + "\" needs protocol version " + need + "; the stream uses version "
                            + protocolVersion + ".");
        }
        PgOutputMessage m = read(type, in, inStream);
        if (in.isReadable()) {
            throw new ProtocolViolation("invalid " + m.messageName() + " message",
                    in.readableBytes() + " bytes left after the last field.");
        }
        return m;
    }

    /** The protocol version that introduced a type byte, or -1 for an unknown one. */
    static int minVersion(byte type) {
        return switch (type) {
            case 'B', 'C', 'O', 'R', 'Y', 'I', 'U', 'D', 'T', 'M' -> 1;
            case 'S', 'E', 'c', 'A' -> PgOutputDescriptor.STREAMING_PROTOCOL_VERSION;
            case 'b', 'P', 'K', 'r', 'p' -> PgOutputDescriptor.TWO_PHASE_PROTOCOL_VERSION;
            default -> -1;
        };
    }

    private PgOutputMessage read(byte type, ByteBuf in, boolean inStream) {
        switch (type) {
            case 'B': {
                MessageReader r = new MessageReader(in, "Begin");
                long finalLsn = r.int64("final_lsn");
                if (finalLsn == 0) {
                    throw new ProtocolViolation("final_lsn not set in begin message");
                }
                return new Begin(finalLsn, r.int64("commit_time"), r.int32("xid"));
            }
            case 'C': {
                MessageReader r = new MessageReader(in, "Commit");
                checkFlags(r, "commit");
                return new Commit(r.int64("commit_lsn"), r.int64("end_lsn"), r.int64("commit_time"));
            }
            case 'O': {
                MessageReader r = new MessageReader(in, "Origin");
                return new Origin(r.int64("origin_lsn"), r.string("name"));
            }
            case 'R': {
                MessageReader r = new MessageReader(in, "Relation");
                int xid = xid(r, inStream);
                int oid = r.int32("relation OID");
                String namespace = r.string("namespace");
                String name = r.string("relation name");
                char replident = (char) (r.int8("replica identity") & 0xff);
                int n = r.uint16("column count");
                List<Column> columns = new ArrayList<>(Math.min(n, r.remaining() / 10 + 1));
                for (int i = 0; i < n; i++) {
                    int flags = r.int8("column flags") & 0xff;
                    String col = r.string("column name");
                    columns.add(new Column(flags, col, r.int32("column type OID"), r.int32("column type modifier")));
                }
                return new Relation(xid, oid, namespace, name, replident, columns);
            }
            case 'Y': {
                MessageReader r = new MessageReader(in, "Type");
                int xid = xid(r, inStream);
                return new Type(xid, r.int32("type OID"), r.string("namespace"), r.string("type name"));
            }
            case 'I': {
                MessageReader r = new MessageReader(in, "Insert");
                int xid = xid(r, inStream);
                int oid = r.int32("relation OID");
                byte action = r.int8("new tuple marker");
                if (action != PgOutputDescriptor.NEW_TUPLE) {
                    throw new ProtocolViolation("expected new tuple but got " + (action & 0xff));
                }
                return new Insert(xid, oid, readTuple(r));
            }
            case 'U': {
                MessageReader r = new MessageReader(in, "Update");
                int xid = xid(r, inStream);
                int oid = r.int32("relation OID");
                byte action = r.int8("tuple marker");
                OldTupleKind kind = oldKind(action);
                if (kind == null && action != PgOutputDescriptor.NEW_TUPLE) {
                    throw new ProtocolViolation("expected action 'N', 'O' or 'K', got " + describe(action));
                }
                TupleData old = null;
                if (kind != null) {
                    old = readTuple(r);
                    action = r.int8("new tuple marker");
                    if (action != PgOutputDescriptor.NEW_TUPLE) {
                        throw new ProtocolViolation("expected action 'N', got " + describe(action));
                    }
                }
                return new Update(xid, oid, kind, old, readTuple(r));
            }
            case 'D': {
                MessageReader r = new MessageReader(in, "Delete");
                int xid = xid(r, inStream);
                int oid = r.int32("relation OID");
                byte action = r.int8("old tuple marker");
                OldTupleKind kind = oldKind(action);
                if (kind == null) {
                    throw new ProtocolViolation("expected action 'O' or 'K', got " + describe(action));
                }
                return new Delete(xid, oid, kind, readTuple(r));
            }
            case 'T': {
                MessageReader r = new MessageReader(in, "Truncate");
                int xid = xid(r, inStream);
                int n = r.int32("relation count");
                int options = r.int8("options") & 0xff;
                if (n < 0 || (long) n * 4 > r.remaining()) {
                    throw new ProtocolViolation("insufficient data left in message",
                            "Truncate message claims " + Integer.toUnsignedString(n) + " relations, " + r.remaining()
                                    + " bytes left.");
                }
                List<Integer> oids = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    oids.add(r.int32("relation OID"));
                }
                return new Truncate(xid, options, oids);
            }
            case 'M': {
                MessageReader r = new MessageReader(in, "Message");
                int xid = xid(r, inStream);
                int flags = r.int8("flags") & 0xff;
                long lsn = r.int64("lsn");
                String prefix = r.string("prefix");
                return new Message(xid, flags, lsn, prefix, r.counted("content"));
            }
            case 'S': {
                MessageReader r = new MessageReader(in, "Stream Start");
                int xid = r.int32("xid");
                if (xid == 0) {
                    throw new ProtocolViolation("invalid transaction ID in streamed replication transaction");
                }
                return new StreamStart(xid, r.int8("first_segment") == 1);
            }
            case 'E':
                return new StreamStop();
            case 'c': {
                MessageReader r = new MessageReader(in, "Stream Commit");
                int xid = r.int32("xid");
                checkFlags(r, "commit");
                return new StreamCommit(xid, r.int64("commit_lsn"), r.int64("end_lsn"), r.int64("commit_time"));
            }
            case 'A': {
                MessageReader r = new MessageReader(in, "Stream Abort");
                int xid = r.int32("xid");
                int subXid = r.int32("subxid");
                if (protocolVersion >= PgOutputDescriptor.PARALLEL_STREAMING_PROTOCOL_VERSION && r.remaining() > 0) {
                    return new StreamAbort(xid, subXid, r.int64("abort_lsn"), r.int64("abort_time"));
                }
                return new StreamAbort(xid, subXid);
            }
            case 'b': {
                MessageReader r = new MessageReader(in, "Begin Prepare");
                long prepareLsn = r.int64("prepare_lsn");
                if (prepareLsn == 0) {
                    throw new ProtocolViolation("prepare_lsn not set in begin prepare message");
                }
                long endLsn = r.int64("end_lsn");
                if (endLsn == 0) {
                    throw new ProtocolViolation("end_lsn not set in begin prepare message");
                }
                return new BeginPrepare(prepareLsn, endLsn, r.int64("prepare_time"), r.int32("xid"), r.string("gid"));
            }
            case 'P':
            case 'p': {
                String what = type == 'P' ? "prepare" : "stream prepare";
                MessageReader r = new MessageReader(in, type == 'P' ? "Prepare" : "Stream Prepare");
                checkFlags(r, what);
                long prepareLsn = r.int64("prepare_lsn");
                if (prepareLsn == 0) {
                    throw new ProtocolViolation("prepare_lsn is not set in " + what + " message");
                }
                long endLsn = r.int64("end_lsn");
                if (endLsn == 0) {
                    throw new ProtocolViolation("end_lsn is not set in " + what + " message");
                }
                long time = r.int64("prepare_time");
                int xid = r.int32("xid");
                if (xid == 0) {
                    throw new ProtocolViolation("invalid two-phase transaction ID in " + what + " message");
                }
                String gid = r.string("gid");
                return type == 'P' ? new Prepare(prepareLsn, endLsn, time, xid, gid) : new StreamPrepare(prepareLsn, endLsn, time, xid, gid);
            }
            case 'K': {
                MessageReader r = new MessageReader(in, "Commit Prepared");
                checkFlags(r, "commit prepared");
                long commitLsn = r.int64("commit_lsn");
                if (commitLsn == 0) {
                    throw new ProtocolViolation("commit_lsn is not set in commit prepared message");
                }
                long endLsn = r.int64("end_lsn");
                if (endLsn == 0) {
                    throw new ProtocolViolation("end_lsn is not set in commit prepared message");
                }
                return new CommitPrepared(commitLsn, endLsn, r.int64("commit_time"), r.int32("xid"), r.string("gid"));
            }
            case 'r': {
                MessageReader r = new MessageReader(in, "Rollback Prepared");
                checkFlags(r, "rollback prepared");
                long prepareEnd = r.int64("prepare_end_lsn");
                if (prepareEnd == 0) {
                    throw new ProtocolViolation("prepare_end_lsn is not set in rollback prepared message");
                }
                long rollbackEnd = r.int64("rollback_end_lsn");
                if (rollbackEnd == 0) {
                    throw new ProtocolViolation("rollback_end_lsn is not set in rollback prepared message");
                }
                return new RollbackPrepared(prepareEnd, rollbackEnd, r.int64("prepare_time"), r.int64("rollback_time"),
                        r.int32("xid"), r.string("gid"));
            }
            default:
                throw new IllegalStateException("type byte " + (char) type + " passed the version check but has no reader");
        }
    }

    /** The leading xid of a message inside a stream block, which must be valid; 0 outside one. */
    private static int xid(MessageReader r, boolean inStream) {
        if (!inStream) {
            return 0;
        }
        int xid = r.int32("xid");
        if (xid == 0) {
            throw new ProtocolViolation("invalid transaction ID in streamed replication transaction");
        }
        return xid;
    }

    private static void checkFlags(MessageReader r, String what) {
        int flags = r.int8("flags") & 0xff;
        if (flags != 0) {
            throw new ProtocolViolation("unrecognized flags " + flags + " in " + what + " message");
        }
    }

    private static OldTupleKind oldKind(byte action) {
        if (action == OldTupleKind.KEY.code()) {
            return OldTupleKind.KEY;
        }
        return action == OldTupleKind.FULL.code() ? OldTupleKind.FULL : null;
    }

    private static String describe(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : "??? (" + (b & 0xff) + ")";
    }

    private static TupleData readTuple(MessageReader r) {
        int n = r.uint16("tuple column count");
        List<TupleData.Value> values = new ArrayList<>(Math.min(n, r.remaining() + 1));
        for (int i = 0; i < n; i++) {
            byte code = r.int8("tuple column kind");
            TupleData.Kind kind = TupleData.Kind.of(code);
            if (kind == null) {
                throw new ProtocolViolation("unrecognized data representation type '" + describe(code) + "'");
            }
            values.add(switch (kind) {
                case NULL -> TupleData.Value.NULL;
                case UNCHANGED_TOAST -> TupleData.Value.UNCHANGED_TOAST;
                case TEXT -> TupleData.Value.text(r.counted("text column value"));
                case BINARY -> TupleData.Value.binary(r.counted("binary column value"));
            });
        }
        return new TupleData(values);
    }
}
