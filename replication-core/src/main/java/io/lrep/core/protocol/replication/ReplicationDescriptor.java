package io.lrep.core.protocol.replication;

/**
 * Byte layouts of the streaming-replication sub-protocol: every message is the whole payload of
 * one CopyData ('d') message, identified by its first byte. Integers are big-endian; LSNs are
 * uint64 sent as int64; times are {@link PgTimestamp} microseconds since 2000-01-01 UTC.
 *
 * <pre>
 * server -> client
 *
 *  XLogData ('w'), 25 + n bytes
 *   0        1                 9                 17                25
 *   +--------+-----------------+-----------------+-----------------+-----------------~
 *   |  'w'   | int64 walStart  | int64 walEnd    | int64 sendTime  | payload (n bytes,
 *   +--------+-----------------+-----------------+-----------------+  one pgoutput msg)
 *
 *  Primary keepalive ('k'), 18 bytes
 *   0        1                 9                 17       18
 *   +--------+-----------------+-----------------+--------+
 *   |  'k'   | int64 walEnd    | int64 sendTime  | int8   |  replyRequested: 1 = reply now
 *   +--------+-----------------+-----------------+--------+
 *
 * client -> server
 *
 *  Standby status update ('r'), 34 bytes
 *   0        1                 9                 17                25                33       34
 *   +--------+-----------------+-----------------+-----------------+-----------------+--------+
 *   |  'r'   | int64 write     | int64 flush     | int64 apply     | int64 sendTime  | int8   |
 *   +--------+-----------------+-----------------+-----------------+-----------------+--------+
 *     write/flush/apply: last WAL byte + 1 received / flushed / applied; int8 replyRequested
 *
 *  Hot standby feedback ('h'), 25 bytes
 *   0        1                 9         13        17        21        25
 *   +--------+-----------------+---------+---------+---------+---------+
 *   |  'h'   | int64 sendTime  | int32   | int32   | int32   | int32   |
 *   +--------+-----------------+---------+---------+---------+---------+
 *                                xmin      xmin      catalog   catalog_xmin
 *                                          epoch     xmin      epoch
 * </pre>
 */
public final class ReplicationDescriptor {

    /** Type byte of XLogData. */
    public static final byte XLOG_DATA = 'w';
    /** Type byte of a primary keepalive. */
    public static final byte PRIMARY_KEEPALIVE = 'k';
    /** Type byte of a standby status update. */
    public static final byte STANDBY_STATUS_UPDATE = 'r';
    /** Type byte of hot standby feedback. */
    public static final byte HOT_STANDBY_FEEDBACK = 'h';

    /** Bytes of XLogData before its payload. */
    public static final int XLOG_DATA_HEADER_LENGTH = 25;
    /** Offset of XLogData's walStart. */
    public static final int XLOG_DATA_WAL_START_OFFSET = 1;
    /** Offset of XLogData's walEnd. */
    public static final int XLOG_DATA_WAL_END_OFFSET = 9;
    /** Offset of XLogData's sendTime (filled in just before sending, as the walsender does). */
    public static final int XLOG_DATA_SEND_TIME_OFFSET = 17;
    /** Length of a primary keepalive. */
    public static final int PRIMARY_KEEPALIVE_LENGTH = 18;
    /** Length of a standby status update. */
    public static final int STANDBY_STATUS_UPDATE_LENGTH = 34;
    /** Length of hot standby feedback. */
    public static final int HOT_STANDBY_FEEDBACK_LENGTH = 25;

    private ReplicationDescriptor() {
    }
}
