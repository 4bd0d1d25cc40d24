package io.lrep.publisher.walsender;

import java.util.List;

/**
 * A command of PostgreSQL's streaming-replication protocol, as a walsender connection
 * ({@code replication=database} or {@code replication=true}) receives it in a simple Query
 * message. {@link ReplicationCommandParser} makes them; PostgreSQL 15's grammar
 * (repl_gram.y) is the reference.
 */
public sealed interface ReplicationCommand {

    /** The command tag of the CommandComplete that ends it. */
    String tag();

    /** What a new logical slot does with the snapshot of its consistent point. */
    enum SnapshotAction {
        /** Export it for other sessions (the default); lrep names it, valid until the next command. */
        EXPORT,
        /** Make it the snapshot of the surrounding REPEATABLE READ READ ONLY transaction. */
        USE,
        /** Neither. */
        NOTHING
    }

    /** {@code IDENTIFY_SYSTEM}. */
    record IdentifySystem() implements ReplicationCommand {
        @Override
        public String tag() {
            return "IDENTIFY_SYSTEM";
        }
    }

    /** {@code SHOW name}: {@code name} as written, dotted parts joined with '.'. */
    record Show(String name) implements ReplicationCommand {
        @Override
        public String tag() {
            return "SHOW";
        }
    }

    /** {@code TIMELINE_HISTORY tli}. */
    record TimelineHistory(long timeline) implements ReplicationCommand {
        @Override
        public String tag() {
            return "TIMELINE_HISTORY";
        }
    }

    /**
     * {@code CREATE_REPLICATION_SLOT}, in either syntax.
     *
     * @param plugin the output plugin of a logical slot; null for a physical slot
     * @param failover PostgreSQL 17's {@code FAILOVER} option (logical slots)
     */
    record CreateSlot(String slotName, boolean temporary, boolean logical, String plugin, SnapshotAction snapshot,
            boolean reserveWal, boolean twoPhase, boolean failover) implements ReplicationCommand {

        public CreateSlot(String slotName, boolean temporary, boolean logical, String plugin, SnapshotAction snapshot,
                boolean reserveWal, boolean twoPhase) {
            this(slotName, temporary, logical, plugin, snapshot, reserveWal, twoPhase, false);
        }

        @Override
        public String tag() {
            return "CREATE_REPLICATION_SLOT";
        }
    }

    /**
     * PostgreSQL 17's {@code ALTER_REPLICATION_SLOT name ( option [value] [, ...] )}.
     *
     * @param failover the {@code FAILOVER} option's value, null when not given
     */
    record AlterSlot(String slotName, Boolean failover) implements ReplicationCommand {
        @Override
        public String tag() {
            return "ALTER_REPLICATION_SLOT";
        }
    }

    /** {@code READ_REPLICATION_SLOT name}. */
    record ReadSlot(String slotName) implements ReplicationCommand {
        @Override
        public String tag() {
            return "READ_REPLICATION_SLOT";
        }
    }

    /** {@code DROP_REPLICATION_SLOT name [WAIT]}. */
    record DropSlot(String slotName, boolean await) implements ReplicationCommand {
        @Override
        public String tag() {
            return "DROP_REPLICATION_SLOT";
        }
    }

    /** One output-plugin option of START_REPLICATION; {@code value} is null when none was given. */
    record PluginOption(String name, String value) {}

    /** {@code START_REPLICATION SLOT name LOGICAL X/X [(option ['value'], ...)]}. */
    record StartLogical(String slotName, long startLsn, List<PluginOption> options) implements ReplicationCommand {
        public StartLogical {
            options = List.copyOf(options);
        }

        @Override
        public String tag() {
            return "START_REPLICATION";
        }
    }

    /**
     * {@code START_REPLICATION [SLOT name] [PHYSICAL] X/X [TIMELINE tli]}.
     *
     * @param slotName null when no slot was named
     * @param timeline 0 when none was given
     */
    record StartPhysical(String slotName, long startLsn, long timeline) implements ReplicationCommand {
        @Override
        public String tag() {
            return "START_REPLICATION";
        }
    }

    /** {@code BASE_BACKUP [...]}: recognised (so it is not run as SQL), not supported. */
    record BaseBackup() implements ReplicationCommand {
        @Override
        public String tag() {
            return "BASE_BACKUP";
        }
    }
}
