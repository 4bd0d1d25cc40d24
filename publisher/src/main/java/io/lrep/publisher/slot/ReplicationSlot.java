package io.lrep.publisher.slot;

/**
 * One replication slot as it stands at a moment: an immutable copy of the {@link SlotManager}'s
 * state. LSNs are raw longs; 0 is PostgreSQL's InvalidXLogRecPtr (shown as NULL).
 *
 * @param name the slot's name: lower case letters, digits and underscores, at most 63 bytes
 * @param type logical or physical
 * @param plugin the output plugin of a logical slot ({@code pgoutput}), null for a physical one
 * @param database the database a logical slot is bound to, null for a physical one
 * @param temporary dropped when its session ends or the node restarts; never persisted as a slot
 * @param activePid the backend that has the slot acquired, or 0
 * @param restartLsn the oldest WAL the slot's consumer may still need (WAL from here is kept);
 *     0 when the slot reserves no WAL (a physical slot created without reserving, or invalidated)
 * @param confirmedFlushLsn what the consumer has confirmed as flushed (logical slots; 0 otherwise)
 * @param invalidatedAt the restart LSN the slot had when it was invalidated for falling behind
 *     {@code max_slot_wal_keep_size}, or 0 when it is valid
 * @param twoPhase whether prepared transactions are decoded (always false: not supported)
 * @param failover PostgreSQL 17's failover flag (CREATE_REPLICATION_SLOT ... (FAILOVER),
 *     ALTER_REPLICATION_SLOT): saved with the slot and shown in pg_replication_slots; lrep has no
 *     standbys to synchronise slots to, so it changes nothing else
 */
public record ReplicationSlot(String name, SlotType type, String plugin, String database, boolean temporary, int activePid,
        long restartLsn, long confirmedFlushLsn, long invalidatedAt, boolean twoPhase, boolean failover) {

    public boolean active() {
        return activePid != 0;
    }

    public boolean logical() {
        return type == SlotType.LOGICAL;
    }

    /** True once WAL the slot needed was given up (wal_status {@code lost}). */
    public boolean invalidated() {
        return invalidatedAt != 0 && restartLsn == 0;
    }
}
