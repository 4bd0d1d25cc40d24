package io.lrep.publisher.publication;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The publication rules that act on tables: what a set of publications publishes for a table
 * (for the decoder and pgoutput), and the checks PostgreSQL 15 makes before an UPDATE or DELETE
 * on a published table.
 */
public final class Publications {

    private Publications() {}

    /**
     * What the publications called {@code names} publish for {@code table} as of {@code t}'s
     * snapshot (PostgreSQL 15 pgoutput's rules):
     * <ul>
     * <li>a publication includes the table when it is FOR ALL TABLES, names it FOR TABLE, or
     *     names its schema FOR TABLES IN SCHEMA; the actions are the union of theirs;
     * <li>the column list must be the same in all of them (no list, or a list of every column,
     *     means all columns), else 0A000 {@code cannot use different column lists for table
     *     "s.t" in different publications};
     * <li>for each of insert, update and delete, the filters of the including publications that
     *     publish that action are ORed; if any one of them has no filter, there is none.
     * </ul>
     * An unknown name is 42704 {@code publication "x" does not exist}.
     */
    public static PublishedTable resolve(Transaction t, Collection<String> names, TableDef table, RowFilterCompiler compiler) {
        List<String> including = new ArrayList<>();
        List<Publication> pubs = new ArrayList<>();
        List<PublicationCatalog.Member> members = new ArrayList<>();
        PublishActions actions = PublishActions.NONE;
        for (String name : names) {
            Publication p = PublicationCatalog.get(t, name);
            PublicationCatalog.Member m = PublicationCatalog.membership(t, p, table);
            if (m == null || including.contains(name)) {
                continue;
            }
            including.add(name);
            pubs.add(p);
            members.add(m);
            actions = actions.union(p.actions());
        }
        List<Integer> columns = null;
        for (int i = 0; i < members.size(); i++) {
            List<Integer> c = normalized(table, members.get(i).columns());
            if (i == 0) {
                columns = c;
            } else if (!java.util.Objects.equals(columns, c)) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot use different column lists for table \""
                        + table.schemaName() + "." + table.name() + "\" in different publications");
            }
        }
        RowFilter[] filters = new RowFilter[3];
        PublishActions.Action[] filtered = {PublishActions.Action.INSERT, PublishActions.Action.UPDATE, PublishActions.Action.DELETE};
        for (int a = 0; a < filtered.length; a++) {
            List<RowFilter> any = new ArrayList<>();
            boolean unfiltered = false;
            for (int i = 0; i < members.size(); i++) {
                if (!pubs.get(i).actions().publishes(filtered[a])) {
                    continue;
                }
                String text = members.get(i).rowFilter();
                if (text == null) {
                    unfiltered = true;
                    break;
                }
                any.add(compiler.compile(table, text));
            }
            filters[a] = unfiltered || any.isEmpty() ? null : RowFilter.anyOf(any);
        }
        return new PublishedTable(table, including, actions, columns, filters[0], filters[1], filters[2]);
    }

    /** A column list with every live column is no column list. */
    private static List<Integer> normalized(TableDef table, List<Integer> columns) {
        if (columns == null) {
            return null;
        }
        List<Integer> live = liveAttnums(table);
        return columns.containsAll(live) ? null : columns.stream().sorted().toList();
    }

    private static List<Integer> liveAttnums(TableDef table) {
        List<Integer> out = new ArrayList<>();
        for (ColumnDef c : table.liveColumns()) {
            out.add(c.attnum());
        }
        return out;
    }

    /**
     * The columns of {@code table}'s replica identity: the primary key's for DEFAULT (empty when
     * there is none), every live column for FULL, none for NOTHING.
     */
    public static Set<Integer> replicaIdentityColumns(TableDef table) {
        return switch (table.replicaIdentity()) {
            case DEFAULT -> new HashSet<>(table.primaryKey());
            case FULL -> new HashSet<>(liveAttnums(table));
            case NOTHING -> Set.of();
        };
    }

    /** Whether the table has a replica identity: a primary key under DEFAULT, or FULL. */
    public static boolean hasReplicaIdentity(TableDef table) {
        return table.replicaIdentity() == ReplicaIdentity.FULL
                || table.replicaIdentity() == ReplicaIdentity.DEFAULT && table.hasPrimaryKey();
    }

    /**
     * The checks PostgreSQL 15 makes before UPDATE ({@code update} true) or DELETE on
     * {@code table} (CheckCmdReplicaIdentity), over every publication that includes it:
     * <ul>
     * <li>42P10 {@code cannot update table "t"} / {@code cannot delete from table "t"} when a
     *     publication publishing that action has a row filter reading a column outside the
     *     replica identity (detail: {@code Column used in the publication WHERE expression is not
     *     part of the replica identity.}), or a column list not covering it (detail: {@code Column
     *     list used by the publication does not cover the replica identity.}; under REPLICA
     *     IDENTITY FULL every column list counts as not covering it, as in PostgreSQL 15);
     * <li>55000 {@code cannot update table "t" because it does not have a replica identity and
     *     publishes updates} (likewise deletes) when the table has no replica identity.
     * </ul>
     */
    public static void checkModify(Transaction t, TableDef table, boolean update, RowFilterCompiler compiler) {
        if (!PublicationCatalog.publishable(table) || !PublicationCatalog.any(t)) {
            return;
        }
        PublishActions actions = PublishActions.NONE;
        boolean filterInvalid = false;
        boolean columnsInvalid = false;
        Set<Integer> identity = replicaIdentityColumns(table);
        boolean full = table.replicaIdentity() == ReplicaIdentity.FULL;
        for (Publication p : PublicationCatalog.all(t)) {
            PublicationCatalog.Member m = PublicationCatalog.membership(t, p, table);
            if (m == null) {
                continue;
            }
            actions = actions.union(p.actions());
            boolean relevant = update ? p.actions().update() : p.actions().delete();
            if (!relevant) {
                continue;
            }
            if (m.rowFilter() != null && !full && !identity.containsAll(compiler.columnsUsed(table, m.rowFilter()))) {
                filterInvalid = true;
            }
            // PostgreSQL 15: under REPLICA IDENTITY FULL any column list, even of every column, fails
            if (m.columns() != null && (full || !m.columns().containsAll(identity))) {
                columnsInvalid = true;
            }
        }
        String verb = update ? "cannot update table \"" : "cannot delete from table \"";
        if (filterInvalid) {
            throw new LrepException(SqlState.INVALID_COLUMN_REFERENCE, verb + table.name() + "\"")
                    .withDetail("Column used in the publication WHERE expression is not part of the replica identity.");
        }
        if (columnsInvalid) {
            throw new LrepException(SqlState.INVALID_COLUMN_REFERENCE, verb + table.name() + "\"")
                    .withDetail("Column list used by the publication does not cover the replica identity.");
        }
        if (hasReplicaIdentity(table)) {
            return;
        }
        if (update && actions.update()) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "cannot update table \"" + table.name()
                    + "\" because it does not have a replica identity and publishes updates")
                    .withHint("To enable updating the table, set REPLICA IDENTITY using ALTER TABLE.");
        }
        if (!update && actions.delete()) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "cannot delete from table \"" + table.name()
                    + "\" because it does not have a replica identity and publishes deletes")
                    .withHint("To enable deleting from the table, set REPLICA IDENTITY using ALTER TABLE.");
        }
    }
}
