package io.lrep.subscriber.subscription;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The subscription catalogs as ordinary storage tables in {@code pg_catalog} (transactional,
 * WAL-logged and checkpointed like pg_authid):
 * <ul>
 * <li>{@code pg_subscription} with PostgreSQL 15's columns plus 16's {@code subpasswordrequired}
 *     and {@code suborigin} and 17's {@code subfailover} (in 17's place, after
 *     {@code subpasswordrequired}), keyed by {@code oid}; oids come from
 *     {@code pg_subscription_oid_seq}. A data directory made before {@code subfailover} gets it
 *     as an added last column (rows written before read {@code false}); rows are mapped by
 *     column name, so both layouts read and write alike;
 * <li>{@code pg_subscription_rel (srsubid, srrelid, srsubstate "char", srsublsn pg_lsn)}, keyed
 *     by {@code (srrelid, srsubid)} as PostgreSQL's unique index.
 * </ul>
 * Every method works in the caller's transaction and its statement snapshot; nothing here
 * checks privileges (the SQL layer does). The workers read and write pg_subscription_rel
 * states through {@link #rels}, {@link #rel} and {@link #setRelState}.
 */
public final class SubscriptionCatalog {

    public static final String SCHEMA = "pg_catalog";
    public static final String SUBSCRIPTION = "pg_subscription";
    public static final String SUBSCRIPTION_REL = "pg_subscription_rel";
    public static final String OID_SEQ = "pg_subscription_oid_seq";

    private static final String FAILOVER_COLUMN = "subfailover";
    /** pg_subscription's columns as {@link #toRow(TableDef, Subscription)} fills them, in 17's order. */
    private static final List<String> COLUMNS = List.of("oid", "subdbid", "subskiplsn", "subname", "subowner", "subenabled",
            "subbinary", "substream", "subtwophasestate", "subdisableonerr", "subpasswordrequired", FAILOVER_COLUMN, "subconninfo",
            "subslotname", "subsynccommit", "subpublications", "suborigin");

    private SubscriptionCatalog() {}

    private static ColumnDef failoverColumn() {
        return ColumnDef.of(FAILOVER_COLUMN, PgType.BOOL).notNullColumn().withMissingValue(false);
    }

    /** Creates the two tables and the oid sequence unless they exist (init, and data directories made before them). */
    public static void bootstrap(Transaction t) {
        if (t.findTable(SCHEMA, SUBSCRIPTION) == null) {
            t.createTable(SCHEMA, SUBSCRIPTION, List.of(
                    ColumnDef.of("oid", PgType.OID).notNullColumn(),
                    ColumnDef.of("subdbid", PgType.OID).notNullColumn(),
                    ColumnDef.of("subskiplsn", PgType.PG_LSN).notNullColumn(),
                    ColumnDef.of("subname", PgType.NAME).notNullColumn(),
                    ColumnDef.of("subowner", PgType.OID).notNullColumn(),
                    ColumnDef.of("subenabled", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("subbinary", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("substream", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("subtwophasestate", PgType.CHAR).notNullColumn(),
                    ColumnDef.of("subdisableonerr", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("subpasswordrequired", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("subfailover", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("subconninfo", PgType.TEXT).notNullColumn(),
                    ColumnDef.of("subslotname", PgType.NAME),
                    ColumnDef.of("subsynccommit", PgType.TEXT).notNullColumn(),
                    ColumnDef.of("subpublications", PgType.TEXT_ARRAY).notNullColumn(),
                    ColumnDef.of("suborigin", PgType.TEXT)), List.of("oid"));
        } else if (t.findTable(SCHEMA, SUBSCRIPTION).column(FAILOVER_COLUMN) == null) {
            t.addColumn(t.findTable(SCHEMA, SUBSCRIPTION), failoverColumn());
        }
        if (t.findTable(SCHEMA, SUBSCRIPTION_REL) == null) {
            t.createTable(SCHEMA, SUBSCRIPTION_REL, List.of(
                    ColumnDef.of("srsubid", PgType.OID).notNullColumn(),
                    ColumnDef.of("srrelid", PgType.OID).notNullColumn(),
                    ColumnDef.of("srsubstate", PgType.CHAR).notNullColumn(),
                    ColumnDef.of("srsublsn", PgType.PG_LSN)), List.of("srrelid", "srsubid"));
        }
        if (t.findSequence(SCHEMA, OID_SEQ) == null) {
            t.createSequence(new SequenceDef(0, 0, SCHEMA, OID_SEQ, 16384, 1, 16384, Integer.MAX_VALUE, false, 1, 0, 0));
        }
    }

    /** Whether the catalogs exist as this version has them (else {@link #bootstrap} creates or completes them). */
    public static boolean installed(Transaction t) {
        TableDef def = t.findTable(SCHEMA, SUBSCRIPTION);
        return def != null && def.column(FAILOVER_COLUMN) != null;
    }

    // ------------------------------------------------------------------ pg_subscription

    /** Every subscription, by oid. */
    public static List<Subscription> all(Transaction t) {
        List<Subscription> out = new ArrayList<>();
        for (RowRef r : t.rows(SCHEMA, SUBSCRIPTION)) {
            out.add(toSubscription(t, r.values()));
        }
        out.sort(Comparator.comparingLong(Subscription::oid));
        return out;
    }

    public static Optional<Subscription> find(Transaction t, String name) {
        RowRef r = subscriptionRow(t, name);
        return r == null ? Optional.empty() : Optional.of(toSubscription(t, r.values()));
    }

    public static Optional<Subscription> find(Transaction t, long oid) {
        TableDef def = t.findTable(SCHEMA, SUBSCRIPTION);
        RowRef r = def == null ? null : t.get(def, new Object[] {oid}, t.statementSnapshot());
        return r == null ? Optional.empty() : Optional.of(toSubscription(t, r.values()));
    }

    /** The subscription called {@code name}; 42704 {@code subscription "x" does not exist} when there is none. */
    public static Subscription get(Transaction t, String name) {
        return find(t, name).orElseThrow(() -> undefined(name));
    }

    public static LrepException undefined(String name) {
        return new LrepException(SqlState.UNDEFINED_OBJECT, "subscription \"" + name + "\" does not exist");
    }

    private static LrepException duplicate(String name) {
        return new LrepException(SqlState.DUPLICATE_OBJECT, "subscription \"" + name + "\" already exists");
    }

    /** A new subscription oid (from pg_subscription_oid_seq). */
    public static long nextOid(Transaction t) {
        return t.nextval(t.sequence(SCHEMA, OID_SEQ));
    }

    /** Inserts {@code s} (its oid from {@link #nextOid}); 42710 {@code subscription "x" already exists} when the name is taken. */
    public static void insert(Transaction t, Subscription s) {
        if (subscriptionRow(t, s.name()) != null) {
            throw duplicate(s.name());
        }
        TableDef def = t.table(SCHEMA, SUBSCRIPTION);
        t.insert(def, toRow(def, s));
    }

    /** Rewrites the row of {@code s.oid()}; 42710 when a rename takes another's name. */
    public static void update(Transaction t, Subscription s) {
        TableDef def = t.table(SCHEMA, SUBSCRIPTION);
        RowRef r = t.get(def, new Object[] {s.oid()}, t.statementSnapshot());
        if (r == null) {
            throw undefined(s.name());
        }
        if (!s.name().equals(r.values()[3]) && subscriptionRow(t, s.name()) != null) {
            throw duplicate(s.name());
        }
        t.writeCatalogRow(r, toRow(def, s));
    }

    /** Deletes the subscription and its pg_subscription_rel rows. */
    public static void drop(Transaction t, Subscription s) {
        for (RowRef r : relRows(t, s.oid())) {
            t.writeCatalogRow(r, null);
        }
        RowRef r = t.get(t.table(SCHEMA, SUBSCRIPTION), new Object[] {s.oid()}, t.statementSnapshot());
        if (r != null) {
            t.writeCatalogRow(r, null);
        }
    }

    /**
     * Whether the role {@code ownerOid} is a superuser now (PostgreSQL 16's
     * {@code sub->ownersuperuser}), read from pg_authid by column name; false for a role that is gone.
     */
    public static boolean ownerIsSuperuser(Transaction t, long ownerOid) {
        TableDef def = t.findTable(SCHEMA, "pg_authid");
        if (def == null) {
            return true; // a storage without roles (tests): everyone is the bootstrap superuser
        }
        int oidAt = def.column("oid").attnum() - 1;
        int superAt = def.column("rolsuper").attnum() - 1;
        for (Iterator<RowRef> it = t.scan(def, t.statementSnapshot()); it.hasNext();) {
            Object[] v = it.next().values();
            if (((Long) v[oidAt]) == ownerOid) {
                return Boolean.TRUE.equals(v[superAt]);
            }
        }
        return false;
    }

    /**
     * Whether connections for {@code sub} must authenticate with a password (PostgreSQL 16's
     * {@code must_use_password}): password_required is on and its owner is not a superuser.
     */
    public static boolean mustUsePassword(Transaction t, Subscription sub) {
        return sub.passwordRequired() && !ownerIsSuperuser(t, sub.ownerOid());
    }

    // ------------------------------------------------------------------ pg_subscription_rel

    /** The tables of one subscription, by table oid. */
    public static List<SubscriptionRel> rels(Transaction t, long subOid) {
        List<SubscriptionRel> out = new ArrayList<>();
        for (RowRef r : relRows(t, subOid)) {
            out.add(toRel(r.values()));
        }
        out.sort(Comparator.comparingLong(SubscriptionRel::relOid));
        return out;
    }

    /** Every pg_subscription_rel row. */
    public static List<SubscriptionRel> allRels(Transaction t) {
        List<SubscriptionRel> out = new ArrayList<>();
        for (RowRef r : t.rows(SCHEMA, SUBSCRIPTION_REL)) {
            out.add(toRel(r.values()));
        }
        out.sort(Comparator.comparingLong(SubscriptionRel::subOid).thenComparingLong(SubscriptionRel::relOid));
        return out;
    }

    /** One table's row of one subscription. */
    public static Optional<SubscriptionRel> rel(Transaction t, long subOid, long relOid) {
        TableDef def = t.findTable(SCHEMA, SUBSCRIPTION_REL);
        RowRef r = def == null ? null : t.get(def, new Object[] {relOid, subOid}, t.statementSnapshot());
        return r == null ? Optional.empty() : Optional.of(toRel(r.values()));
    }

    /** AddSubscriptionRelState: a new row (42710 when the table is already in the subscription). */
    public static void addRel(Transaction t, SubscriptionRel rel) {
        if (rel(t, rel.subOid(), rel.relOid()).isPresent()) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "subscription table " + rel.relOid() + " in subscription "
                    + rel.subOid() + " already exists");
        }
        t.insert(t.table(SCHEMA, SUBSCRIPTION_REL), toRow(rel));
    }

    /** UpdateSubscriptionRelState: sets a table's state and srsublsn (0 = NULL); 42704 when there is no row. */
    public static void setRelState(Transaction t, long subOid, long relOid, char state, long lsn) {
        RowRef r = t.get(t.table(SCHEMA, SUBSCRIPTION_REL), new Object[] {relOid, subOid}, t.statementSnapshot());
        if (r == null) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "subscription table " + relOid + " in subscription " + subOid
                    + " does not exist");
        }
        t.writeCatalogRow(r, toRow(new SubscriptionRel(subOid, relOid, state, lsn)));
    }

    /** RemoveSubscriptionRel for one table of one subscription (nothing when there is no row). */
    public static void removeRel(Transaction t, long subOid, long relOid) {
        TableDef def = t.findTable(SCHEMA, SUBSCRIPTION_REL);
        RowRef r = def == null ? null : t.get(def, new Object[] {relOid, subOid}, t.statementSnapshot());
        if (r != null) {
            t.writeCatalogRow(r, null);
        }
    }

    /** DROP TABLE: the table leaves every subscription. */
    public static void onTableDropped(Transaction t, long relOid) {
        for (RowRef r : t.rows(SCHEMA, SUBSCRIPTION_REL)) {
            if ((Long) r.values()[1] == relOid) {
                t.writeCatalogRow(r, null);
            }
        }
    }

    /** The name of a table-sync slot: {@code pg_<subid>_sync_<relid>_<sysid>} (sysid: the subscriber's system identifier). */
    public static String syncSlotName(long subOid, long relOid, long systemIdentifier) {
        return "pg_" + subOid + "_sync_" + relOid + "_" + Long.toUnsignedString(systemIdentifier);
    }

    // ------------------------------------------------------------------ rows

    private static RowRef subscriptionRow(Transaction t, String name) {
        for (RowRef r : t.rows(SCHEMA, SUBSCRIPTION)) {
            if (name.equals(r.values()[3])) {
                return r;
            }
        }
        return null;
    }

    private static List<RowRef> relRows(Transaction t, long subOid) {
        List<RowRef> out = new ArrayList<>();
        for (RowRef r : t.rows(SCHEMA, SUBSCRIPTION_REL)) {
            if ((Long) r.values()[0] == subOid) {
                out.add(r);
            }
        }
        return out;
    }

    private static Object[] toRow(TableDef def, Subscription s) {
        Object[] values = {s.oid(), s.dbid(), Lsn.of(s.skipLsn()), s.name(), s.ownerOid(), s.enabled(), s.binary(), s.streaming(),
            String.valueOf(s.twoPhaseState()), s.disableOnError(), s.passwordRequired(), s.failover(), s.conninfo(), s.slotName(),
            s.synchronousCommit(), s.publications().toArray(), s.origin()};
        Object[] row = new Object[def.columns().size()];
        for (int i = 0; i < COLUMNS.size(); i++) {
            row[def.column(COLUMNS.get(i)).attnum() - 1] = values[i];
        }
        return row;
    }

    private static Subscription toSubscription(Transaction t, Object[] row) {
        TableDef def = t.table(SCHEMA, SUBSCRIPTION);
        Object[] v = new Object[COLUMNS.size()];
        for (int i = 0; i < COLUMNS.size(); i++) {
            int at = def.column(COLUMNS.get(i)).attnum() - 1;
            v[i] = at < row.length ? row[at] : null;
        }
        List<String> pubs = Arrays.stream((Object[]) v[15]).map(String.class::cast).toList();
        return new Subscription((Long) v[0], (Long) v[1], ((Lsn) v[2]).value(), (String) v[3], (Long) v[4], (Boolean) v[5],
                (Boolean) v[6], (Boolean) v[7], ((String) v[8]).charAt(0), (Boolean) v[9], (Boolean) v[10], (String) v[12],
                (String) v[13], (String) v[14], pubs, v[16] == null ? "any" : (String) v[16], Boolean.TRUE.equals(v[11]));
    }

    private static Object[] toRow(SubscriptionRel r) {
        return new Object[] {r.subOid(), r.relOid(), String.valueOf(r.state()), r.lsn() == 0 ? null : Lsn.of(r.lsn())};
    }

    private static SubscriptionRel toRel(Object[] v) {
        return new SubscriptionRel((Long) v[0], (Long) v[1], ((String) v[2]).charAt(0), v[3] == null ? 0 : ((Lsn) v[3]).value());
    }
}
