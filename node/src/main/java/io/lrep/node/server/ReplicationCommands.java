package io.lrep.node.server;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.SnapshotPin;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.WalLog;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.SqlSession;
import io.lrep.publisher.slot.ReplicationSlot;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.slot.SlotManager.SlotSpec;
import io.lrep.publisher.slot.SlotType;
import io.lrep.publisher.walsender.ReplicationCommand;
import io.lrep.publisher.walsender.ReplicationCommand.CreateSlot;
import io.lrep.publisher.walsender.ReplicationCommand.SnapshotAction;
import io.lrep.core.protocol.pgoutput.PgOutputEncoder;
import io.lrep.core.storage.Transaction;
import io.lrep.publisher.decoding.DecodingListener;
import io.lrep.publisher.decoding.HistoricCatalog;
import io.lrep.publisher.pgoutput.PgOutputOptions;
import io.lrep.publisher.pgoutput.PgOutputPlugin;
import io.lrep.publisher.publication.RowFilterCompiler;
import io.lrep.publisher.walsender.CatalogStateStore;
import io.lrep.publisher.walsender.OutputPlugin;
import io.lrep.publisher.walsender.WalSender;
import io.lrep.publisher.walsender.WalSenderTransport;
import io.lrep.publisher.walsender.WalSenders;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The replication commands of a walsender connection other than SHOW (which runs as SQL) and
 * START_REPLICATION (which streams): IDENTIFY_SYSTEM, TIMELINE_HISTORY,
 * CREATE_REPLICATION_SLOT, READ_REPLICATION_SLOT, DROP_REPLICATION_SLOT, as PostgreSQL 15's
 * walsender.c answers them (reference §4.2). Thread-safe: one instance serves every connection.
 */
public final class ReplicationCommands {

    /** What IDENTIFY_SYSTEM reports of the node. */
    public record Identity(long systemId, int timeline) {}

    /** Who runs a command: its backend, its database (null on a physical connection) and its SQL session. */
    record Caller(int pid, String database, SqlSession session) {}

    /**
     * A command's result set (text format) and what the connection must hold until its next
     * command (an exported snapshot's pin), or null.
     */
    record Result(List<ColumnInfo> columns, List<Object[]> rows, AutoCloseable heldUntilNextCommand) {
        static Result none() {
            return new Result(List.of(), List.of(), null);
        }
    }

    private final Identity identity;
    private final WalLog wal;
    private final SlotManager slots;
    private final StorageEngine storage;
    private final RowFilterCompiler rowFilters;
    private final WalSender.Settings walSenderSettings;
    private final WalSenders walSenders;

    /**
     * @param rowFilters compiles publications' row filters for pgoutput
     * @param walSenderSettings wal_sender_timeout and logical_decoding_work_mem
     * @param walSenders where running walsenders are listed (pg_stat_replication)
     */
    public ReplicationCommands(Identity identity, WalLog wal, SlotManager slots, StorageEngine storage, RowFilterCompiler rowFilters,
            WalSender.Settings walSenderSettings, WalSenders walSenders) {
        this.identity = identity;
        this.wal = wal;
        this.slots = slots;
        this.storage = storage;
        this.rowFilters = rowFilters;
        this.walSenderSettings = walSenderSettings;
        this.walSenders = walSenders;
    }

    WalSenders walSenders() {
        return walSenders;
    }

    /**
     * Prepares START_REPLICATION SLOT s LOGICAL: acquires the slot for {@code caller}, checks
     * pgoutput's options and builds the walsender (errors here come before CopyBothResponse,
     * as PostgreSQL's). The caller runs it, then closes it and releases the slot.
     */
    WalSender openWalSender(ReplicationCommand.StartLogical start, Caller caller, WalSenderTransport transport) {
        if (caller.database() == null) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "logical decoding requires a database connection");
        }
        if (caller.session().transactionStatus() != 'I') {
            throw new LrepException(SqlState.ACTIVE_SQL_TRANSACTION, "START_REPLICATION cannot run inside a transaction block");
        }
        slots.acquireForDecoding(start.slotName(), caller.pid(), caller.database());
        try {
            PgOutputOptions options = PgOutputOptions.parse(start.options());
            PgOutputEncoder encoder = new PgOutputEncoder(options.protocolVersion());
            OutputPlugin plugin = new OutputPlugin() {
                @Override
                public DecodingListener open(io.lrep.publisher.walsender.PgOutputSink sink) {
                    return new PgOutputPlugin(options, storage, rowFilters, (message, walPosition) -> {
                        ByteBuf buf = sink.begin(walPosition, walPosition);
                        encoder.encode(message, buf);
                        sink.end();
                    });
                }

                @Override
                public boolean streaming() {
                    return options.streams();
                }
            };
            return new WalSender(slots, start.slotName(), caller.pid(), start.startLsn(), wal, plugin, transport, walSenderSettings,
                    () -> currentCatalog(storage));
        } catch (RuntimeException e) {
            slots.release(start.slotName(), caller.pid());
            throw e;
        }
    }

    /**
     * The committed table definitions now, as the catalog a new logical slot starts decoding
     * with (saved with the slot at its restart_lsn, so later DDL is decoded from the WAL).
     */
    static HistoricCatalog currentCatalog(StorageEngine storage) {
        try (Transaction t = storage.begin()) {
            return HistoricCatalog.of(t.tables());
        }
    }

    /** Saves the catalog a just-created logical slot decodes from, as of its restart_lsn. */
    static void saveInitialCatalog(SlotManager slots, StorageEngine storage, ReplicationSlot slot) {
        CatalogStateStore.save(slots, slot.name(), slot.restartLsn(), currentCatalog(storage).serialize(slot.restartLsn()));
    }

    SlotManager slots() {
        return slots;
    }

    WalLog wal() {
        return wal;
    }

    StorageEngine storage() {
        return storage;
    }

    /**
     * Runs {@code command} (not SHOW, not START_REPLICATION).
     *
     * @throws LrepException with PostgreSQL's SQLSTATE and message
     */
    Result execute(ReplicationCommand command, Caller caller) {
        if (caller.session().transactionStatus() == 'E') {
            throw new LrepException(SqlState.IN_FAILED_SQL_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block");
        }
        if (command instanceof ReplicationCommand.IdentifySystem) {
            return identifySystem(caller);
        } else if (command instanceof ReplicationCommand.TimelineHistory t) {
            // lrep has one timeline, 1, and no timeline has a history file (PostgreSQL has none for timeline 1 either)
            throw new LrepException(SqlState.UNDEFINED_FILE, "could not open file \"pg_wal/" + String.format("%08X", t.timeline())
                    + ".history\": No such file or directory");
        } else if (command instanceof CreateSlot c) {
            return createSlot(c, caller);
        } else if (command instanceof ReplicationCommand.ReadSlot r) {
            return readSlot(r.slotName());
        } else if (command instanceof ReplicationCommand.AlterSlot a) {
            if (a.failover() != null) {
                slots.alter(a.slotName(), a.failover(), caller.pid());
            } else {
                slots.slot(a.slotName()); // 42704 for a missing slot, as ReplicationSlotAcquire
            }
            return Result.none();
        } else if (command instanceof ReplicationCommand.DropSlot d) {
            slots.drop(d.slotName(), caller.pid(), d.await());
            return Result.none();
        } else if (command instanceof ReplicationCommand.BaseBackup) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "BASE_BACKUP is not supported by lrep");
        } else if (command instanceof ReplicationCommand.StartPhysical) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "physical replication (START_REPLICATION ... PHYSICAL) is not supported by lrep");
        }
        throw new IllegalArgumentException("not run here: " + command);
    }

    private Result identifySystem(Caller caller) {
        List<ColumnInfo> columns = List.of(ColumnInfo.of("systemid", PgType.TEXT), ColumnInfo.of("timeline", PgType.INT8),
                ColumnInfo.of("xlogpos", PgType.TEXT), ColumnInfo.of("dbname", PgType.TEXT));
        Object[] row = {Long.toUnsignedString(identity.systemId()), (long) identity.timeline(), Lsn.format(wal.flushedLsn()), caller.database()};
        return new Result(columns, List.<Object[]>of(row), null);
    }

    private Result createSlot(CreateSlot c, Caller caller) {
        if (c.logical() && caller.database() == null) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "logical decoding requires a database connection");
        }
        String command = "CREATE_REPLICATION_SLOT ... (SNAPSHOT '" + c.snapshot().name().toLowerCase(Locale.ROOT) + "')";
        boolean inBlock = caller.session().transactionStatus() != 'I';
        if (c.logical() && c.snapshot() == SnapshotAction.EXPORT && inBlock) {
            throw new LrepException(SqlState.INTERNAL_ERROR, command + " must not be called inside a transaction");
        }
        if (c.logical() && c.snapshot() == SnapshotAction.USE && !inBlock) {
            throw new LrepException(SqlState.INTERNAL_ERROR, command + " must be called inside a transaction");
        }
        if (c.twoPhase()) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "two-phase decoding (TWO_PHASE) is not supported by lrep");
        }
        SlotSpec spec = c.logical()
                ? new SlotSpec(c.slotName(), SlotType.LOGICAL, c.plugin(), caller.database(), c.temporary(), false, true, c.failover())
                : SlotSpec.physical(c.slotName(), c.reserveWal(), c.temporary());
        boolean snapshotWanted = c.logical() && c.snapshot() != SnapshotAction.NOTHING;
        LongFunction<SnapshotPin> pin = snapshotWanted ? storage::pinSnapshot : lsn -> null;
        SlotManager.Created<SnapshotPin> created;
        // an older snapshot pinned from before the consistent point is chosen: vacuum cannot pass it meanwhile
        SnapshotPin guard = snapshotWanted ? storage.pinSnapshot() : null;
        try {
            created = slots.create(spec, caller.pid(), pin);
        } finally {
            if (guard != null) {
                guard.close();
            }
        }
        if (c.logical()) {
            saveInitialCatalog(slots, storage, created.slot());
        }
        SnapshotPin snapshot = created.attachment();
        String snapshotName = null;
        AutoCloseable held = null;
        try {
            if (snapshot != null && c.snapshot() == SnapshotAction.USE) {
                try {
                    caller.session().useSnapshot(created.consistentPoint());
                } catch (RuntimeException e) {
                    // as PostgreSQL's ephemeral slot: a slot whose creation failed does not stay
                    try {
                        slots.drop(c.slotName(), caller.pid(), false);
                    } catch (RuntimeException dropFailure) {
                        e.addSuppressed(dropFailure);
                    }
                    throw e;
                }
            } else if (snapshot != null) {
                snapshotName = String.format("%08X-%08X-1", caller.pid(), created.consistentPoint() & 0xFFFFFFFFL);
                held = snapshot;
                snapshot = null; // exported: held until the connection's next command
            }
        } finally {
            if (snapshot != null) {
                snapshot.close();
            }
        }
        List<ColumnInfo> columns = List.of(ColumnInfo.of("slot_name", PgType.TEXT), ColumnInfo.of("consistent_point", PgType.TEXT),
                ColumnInfo.of("snapshot_name", PgType.TEXT), ColumnInfo.of("output_plugin", PgType.TEXT));
        long lsn = created.consistentPoint();
        Object[] row = {c.slotName(), lsn == 0 ? "0/0" : Lsn.format(lsn), snapshotName, c.logical() ? c.plugin() : null};
        return new Result(columns, List.<Object[]>of(row), held);
    }

    private Result readSlot(String name) {
        SlotManager.validateName(name);
        List<ColumnInfo> columns = List.of(ColumnInfo.of("slot_type", PgType.TEXT), ColumnInfo.of("restart_lsn", PgType.TEXT),
                ColumnInfo.of("restart_tli", PgType.INT8));
        Optional<ReplicationSlot> slot = slots.get(name);
        Object[] row = new Object[3];
        if (slot.isPresent()) {
            ReplicationSlot s = slot.get();
            if (s.type() == SlotType.LOGICAL) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot use READ_REPLICATION_SLOT with a logical replication slot");
            }
            row[0] = s.type().sqlName();
            if (s.restartLsn() != 0) {
                row[1] = Lsn.format(s.restartLsn());
                row[2] = (long) identity.timeline();
            }
        }
        List<Object[]> rows = new ArrayList<>();
        rows.add(Arrays.copyOf(row, row.length));
        return new Result(columns, rows, null);
    }
}
