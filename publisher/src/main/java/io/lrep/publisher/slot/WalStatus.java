package io.lrep.publisher.slot;

import java.util.Locale;

/**
 * How safe the WAL a slot needs is, as {@code pg_replication_slots.wal_status} shows it
 * (PostgreSQL's {@code WALAvailability}).
 */
public enum WalStatus {
    /** Within {@code max_wal_size}. */
    RESERVED,
    /** Beyond {@code max_wal_size}, but still kept for the slot. */
    EXTENDED,
    /** No longer kept for the slot (beyond {@code max_slot_wal_keep_size}) but not yet removed. */
    UNRESERVED,
    /** Removed: the slot is invalidated and can no longer be used. */
    LOST;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
