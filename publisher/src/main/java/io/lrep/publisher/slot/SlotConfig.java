package io.lrep.publisher.slot;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;

/**
 * The settings a {@link SlotManager} honours.
 *
 * @param maxReplicationSlots {@code max_replication_slots}: how many slots may exist
 * @param maxSlotWalKeepSizeBytes {@code max_slot_wal_keep_size} in bytes; -1 = unlimited
 * @param maxWalSizeBytes {@code max_wal_size} in bytes: only decides {@code reserved} against
 *     {@code extended} in wal_status (lrep's checkpoints are timed, not sized)
 * @param walSegmentSizeBytes the WAL's segment size: retention works in whole segments
 * @param fsync whether state files and their directories are fsynced
 */
public record SlotConfig(int maxReplicationSlots, long maxSlotWalKeepSizeBytes, long maxWalSizeBytes, int walSegmentSizeBytes,
        boolean fsync) {

    /** PostgreSQL's default {@code max_wal_size}, 1 GB. */
    public static final long DEFAULT_MAX_WAL_SIZE_BYTES = 1024L * 1024 * 1024;

    public SlotConfig {
        if (maxReplicationSlots < 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "max_replication_slots: " + maxReplicationSlots
                    + " (expected: 0 or more)");
        }
        if (maxSlotWalKeepSizeBytes < -1) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "max_slot_wal_keep_size: " + maxSlotWalKeepSizeBytes
                    + " bytes (expected: -1 or more)");
        }
        if (walSegmentSizeBytes <= 0 || maxWalSizeBytes <= 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "wal segment size " + walSegmentSizeBytes
                    + ", max_wal_size " + maxWalSizeBytes + " (expected: positive)");
        }
    }

    /** Defaults but for the limits, with PostgreSQL's default max_wal_size. */
    public static SlotConfig of(int maxReplicationSlots, long maxSlotWalKeepSizeBytes, int walSegmentSizeBytes, boolean fsync) {
        return new SlotConfig(maxReplicationSlots, maxSlotWalKeepSizeBytes, DEFAULT_MAX_WAL_SIZE_BYTES, walSegmentSizeBytes, fsync);
    }
}
