package io.lrep.node.sql.catalog;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import io.lrep.node.sql.exec.Roles;
import io.lrep.publisher.decoding.HistoricCatalog;
import io.lrep.publisher.slot.ReplicationSlot;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.slot.SlotManager.SlotSpec;
import io.lrep.publisher.slot.SlotManager.SlotStatus;
import io.lrep.publisher.slot.SlotType;
import io.lrep.publisher.walsender.CatalogStateStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The SQL surface of replication slots, as PostgreSQL 15's: the view
 * {@code pg_catalog.pg_replication_slots} (15's columns, then 17's {@code failover} and
 * {@code synced}: lrep has no standbys, so a slot is never {@code synced} and its failover flag
 * is only recorded) and the functions
 * {@code pg_create_logical_replication_slot(slot_name name, plugin name, temporary boolean
 * DEFAULT false, twophase boolean DEFAULT false, failover boolean DEFAULT false)} (17's) and
 * {@code pg_create_physical_replication_slot(slot_name name, immediately_reserve boolean
 * DEFAULT false, temporary boolean DEFAULT false)}, both returning {@code (slot_name name, lsn
 * pg_lsn)}, and {@code pg_drop_replication_slot(name)}. Defaults are overloads; named arguments
 * are not supported. The functions need a superuser or a role with REPLICATION (42501).
 * Temporary slots belong to the calling backend and go when its session ends.
 *
 * <p>lrep has no xids to hold back, so {@code xmin} and {@code catalog_xmin} are always NULL
 * (typed oid: lrep has no xid type); {@code two_phase} is always false.
 */
public final class ReplicationSlotsCatalog implements CatalogExtension {

    /** PostgreSQL 15's oid of pg_replication_slots. */
    static final int VIEW_OID = 12257;
    private static final long TEMPLATE1_DB = 1;

    private static final List<ColumnInfo> COLUMNS = List.of(
            ColumnInfo.of("slot_name", PgType.NAME),
            ColumnInfo.of("plugin", PgType.NAME),
            ColumnInfo.of("slot_type", PgType.TEXT),
            ColumnInfo.of("datoid", PgType.OID),
            ColumnInfo.of("database", PgType.NAME),
            ColumnInfo.of("temporary", PgType.BOOL),
            ColumnInfo.of("active", PgType.BOOL),
            ColumnInfo.of("active_pid", PgType.INT4),
            ColumnInfo.of("xmin", PgType.OID),
            ColumnInfo.of("catalog_xmin", PgType.OID),
            ColumnInfo.of("restart_lsn", PgType.PG_LSN),
            ColumnInfo.of("confirmed_flush_lsn", PgType.PG_LSN),
            ColumnInfo.of("wal_status", PgType.TEXT),
            ColumnInfo.of("safe_wal_size", PgType.INT8),
            ColumnInfo.of("two_phase", PgType.BOOL),
            ColumnInfo.of("failover", PgType.BOOL),
            ColumnInfo.of("synced", PgType.BOOL));

    private static final List<ColumnInfo> CREATE_RESULT = List.of(ColumnInfo.of("slot_name", PgType.NAME),
            ColumnInfo.of("lsn", PgType.PG_LSN));

    private final SlotManager slots;

    public ReplicationSlotsCatalog(SlotManager slots) {
        this.slots = slots;
    }

    @Override
    public List<SystemView> views() {
        return List.of(new SystemView() {
            @Override
            public String schema() {
                return "pg_catalog";
            }

            @Override
            public String name() {
                return "pg_replication_slots";
            }

            @Override
            public int oid() {
                return VIEW_OID;
            }

            @Override
            public List<ColumnInfo> columns() {
                return COLUMNS;
            }

            @Override
            public Iterator<Object[]> rows(QueryContext context) {
                List<Object[]> rows = new ArrayList<>();
                for (SlotStatus st : slots.statuses()) {
                    rows.add(row(st));
                }
                return rows.iterator();
            }
        });
    }

    private static Object[] row(SlotStatus st) {
        ReplicationSlot s = st.slot();
        return new Object[] {s.name(), s.plugin(), s.type().sqlName(), s.database() == null ? null : databaseOid(s.database()),
            s.database(), s.temporary(), s.active(), s.active() ? s.activePid() : null, null, null, lsn(s.restartLsn()),
            lsn(s.confirmedFlushLsn()), st.walStatus() == null ? null : st.walStatus().sqlName(), st.safeWalSizeBytes(), s.twoPhase(),
            s.failover(), false};
    }

    private static long databaseOid(String database) {
        return database.equals("template1") ? TEMPLATE1_DB : PgCatalogViews.POSTGRES_DB;
    }

    private static Lsn lsn(long value) {
        return value == 0 ? null : Lsn.of(value);
    }

    @Override
    public List<SqlFunction> functions() {
        PgType name = PgType.NAME;
        PgType bool = PgType.BOOL;
        List<SqlFunction> l = new ArrayList<>();
        SqlFunction.SetReturning logical = (c, a) -> {
            boolean temporary = a.length > 2 && (Boolean) a[2];
            boolean twoPhase = a.length > 3 && (Boolean) a[3];
            boolean failover = a.length > 4 && (Boolean) a[4];
            return createLogical(c, (String) a[0], (String) a[1], temporary, twoPhase, failover);
        };
        l.add(SqlFunction.setReturning("pg_create_logical_replication_slot", List.of(name, name), CREATE_RESULT, true, logical));
        l.add(SqlFunction.setReturning("pg_create_logical_replication_slot", List.of(name, name, bool), CREATE_RESULT, true, logical));
        l.add(SqlFunction.setReturning("pg_create_logical_replication_slot", List.of(name, name, bool, bool), CREATE_RESULT, true,
                logical));
        l.add(SqlFunction.setReturning("pg_create_logical_replication_slot", List.of(name, name, bool, bool, bool), CREATE_RESULT,
                true, logical));
        SqlFunction.SetReturning physical = (c, a) -> {
            boolean reserve = a.length > 1 && (Boolean) a[1];
            boolean temporary = a.length > 2 && (Boolean) a[2];
            return createPhysical(c, (String) a[0], reserve, temporary);
        };
        l.add(SqlFunction.setReturning("pg_create_physical_replication_slot", List.of(name), CREATE_RESULT, true, physical));
        l.add(SqlFunction.setReturning("pg_create_physical_replication_slot", List.of(name, bool), CREATE_RESULT, true, physical));
        l.add(SqlFunction.setReturning("pg_create_physical_replication_slot", List.of(name, bool, bool), CREATE_RESULT, true,
                physical));
        // pg_logical_emit_message(transactional, prefix, content): a message for logical decoding;
        // transactional ones go with the calling transaction (decoded at its commit, gone if it aborts)
        SqlFunction.Scalar emit = (c, a) -> {
            byte[] content = a[2] instanceof byte[] b ? b : ((String) a[2]).getBytes(StandardCharsets.UTF_8);
            return Lsn.of(c.transaction().emitMessage((Boolean) a[0], (String) a[1], content));
        };
        l.add(new SqlFunction("pg_catalog", "pg_logical_emit_message", List.of(bool, PgType.TEXT, PgType.TEXT), false, PgType.PG_LSN,
                true, true, emit, false, List.of(), null));
        l.add(new SqlFunction("pg_catalog", "pg_logical_emit_message", List.of(bool, PgType.TEXT, PgType.BYTEA), false, PgType.PG_LSN,
                true, true, emit, false, List.of(), null));
        l.add(new SqlFunction("pg_catalog", "pg_drop_replication_slot", List.of(name), false, PgType.VOID, true, true, (c, a) -> {
            checkPermission(c);
            slots.drop((String) a[0], pid(c), false);
            return "";
        }, false, List.of(), null));
        return l;
    }

    private Iterator<Object[]> createLogical(QueryContext c, String slotName, String plugin, boolean temporary, boolean twoPhase,
            boolean failover) {
        checkPermission(c);
        SessionContext session = c.session();
        String database = session == null ? "postgres" : session.database();
        SlotSpec spec = new SlotSpec(slotName, SlotType.LOGICAL, plugin, database, temporary, twoPhase, true, failover);
        SlotManager.Created<Void> created = slots.create(spec, pid(c), null);
        // the catalog decoding starts from, saved with the slot as of its restart_lsn
        long restart = created.slot().restartLsn();
        CatalogStateStore.save(slots, slotName, restart, HistoricCatalog.of(c.transaction().tables()).serialize(restart));
        return List.<Object[]>of(new Object[] {slotName, Lsn.of(created.consistentPoint())}).iterator();
    }

    private Iterator<Object[]> createPhysical(QueryContext c, String slotName, boolean reserve, boolean temporary) {
        checkPermission(c);
        SlotManager.Created<Void> created = slots.create(SlotSpec.physical(slotName, reserve, temporary), pid(c), null);
        return List.<Object[]>of(new Object[] {slotName, lsn(created.consistentPoint())}).iterator();
    }

    private static int pid(QueryContext c) {
        return c.session() == null ? 0 : c.session().backendPid();
    }

    /** CheckSlotPermissions: a superuser or a role with REPLICATION. */
    private static void checkPermission(QueryContext c) {
        if (c.session() == null) {
            return;
        }
        boolean allowed = Roles.find(c.storage(), c.session().user()).map(r -> r.superuser() || r.replication()).orElse(false);
        if (!allowed) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be superuser or replication role to use replication slots");
        }
    }

    @Override
    public void onSessionEnd(SessionContext session) {
        slots.onSessionEnd(session.backendPid());
    }
}
