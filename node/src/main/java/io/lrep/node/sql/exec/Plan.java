package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.core.types.Values;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node of a query plan: {@link #open} makes a fresh iterator of its rows for one run. Rows
 * are Object arrays whose layout each node documents (a table scan's row is the table's full
 * width row, a join's the left row followed by the right one, ...). Plans are immutable and
 * shared by every run of a prepared statement.
 */
public abstract class Plan {

    /** The row {@link SeqScan#openUnread} returns for each row it counts. */
    private static final Object[] NO_VALUES = new Object[0];

    /** The number of values in each row. */
    public final int width;

    protected Plan(int width) {
        this.width = width;
    }

    /** A new run of this plan; {@code outer} is the enclosing query level's environment (correlation). */
    public abstract RowIter open(Exec ex, Env outer);

    /** A one-line description, for tests and EXPLAIN-like introspection. */
    public abstract String describe();

    static boolean truth(Object o) {
        return o != null && (Boolean) o;
    }

    // =====================================================================================
    // Leaves
    // =====================================================================================

    /** Every row of a table the statement's snapshot sees, filtered. */
    public static final class SeqScan extends Plan {
        final TableDef table;
        final Expr filter;

        public SeqScan(TableDef table, Expr filter) {
            super(table.columns().size());
            this.table = table;
            this.filter = filter;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            ex.scans++;
            Iterator<RowRef> it = ex.txn.scan(table, ex.snapshot());
            Env env = new Env(ex, outer);
            return () -> {
                while (it.hasNext()) {
                    ex.checkCancel();
                    Object[] row = it.next().values();
                    if (filter != null) {
                        env.row = row;
                        if (!truth(filter.eval(env))) {
                            continue;
                        }
                    }
                    return row;
                }
                return null;
            };
        }

        /** Without a filter: an empty array for each row the snapshot sees, its values never read (count(*)). */
        RowIter openUnread(Exec ex) {
            ex.scans++;
            Iterator<RowRef> it = ex.txn.scan(table, ex.snapshot());
            return () -> {
                if (!it.hasNext()) {
                    return null;
                }
                ex.checkCancel();
                it.next();
                return NO_VALUES;
            };
        }

        @Override
        public String describe() {
            return "Seq Scan on " + table.name() + (filter != null ? " (filter)" : "");
        }
    }

    /** The row with a primary key given by expressions (constants, parameters, outer columns): Transaction.get. */
    public static final class PkLookup extends Plan {
        final TableDef table;
        final List<Expr> key;
        final List<PgType> keyTypes;
        final Expr filter;

        public PkLookup(TableDef table, List<Expr> key, Expr filter) {
            super(table.columns().size());
            this.table = table;
            this.key = key;
            this.filter = filter;
            List<PgType> types = new ArrayList<>();
            for (int attnum : table.primaryKey()) {
                types.add(table.columns().get(attnum - 1).type());
            }
            this.keyTypes = types;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            Env env = new Env(ex, outer);
            Object[] k = new Object[key.size()];
            for (int i = 0; i < k.length; i++) {
                Object v = key.get(i).eval(env);
                if (v == null) {
                    return RowIter.EMPTY;
                }
                k[i] = v;
            }
            ex.gets++;
            RowRef r = ex.txn.get(table, k, ex.snapshot());
            if (r == null) {
                return RowIter.EMPTY;
            }
            Object[] row = r.values();
            if (filter != null) {
                env.row = row;
                if (!truth(filter.eval(env))) {
                    return RowIter.EMPTY;
                }
            }
            return new RowIter() {
                boolean done;

                @Override
                public Object[] next() {
                    if (done) {
                        return null;
                    }
                    done = true;
                    return row;
                }
            };
        }

        @Override
        public String describe() {
            return "Index Scan using " + table.pkeyName() + " on " + table.name() + (filter != null ? " (filter)" : "");
        }
    }

    /** A system view's rows, filtered. */
    public static final class ViewScan extends Plan {
        final SystemView view;
        final Expr filter;

        public ViewScan(SystemView view, Expr filter) {
            super(view.columns().size());
            this.view = view;
            this.filter = filter;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            Iterator<Object[]> it = view.rows(ex);
            Env env = new Env(ex, outer);
            return () -> {
                while (it.hasNext()) {
                    ex.checkCancel();
                    Object[] row = it.next();
                    if (filter != null) {
                        env.row = row;
                        if (!truth(filter.eval(env))) {
                            continue;
                        }
                    }
                    return row;
                }
                return null;
            };
        }

        @Override
        public String describe() {
            return "View Scan on " + view.schema() + "." + view.name();
        }
    }

    /** VALUES lists (and a FROM-less SELECT, as one empty row). */
    public static final class ValuesScan extends Plan {
        final List<List<Expr>> rows;

        public ValuesScan(int width, List<List<Expr>> rows) {
            super(width);
            this.rows = rows;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            Env env = new Env(ex, outer);
            Iterator<List<Expr>> it = rows.iterator();
            return () -> {
                if (!it.hasNext()) {
                    return null;
                }
                List<Expr> exprs = it.next();
                return Dml.eval(exprs, env);
            };
        }

        @Override
        public String describe() {
            return "Values Scan (" + rows.size() + " rows)";
        }
    }

    /** A set-returning function in FROM. */
    public static final class FunctionScan extends Plan {
        final SqlFunction fn;
        final List<Expr> args;
        final boolean ordinality;

        public FunctionScan(SqlFunction fn, List<Expr> args, int width, boolean ordinality) {
            super(width);
            this.fn = fn;
            this.args = args;
            this.ordinality = ordinality;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            Env env = new Env(ex, outer);
            Object[] a = new Object[args.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = args.get(i).eval(env);
                if (a[i] == null && fn.strict()) {
                    return RowIter.EMPTY;
                }
            }
            Iterator<Object[]> it = fn.setReturning().call(ex, a);
            long[] n = {0};
            return () -> {
                if (!it.hasNext()) {
                    return null;
                }
                ex.checkCancel();
                Object[] r = it.next();
                if (ordinality) {
                    r = Arrays.copyOf(r, r.length + 1);
                    r[r.length - 1] = ++n[0];
                }
                return r;
            };
        }

        @Override
        public String describe() {
            return "Function Scan on " + fn.name();
        }
    }

    // =====================================================================================
    // Row-by-row
    // =====================================================================================

    public static final class Filter extends Plan {
        final Plan child;
        final Expr predicate;

        public Filter(Plan child, Expr predicate) {
            super(child.width);
            this.child = child;
            this.predicate = predicate;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            RowIter in = child.open(ex, outer);
            Env env = new Env(ex, outer);
            return () -> {
                Object[] r;
                while ((r = in.next()) != null) {
                    env.row = r;
                    if (truth(predicate.eval(env))) {
                        return r;
                    }
                }
                return null;
            };
        }

        @Override
        public String describe() {
            return "Filter -> " + child.describe();
        }
    }

    public static final class Project extends Plan {
        final Plan child;
        final List<Expr> exprs;

        public Project(Plan child, List<Expr> exprs) {
            super(exprs.size());
            this.child = child;
            this.exprs = exprs;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            RowIter in = child.open(ex, outer);
            Env env = new Env(ex, outer);
            Expr[] es = exprs.toArray(new Expr[0]);
            return () -> {
                Object[] r = in.next();
                if (r == null) {
                    return null;
                }
                env.row = r;
                Object[] out = new Object[es.length];
                for (int i = 0; i < es.length; i++) {
                    out[i] = es[i].eval(env);
                }
                return out;
            };
        }

        @Override
        public String describe() {
            return child.describe();
        }
    }

    /**
     * A select list with set-returning functions: for each input row, evaluates the SRFs and
     * emits as many rows as the longest yields (the others padded with NULL), as PostgreSQL 10+.
     * {@code srfs[i]} non-null marks column i as produced by that SRF call.
     */
    public static final class ProjectSet extends Plan {
        final Plan child;
        final List<Expr> exprs;
        final List<SqlFunction> srfs;
        final List<List<Expr>> srfArgs;

        public ProjectSet(Plan child, List<Expr> exprs, List<SqlFunction> srfs, List<List<Expr>> srfArgs) {
            super(exprs.size());
            this.child = child;
            this.exprs = exprs;
            this.srfs = srfs;
            this.srfArgs = srfArgs;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            RowIter in = child.open(ex, outer);
            Env env = new Env(ex, outer);
            return new RowIter() {
                List<Iterator<Object[]>> its;
                Object[] cur;

                @Override
                public Object[] next() {
                    while (true) {
                        if (its != null) {
                            boolean any = false;
                            Object[] out = new Object[exprs.size()];
                            env.row = cur;
                            for (int i = 0; i < out.length; i++) {
                                Iterator<Object[]> it = its.get(i);
                                if (it == null) {
                                    out[i] = exprs.get(i).eval(env);
                                } else if (it.hasNext()) {
                                    Object[] row = it.next();
                                    out[i] = srfs.get(i).resultColumns().size() > 1 ? row : row[0];
                                    any = true;
                                }
                            }
                            if (any) {
                                return out;
                            }
                            its = null;
                        }
                        cur = in.next();
                        if (cur == null) {
                            return null;
                        }
                        env.row = cur;
                        its = new ArrayList<>();
                        for (int i = 0; i < exprs.size(); i++) {
                            SqlFunction f = srfs.get(i);
                            if (f == null) {
                                its.add(null);
                                continue;
                            }
                            List<Expr> as = srfArgs.get(i);
                            Object[] a = new Object[as.size()];
                            boolean nul = false;
                            for (int k = 0; k < a.length; k++) {
                                a[k] = as.get(k).eval(env);
                                nul |= a[k] == null;
                            }
                            its.add(nul && f.strict() ? java.util.Collections.emptyIterator() : f.setReturning().call(ex, a));
                        }
                    }
                }
            };
        }

        @Override
        public String describe() {
            return "ProjectSet -> " + child.describe();
        }
    }

    // =====================================================================================
    // Joins
    // =====================================================================================

    public enum JoinType { INNER, LEFT, RIGHT, FULL, CROSS }

    /** A nested-loop join over the materialized right side (re-opened per left row when correlated with it). */
    public static final class NestedLoop extends Plan {
        final Plan left;
        final Plan right;
        final JoinType type;
        final Expr cond;
        final boolean rightDependsOnLeft;

        public NestedLoop(Plan left, Plan right, JoinType type, Expr cond, boolean rightDependsOnLeft) {
            super(left.width + right.width);
            this.left = left;
            this.right = right;
            this.type = type;
            this.cond = cond;
            this.rightDependsOnLeft = rightDependsOnLeft;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            RowIter l = left.open(ex, outer);
            List<Object[]> rightRows = rightDependsOnLeft ? null : materialize(right.open(ex, outer));
            boolean[] rightMatched = rightRows != null && (type == JoinType.RIGHT || type == JoinType.FULL)
                    ? new boolean[rightRows.size()] : null;
            Env env = new Env(ex, outer);
            int lw = left.width;
            int rw = right.width;
            return new RowIter() {
                Object[] lrow;
                List<Object[]> cur;
                int ri;
                boolean matched;
                int tail = -1;

                @Override
                public Object[] next() {
                    while (true) {
                        if (tail >= 0) {
                            while (tail < rightRows.size()) {
                                int k = tail++;
                                if (!rightMatched[k]) {
                                    return concat(new Object[lw], rightRows.get(k));
                                }
                            }
                            return null;
                        }
                        if (lrow == null) {
                            lrow = l.next();
                            if (lrow == null) {
                                if (rightMatched != null) {
                                    tail = 0;
                                    continue;
                                }
                                return null;
                            }
                            if (rightDependsOnLeft) {
                                Env le = new Env(ex, outer, lrow);
                                cur = materialize(right.open(ex, le));
                            } else {
                                cur = rightRows;
                            }
                            ri = 0;
                            matched = false;
                        }
                        while (ri < cur.size()) {
                            int k = ri++;
                            Object[] joined = concat(lrow, cur.get(k));
                            if (cond != null) {
                                env.row = joined;
                                if (!truth(cond.eval(env))) {
                                    continue;
                                }
                            }
                            matched = true;
                            if (rightMatched != null) {
                                rightMatched[k] = true;
                            }
                            return joined;
                        }
                        Object[] done = lrow;
                        lrow = null;
                        if (!matched && (type == JoinType.LEFT || type == JoinType.FULL)) {
                            return concat(done, new Object[rw]);
                        }
                    }
                }
            };
        }

        @Override
        public String describe() {
            return "Nested Loop " + type + " (" + left.describe() + ") (" + right.describe() + ")";
        }
    }

    /** An equi-join: hashes the right side on its keys; the residual condition filters matches. */
    public static final class HashJoin extends Plan {
        final Plan left;
        final Plan right;
        final JoinType type;
        final List<Expr> leftKeys;
        final List<Expr> rightKeys;
        final PgType[] keyTypes;
        final Expr residual;

        public HashJoin(Plan left, Plan right, JoinType type, List<Expr> leftKeys, List<Expr> rightKeys, PgType[] keyTypes, Expr residual) {
            super(left.width + right.width);
            this.left = left;
            this.right = right;
            this.type = type;
            this.leftKeys = leftKeys;
            this.rightKeys = rightKeys;
            this.keyTypes = keyTypes;
            this.residual = residual;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            List<Object[]> rightRows = materialize(right.open(ex, outer));
            Map<Key, List<Integer>> table = new HashMap<>();
            Env env = new Env(ex, outer);
            for (int i = 0; i < rightRows.size(); i++) {
                env.row = rightRows.get(i);
                Key k = key(rightKeys, env);
                if (k != null) {
                    table.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
                }
            }
            boolean[] rightMatched = type == JoinType.RIGHT || type == JoinType.FULL ? new boolean[rightRows.size()] : null;
            RowIter l = left.open(ex, outer);
            int lw = left.width;
            int rw = right.width;
            return new RowIter() {
                Object[] lrow;
                List<Integer> cands;
                int ci;
                boolean matched;
                int tail = -1;

                @Override
                public Object[] next() {
                    while (true) {
                        if (tail >= 0) {
                            while (tail < rightRows.size()) {
                                int k = tail++;
                                if (!rightMatched[k]) {
                                    return concat(new Object[lw], rightRows.get(k));
                                }
                            }
                            return null;
                        }
                        if (lrow == null) {
                            lrow = l.next();
                            if (lrow == null) {
                                if (rightMatched != null) {
                                    tail = 0;
                                    continue;
                                }
                                return null;
                            }
                            ex.checkCancel();
                            env.row = lrow;
                            Key k = key(leftKeys, env);
                            cands = k == null ? null : table.get(k);
                            ci = 0;
                            matched = false;
                        }
                        while (cands != null && ci < cands.size()) {
                            int idx = cands.get(ci++);
                            Object[] joined = concat(lrow, rightRows.get(idx));
                            if (residual != null) {
                                env.row = joined;
                                if (!truth(residual.eval(env))) {
                                    continue;
                                }
                            }
                            matched = true;
                            if (rightMatched != null) {
                                rightMatched[idx] = true;
                            }
                            return joined;
                        }
                        Object[] done = lrow;
                        lrow = null;
                        if (!matched && (type == JoinType.LEFT || type == JoinType.FULL)) {
                            return concat(done, new Object[rw]);
                        }
                    }
                }
            };
        }

        private Key key(List<Expr> exprs, Env env) {
            Object[] v = new Object[exprs.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = exprs.get(i).eval(env);
                if (v[i] == null) {
                    return null;
                }
            }
            return new Key(v, keyTypes);
        }

        @Override
        public String describe() {
            return "Hash Join " + type + " (" + left.describe() + ") (" + right.describe() + ")";
        }
    }

    static Object[] concat(Object[] a, Object[] b) {
        Object[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static List<Object[]> materialize(RowIter it) {
        List<Object[]> rows = new ArrayList<>();
        Object[] r;
        while ((r = it.next()) != null) {
            rows.add(r);
        }
        return rows;
    }

    // =====================================================================================
    // Aggregation, sorting, distinct, limits, set operations
    // =====================================================================================

    /** GROUP BY: output rows are the group key values followed by the aggregate results. */
    public static final class Aggregate extends Plan {
        final Plan child;
        final List<Expr> groupBy;
        final PgType[] groupTypes;
        final List<Aggs.Spec> aggs;

        public Aggregate(Plan child, List<Expr> groupBy, List<Aggs.Spec> aggs) {
            super(groupBy.size() + aggs.size());
            this.child = child;
            this.groupBy = groupBy;
            this.aggs = aggs;
            this.groupTypes = new PgType[groupBy.size()];
            for (int i = 0; i < groupTypes.length; i++) {
                groupTypes[i] = groupBy.get(i).type;
            }
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            // count(*) alone over a whole table reads no column: the scan need not decode rows
            boolean countOnly = groupBy.isEmpty() && child instanceof SeqScan scan && scan.filter == null
                    && aggs.stream().allMatch(a -> a.kind() == Aggs.Kind.COUNT_STAR && a.filter() == null);
            RowIter in = countOnly ? ((SeqScan) child).openUnread(ex) : child.open(ex, outer);
            Env env = new Env(ex, outer);
            Map<Key, Aggs.State[]> groups = new LinkedHashMap<>();
            Object[] r;
            if (groupBy.isEmpty()) { // one group, even of no rows
                Aggs.State[] st = newStates();
                groups.put(new Key(new Object[0], groupTypes), st);
                while ((r = in.next()) != null) {
                    ex.checkCancel();
                    env.row = r;
                    for (Aggs.State s : st) {
                        s.add(env);
                    }
                }
            } else {
                while ((r = in.next()) != null) {
                    ex.checkCancel();
                    env.row = r;
                    Aggs.State[] st = groups.computeIfAbsent(new Key(Dml.eval(groupBy, env), groupTypes), k -> newStates());
                    for (int i = 0; i < st.length; i++) {
                        st[i].add(env);
                    }
                }
            }
            Iterator<Map.Entry<Key, Aggs.State[]>> it = groups.entrySet().iterator();
            return () -> {
                if (!it.hasNext()) {
                    return null;
                }
                Map.Entry<Key, Aggs.State[]> e = it.next();
                Object[] out = Arrays.copyOf(e.getKey().values, width);
                Aggs.State[] st = e.getValue();
                for (int i = 0; i < st.length; i++) {
                    out[groupBy.size() + i] = st[i].result(env);
                }
                return out;
            };
        }

        private Aggs.State[] newStates() {
            Aggs.State[] st = new Aggs.State[aggs.size()];
            for (int i = 0; i < st.length; i++) {
                st[i] = aggs.get(i).newState();
            }
            return st;
        }

        @Override
        public String describe() {
            return "Aggregate -> " + child.describe();
        }
    }

    /** ORDER BY over sort key expressions evaluated on the child's rows. */
    public static final class Sort extends Plan {
        final Plan child;
        final List<Expr> keys;
        final boolean[] desc;
        final boolean[] nullsFirst;

        public Sort(Plan child, List<Expr> keys, boolean[] desc, boolean[] nullsFirst) {
            super(child.width);
            this.child = child;
            this.keys = keys;
            this.desc = desc;
            this.nullsFirst = nullsFirst;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            RowIter in = child.open(ex, outer);
            Env env = new Env(ex, outer);
            List<Object[][]> rows = new ArrayList<>();
            Object[] r;
            while ((r = in.next()) != null) {
                ex.checkCancel();
                env.row = r;
                rows.add(new Object[][] {r, Dml.eval(keys, env)});
            }
            Comparator<Object[][]> cmp = (a, b) -> {
                for (int i = 0; i < keys.size(); i++) {
                    Object x = a[1][i];
                    Object y = b[1][i];
                    int c;
                    if (x == null || y == null) {
                        if (x == y) {
                            continue;
                        }
                        c = (x == null) == nullsFirst[i] ? -1 : 1;
                        return c;
                    }
                    c = compareValues(keys.get(i).type, x, y);
                    if (c != 0) {
                        return desc[i] ? -c : c;
                    }
                }
                return 0;
            };
            rows.sort(cmp);
            Iterator<Object[][]> it = rows.iterator();
            return () -> it.hasNext() ? it.next()[0] : null;
        }

        @Override
        public String describe() {
            return "Sort -> " + child.describe();
        }
    }

    static int compareValues(PgType t, Object x, Object y) {
        if (t == PgType.CHAR) {
            // tolerate "" for the zero byte, as "char" input reads an empty string
            return Values.compare(t, ((String) x).isEmpty() ? "\0" : x, ((String) y).isEmpty() ? "\0" : y);
        }
        if (t == PgType.UNKNOWN) {
            return Values.compare(PgType.TEXT, x, y);
        }
        if (Ops.isReg(t)) {
            return Long.compare((Long) x, (Long) y);
        }
        if (t.elementType() != null) {
            Object[] a = (Object[]) x;
            Object[] b = (Object[]) y;
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                int c = Values.compare(t.elementType(), a[i], b[i]);
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.length, b.length);
        }
        return Values.compare(t, x, y);
    }

    /** DISTINCT (keyCount = width) or DISTINCT ON (the first keyCount key expressions). */
    public static final class Distinct extends Plan {
        final Plan child;
        final List<Expr> keys;

        public Distinct(Plan child, List<Expr> keys) {
            super(child.width);
            this.child = child;
            this.keys = keys;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            RowIter in = child.open(ex, outer);
            Env env = new Env(ex, outer);
            Set<Key> seen = new HashSet<>();
            PgType[] types = new PgType[keys.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = keys.get(i).type;
            }
            return () -> {
                Object[] r;
                while ((r = in.next()) != null) {
                    env.row = r;
                    if (seen.add(new Key(Dml.eval(keys, env), types))) {
                        return r;
                    }
                }
                return null;
            };
        }

        @Override
        public String describe() {
            return "Unique -> " + child.describe();
        }
    }

    public static final class Limit extends Plan {
        final Plan child;
        final Expr limit;
        final Expr offset;

        public Limit(Plan child, Expr limit, Expr offset) {
            super(child.width);
            this.child = child;
            this.limit = limit;
            this.offset = offset;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            Env env = new Env(ex, outer);
            long lim = Long.MAX_VALUE;
            long off = 0;
            if (limit != null) {
                Object v = limit.eval(env);
                if (v != null) {
                    lim = ((Number) v).longValue();
                    if (lim < 0) {
                        throw new LrepException(SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE, "LIMIT must not be negative");
                    }
                }
            }
            if (offset != null) {
                Object v = offset.eval(env);
                if (v != null) {
                    off = ((Number) v).longValue();
                    if (off < 0) {
                        throw new LrepException(SqlState.INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE, "OFFSET must not be negative");
                    }
                }
            }
            if (lim == 0) {
                return RowIter.EMPTY;
            }
            RowIter in = child.open(ex, outer);
            long[] skip = {off};
            long[] left = {lim};
            return () -> {
                while (skip[0] > 0) {
                    if (in.next() == null) {
                        return null;
                    }
                    skip[0]--;
                }
                if (left[0] <= 0) {
                    return null;
                }
                left[0]--;
                return in.next();
            };
        }

        @Override
        public String describe() {
            return "Limit -> " + child.describe();
        }
    }

    public enum SetOpKind { UNION, INTERSECT, EXCEPT }

    public static final class SetOp extends Plan {
        final Plan left;
        final Plan right;
        final SetOpKind kind;
        final boolean all;
        final PgType[] types;

        public SetOp(Plan left, Plan right, SetOpKind kind, boolean all, PgType[] types) {
            super(left.width);
            this.left = left;
            this.right = right;
            this.kind = kind;
            this.all = all;
            this.types = types;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            if (kind == SetOpKind.UNION) {
                RowIter l = left.open(ex, outer);
                RowIter[] r = {null};
                Set<Key> seen = all ? null : new HashSet<>();
                return () -> {
                    while (true) {
                        Object[] row;
                        if (r[0] == null) {
                            row = l.next();
                            if (row == null) {
                                r[0] = right.open(ex, outer);
                                continue;
                            }
                        } else {
                            row = r[0].next();
                            if (row == null) {
                                return null;
                            }
                        }
                        if (seen == null || seen.add(new Key(row, types))) {
                            return row;
                        }
                    }
                };
            }
            Map<Key, int[]> counts = new HashMap<>();
            for (Object[] row : materialize(right.open(ex, outer))) {
                counts.computeIfAbsent(new Key(row, types), k -> new int[1])[0]++;
            }
            RowIter l = left.open(ex, outer);
            Set<Key> emitted = new HashSet<>();
            return () -> {
                Object[] row;
                while ((row = l.next()) != null) {
                    Key k = new Key(row, types);
                    int[] c = counts.get(k);
                    boolean inRight = c != null && c[0] > 0;
                    if (kind == SetOpKind.INTERSECT) {
                        if (!inRight) {
                            continue;
                        }
                        if (all) {
                            c[0]--;
                            return row;
                        }
                        if (emitted.add(k)) {
                            return row;
                        }
                    } else {
                        if (inRight) {
                            if (all) {
                                c[0]--;
                            }
                            continue;
                        }
                        if (all || emitted.add(k)) {
                            return row;
                        }
                    }
                }
                return null;
            };
        }

        @Override
        public String describe() {
            return kind + (all ? " ALL" : "") + " (" + left.describe() + ") (" + right.describe() + ")";
        }
    }
}
