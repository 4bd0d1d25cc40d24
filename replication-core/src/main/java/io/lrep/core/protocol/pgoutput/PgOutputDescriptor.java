package io.lrep.core.protocol.pgoutput;

/**
 * Byte layouts of pgoutput, PostgreSQL's logical replication message format, protocol versions 1
 * to 4. Each message is the payload of one XLogData; there is no length inside, the CopyData
 * length delimits it. Integers are big-endian; LSNs are int64, xids and OIDs uint32 as int32,
 * times int64 microseconds since 2000-01-01 UTC; String = UTF-8 bytes then NUL.
 * {@code [xid]} = int32 xid, present only inside a Stream Start / Stream Stop block (protocol 2+).
 *
 * <pre>
 *  Begin             'B' | int64 final_lsn | int64 commit_time | int32 xid                      21
 *  Commit            'C' | int8 flags=0 | int64 commit_lsn | int64 end_lsn | int64 commit_time  26
 *  Origin            'O' | int64 origin_lsn | String name
 *  Relation          'R' | [xid] | int32 rel oid | String namespace ("" = pg_catalog)
 *                        | String relname | int8 replident 'd'|'n'|'f'|'i' | int16 ncols
 *                        | ncols x ( int8 flags (1 = key) | String name | int32 type oid | int32 typmod )
 *  Type              'Y' | [xid] | int32 type oid | String namespace | String name
 *  Insert            'I' | [xid] | int32 rel oid | 'N' | TupleData
 *  Update            'U' | [xid] | int32 rel oid | [ 'K'|'O' | TupleData ] | 'N' | TupleData
 *  Delete            'D' | [xid] | int32 rel oid | 'K'|'O' | TupleData
 *  Truncate          'T' | [xid] | int32 nrels | int8 options (1 CASCADE, 2 RESTART IDENTITY)
 *                        | nrels x int32 rel oid
 *  Message           'M' | [xid] | int8 flags (1 = transactional) | int64 lsn | String prefix
 *                        | int32 n | n bytes content
 *
 *  v2 Stream Start   'S' | int32 xid (top level) | int8 first_segment (1 = first block)        6
 *  v2 Stream Stop    'E'                                                                     1
 *  v2 Stream Commit  'c' | int32 xid | int8 flags=0 | int64 commit_lsn | int64 end_lsn
 *                        | int64 commit_time                                                30
 *  v2 Stream Abort   'A' | int32 xid | int32 subxid
 *                        [ v4, streaming = parallel: | int64 abort_lsn | int64 abort_time ]   9 or 25
 *
 *  v3 Begin Prepare  'b' | int64 prepare_lsn | int64 end_lsn | int64 prepare_time | int32 xid | String gid
 *  v3 Prepare        'P' | int8 flags=0 | int64 prepare_lsn | int64 end_lsn | int64 prepare_time
 *                        | int32 xid | String gid
 *  v3 Commit Prep.   'K' | int8 flags=0 | int64 commit_lsn | int64 end_lsn | int64 commit_time
 *                        | int32 xid | String gid
 *  v3 Rollback Prep. 'r' | int8 flags=0 | int64 prepare_end_lsn | int64 rollback_end_lsn
 *                        | int64 prepare_time | int64 rollback_time | int32 xid | String gid
 *  v3 Stream Prepare 'p' | same body as Prepare
 *
 *  TupleData         int16 ncols | ncols x column
 *    column          'n'                      NULL
 *                    'u'                      unchanged TOASTed value (not sent)
 *                    't' | int32 len | bytes  text (type output, no NUL)
 *                    'b' | int32 len | bytes  binary (type send; binary = true)
 * </pre>
 *
 * <p>Example, Begin of xid 740 committing at 0/16B3748 at time 0:
 * <pre>
 *  42 | 00 00 00 00 01 6B 37 48 | 00 00 00 00 00 00 00 00 | 00 00 02 E4
 *  'B'  final_lsn                 commit_time               xid
 * </pre>
 */
public final class PgOutputDescriptor {

    /** The first protocol version (PostgreSQL 10). */
    public static final int MIN_PROTOCOL_VERSION = 1;
    /** Streaming of in-progress transactions (PostgreSQL 14). */
    public static final int STREAMING_PROTOCOL_VERSION = 2;
    /** Two-phase commit (PostgreSQL 15). */
    public static final int TWO_PHASE_PROTOCOL_VERSION = 3;
    /** Parallel streaming: Stream Abort's abort LSN and time (PostgreSQL 16). */
    public static final int PARALLEL_STREAMING_PROTOCOL_VERSION = 4;
    /** The newest protocol version this codec speaks. */
    public static final int MAX_PROTOCOL_VERSION = 4;

    /** Byte after the relation OID that announces the new tuple. */
    public static final byte NEW_TUPLE = 'N';
    /** Bytes of a Stream Abort without abort info. */
    public static final int STREAM_ABORT_LENGTH = 9;
    /** Bytes of a Stream Abort with abort LSN and time. */
    public static final int STREAM_ABORT_WITH_INFO_LENGTH = 25;
    /** A GID's maximum length in bytes (PostgreSQL's GIDSIZE less the terminator). */
    public static final int MAX_GID_BYTES = 199;

    private PgOutputDescriptor() {
    }

    /** True if {@code version} is one this codec speaks. */
    public static boolean isSupported(int version) {
        return version >= MIN_PROTOCOL_VERSION && version <= MAX_PROTOCOL_VERSION;
    }
}
