/**
 * Replication slots: {@link io.lrep.publisher.slot.SlotManager} creates, acquires, advances,
 * persists and drops them and holds WAL back for them; {@link io.lrep.publisher.slot.ReplicationSlot}
 * is one slot's state.
 */
package io.lrep.publisher.slot;
