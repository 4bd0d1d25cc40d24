package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Window functions: row_number, rank, dense_rank, and the aggregates over a partition (with an
 * ORDER BY, the default frame: from the partition start through the current row's peers). A
 * {@link Node} appends one column per window call to each input row.
 */
final class Windows {

    private Windows() {}

    enum Kind { ROW_NUMBER, RANK, DENSE_RANK, AGGREGATE }

    /** One window call: partition and order keys over the input row, and the function. */
    record Call(Kind kind, Aggs.Spec agg, List<Expr> partition, List<Expr> order, boolean[] desc, boolean[] nullsFirst, PgType type) {}

    static Kind kindOf(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "row_number" -> Kind.ROW_NUMBER;
            case "rank" -> Kind.RANK;
            case "dense_rank" -> Kind.DENSE_RANK;
            default -> Aggs.isAggregate(name) ? Kind.AGGREGATE : null;
        };
    }

    /** Collects the window calls of one query level; each reads its value from the end of the row. */
    static final class Collector {
        final List<Call> calls = new ArrayList<>();

        Expr register(Call c) {
            calls.add(c);
            int k = calls.size() - 1;
            return Expr.of(c.type(), env -> env.row[env.row.length - calls.size() + k]);
        }
    }

    static final class Node extends Plan {
        final Plan child;
        final List<Call> calls;

        Node(Plan child, List<Call> calls) {
            super(child.width + calls.size());
            this.child = child;
            this.calls = calls;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            List<Object[]> rows = new ArrayList<>();
            RowIter in = child.open(ex, outer);
            Object[] r;
            int w = calls.size();
            while ((r = in.next()) != null) {
                Object[] out = java.util.Arrays.copyOf(r, r.length + w);
                rows.add(out);
            }
            Env env = new Env(ex, outer);
            for (int c = 0; c < w; c++) {
                Call call = calls.get(c);
                int col = rows.isEmpty() ? 0 : rows.get(0).length - w + c;
                Map<Key, List<Object[]>> parts = new LinkedHashMap<>();
                PgType[] pt = new PgType[call.partition().size()];
                for (int i = 0; i < pt.length; i++) {
                    pt[i] = call.partition().get(i).type;
                }
                for (Object[] row : rows) {
                    env.row = row;
                    Object[] k = new Object[pt.length];
                    for (int i = 0; i < k.length; i++) {
                        k[i] = call.partition().get(i).eval(env);
                    }
                    parts.computeIfAbsent(new Key(k, pt), x -> new ArrayList<>()).add(row);
                }
                List<Object[]> reordered = new ArrayList<>();
                for (List<Object[]> part : parts.values()) {
                    List<Object[][]> keyed = new ArrayList<>();
                    for (Object[] row : part) {
                        env.row = row;
                        Object[] k = new Object[call.order().size()];
                        for (int i = 0; i < k.length; i++) {
                            k[i] = call.order().get(i).eval(env);
                        }
                        keyed.add(new Object[][] {row, k});
                    }
                    Comparator<Object[][]> cmp = (a, b) -> compareKeys(call, a[1], b[1]);
                    keyed.sort(cmp);
                    long rank = 0;
                    long dense = 0;
                    int i = 0;
                    Aggs.State state = call.agg() == null ? null : call.agg().newState();
                    while (i < keyed.size()) {
                        int j = i;
                        while (j < keyed.size() && (call.order().isEmpty() ? true : compareKeys(call, keyed.get(i)[1], keyed.get(j)[1]) == 0)) {
                            j++;
                        }
                        dense++;
                        rank = i + 1;
                        if (state != null) {
                            for (int k = i; k < j; k++) {
                                env.row = keyed.get(k)[0];
                                state.add(env);
                            }
                        }
                        Object aggValue = state == null ? null : state.result(env);
                        for (int k = i; k < j; k++) {
                            Object[] row = keyed.get(k)[0];
                            row[col] = switch (call.kind()) {
                                case ROW_NUMBER -> (long) (k + 1);
                                case RANK -> rank;
                                case DENSE_RANK -> dense;
                                case AGGREGATE -> aggValue;
                            };
                            reordered.add(row);
                        }
                        i = j;
                    }
                }
                rows = reordered;
            }
            java.util.Iterator<Object[]> it = rows.iterator();
            return () -> it.hasNext() ? it.next() : null;
        }

        private static int compareKeys(Call call, Object[] a, Object[] b) {
            for (int i = 0; i < a.length; i++) {
                Object x = a[i];
                Object y = b[i];
                if (x == null || y == null) {
                    if (x == y) {
                        continue;
                    }
                    return (x == null) == call.nullsFirst()[i] ? -1 : 1;
                }
                int c = Plan.compareValues(call.order().get(i).type, x, y);
                if (c != 0) {
                    return call.desc()[i] ? -c : c;
                }
            }
            return 0;
        }

        @Override
        public String describe() {
            return "WindowAgg -> " + child.describe();
        }
    }

    static LrepException notAllowed(String where, int pos) {
        return new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "window functions are not allowed in " + where).withPosition(pos);
    }
}
