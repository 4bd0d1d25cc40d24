package io.lrep.core.storage;

/**
 * The layout of a checkpoint image file ({@code pg_checkpoint/<snapshot LSN as 16 hex
 * digits>.img}). Header, frame and trailer integers are little-endian; record bodies are
 * {@link io.lrep.core.wal.WalRecordCodec} bodies, exactly as in WAL.
 *
 * <pre>
 * header (64 bytes, written last, at offset 0)
 *  0        4        8                 16                24       28       32       36
 *  +--------+--------+-----------------+-----------------+--------+--------+--------+--------+
 *  | magic  | version| snapshot LSN    | redo LSN        | nextXid| nextOid|timeline| 0      |
 *  +--------+--------+-----------------+-----------------+--------+--------+--------+--------+
 *  40                48                56       60       64
 *  +-----------------+-----------------+--------+--------+
 *  | time (µs epoch) | record count    | CRC32C | 0      |   CRC32C over header bytes 0..55
 *  +-----------------+-----------------+--------+--------+
 *
 * frame, one per record, from offset 64 on
 *  +--------+--------+---------------------------------+
 *  | length | CRC32C | body (length bytes)             |   CRC32C over the length field and the body
 *  +--------+--------+---------------------------------+
 *
 * trailer (16 bytes), the last bytes of the file
 *  +--------+-----------------+--------+
 *  | magic  | record count    | CRC32C |   CRC32C over every frame byte and the trailer's first 12
 *  +--------+-----------------+--------+
 * </pre>
 * A reader checks the header CRC, magic and version, every frame's CRC, that exactly
 * {@code record count} frames come before the trailer, the trailer's count and CRC, and that
 * the file ends right after the trailer. Any failure means the image is unusable.
 */
public final class CheckpointImageDescriptor {

    /** 'LRCI' as a little-endian int. */
    public static final int HEADER_MAGIC = 0x4943524C;
    /** 'LRCE' as a little-endian int. */
    public static final int TRAILER_MAGIC = 0x4543524C;
    /** The image layout version this build reads and writes. */
    public static final int VERSION = 1;

    public static final int HEADER_SIZE = 64;
    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 4;
    public static final int OFF_SNAPSHOT_LSN = 8;
    public static final int OFF_REDO_LSN = 16;
    public static final int OFF_NEXT_XID = 24;
    public static final int OFF_NEXT_OID = 28;
    public static final int OFF_TIMELINE = 32;
    public static final int OFF_TIME = 40;
    public static final int OFF_RECORD_COUNT = 48;
    public static final int OFF_HEADER_CRC = 56;

    /** Length and CRC before each body. */
    public static final int FRAME_HEADER_SIZE = 8;
    /** No record body is larger than this; a larger length is corruption. */
    public static final int MAX_BODY_SIZE = 1 << 30;

    public static final int TRAILER_SIZE = 16;

    /** The directory, relative to the data directory, that holds the images. */
    public static final String DIRECTORY = "pg_checkpoint";
    public static final String SUFFIX = ".img";

    private CheckpointImageDescriptor() {}

    /** The image name for a snapshot LSN, relative to the data directory. */
    public static String imageName(long snapshotLsn) {
        return DIRECTORY + "/" + String.format("%016X", snapshotLsn) + SUFFIX;
    }
}
