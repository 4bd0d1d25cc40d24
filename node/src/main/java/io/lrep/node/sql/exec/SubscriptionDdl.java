package io.lrep.node.sql.exec;

import io.lrep.apply.OriginRegistry;
import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.node.SystemTables;
import io.lrep.node.sql.SubscriptionHooks;
import io.lrep.node.sql.ast.QualifiedName;
import io.lrep.node.sql.ast.RoleSpec;
import io.lrep.node.sql.ast.Statement;
import io.lrep.node.sql.ast.SubscriptionStatement;
import io.lrep.subscriber.apply.ApplyWorker;
import io.lrep.subscriber.subscription.PublisherConnection;
import io.lrep.subscriber.subscription.PublisherConnection.RemoteTable;
import io.lrep.subscriber.subscription.Subscription;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import io.lrep.subscriber.subscription.SubscriptionListener;
import io.lrep.subscriber.subscription.SubscriptionOptions;
import io.lrep.subscriber.subscription.SubscriptionRel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CREATE, ALTER and DROP SUBSCRIPTION as PostgreSQL 15's subscriptioncmds.c runs them, over
 * {@link SubscriptionCatalog}, with its option rules ({@link SubscriptionOptions}), privileges
 * (only superusers create subscriptions; their owner must be a superuser; ALTER and DROP need
 * ownership), transaction-block restrictions and error texts. What needs the publisher goes
 * through the engine's {@link SubscriptionHooks#connector()}: with {@code connect = false}
 * nothing is contacted. Each committed change is told to {@link SubscriptionHooks#listener()}
 * (the launcher) after the commit.
 */
final class SubscriptionDdl {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionDdl.class);

    private SubscriptionDdl() {}

    static Planned.Outcome execute(ExecSession s, SubscriptionStatement st) {
        Transaction t = s.txn;
        SubscriptionCatalog.bootstrap(t);
        if (st instanceof SubscriptionStatement.Create c) {
            return create(s, t, c);
        }
        Subscription sub = SubscriptionCatalog.get(t, st.name());
        requireOwner(s, t, sub);
        Subscription updated = alter(s, t, sub, st);
        SubscriptionCatalog.update(t, updated);
        if (st instanceof SubscriptionStatement.SetOptions so && SubscriptionOptions.parse(so.options(), SubscriptionOptions.FOR_SET)
                .isSet(SubscriptionOptions.FAILOVER)) {
            alterSlotFailover(s, t, updated);
        }
        notify(s, SubscriptionListener.Kind.ALTERED, updated);
        return Planned.Outcome.of("ALTER SUBSCRIPTION");
    }

    private static Subscription alter(ExecSession s, Transaction t, Subscription sub, SubscriptionStatement st) {
        if (st instanceof SubscriptionStatement.Connection c) {
            hooks(s).connector().checkConninfo(c.conninfo(), SubscriptionCatalog.mustUsePassword(t, sub));
            return sub.withConninfo(c.conninfo());
        }
        if (st instanceof SubscriptionStatement.Publications p) {
            return publications(s, t, sub, p);
        }
        if (st instanceof SubscriptionStatement.Refresh r) {
            if (!sub.enabled()) {
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "ALTER SUBSCRIPTION ... REFRESH is not allowed for disabled subscriptions");
            }
            SubscriptionOptions o = SubscriptionOptions.parse(r.options(), SubscriptionOptions.FOR_REFRESH);
            preventInBlock(s, "ALTER SUBSCRIPTION ... REFRESH");
            refresh(s, t, sub, o.copyData(), List.of());
            return sub;
        }
        if (st instanceof SubscriptionStatement.Enable e) {
            if (e.enable() && sub.slotName() == null) {
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "cannot enable subscription that does not have a slot name");
            }
            return sub.withEnabled(e.enable());
        }
        if (st instanceof SubscriptionStatement.SetOptions so) {
            SubscriptionOptions o = SubscriptionOptions.parse(so.options(), SubscriptionOptions.FOR_SET);
            if (o.isSet(SubscriptionOptions.SLOT_NAME) && sub.enabled() && o.slotName() == null) {
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "cannot set slot_name = NONE for enabled subscription");
            }
            if (o.isSet(SubscriptionOptions.PASSWORD_REQUIRED) && !o.passwordRequired() && !s.superuser()) {
                throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "password_required=false is superuser-only")
                        .withHint("Subscriptions with the password_required option set to false may only be created or modified by the superuser.");
            }
            if (o.isSet(SubscriptionOptions.FAILOVER)) {
                // PostgreSQL 17: the slot's failover state and the subscription's must stay consistent
                if (sub.slotName() == null) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                            "cannot set failover for a subscription that does not have a slot name");
                }
                if (sub.enabled()) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot set failover for enabled subscription");
                }
                // the slot's changed failover cannot be rolled back
                preventInBlock(s, "ALTER SUBSCRIPTION ... SET (failover)");
            }
            return sub.withOptions(o);
        }
        if (st instanceof SubscriptionStatement.Skip sk) {
            SubscriptionOptions o = SubscriptionOptions.parse(sk.options(), SubscriptionOptions.FOR_SKIP);
            if (!s.superuser()) {
                throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be superuser to skip transaction");
            }
            if (o.lsn() != 0) {
                // the transaction to skip is one not applied yet: its finish LSN is past the origin's progress
                long originLsn = OriginRegistry.remoteLsn(t, ApplyWorker.originName(sub.oid()));
                if (originLsn >= 0 && Long.compareUnsigned(o.lsn(), originLsn) <= 0) {
                    throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "skip WAL location (LSN " + Lsn.format(o.lsn())
                            + ") must be greater than origin LSN " + Lsn.format(originLsn));
                }
            }
            return sub.withSkipLsn(o.lsn());
        }
        if (st instanceof SubscriptionStatement.Rename r) {
            return sub.withName(r.newName());
        }
        if (st instanceof SubscriptionStatement.Owner o) {
            return sub.withOwner(newOwner(s, t, sub, o.owner()));
        }
        throw new IllegalStateException(st.toString());
    }

    // ------------------------------------------------------------------ CREATE

    private static Planned.Outcome create(ExecSession s, Transaction t, SubscriptionStatement.Create c) {
        SubscriptionOptions o = SubscriptionOptions.parse(c.options(), SubscriptionOptions.FOR_CREATE);
        if (o.createSlot()) {
            preventInBlock(s, "CREATE SUBSCRIPTION ... WITH (create_slot = true)");
        }
        if (!s.superuser()) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be superuser to create subscriptions");
        }
        if (SubscriptionCatalog.find(t, c.name()).isPresent()) {
            throw new LrepException(SqlState.DUPLICATE_OBJECT, "subscription \"" + c.name() + "\" already exists");
        }
        String slotName = o.isSet(SubscriptionOptions.SLOT_NAME) ? o.slotName() : SubscriptionOptions.validSlotName(c.name());
        String syncCommit = o.synchronousCommit() == null ? "off" : o.synchronousCommit();
        SubscriptionHooks hooks = hooks(s);
        // walrcv_check_conninfo(conninfo, password_required && !superuser()): the creator is a superuser here
        boolean mustUsePassword = o.passwordRequired() && !s.superuser();
        hooks.connector().checkConninfo(c.conninfo(), mustUsePassword);
        List<String> pubs = distinct(c.publications());
        Subscription sub = new Subscription(SubscriptionCatalog.nextOid(t), Subscription.POSTGRES_DBID, 0, c.name(), userOid(s, t),
                o.enabled(), o.binary(), o.streaming(), Subscription.TWO_PHASE_DISABLED, o.disableOnError(), o.passwordRequired(),
                c.conninfo(), slotName, syncCommit, pubs, o.origin(), o.failover());
        SubscriptionCatalog.insert(t, sub);
        if (o.connect()) {
            try (PublisherConnection pc = hooks.connector().connect(c.conninfo(), c.name(), mustUsePassword)) {
                checkPublications(s, pc, pubs);
                char state = o.copyData() ? SubscriptionRel.INIT : SubscriptionRel.READY;
                for (TableDef td : localTables(t, pc.fetchTables(pubs))) {
                    SubscriptionCatalog.addRel(t, new SubscriptionRel(sub.oid(), Integer.toUnsignedLong(td.oid()), state, 0));
                }
                if (o.createSlot()) {
                    pc.createSlot(slotName, false, o.failover());
                    s.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "created replication slot \"" + slotName + "\" on publisher");
                } else if (slotName != null && (o.failover() || pc.serverVersion() >= 170000)) {
                    // PostgreSQL 17: an existing slot named by slot_name gets the subscription's failover state
                    pc.alterSlot(slotName, o.failover());
                }
            }
        } else {
            s.notice("WARNING", SqlState.WARNING, "tables were not subscribed, you will have to run ALTER SUBSCRIPTION ... REFRESH PUBLICATION"
                    + " to subscribe the tables");
        }
        notify(s, SubscriptionListener.Kind.CREATED, sub);
        return Planned.Outcome.of("CREATE SUBSCRIPTION");
    }

    // ------------------------------------------------------------------ ALTER ... PUBLICATION

    private static Subscription publications(ExecSession s, Transaction t, Subscription sub, SubscriptionStatement.Publications p) {
        boolean drop = p.kind() == SubscriptionStatement.PublicationKind.DROP;
        SubscriptionOptions o = SubscriptionOptions.parse(p.options(),
                drop ? SubscriptionOptions.FOR_DROP_PUBLICATION : SubscriptionOptions.FOR_SET_PUBLICATION);
        List<String> list = switch (p.kind()) {
            case SET -> distinct(p.publications());
            case ADD, DROP -> merge(sub, p.publications(), p.kind() == SubscriptionStatement.PublicationKind.ADD);
        };
        Subscription updated = sub.withPublications(list);
        if (o.refresh()) {
            if (!sub.enabled()) {
                String form = switch (p.kind()) {
                    case SET -> "SET";
                    case ADD -> "ADD";
                    case DROP -> "DROP";
                };
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "ALTER SUBSCRIPTION with refresh is not allowed for disabled subscriptions")
                        .withHint("Use ALTER SUBSCRIPTION ... " + form + " PUBLICATION ... WITH (refresh = false) instead.");
            }
            preventInBlock(s, "ALTER SUBSCRIPTION with refresh");
            List<String> validate = switch (p.kind()) {
                case SET -> list;
                case ADD -> p.publications();
                case DROP -> List.of();
            };
            refresh(s, t, updated, o.copyData(), validate);
        }
        return updated;
    }

    /** merge_publications: ADD or DROP {@code names} to or from the subscription's list. */
    private static List<String> merge(Subscription sub, List<String> names, boolean add) {
        List<String> out = new ArrayList<>(sub.publications());
        for (String n : distinct(names)) {
            if (add) {
                if (out.contains(n)) {
                    throw new LrepException(SqlState.DUPLICATE_OBJECT, "publication \"" + n + "\" is already in subscription \""
                            + sub.name() + "\"");
                }
                out.add(n);
            } else if (!out.remove(n)) {
                throw new LrepException(SqlState.INVALID_OBJECT_DEFINITION, "publication \"" + n + "\" is not in subscription \""
                        + sub.name() + "\"");
            }
        }
        if (out.isEmpty()) {
            throw new LrepException(SqlState.INVALID_OBJECT_DEFINITION, "cannot drop all the publications from a subscription");
        }
        return out;
    }

    /**
     * AlterSubscription_refresh: fetches the publications' tables, adds the new ones (state
     * {@code i} with copy_data, else {@code r}), removes the rows of tables no longer
     * published and, last, drops the table-sync slots of those that had not finished syncing.
     */
    private static void refresh(ExecSession s, Transaction t, Subscription sub, boolean copyData, List<String> validate) {
        SubscriptionHooks hooks = hooks(s);
        try (PublisherConnection pc = hooks.connector().connect(sub.conninfo(), sub.name(), SubscriptionCatalog.mustUsePassword(t, sub))) {
            if (!validate.isEmpty()) {
                checkPublications(s, pc, validate);
            }
            Set<Long> published = new HashSet<>();
            Map<Long, SubscriptionRel> current = new LinkedHashMap<>();
            for (SubscriptionRel r : SubscriptionCatalog.rels(t, sub.oid())) {
                current.put(r.relOid(), r);
            }
            for (TableDef td : localTables(t, pc.fetchTables(sub.publications()))) {
                long relOid = Integer.toUnsignedLong(td.oid());
                published.add(relOid);
                if (!current.containsKey(relOid)) {
                    SubscriptionCatalog.addRel(t, new SubscriptionRel(sub.oid(), relOid,
                            copyData ? SubscriptionRel.INIT : SubscriptionRel.READY, 0));
                    LOG.debug("table \"{}.{}\" added to subscription \"{}\"", td.schemaName(), td.name(), sub.name());
                }
            }
            List<SubscriptionRel> removed = new ArrayList<>();
            for (SubscriptionRel r : current.values()) {
                if (!published.contains(r.relOid())) {
                    if (r.syncing()) {
                        // stopped first: a sync worker must not wait on the row this transaction removes
                        hooks.listener().onTableRemoved(sub.oid(), r.relOid());
                    }
                    SubscriptionCatalog.removeRel(t, sub.oid(), r.relOid());
                    removed.add(r);
                    LOG.debug("table {} removed from subscription \"{}\"", r.relOid(), sub.name());
                }
            }
            for (SubscriptionRel r : removed) {
                if (r.syncing()) {
                    OriginRegistry.dropIfExists(t, ApplyWorker.syncOriginName(sub.oid(), r.relOid()));
                    pc.dropSlot(SubscriptionCatalog.syncSlotName(sub.oid(), r.relOid(), hooks.systemIdentifier()), true);
                }
            }
        }
    }

    /** check_publications: a WARNING naming those of {@code pubs} the publisher does not have. */
    private static void checkPublications(ExecSession s, PublisherConnection pc, List<String> pubs) {
        Set<String> existing = new HashSet<>(pc.existingPublications(pubs));
        List<String> missing = pubs.stream().filter(p -> !existing.contains(p)).toList();
        if (!missing.isEmpty()) {
            String names = missing.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
            s.notice("WARNING", SqlState.UNDEFINED_OBJECT, missing.size() == 1
                    ? "publication " + names + " does not exist on the publisher"
                    : "publications " + names + " do not exist on the publisher");
        }
    }

    /** The local tables of the publisher's list, by the same qualified names (42P01 when one is missing). */
    private static List<TableDef> localTables(Transaction t, List<RemoteTable> remote) {
        Map<String, TableDef> out = new LinkedHashMap<>();
        for (RemoteTable rt : remote) {
            TableDef td = t.findTable(rt.schema(), rt.table());
            if (td == null) {
                throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + rt.schema() + "." + rt.table() + "\" does not exist");
            }
            if (out.putIfAbsent(rt.schema() + "." + rt.table(), td) != null) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot use different column lists for table \""
                        + rt.schema() + "." + rt.table() + "\" in different publications");
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * PostgreSQL 17's last step of ALTER SUBSCRIPTION ... SET (failover): after the catalog
     * update (so a failing statement leaves the slot alone), {@code ALTER_REPLICATION_SLOT} on the
     * publisher.
     */
    private static void alterSlotFailover(ExecSession s, Transaction t, Subscription sub) {
        try (PublisherConnection pc = hooks(s).connector().connect(sub.conninfo(), sub.name(),
                SubscriptionCatalog.mustUsePassword(t, sub))) {
            pc.alterSlot(sub.slotName(), sub.failover());
        }
    }

    // ------------------------------------------------------------------ OWNER TO

    private static long newOwner(ExecSession s, Transaction t, Subscription sub, RoleSpec spec) {
        String roleName = switch (spec.kind()) {
            case NAME -> spec.name();
            case CURRENT_USER, CURRENT_ROLE, SESSION_USER -> s.user();
            case PUBLIC -> "public";
        };
        RowRef role = Roles.findRow(t, roleName);
        if (role == null || spec.kind() == RoleSpec.Kind.PUBLIC) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "role \"" + roleName + "\" does not exist");
        }
        if (!(Boolean) role.values()[SystemTables.ROL_SUPER]) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied to change owner of subscription \""
                    + sub.name() + "\"").withHint("The owner of a subscription must be a superuser.");
        }
        return (Long) role.values()[SystemTables.ROL_OID];
    }

    // ------------------------------------------------------------------ DROP

    static Planned.Outcome drop(ExecSession s, Statement.Drop d) {
        Transaction t = s.txn;
        if (d.names().size() > 1) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "syntax error at or near \",\"");
        }
        QualifiedName n = d.names().get(0);
        Subscription sub = SubscriptionCatalog.find(t, n.name()).orElse(null);
        if (sub == null) {
            if (d.ifExists()) {
                s.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "subscription \"" + n.name() + "\" does not exist, skipping");
                return Planned.Outcome.of("DROP SUBSCRIPTION");
            }
            throw SubscriptionCatalog.undefined(n.name());
        }
        requireOwner(s, t, sub);
        if (sub.slotName() != null) {
            preventInBlock(s, "DROP SUBSCRIPTION");
        }
        List<SubscriptionRel> syncing = SubscriptionCatalog.rels(t, sub.oid()).stream().filter(SubscriptionRel::syncing).toList();
        boolean mustUsePassword = SubscriptionCatalog.mustUsePassword(t, sub);
        // the workers stop first: one must not wait on a catalog row this transaction deletes
        hooks(s).listener().onDropping(sub.oid());
        SubscriptionCatalog.drop(t, sub);
        // replorigin_drop_by_name(missing_ok): after the worker stopped, in this transaction
        OriginRegistry.dropIfExists(t, ApplyWorker.originName(sub.oid()));
        for (SubscriptionRel r : syncing) {
            OriginRegistry.dropIfExists(t, ApplyWorker.syncOriginName(sub.oid(), r.relOid()));
        }
        notify(s, SubscriptionListener.Kind.DROPPED, sub);
        if (sub.slotName() == null && syncing.isEmpty()) {
            return Planned.Outcome.of("DROP SUBSCRIPTION");
        }
        SubscriptionHooks hooks = hooks(s);
        PublisherConnection pc;
        try {
            pc = hooks.connector().connect(sub.conninfo(), sub.name(), mustUsePassword);
        } catch (LrepException e) {
            if (sub.slotName() == null) {
                return Planned.Outcome.of("DROP SUBSCRIPTION"); // nothing of ours to drop there but sync slots: be tidy, not strict
            }
            throw new LrepException(SqlState.CONNECTION_FAILURE, "could not connect to publisher when attempting to drop replication slot \""
                    + sub.slotName() + "\": " + reason(e), e)
                    .withHint("Use ALTER SUBSCRIPTION ... DISABLE to disable the subscription, and then use"
                            + " ALTER SUBSCRIPTION ... SET (slot_name = NONE) to disassociate it from the slot.");
        }
        try (pc) {
            for (SubscriptionRel r : syncing) {
                // in SYNCDONE too: a crash between committing it and dropping the slot leaves the slot
                pc.dropSlot(SubscriptionCatalog.syncSlotName(sub.oid(), r.relOid(), hooks.systemIdentifier()), true);
            }
            if (sub.slotName() != null) {
                try {
                    pc.dropSlot(sub.slotName(), false);
                } catch (LrepException e) {
                    throw new LrepException(SqlState.CONNECTION_FAILURE, "could not drop replication slot \"" + sub.slotName()
                            + "\" on publisher: " + e.getMessage(), e);
                }
                s.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "dropped replication slot \"" + sub.slotName() + "\" on publisher");
            }
        }
        return Planned.Outcome.of("DROP SUBSCRIPTION");
    }

    // ------------------------------------------------------------------ helpers

    /** A connection failure's reason, without the connector's "could not connect to the publisher: " prefix. */
    private static String reason(LrepException e) {
        String prefix = "could not connect to the publisher: ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    private static SubscriptionHooks hooks(ExecSession s) {
        return s.engine.subscriptionHooks();
    }

    /** Tells the launcher after commit; a listener failure cannot undo the commit, so it is logged and the launcher's poll catches up. */
    private static void notify(ExecSession s, SubscriptionListener.Kind kind, Subscription sub) {
        SubscriptionListener listener = hooks(s).listener();
        SubscriptionListener.Change change = new SubscriptionListener.Change(kind, sub.oid(), sub.name());
        s.afterCommit(() -> {
            try {
                listener.onCommitted(change);
            } catch (RuntimeException e) {
                LOG.warn("subscription listener failed on {}; the launcher sees the change at its next scan", change, e);
            }
        });
    }

    private static void preventInBlock(ExecSession s, String what) {
        if (s.inBlock()) {
            throw new LrepException(SqlState.ACTIVE_SQL_TRANSACTION, what + " cannot run inside a transaction block");
        }
    }

    /** publicationListToArray: 42710 for a name given twice. */
    private static List<String> distinct(List<String> names) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : names) {
            if (!out.add(n)) {
                throw new LrepException(SqlState.DUPLICATE_OBJECT, "publication name \"" + n + "\" used more than once");
            }
        }
        return List.copyOf(out);
    }

    private static void requireOwner(ExecSession s, Transaction t, Subscription sub) {
        if (!s.superuser() && sub.ownerOid() != userOid(s, t)) {
            throw new LrepException(SqlState.INSUFFICIENT_PRIVILEGE, "must be owner of subscription " + sub.name());
        }
    }

    private static long userOid(ExecSession s, Transaction t) {
        RowRef r = Roles.findRow(t, s.user());
        return r == null ? SystemTables.BOOTSTRAP_SUPERUSER_OID : (Long) r.values()[SystemTables.ROL_OID];
    }
}
