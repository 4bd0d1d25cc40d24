package io.lrep.core.protocol.pgoutput;

import io.lrep.core.lsn.Lsn;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One pgoutput message, the payload of one XLogData. Layouts are in {@link PgOutputDescriptor};
 * {@link PgOutputEncoder} writes and {@link PgOutputDecoder} reads them.
 *
 * <p>Conventions: LSNs are raw {@code long}s, times are PostgreSQL microseconds since 2000-01-01
 * (see {@code PgTimestamp}), xids and OIDs are uint32 values held in an {@code int}. The
 * {@code xid} of Relation, Type, Insert, Update, Delete, Truncate and Message is the
 * (sub)transaction's xid that those messages carry only inside a Stream Start / Stream Stop block
 * (protocol 2+); it is 0 outside one, and the encoder writes it exactly when it is not 0.
 */
public sealed interface PgOutputMessage {

    /** The message type byte. */
    byte typeByte();

    /** The lowest protocol version that has this message (in this form). */
    default int minProtocolVersion() {
        return 1;
    }

    /** The PostgreSQL name of this message, for errors and logs ("Stream Start"). */
    String messageName();

    // ------------------------------------------------------------------ transaction control

    /** 'B' Begin: a transaction whose commit record is at {@code finalLsn}. */
    record Begin(long finalLsn, long commitTimeMicros, int xid) implements PgOutputMessage {
        @Override
        public byte typeByte() {
            return 'B';
        }

        @Override
        public String messageName() {
            return "Begin";
        }

        @Override
        public String toString() {
            return "Begin[finalLsn=" + Lsn.format(finalLsn) + ", commitTimeMicros=" + commitTimeMicros + ", xid="
                    + Integer.toUnsignedString(xid) + "]";
        }
    }

    /** 'C' Commit: the end of the transaction; {@code commitLsn} equals Begin's finalLsn. */
    record Commit(long commitLsn, long endLsn, long commitTimeMicros) implements PgOutputMessage {
        @Override
        public byte typeByte() {
            return 'C';
        }

        @Override
        public String messageName() {
            return "Commit";
        }

        @Override
        public String toString() {
            return "Commit[commitLsn=" + Lsn.format(commitLsn) + ", endLsn=" + Lsn.format(endLsn) + ", commitTimeMicros="
                    + commitTimeMicros + "]";
        }
    }

    /** 'O' Origin: the replication origin the transaction came from and its commit LSN there. */
    record Origin(long originLsn, String name) implements PgOutputMessage {
        public Origin {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public byte typeByte() {
            return 'O';
        }

        @Override
        public String messageName() {
            return "Origin";
        }
    }

    // ------------------------------------------------------------------ schema

    /**
     * 'R' Relation: a table's shape. {@code namespace} is "" for pg_catalog; {@code replicaIdentity}
     * is 'd' (default), 'n' (nothing), 'f' (full) or 'i' (index).
     */
    record Relation(int xid, int relationOid, String namespace, String name, char replicaIdentity, List<Column> columns)
            implements PgOutputMessage {
        public Relation {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            columns = List.copyOf(columns);
            if (columns.size() > 0xFFFF) {
                throw new IllegalArgumentException("a relation has at most 65535 columns, not " + columns.size());
            }
        }

        @Override
        public byte typeByte() {
            return 'R';
        }

        @Override
        public int minProtocolVersion() {
            return xid == 0 ? 1 : 2;
        }

        @Override
        public String messageName() {
            return "Relation";
        }
    }

    /** A column of a Relation message; flag bit 0 ({@link #KEY_FLAG}) marks a replica identity column. */
    record Column(int flags, String name, int typeOid, int typeModifier) {
        /** Flag bit: the column is part of the replica identity (every column when FULL). */
        public static final int KEY_FLAG = 1;

        public Column {
            Objects.requireNonNull(name, "name");
            if (flags < 0 || flags > 0xFF) {
                throw new IllegalArgumentException("column flags are one byte, not " + flags);
            }
        }

        /** True if the column is part of the replica identity. */
        public boolean isKey() {
            return (flags & KEY_FLAG) != 0;
        }
    }

    /** 'Y' Type: a non-built-in type's name; {@code namespace} is "" for pg_catalog. */
    record Type(int xid, int typeOid, String namespace, String name) implements PgOutputMessage {
        public Type {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public byte typeByte() {
            return 'Y';
        }

        @Override
        public int minProtocolVersion() {
            return xid == 0 ? 1 : 2;
        }

        @Override
        public String messageName() {
            return "Type";
        }
    }

    // ------------------------------------------------------------------ changes

    /** Which old row an Update or Delete carries: 'K' its replica identity key, 'O' the whole row. */
    enum OldTupleKind {
        /** 'K': the key columns (the others sent as null). */
        KEY('K'),
        /** 'O': the whole old row (REPLICA IDENTITY FULL). */
        FULL('O');

        private final byte code;

        OldTupleKind(char code) {
            this.code = (byte) code;
        }

        /** The marker byte on the wire. */
        public byte code() {
            return code;
        }
    }

    /** 'I' Insert. */
    record Insert(int xid, int relationOid, TupleData newTuple) implements PgOutputMessage {
        public Insert {
            Objects.requireNonNull(newTuple, "newTuple");
        }

        @Override
        public byte typeByte() {
            return 'I';
        }

        @Override
        public int minProtocolVersion() {
            return xid == 0 ? 1 : 2;
        }

        @Override
        public String messageName() {
            return "Insert";
        }
    }

    /** 'U' Update, with an optional old tuple: {@code oldKind} and {@code oldTuple} are both null or both set. */
    record Update(int xid, int relationOid, OldTupleKind oldKind, TupleData oldTuple, TupleData newTuple)
            implements PgOutputMessage {
        public Update {
            Objects.requireNonNull(newTuple, "newTuple");
            if ((oldKind == null) != (oldTuple == null)) {
                throw new IllegalArgumentException("an update's old tuple kind and old tuple are both set or both null");
            }
        }

        /** An update without an old tuple. */
        public Update(int xid, int relationOid, TupleData newTuple) {
            this(xid, relationOid, null, null, newTuple);
        }

        /** True if the old key or row is sent. */
        public boolean hasOldTuple() {
            return oldTuple != null;
        }

        @Override
        public byte typeByte() {
            return 'U';
        }

        @Override
        public int minProtocolVersion() {
            return xid == 0 ? 1 : 2;
        }

        @Override
        public String messageName() {
            return "Update";
        }
    }

    /** 'D' Delete: the old key ('K') or old row ('O'). */
    record Delete(int xid, int relationOid, OldTupleKind oldKind, TupleData oldTuple) implements PgOutputMessage {
        public Delete {
            Objects.requireNonNull(oldKind, "oldKind");
            Objects.requireNonNull(oldTuple, "oldTuple");
        }

        @Override
        public byte typeByte() {
            return 'D';
        }

        @Override
        public int minProtocolVersion() {
            return xid == 0 ? 1 : 2;
        }

        @Override
        public String messageName() {
            return "Delete";
        }
    }

    /** 'T' Truncate: {@code options} bit 0 CASCADE, bit 1 RESTART IDENTITY. */
    record Truncate(int xid, int options, List<Integer> relationOids) implements PgOutputMessage {
        /** Options bit: TRUNCATE ... CASCADE. */
        public static final int CASCADE = 1;
        /** Options bit: TRUNCATE ... RESTART IDENTITY. */
        public static final int RESTART_IDENTITY = 2;

        public Truncate {
            relationOids = List.copyOf(relationOids);
            if (options < 0 || options > 0xFF) {
                throw new IllegalArgumentException("truncate options are one byte, not " + options);
            }
        }

        public boolean cascade() {
            return (options & CASCADE) != 0;
        }

        public boolean restartIdentity() {
            return (options & RESTART_IDENTITY) != 0;
        }

        @Override
        public byte typeByte() {
            return 'T';
        }

        @Override
        public int minProtocolVersion() {
            return xid == 0 ? 1 : 2;
        }

        @Override
        public String messageName() {
            return "Truncate";
        }
    }

    /**
     * 'M' Message ({@code pg_logical_emit_message}, sent with messages = true): {@code flags} bit 0
     * = transactional. The content array is held and returned without copying.
     */
    record Message(int xid, int flags, long lsn, String prefix, byte[] content) implements PgOutputMessage {
        /** Flags bit: the message was emitted transactionally. */
        public static final int TRANSACTIONAL = 1;

        public Message {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(content, "content");
            if (flags < 0 || flags > 0xFF) {
                throw new IllegalArgumentException("message flags are one byte, not " + flags);
            }
        }

        public boolean transactional() {
            return (flags & TRANSACTIONAL) != 0;
        }

        /** The content as UTF-8 text. */
        public String contentText() {
            return new String(content, StandardCharsets.UTF_8);
        }

        @Override
        public byte typeByte() {
            return 'M';
        }

        @Override
        public int minProtocolVersion() {
            return xid == 0 ? 1 : 2;
        }

        @Override
        public String messageName() {
            return "Message";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Message m && m.xid == xid && m.flags == flags && m.lsn == lsn && m.prefix.equals(prefix)
                    && Arrays.equals(m.content, content);
        }

        @Override
        public int hashCode() {
            return Objects.hash(xid, flags, lsn, prefix) * 31 + Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "Message[xid=" + Integer.toUnsignedString(xid) + ", flags=" + flags + ", lsn=" + Lsn.format(lsn)
                    + ", prefix=" + prefix + ", content=" + content.length + " bytes]";
        }
    }

    // ------------------------------------------------------------------ streaming (protocol 2+)

    /** 'S' Stream Start: a block of changes of the in-progress top-level transaction {@code xid}. */
    record StreamStart(int xid, boolean firstSegment) implements PgOutputMessage {
        @Override
        public byte typeByte() {
            return 'S';
        }

        @Override
        public int minProtocolVersion() {
            return 2;
        }

        @Override
        public String messageName() {
            return "Stream Start";
        }
    }

    /** 'E' Stream Stop: the end of a block. */
    record StreamStop() implements PgOutputMessage {
        @Override
        public byte typeByte() {
            return 'E';
        }

        @Override
        public int minProtocolVersion() {
            return 2;
        }

        @Override
        public String messageName() {
            return "Stream Stop";
        }
    }

    /** 'c' Stream Commit: the streamed transaction {@code xid} committed. */
    record StreamCommit(int xid, long commitLsn, long endLsn, long commitTimeMicros) implements PgOutputMessage {
        @Override
        public byte typeByte() {
            return 'c';
        }

        @Override
        public int minProtocolVersion() {
            return 2;
        }

        @Override
        public String messageName() {
            return "Stream Commit";
        }
    }

    /**
     * 'A' Stream Abort: the streamed (sub)transaction {@code subXid} of {@code xid} aborted (equal
     * for a top-level abort). {@code abortInfo} is sent only with protocol 4 and streaming =
     * parallel; null otherwise.
     */
    record StreamAbort(int xid, int subXid, AbortInfo abortInfo) implements PgOutputMessage {
        /** Without abort LSN and time (protocol 2+). */
        public StreamAbort(int xid, int subXid) {
            this(xid, subXid, null);
        }

        /** With abort LSN and time (protocol 4, streaming = parallel). */
        public StreamAbort(int xid, int subXid, long abortLsn, long abortTimeMicros) {
            this(xid, subXid, new AbortInfo(abortLsn, abortTimeMicros));
        }

        public boolean hasAbortInfo() {
            return abortInfo != null;
        }

        @Override
        public byte typeByte() {
            return 'A';
        }

        @Override
        public int minProtocolVersion() {
            return abortInfo == null ? 2 : 4;
        }

        @Override
        public String messageName() {
            return "Stream Abort";
        }
    }

    /** The abort record's LSN and time of a Stream Abort (protocol 4, streaming = parallel). */
    record AbortInfo(long abortLsn, long abortTimeMicros) {
    }

    // ------------------------------------------------------------------ two-phase (protocol 3+)

    /** 'b' Begin Prepare: a two-phase transaction whose prepare record is at {@code prepareLsn}. */
    record BeginPrepare(long prepareLsn, long endLsn, long prepareTimeMicros, int xid, String gid) implements PgOutputMessage {
        public BeginPrepare {
            Objects.requireNonNull(gid, "gid");
        }

        @Override
        public byte typeByte() {
            return 'b';
        }

        @Override
        public int minProtocolVersion() {
            return 3;
        }

        @Override
        public String messageName() {
            return "Begin Prepare";
        }
    }

    /** 'P' Prepare: the end of a two-phase transaction's first phase. */
    record Prepare(long prepareLsn, long endLsn, long prepareTimeMicros, int xid, String gid) implements PgOutputMessage {
        public Prepare {
            Objects.requireNonNull(gid, "gid");
        }

        @Override
        public byte typeByte() {
            return 'P';
        }

        @Override
        public int minProtocolVersion() {
            return 3;
        }

        @Override
        public String messageName() {
            return "Prepare";
        }
    }

    /** 'K' Commit Prepared: COMMIT PREPARED of {@code gid}. */
    record CommitPrepared(long commitLsn, long endLsn, long commitTimeMicros, int xid, String gid) implements PgOutputMessage {
        public CommitPrepared {
            Objects.requireNonNull(gid, "gid");
        }

        @Override
        public byte typeByte() {
            return 'K';
        }

        @Override
        public int minProtocolVersion() {
            return 3;
        }

        @Override
        public String messageName() {
            return "Commit Prepared";
        }
    }

    /** 'r' Rollback Prepared: ROLLBACK PREPARED of {@code gid}. */
    record RollbackPrepared(long prepareEndLsn, long rollbackEndLsn, long prepareTimeMicros, long rollbackTimeMicros, int xid,
            String gid) implements PgOutputMessage {
        public RollbackPrepared {
            Objects.requireNonNull(gid, "gid");
        }

        @Override
        public byte typeByte() {
            return 'r';
        }

        @Override
        public int minProtocolVersion() {
            return 3;
        }

        @Override
        public String messageName() {
            return "Rollback Prepared";
        }
    }

    /** 'p' Stream Prepare: a streamed two-phase transaction was prepared. */
    record StreamPrepare(long prepareLsn, long endLsn, long prepareTimeMicros, int xid, String gid) implements PgOutputMessage {
        public StreamPrepare {
            Objects.requireNonNull(gid, "gid");
        }

        @Override
        public byte typeByte() {
            return 'p';
        }

        @Override
        public int minProtocolVersion() {
            return 3;
        }

        @Override
        public String messageName() {
            return "Stream Prepare";
        }
    }
}
