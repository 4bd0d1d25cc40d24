package io.lrep.publisher.slot;

import java.util.Locale;

/** What a replication slot serves: a logical decoding stream or a physical WAL stream. */
public enum SlotType {
    PHYSICAL,
    LOGICAL;

    /** As {@code pg_replication_slots.slot_type} shows it: {@code physical} or {@code logical}. */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
