package io.lrep.core.wal;

import io.lrep.core.lsn.Lsn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one framed WAL record as it sits in the shared-memory ring and in segment files.
 * Header fields are little-endian; the body is {@link WalRecordCodec}'s.
 *
 * <pre>
 *   0                   4                   8                                  16
 *   +-------------------+-------------------+-----------------------------------+
 *   | length (int)      | crc32c (int)      | start LSN (long)                  |
 *   +-------------------+-------------------+-----------------------------------+
 *   | type (byte) | body ...                                     | zero padding |
 *   +-------------+----------------------------------------------+--------------+
 *                                                     length ^      ^ align(length)
 * </pre>
 * <ul>
 *   <li>{@code length}: header plus body, without the padding; records start 8-byte aligned, so
 *       the next record starts at {@code lsn + align(length)}.</li>
 *   <li>{@code crc32c}: CRC32C over the length field and over everything after the CRC field up
 *       to {@code length} (the LSN and the body). Since the record's own start LSN is covered,
 *       a record copied to another position fails the check.</li>
 *   <li>{@code start LSN}: where the record starts in the WAL stream. In the ring this 8-byte,
 *       8-aligned word is written last with a release store and so publishes the record; since
 *       it holds the LSN it also tells this lap's record from an earlier lap's.</li>
 * </ul>
 * A header of all zeros is the clean end of WAL (never-written segment space).
 */
public final class WalRecordDescriptor {

    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int LSN_OFFSET = 8;
    public static final int BODY_OFFSET = 16;
    public static final int HEADER_LENGTH = 16;
    public static final int ALIGNMENT = 8;
    /** The smallest possible frame length: header, type byte and xid. */
    public static final int MIN_LENGTH = HEADER_LENGTH + 1 + 4;
    /** No record is longer than this (1 GiB, PostgreSQL's MaxAllocSize). */
    public static final int MAX_LENGTH = 1 << 30;

    private WalRecordDescriptor() {}

    /** {@code length} rounded up to {@link #ALIGNMENT}. */
    public static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** {@code lsn} rounded up to {@link #ALIGNMENT}. */
    public static long align(long lsn) {
        return (lsn + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The length field of the frame at absolute index {@code start}. */
    public static int length(ByteBuffer buf, int start) {
        return le(buf).getInt(start + LENGTH_OFFSET);
    }

    /** The LSN field of the frame at absolute index {@code start}. */
    public static long lsn(ByteBuffer buf, int start) {
        return le(buf).getLong(start + LSN_OFFSET);
    }

    /** The stored CRC of the frame at absolute index {@code start}. */
    public static int storedCrc(ByteBuffer buf, int start) {
        return le(buf).getInt(start + CRC_OFFSET);
    }

    /** True if the 16 header bytes at {@code start} are all zero (the clean end of WAL). */
    public static boolean isZeroHeader(ByteBuffer buf, int start) {
        ByteBuffer b = le(buf);
        return b.getLong(start) == 0 && b.getLong(start + 8) == 0;
    }

    /**
     * CRC32C of a frame of {@code length} bytes at absolute index {@code start}: the length field
     * and then bytes {@code [LSN_OFFSET, length)}.
     */
    public static int crc(ByteBuffer buf, int start, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer d = buf.duplicate();
        d.limit(start + CRC_OFFSET).position(start + LENGTH_OFFSET);
        crc.update(d);
        d.limit(start + length).position(start + LSN_OFFSET);
        crc.update(d);
        return (int) crc.getValue();
    }

    /**
     * Checks the frame at absolute index {@code start} of which {@code available} bytes are in
     * {@code buf}: the header is not zero, the LSN is {@code expectedLsn}, the length is sane and
     * within {@code available}, and the CRC matches. Returns null if valid, else the reason.
     */
    public static String validate(ByteBuffer buf, int start, int available, long expectedLsn) {
        return validate(buf, start, available, expectedLsn, MAX_LENGTH);
    }

    /** As {@link #validate(ByteBuffer, int, int, long)} with a smaller limit on the length. */
    public static String validate(ByteBuffer buf, int start, int available, long expectedLsn, int maxLength) {
        if (available < HEADER_LENGTH) {
            return "record header is truncated (" + available + " bytes)";
        }
        if (isZeroHeader(buf, start)) {
            return "record header is zero";
        }
        long lsn = lsn(buf, start);
        if (lsn != expectedLsn) {
            return "record has LSN " + Lsn.format(lsn) + " (expected " + Lsn.format(expectedLsn) + ")";
        }
        int length = length(buf, start);
        if (length < MIN_LENGTH || length > maxLength) {
            return "record has invalid length " + length;
        }
        if (length > available) {
            return "record of " + length + " bytes is truncated to " + available + " bytes";
        }
        int stored = storedCrc(buf, start);
        int computed = crc(buf, start, length);
        if (stored != computed) {
            return "incorrect record CRC (stored " + Integer.toHexString(stored) + ", computed "
                    + Integer.toHexString(computed) + ")";
        }
        return null;
    }

    private static ByteBuffer le(ByteBuffer buf) {
        return buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
