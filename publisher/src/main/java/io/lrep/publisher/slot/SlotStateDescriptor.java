package io.lrep.publisher.slot;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The layout of a slot's state file, {@code pg_replslot/<name>/state} (big-endian), as
 * PostgreSQL's {@code ReplicationSlotOnDisk}: a fixed header whose checksum covers everything
 * after it, then the slot's data.
 * <pre>
 *  0       4       8       12      16
 *  +-------+-------+-------+-------+
 *  | magic |crc32c |version|length |   crc32c covers bytes [8, 16 + length)
 *  +-------+-------+-------+-------+---------------+---------------+---------------+
 *  |type|flg| 0 0 |  restart_lsn (8)  | confirmed_flush (8) | invalidated_at (8)  |
 *  +----+---+-----+-------------------+---------------------+---------------------+
 *  | u16 len | name (UTF-8) | u16 len | plugin | u16 len | database |  (len 0xFFFF = null)
 *  +---------+--------------+---------+--------+---------+----------+
 * </pre>
 * type: 0 physical, 1 logical; flg: bit 0 temporary, bit 1 two_phase, bit 2 failover (a bit
 * older files leave clear, so they read as failover = false).
 */
final class SlotStateDescriptor {

    static final int MAGIC = 0x4C52534C; // "LRSL"
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 16;
    static final int OFF_CRC = 4;
    static final int OFF_VERSION = 8;
    static final int OFF_LENGTH = 12;
    private static final int FIXED_BODY = 4 + 8 + 8 + 8;
    private static final int NULL_STRING = 0xFFFF;
    private static final int MAX_BODY = 1 << 16;

    private SlotStateDescriptor() {}

    static byte[] encode(ReplicationSlot s) {
        byte[] name = bytes(s.name());
        byte[] plugin = bytes(s.plugin());
        byte[] database = bytes(s.database());
        int body = FIXED_BODY + 6 + len(name) + len(plugin) + len(database);
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + body);
        b.putInt(MAGIC).putInt(0).putInt(VERSION).putInt(body);
        b.put((byte) (s.type() == SlotType.LOGICAL ? 1 : 0));
        b.put((byte) ((s.temporary() ? 1 : 0) | (s.twoPhase() ? 2 : 0) | (s.failover() ? 4 : 0)));
        b.putShort((short) 0);
        b.putLong(s.restartLsn()).putLong(s.confirmedFlushLsn()).putLong(s.invalidatedAt());
        putString(b, name);
        putString(b, plugin);
        putString(b, database);
        b.putInt(OFF_CRC, crc(b.array()));
        return b.array();
    }

    /**
     * Decodes and verifies a state file's bytes.
     *
     * @throws LrepException DATA_CORRUPTED naming {@code file}, with PostgreSQL's messages for a
     *     wrong magic number, version, length or checksum
     */
    static ReplicationSlot decode(byte[] data, Path file) {
        if (data.length < HEADER_LENGTH) {
            throw corrupt("replication slot file \"" + file + "\" has corrupted length " + data.length);
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        int magic = b.getInt(0);
        if (magic != MAGIC) {
            throw corrupt("replication slot file \"" + file + "\" has wrong magic number: " + Integer.toUnsignedString(magic)
                    + " instead of " + MAGIC);
        }
        int version = b.getInt(OFF_VERSION);
        if (version != VERSION) {
            throw corrupt("replication slot file \"" + file + "\" has unsupported version " + Integer.toUnsignedString(version));
        }
        int length = b.getInt(OFF_LENGTH);
        if (length < FIXED_BODY + 6 || length > MAX_BODY || length != data.length - HEADER_LENGTH) {
            throw corrupt("replication slot file \"" + file + "\" has corrupted length " + Integer.toUnsignedString(length));
        }
        int stored = b.getInt(OFF_CRC);
        int computed = crc(data);
        if (stored != computed) {
            throw corrupt("checksum mismatch for replication slot file \"" + file + "\": is " + Integer.toUnsignedString(computed)
                    + ", should be " + Integer.toUnsignedString(stored));
        }
        try {
            b.position(HEADER_LENGTH);
            int type = b.get();
            int flags = b.get();
            b.getShort();
            long restart = b.getLong();
            long confirmed = b.getLong();
            long invalidatedAt = b.getLong();
            String name = getString(b);
            String plugin = getString(b);
            String database = getString(b);
            if ((type != 0 && type != 1) || name == null || b.hasRemaining()) {
                throw corrupt("replication slot file \"" + file + "\" has invalid contents");
            }
            return new ReplicationSlot(name, type == 1 ? SlotType.LOGICAL : SlotType.PHYSICAL, plugin, database, (flags & 1) != 0, 0,
                    restart, confirmed, invalidatedAt, (flags & 2) != 0, (flags & 4) != 0);
        } catch (BufferUnderflowException e) {
            throw corrupt("replication slot file \"" + file + "\" has invalid contents");
        }
    }

    private static int crc(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data, OFF_VERSION, data.length - OFF_VERSION);
        return (int) c.getValue();
    }

    private static LrepException corrupt(String message) {
        return new LrepException(SqlState.DATA_CORRUPTED, message);
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static void putString(ByteBuffer b, byte[] s) {
        if (s == null) {
            b.putShort((short) NULL_STRING);
        } else {
            b.putShort((short) s.length).put(s);
        }
    }

    private static String getString(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        if (n == NULL_STRING) {
            return null;
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
