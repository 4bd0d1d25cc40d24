package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.ast.Expr.BinaryOp;
import io.lrep.node.sql.ast.Expr.BoolExpr;
import io.lrep.node.sql.ast.Expr.Cast;
import io.lrep.node.sql.ast.Expr.ColumnRef;
import io.lrep.node.sql.ast.Expr.FuncCall;
import io.lrep.node.sql.ast.Expr.NumberLiteral;
import io.lrep.node.sql.ast.Expr.Star;
import io.lrep.node.sql.ast.FromItem;
import io.lrep.node.sql.ast.Ident;
import io.lrep.node.sql.ast.Query;
import io.lrep.node.sql.ast.QueryExpr;
import io.lrep.node.sql.ast.SelectItem;
import io.lrep.node.sql.ast.SortItem;
import io.lrep.node.sql.ast.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Plans queries: FROM (scans, primary-key lookups, joins), WHERE, grouping, select lists, DISTINCT, ORDER BY, LIMIT, set operations. */
final class QueryPlanner {

    /** A planned query: its plan, result columns, and whether it reads enclosing query levels. */
    record Result(Plan plan, List<ColumnInfo> columns, boolean correlated) {}

    final ExecSession session;
    final Binder binder;
    final List<TableDef> deps = new ArrayList<>();
    private final Map<String, Result> ctes = new HashMap<>();

    /** While binding a select list: where set-returning function calls go. */
    SrfCollector srfAllowed;

    QueryPlanner(ExecSession session, ParamTypes params) {
        this.session = session;
        this.binder = new Binder(session, params, this);
    }

    // =====================================================================================
    // Queries
    // =====================================================================================

    Result planSubquery(Query q, Scope outer) {
        Binder.AggContext savedAgg = binder.agg;
        String savedNo = binder.noAggregates;
        SrfCollector savedSrf = srfAllowed;
        binder.agg = null;
        binder.noAggregates = null;
        srfAllowed = null;
        try {
            return planQuery(q, outer);
        } finally {
            binder.agg = savedAgg;
            binder.noAggregates = savedNo;
            srfAllowed = savedSrf;
        }
    }

    Result planQuery(Query q, Scope parent) {
        if (q.with() != null) {
            if (q.with().recursive()) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "WITH RECURSIVE is not supported").withPosition(q.with().pos());
            }
            for (Query.Cte cte : q.with().ctes()) {
                if (!(cte.statement() instanceof Statement.Select sel)) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "data-modifying statements in WITH are not supported")
                            .withPosition(cte.pos());
                }
                Result r = planSubquery(sel.query(), parent);
                if (cte.columns() != null && !cte.columns().isEmpty()) {
                    List<ColumnInfo> cols = new ArrayList<>();
                    for (int i = 0; i < r.columns().size(); i++) {
                        ColumnInfo c = r.columns().get(i);
                        cols.add(i < cte.columns().size() ? new ColumnInfo(cte.columns().get(i), c.type(), c.typmod(), 0, (short) 0) : c);
                    }
                    r = new Result(r.plan(), cols, r.correlated());
                }
                ctes.put(cte.name(), r);
            }
        }
        QueryExpr body = q.body();
        if (body instanceof QueryExpr.SelectCore core) {
            return planSelect(core, parent, q.orderBy(), q.limit(), q.offset());
        }
        Result inner;
        if (body instanceof QueryExpr.SetOperation so) {
            inner = setOperation(so, parent);
        } else if (body instanceof QueryExpr.Values v) {
            inner = values(v, parent);
        } else if (body instanceof Query nested) {
            inner = planQuery(nested, parent);
        } else {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "query form not supported").withPosition(body.pos());
        }
        return orderAndLimit(inner, q.orderBy(), q.limit(), q.offset(), parent);
    }

    /** ORDER BY output columns (by name or position) and LIMIT/OFFSET over a finished result. */
    private Result orderAndLimit(Result r, List<SortItem> orderBy, io.lrep.node.sql.ast.Expr limit, io.lrep.node.sql.ast.Expr offset,
            Scope parent) {
        Plan plan = r.plan();
        if (orderBy != null && !orderBy.isEmpty()) {
            Scope out = new Scope(parent);
            Scope.Entry e = new Scope.Entry(null, 0, null);
            for (int i = 0; i < r.columns().size(); i++) {
                e.add(r.columns().get(i).name(), r.columns().get(i).type(), r.columns().get(i).typmod(), i);
            }
            out.add(e);
            List<Expr> keys = new ArrayList<>();
            boolean[] desc = new boolean[orderBy.size()];
            boolean[] nf = new boolean[orderBy.size()];
            for (int i = 0; i < orderBy.size(); i++) {
                SortItem si = orderBy.get(i);
                if (si.expr() instanceof NumberLiteral n) {
                    int k = ordinal(n, r.columns().size(), "ORDER BY");
                    ColumnInfo c = r.columns().get(k);
                    keys.add(new Expr.Column(c.type(), c.typmod(), 0, k, c.name(), 0, (short) 0));
                } else {
                    keys.add(binder.bind(si.expr(), out));
                }
                desc[i] = si.direction() == SortItem.Direction.DESC;
                nf[i] = si.nulls() == SortItem.NullsOrder.DEFAULT ? desc[i] : si.nulls() == SortItem.NullsOrder.FIRST;
            }
            plan = new Plan.Sort(plan, keys, desc, nf);
        }
        plan = limit(plan, limit, offset);
        return new Result(plan, r.columns(), r.correlated());
    }

    private Plan limit(Plan plan, io.lrep.node.sql.ast.Expr limit, io.lrep.node.sql.ast.Expr offset) {
        if (limit == null && offset == null) {
            return plan;
        }
        Expr l = limit == null ? null : binder.coerce(binder.bind(limit, null), PgType.INT8, -1, limit.pos());
        Expr o = offset == null ? null : binder.coerce(binder.bind(offset, null), PgType.INT8, -1, offset.pos());
        return new Plan.Limit(plan, l, o);
    }

    private static int ordinal(NumberLiteral n, int size, String clause) {
        int k = Integer.parseInt(n.text());
        if (k < 1 || k > size) {
            throw new LrepException(SqlState.INVALID_COLUMN_REFERENCE, clause + " position " + k + " is not in select list")
                    .withPosition(n.pos());
        }
        return k - 1;
    }

    private Result values(QueryExpr.Values v, Scope parent) {
        int width = v.rows().get(0).size();
        List<List<Expr>> rows = new ArrayList<>();
        for (List<io.lrep.node.sql.ast.Expr> r : v.rows()) {
            if (r.size() != width) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "VALUES lists must all be the same length").withPosition(r.get(0).pos());
            }
            rows.add(binder.bindAll(r, new Scope(parent)));
        }
        List<ColumnInfo> cols = new ArrayList<>();
        for (int c = 0; c < width; c++) {
            List<Expr> column = new ArrayList<>();
            for (List<Expr> r : rows) {
                column.add(r.get(c));
            }
            List<Expr> unified = binder.common(column, "VALUES", v.pos());
            for (int i = 0; i < rows.size(); i++) {
                rows.get(i).set(c, unified.get(i));
            }
            cols.add(ColumnInfo.of("column" + (c + 1), unified.get(0).type));
        }
        return new Result(new Plan.ValuesScan(width, rows), cols, parent != null && parent.correlated);
    }

    /** Set while planning the leaves of a set operation: their untyped literal columns stay unknown until the operation resolves them. */
    private boolean keepUnknown;

    private Result setOperation(QueryExpr.SetOperation so, Scope parent) {
        boolean saved = keepUnknown;
        keepUnknown = true;
        Result l;
        Result r;
        try {
            l = planQuery(asQuery(so.left()), parent);
            keepUnknown = true;
            r = planQuery(asQuery(so.right()), parent);
        } finally {
            keepUnknown = saved;
        }
        String opName = so.op().name();
        if (l.columns().size() != r.columns().size()) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "each " + opName + " query must have the same number of columns")
                    .withPosition(so.right().pos());
        }
        List<Expr> lp = new ArrayList<>();
        List<Expr> rp = new ArrayList<>();
        List<ColumnInfo> cols = new ArrayList<>();
        PgType[] types = new PgType[l.columns().size()];
        boolean castL = false;
        boolean castR = false;
        for (int i = 0; i < types.length; i++) {
            ColumnInfo a = l.columns().get(i);
            ColumnInfo b = r.columns().get(i);
            PgType t = a.type() == b.type() ? a.type() : a.type() == PgType.UNKNOWN ? b.type() : b.type() == PgType.UNKNOWN ? a.type()
                    : Binder.commonOf(a.type(), b.type());
            if (t == PgType.UNKNOWN) {
                t = saved ? PgType.UNKNOWN : PgType.TEXT;
            }
            if (t == null) {
                throw new LrepException(SqlState.DATATYPE_MISMATCH, opName + " types " + Ops.sqlName(a.type()) + " and "
                        + Ops.sqlName(b.type()) + " cannot be matched").withPosition(so.pos());
            }
            types[i] = t;
            Expr ca = new Expr.Column(a.type(), a.typmod(), 0, i, a.name(), 0, (short) 0);
            Expr cb = new Expr.Column(b.type(), b.typmod(), 0, i, b.name(), 0, (short) 0);
            lp.add(binder.coerce(ca, t, -1, so.pos()));
            rp.add(binder.coerce(cb, t, -1, so.pos()));
            castL |= a.type() != t;
            castR |= b.type() != t;
            cols.add(new ColumnInfo(a.name(), t, a.type() == t && b.type() == t && a.typmod() == b.typmod() ? a.typmod() : -1, 0,
                    (short) 0));
        }
        Plan left = castL ? new Plan.Project(l.plan(), lp) : l.plan();
        Plan right = castR ? new Plan.Project(r.plan(), rp) : r.plan();
        Plan.SetOpKind kind = Plan.SetOpKind.valueOf(so.op().name());
        return new Result(new Plan.SetOp(left, right, kind, so.all(), types), cols, l.correlated() || r.correlated());
    }

    private static Query asQuery(QueryExpr e) {
        return e instanceof Query q ? q : Query.of(e);
    }

    // =====================================================================================
    // SELECT
    // =====================================================================================

    private Result planSelect(QueryExpr.SelectCore core, Scope parent, List<SortItem> orderBy, io.lrep.node.sql.ast.Expr limit,
            io.lrep.node.sql.ast.Expr offset) {
        boolean unknownStays = keepUnknown;
        keepUnknown = false;
        Scope scope = new Scope(parent);
        Plan plan = from(core.from(), scope);

        // WHERE
        if (core.where() != null) {
            String saved = binder.noAggregates;
            binder.noAggregates = "WHERE";
            try {
                plan = where(plan, scope, core.from(), core.where());
            } finally {
                binder.noAggregates = saved;
            }
        }

        // grouping
        boolean grouped = !core.groupBy().isEmpty() || core.having() != null || hasAggregate(core.targets())
                || orderBy != null && hasAggregate(orderBy);
        Scope exprScope = scope;
        Binder.AggContext aggCtx = null;
        if (grouped) {
            List<io.lrep.node.sql.ast.Expr> groupAst = new ArrayList<>();
            for (io.lrep.node.sql.ast.Expr g : core.groupBy()) {
                if (g instanceof NumberLiteral n) {
                    groupAst.add(core.targets().get(ordinal(n, core.targets().size(), "GROUP BY")).expr());
                } else if (g instanceof ColumnRef c && c.names().size() == 1 && scope.resolve(c.names(), c.pos()) == null) {
                    io.lrep.node.sql.ast.Expr byAlias = null;
                    for (SelectItem si : core.targets()) {
                        if (c.column().equals(si.alias())) {
                            byAlias = si.expr();
                        }
                    }
                    groupAst.add(byAlias != null ? byAlias : g);
                } else {
                    groupAst.add(g);
                }
            }
            String saved = binder.noAggregates;
            binder.noAggregates = "GROUP BY";
            List<Expr> groupBound = new ArrayList<>();
            for (io.lrep.node.sql.ast.Expr g : groupAst) {
                Expr b = binder.bind(g, scope);
                groupBound.add(b.type == PgType.UNKNOWN ? binder.coerce(b, PgType.TEXT, -1, g.pos()) : b);
            }
            binder.noAggregates = saved;
            exprScope = new Scope(parent);
            aggCtx = new Binder.AggContext(scope, exprScope, groupAst, groupBound);
        }
        Binder.AggContext savedAgg = binder.agg;
        binder.agg = aggCtx;
        try {
            Expr having = null;
            if (core.having() != null) {
                having = binder.coerceBool(binder.bind(core.having(), exprScope), "HAVING", core.having().pos());
            }
            // select list
            SrfCollector srfs = new SrfCollector();
            SrfCollector savedSrf = srfAllowed;
            srfAllowed = srfs;
            Windows.Collector wins = new Windows.Collector();
            Windows.Collector savedWins = binder.windows;
            List<io.lrep.node.sql.ast.Expr.WindowSpec> savedNamed = binder.namedWindows;
            binder.windows = wins;
            binder.namedWindows = core.windows() == null ? List.of() : core.windows();
            List<Expr> targets = new ArrayList<>();
            List<ColumnInfo> cols = new ArrayList<>();
            List<String> names = new ArrayList<>();
            try {
                for (SelectItem item : core.targets()) {
                    if (item.expr() instanceof Star st) {
                        expandStar(st, scope, targets, cols);
                        continue;
                    }
                    int before = srfs.calls.size();
                    Expr e = binder.bind(item.expr(), exprScope);
                    if (e.type == PgType.UNKNOWN && !(unknownStays && e instanceof Expr.Const)) {
                        e = binder.coerce(e, PgType.TEXT, -1, item.pos());
                    }
                    if (srfs.calls.size() > before && !(e instanceof SrfRef)) {
                        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                                "set-returning functions must be the whole select-list item").withPosition(item.pos());
                    }
                    targets.add(e);
                    String name = item.alias() != null ? item.alias() : nameOf(item.expr());
                    cols.add(columnInfo(name, e));
                }
            } finally {
                srfAllowed = savedSrf;
            }
            try {
                return finishSelect(core, parent, orderBy, limit, offset, plan, scope, exprScope, aggCtx, having, srfs, wins, targets, cols);
            } finally {
                binder.windows = savedWins;
                binder.namedWindows = savedNamed;
            }
        } finally {
            binder.agg = savedAgg;
        }
    }

    private Result finishSelect(QueryExpr.SelectCore core, Scope parent, List<SortItem> orderBy, io.lrep.node.sql.ast.Expr limit,
            io.lrep.node.sql.ast.Expr offset, Plan plan, Scope scope, Scope exprScope, Binder.AggContext aggCtx, Expr having,
            SrfCollector srfs, Windows.Collector wins, List<Expr> targets, List<ColumnInfo> cols) {
        List<String> names = new ArrayList<>();
        {
            for (ColumnInfo c : cols) {
                names.add(c.name());
            }
            if (aggCtx != null) {
                plan = new Plan.Aggregate(plan, aggCtx.groupBound, aggCtx.specs);
                if (having != null) {
                    plan = new Plan.Filter(plan, having);
                }
            }
            Plan beforeWindows = plan;
            // ORDER BY keys: output columns by name/position, else expressions as hidden columns
            int visible = targets.size();
            List<Expr> sortKeys = new ArrayList<>();
            boolean[] desc = null;
            boolean[] nf = null;
            if (orderBy != null && !orderBy.isEmpty()) {
                desc = new boolean[orderBy.size()];
                nf = new boolean[orderBy.size()];
                for (int i = 0; i < orderBy.size(); i++) {
                    SortItem si = orderBy.get(i);
                    int k = -1;
                    if (si.expr() instanceof NumberLiteral n) {
                        k = ordinal(n, visible, "ORDER BY");
                    } else if (si.expr() instanceof ColumnRef c && c.names().size() == 1) {
                        for (int j = 0; j < visible; j++) {
                            if (names.get(j).equals(c.column()) && core.targets().size() > 0 && matchesAlias(core, c.column())) {
                                k = j;
                                break;
                            }
                        }
                    }
                    if (k < 0) {
                        for (int j = 0; j < core.targets().size() && j < visible; j++) {
                            if (AstUtil.same(core.targets().get(j).expr(), si.expr())) {
                                k = j;
                                break;
                            }
                        }
                    }
                    if (k < 0) {
                        Expr e = binder.bind(si.expr(), exprScope);
                        if (e.type == PgType.UNKNOWN) {
                            e = binder.coerce(e, PgType.TEXT, -1, si.pos());
                        }
                        if (core.distinct() && core.distinctOn().isEmpty()) {
                            throw new LrepException(SqlState.INVALID_COLUMN_REFERENCE,
                                    "for SELECT DISTINCT, ORDER BY expressions must appear in select list").withPosition(si.expr().pos());
                        }
                        targets.add(e);
                        k = targets.size() - 1;
                    }
                    Expr t = targets.get(k);
                    sortKeys.add(new Expr.Column(t.type, t.typmod, 0, k, "", 0, (short) 0));
                    desc[i] = si.direction() == SortItem.Direction.DESC;
                    nf[i] = si.nulls() == SortItem.NullsOrder.DEFAULT ? desc[i] : si.nulls() == SortItem.NullsOrder.FIRST;
                }
            }
            List<Expr> distinctOnKeys = new ArrayList<>();
            for (io.lrep.node.sql.ast.Expr d : core.distinctOn()) {
                int k = -1;
                if (d instanceof NumberLiteral n) {
                    k = ordinal(n, visible, "SELECT DISTINCT ON");
                } else {
                    for (int j = 0; j < core.targets().size() && j < visible; j++) {
                        if (AstUtil.same(core.targets().get(j).expr(), d)) {
                            k = j;
                        }
                    }
                }
                if (k < 0) {
                    Expr e = binder.bind(d, exprScope);
                    targets.add(e);
                    k = targets.size() - 1;
                }
                Expr t = targets.get(k);
                distinctOnKeys.add(new Expr.Column(t.type, t.typmod, 0, k, "", 0, (short) 0));
            }
            if (!wins.calls.isEmpty()) {
                plan = new Windows.Node(beforeWindows, wins.calls);
            }
            if (srfs.calls.isEmpty()) {
                plan = new Plan.Project(plan, targets);
            } else {
                List<SqlFunction> fns = new ArrayList<>();
                List<List<Expr>> args = new ArrayList<>();
                for (Expr t : targets) {
                    if (t instanceof SrfRef r) {
                        fns.add(r.fn);
                        args.add(r.args);
                    } else {
                        fns.add(null);
                        args.add(null);
                    }
                }
                plan = new Plan.ProjectSet(plan, targets, fns, args);
            }
            if (!sortKeys.isEmpty()) {
                plan = new Plan.Sort(plan, sortKeys, desc, nf);
            }
            if (core.distinct()) {
                List<Expr> keys = distinctOnKeys;
                if (core.distinctOn().isEmpty()) {
                    keys = new ArrayList<>();
                    for (int j = 0; j < visible; j++) {
                        Expr t = targets.get(j);
                        keys.add(new Expr.Column(t.type, t.typmod, 0, j, "", 0, (short) 0));
                    }
                }
                plan = new Plan.Distinct(plan, keys);
            }
            plan = limit(plan, limit, offset);
            if (targets.size() > visible) {
                List<Expr> trim = new ArrayList<>();
                for (int j = 0; j < visible; j++) {
                    Expr t = targets.get(j);
                    trim.add(new Expr.Column(t.type, t.typmod, 0, j, "", 0, (short) 0));
                }
                plan = new Plan.Project(plan, trim);
            }
            return new Result(plan, cols, scope.correlated || exprScope.correlated);
        }
    }

    private static boolean matchesAlias(QueryExpr.SelectCore core, String name) {
        for (SelectItem si : core.targets()) {
            if (name.equals(si.alias()) || si.alias() == null && si.expr() instanceof ColumnRef c && c.column().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private ColumnInfo columnInfo(String name, Expr e) {
        if (e instanceof Expr.Column c && c.levelsUp == 0) {
            return new ColumnInfo(name, e.type, e.typmod, c.tableOid, c.attnum);
        }
        return new ColumnInfo(name, e.type, e.typmod, 0, (short) 0);
    }

    private void expandStar(Star st, Scope scope, List<Expr> targets, List<ColumnInfo> cols) {
        boolean any = false;
        for (Scope.Entry e : scope.entries) {
            if (!st.qualifier().isEmpty() && !st.qualifier().get(st.qualifier().size() - 1).equals(e.refName)) {
                continue;
            }
            any = true;
            for (int i = 0; i < e.names.size(); i++) {
                if (e.hidden.get(i) && st.qualifier().isEmpty()) {
                    continue;
                }
                Expr.Column c = new Expr.Column(e.types.get(i), e.typmods.get(i), 0, e.indexes.get(i), e.names.get(i), e.tableOid,
                        e.table == null ? 0 : (short) (e.indexes.get(i) - e.offset + 1));
                if (binder.agg != null) {
                    targets.add(binder.bind(new ColumnRef(List.of(e.refName == null ? "" : e.refName, e.names.get(i)), st.pos()),
                            binder.agg.aggScope));
                } else {
                    targets.add(c);
                }
                cols.add(new ColumnInfo(e.names.get(i), c.type, c.typmod, c.tableOid, c.attnum));
            }
        }
        if (!any && !st.qualifier().isEmpty()) {
            throw new LrepException(SqlState.UNDEFINED_TABLE, "missing FROM-clause entry for table \""
                    + st.qualifier().get(st.qualifier().size() - 1) + "\"").withPosition(st.pos());
        }
        if (!any && st.qualifier().isEmpty()) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "SELECT * with no tables specified is not valid").withPosition(st.pos());
        }
    }

    /** PostgreSQL's name for an unaliased select-list item. */
    static String nameOf(io.lrep.node.sql.ast.Expr e) {
        if (e instanceof ColumnRef c) {
            return c.column();
        }
        if (e instanceof FuncCall f) {
            return f.name();
        }
        if (e instanceof Cast c) {
            String inner = nameOf(c.arg());
            return inner.equals("?column?") ? c.type().name() : inner;
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.TypedLiteral t) {
            return t.type().name();
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.Case) {
            return "case";
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.Coalesce) {
            return "coalesce";
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.NullIf) {
            return "nullif";
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.MinMax m) {
            return m.greatest() ? "greatest" : "least";
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.Exists) {
            return "exists";
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.ArraySubquery || e instanceof io.lrep.node.sql.ast.Expr.ArrayConstructor) {
            return "array";
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.RowConstructor) {
            return "row";
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.Collate c) {
            return nameOf(c.arg());
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.Subscript s) {
            return nameOf(s.arg());
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.SqlValueFunction f) {
            return switch (f.kind()) {
                case CURRENT_ROLE -> "current_role";
                case CURRENT_CATALOG -> "current_catalog";
                default -> f.kind().name().toLowerCase(java.util.Locale.ROOT);
            };
        }
        if (e instanceof io.lrep.node.sql.ast.Expr.ScalarSubquery sq && sq.query().body() instanceof QueryExpr.SelectCore c
                && c.targets().size() == 1) {
            SelectItem t = c.targets().get(0);
            return t.alias() != null ? t.alias() : nameOf(t.expr());
        }
        return "?column?";
    }

    private boolean hasAggregate(List<?> nodes) {
        boolean[] found = {false};
        walkNoSubqueries(nodes, n -> {
            if (n instanceof FuncCall f && f.over() == null && binder.isAggregateCall(f)) {
                found[0] = true;
            }
        });
        return found[0];
    }

    private static void walkNoSubqueries(Object node, java.util.function.Consumer<Object> visit) {
        if (node == null || node instanceof Query) {
            return;
        }
        if (node instanceof List<?> l) {
            for (Object o : l) {
                walkNoSubqueries(o, visit);
            }
            return;
        }
        if (!node.getClass().isRecord()) {
            return;
        }
        visit.accept(node);
        if (node instanceof FuncCall f && Aggs.isAggregate(f.name())) {
            return;
        }
        AstUtil.forEachChild(node, child -> walkNoSubqueries(child, visit));
    }

    // =====================================================================================
    // Set-returning functions in the select list
    // =====================================================================================

    /** A set-returning function call standing for its column in a ProjectSet. */
    static final class SrfRef extends Expr {
        final SqlFunction fn;
        final List<Expr> args;

        SrfRef(SqlFunction fn, List<Expr> args, PgType type) {
            super(type, -1);
            this.fn = fn;
            this.args = args;
        }

        @Override
        public Object eval(Env env) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "set-returning function called in a scalar context");
        }
    }

    /** Collects the set-returning function calls of a select list. */
    static final class SrfCollector {
        final List<SrfRef> calls = new ArrayList<>();

        Expr register(SqlFunction fn, List<Expr> args, int pos, PgType type) {
            SrfRef r = new SrfRef(fn, args, type);
            calls.add(r);
            return r;
        }
    }

    // =====================================================================================
    // FROM
    // =====================================================================================

    /** Plans a FROM list into {@code scope} (comma items cross-joined); an empty list is one empty row. */
    Plan from(List<FromItem> items, Scope scope) {
        if (items.isEmpty()) {
            return new Plan.ValuesScan(0, List.of(List.of()));
        }
        Plan plan = null;
        for (FromItem item : items) {
            Scope local = new Scope(scope.parent);
            boolean lateral = plan != null && isLateral(item);
            Plan p = lateral ? lateralItem(item, local, scope) : fromItem(item, local);
            merge(scope, local);
            plan = plan == null ? p : new Plan.NestedLoop(plan, p, Plan.JoinType.CROSS, null, lateral);
            scope.correlated |= local.correlated && !lateral;
        }
        return plan;
    }

    private static boolean isLateral(FromItem item) {
        return item instanceof FromItem.Subquery sq && sq.lateral() || item instanceof FromItem.Function;
    }

    /** A LATERAL item (or a function in FROM): planned one level below the items to its left, re-run per left row. */
    private Plan lateralItem(FromItem item, Scope local, Scope left) {
        Scope lateral = new Scope(left.parent);
        for (Scope.Entry e : left.entries) {
            lateral.add(e);
        }
        lateral.width = left.width;
        Scope inner = new Scope(lateral);
        Plan p;
        if (item instanceof FromItem.Subquery sq) {
            if (sq.alias() == null) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "subquery in FROM must have an alias").withPosition(sq.pos());
            }
            Result r = planSubquery(sq.query(), lateral);
            addResultEntry(inner, sq.alias().name(), sq.alias().columns(), r.columns());
            p = r.plan();
        } else {
            p = functionItem((FromItem.Function) item, inner);
        }
        for (Scope.Entry e : inner.entries) {
            local.add(e);
        }
        local.width = inner.width;
        return p;
    }

    private static void merge(Scope into, Scope local) {
        for (Scope.Entry e : local.entries) {
            into.add(e.shifted(into.width));
        }
        into.width += local.width;
    }

    private Plan fromItem(FromItem item, Scope scope) {
        if (item instanceof FromItem.Table t) {
            return tableItem(t, scope);
        }
        if (item instanceof FromItem.Subquery sq) {
            if (sq.lateral()) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "LATERAL is not supported").withPosition(sq.pos());
            }
            if (sq.alias() == null) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "subquery in FROM must have an alias").withPosition(sq.pos())
                        .withHint("For example, FROM (SELECT ...) [AS] foo.");
            }
            Result r = planSubquery(sq.query(), scope.parent);
            addResultEntry(scope, sq.alias().name(), sq.alias().columns(), r.columns());
            scope.correlated |= r.correlated();
            return r.plan();
        }
        if (item instanceof FromItem.Function f) {
            return functionItem(f, scope);
        }
        if (item instanceof FromItem.Join j) {
            return join(j, scope);
        }
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "FROM item not supported").withPosition(item.pos());
    }

    private void addResultEntry(Scope scope, String alias, List<String> aliasCols, List<ColumnInfo> cols) {
        Scope.Entry e = new Scope.Entry(alias, 0, null);
        e.offset = scope.width;
        for (int i = 0; i < cols.size(); i++) {
            String name = aliasCols != null && i < aliasCols.size() ? aliasCols.get(i) : cols.get(i).name();
            e.add(name, cols.get(i).type(), cols.get(i).typmod(), scope.width + i);
        }
        scope.add(e);
        scope.width += cols.size();
    }

    private Plan tableItem(FromItem.Table t, Scope scope) {
        String alias = t.alias() != null ? t.alias().name() : t.name().name();
        List<String> aliasCols = t.alias() != null ? t.alias().columns() : null;
        if (t.name().schema() == null && ctes.containsKey(t.name().name())) {
            Result r = ctes.get(t.name().name());
            addResultEntry(scope, alias, aliasCols, r.columns());
            return r.plan();
        }
        Binder.Relation rel = relation(t.name());
        if (rel.view() != null) {
            addResultEntry(scope, alias, aliasCols, rel.view().columns());
            Scope.Entry e = scope.entries.get(scope.entries.size() - 1);
            Scope.Entry withOid = new Scope.Entry(e.refName, rel.view().oid(), null);
            withOid.offset = e.offset;
            for (int i = 0; i < e.names.size(); i++) {
                withOid.add(e.names.get(i), e.types.get(i), e.typmods.get(i), e.indexes.get(i));
            }
            scope.entries.set(scope.entries.size() - 1, withOid);
            return new Plan.ViewScan(rel.view(), null);
        }
        if (rel.sequence() != null) {
            SequenceDef sd = rel.sequence();
            addResultEntry(scope, alias, aliasCols, List.of(ColumnInfo.of("last_value", PgType.INT8), ColumnInfo.of("log_cnt", PgType.INT8),
                    ColumnInfo.of("is_called", PgType.BOOL)));
            return new SequenceScan(sd);
        }
        TableDef td = rel.table();
        deps.add(td);
        Scope.Entry e = new Scope.Entry(alias, td.oid(), td);
        e.offset = scope.width;
        int k = 0;
        for (ColumnDef c : td.columns()) {
            if (!c.dropped()) {
                String name = aliasCols != null && k < aliasCols.size() ? aliasCols.get(k) : c.name();
                e.add(name, c.type(), c.typmod(), scope.width + c.attnum() - 1);
                k++;
            }
        }
        scope.add(e);
        scope.width += td.columns().size();
        return new Plan.SeqScan(td, null);
    }

    /** A sequence read as a relation: one row (last_value, log_cnt, is_called). */
    static final class SequenceScan extends Plan {
        final SequenceDef seq;

        SequenceScan(SequenceDef seq) {
            super(3);
            this.seq = seq;
        }

        @Override
        public RowIter open(Exec ex, Env outer) {
            Object[] row = {ex.txn.sequenceLastValue(seq), 0L, ex.txn.sequenceIsCalled(seq)};
            boolean[] done = {false};
            return () -> {
                if (done[0]) {
                    return null;
                }
                done[0] = true;
                return row;
            };
        }

        @Override
        public String describe() {
            return "Seq Scan on " + seq.name();
        }
    }

    Binder.Relation relation(io.lrep.node.sql.ast.QualifiedName name) {
        if (name.catalog() != null && !name.catalog().equals(session.context().database())) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cross-database references are not implemented: " + name)
                    .withPosition(name.pos());
        }
        Binder.Relation rel = binder.findRelation(name.schema(), name.name());
        if (rel == null) {
            if (name.schema() != null && session.txn.findSchema(name.schema()) == null && binder.registry.view(name.schema(), name.name()) == null
                    && !name.schema().equals("information_schema")) {
                throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + name.schema() + "." + name.name() + "\" does not exist")
                        .withPosition(name.pos());
            }
            throw new LrepException(SqlState.UNDEFINED_TABLE, "relation \"" + (name.schema() != null ? name.schema() + "." : "")
                    + name.name() + "\" does not exist").withPosition(name.pos());
        }
        return rel;
    }

    private Plan functionItem(FromItem.Function f, Scope scope) {
        FuncCall call = f.call();
        // the arguments are evaluated in the scan's own (empty) level, below the query's enclosing levels
        List<Expr> args = binder.bindAll(call.args(), new Scope(scope.parent));
        List<PgType> types = new ArrayList<>();
        for (Expr a : args) {
            types.add(a.type);
        }
        SqlFunction fn = binder.registry.find(call.schema(), call.name(), types);
        if (fn == null) {
            fn = binder.registry.resolve(call.schema() != null && call.schema().equals("pg_catalog") ? null : call.schema(), call.name(),
                    types);
        }
        List<Expr> coerced = binder.coerceArgs(fn, args, call.pos());
        String alias = f.alias() != null ? f.alias().name() : call.name();
        List<String> aliasCols = f.alias() != null ? f.alias().columns() : null;
        List<ColumnInfo> cols = new ArrayList<>();
        if (fn.returnsSet()) {
            if (fn.resultColumns().size() == 1) {
                PgType t = binder.srfType(fn, args);
                String n = aliasCols != null && !aliasCols.isEmpty() ? aliasCols.get(0) : f.alias() != null ? f.alias().name() : call.name();
                cols.add(ColumnInfo.of(n, t));
            } else {
                cols.addAll(fn.resultColumns());
            }
        } else {
            String n = aliasCols != null && !aliasCols.isEmpty() ? aliasCols.get(0) : f.alias() != null ? f.alias().name() : call.name();
            cols.add(ColumnInfo.of(n, fn.returnType()));
        }
        if (f.withOrdinality()) {
            cols.add(ColumnInfo.of("ordinality", PgType.INT8));
        }
        addResultEntry(scope, alias, aliasCols, cols);
        if (fn.returnsSet()) {
            return new Plan.FunctionScan(fn, coerced, cols.size(), f.withOrdinality());
        }
        Expr value = binder.call(fn, coerced, call.pos());
        List<Expr> row = new ArrayList<>();
        row.add(value);
        if (f.withOrdinality()) {
            row.add(new Expr.Const(PgType.INT8, 1L));
        }
        return new Plan.ValuesScan(row.size(), List.of(row));
    }

    private Plan join(FromItem.Join j, Scope scope) {
        Scope ls = new Scope(scope.parent);
        Plan left = fromItem(j.left(), ls);
        Scope rs = new Scope(scope.parent);
        boolean lateralRight = isLateral(j.right());
        Plan right = lateralRight ? lateralItem(j.right(), rs, ls) : fromItem(j.right(), rs);
        int lw = ls.width;
        merge(scope, ls);
        merge(scope, rs);
        scope.correlated |= ls.correlated || rs.correlated;
        Plan.JoinType type = Plan.JoinType.valueOf(j.kind().name());
        List<io.lrep.node.sql.ast.Expr> conds = new ArrayList<>();
        List<String> usingCols = new ArrayList<>();
        if (j.natural()) {
            for (Scope.Entry le : ls.entries) {
                for (String n : le.names) {
                    for (Scope.Entry re : rs.entries) {
                        if (re.names.contains(n) && !usingCols.contains(n)) {
                            usingCols.add(n);
                        }
                    }
                }
            }
        } else if (j.using() != null) {
            for (Ident id : j.using()) {
                usingCols.add(id.name());
            }
        }
        for (String n : usingCols) {
            Scope.Entry le = entryWith(ls, n, j.pos());
            Scope.Entry re = entryWith(rs, n, j.pos());
            conds.add(new BinaryOp(null, "=", new ColumnRef(List.of(le.refName, n), j.pos()), new ColumnRef(List.of(re.refName, n), j.pos()),
                    j.pos()));
            // the right side's column is reachable only qualified, as the merged column is the left one
            for (Scope.Entry e : scope.entries) {
                if (e.refName != null && e.refName.equals(re.refName)) {
                    int i = e.names.indexOf(n);
                    if (i >= 0) {
                        e.hidden.set(i, true);
                    }
                }
            }
        }
        if (j.on() != null) {
            conds.add(j.on());
        }
        if (conds.isEmpty()) {
            return new Plan.NestedLoop(left, right, type == Plan.JoinType.INNER ? Plan.JoinType.CROSS : type, null, lateralRight);
        }
        // equi-join keys between the two sides make a hash join
        List<io.lrep.node.sql.ast.Expr> conjuncts = new ArrayList<>();
        for (io.lrep.node.sql.ast.Expr c : conds) {
            flattenAnd(c, conjuncts);
        }
        List<Expr> lk = new ArrayList<>();
        List<Expr> rk = new ArrayList<>();
        List<PgType> kt = new ArrayList<>();
        List<Expr> residual = new ArrayList<>();
        String saved = binder.noAggregates;
        binder.noAggregates = "JOIN conditions";
        try {
            for (io.lrep.node.sql.ast.Expr c : conjuncts) {
                if (c instanceof BinaryOp b && b.op().equals("=") && b.left() instanceof ColumnRef x && b.right() instanceof ColumnRef y) {
                    Expr.Column cx = scope.resolve(x.names(), x.pos());
                    Expr.Column cy = scope.resolve(y.names(), y.pos());
                    if (cx != null && cy != null && cx.levelsUp == 0 && cy.levelsUp == 0) {
                        boolean xl = cx.index < lw;
                        boolean yl = cy.index < lw;
                        if (xl != yl) {
                            Expr.Column l = xl ? cx : cy;
                            Expr.Column r = xl ? cy : cx;
                            PgType t = Ops.comparisonType(l.type, r.type);
                            if (t != null) {
                                lk.add(binder.coerce(l, t, -1, b.pos()));
                                rk.add(binder.coerce(new Expr.Column(r.type, r.typmod, 0, r.index - lw, r.name, 0, (short) 0), t, -1, b.pos()));
                                kt.add(t);
                                continue;
                            }
                        }
                    }
                }
                residual.add(binder.coerceBool(binder.bind(c, scope), "JOIN/ON", c.pos()));
            }
        } finally {
            binder.noAggregates = saved;
        }
        Expr res = residual.isEmpty() ? null : Binder.and(residual);
        if (lateralRight) {
            List<Expr> all = new ArrayList<>();
            for (int i = 0; i < lk.size(); i++) {
                Expr l = lk.get(i);
                Expr r = rk.get(i);
                int shift = lw;
                Expr rr = Expr.of(r.type, env -> r.eval(new Env(env.exec, env.outer, java.util.Arrays.copyOfRange(env.row, shift, env.row.length))));
                all.add(binder.compare("=", l, rr, j.pos()));
            }
            if (res != null) {
                all.add(res);
            }
            return new Plan.NestedLoop(left, right, type, all.isEmpty() ? null : Binder.and(all), true);
        }
        if (!lk.isEmpty()) {
            Plan lookup = indexLookup(right, lk, rk, type);
            if (lookup != null) {
                return new Plan.NestedLoop(left, lookup, type, res, true);
            }
            return new Plan.HashJoin(left, right, type, lk, rk, kt.toArray(new PgType[0]), res);
        }
        return new Plan.NestedLoop(left, right, type, res, false);
    }

    /**
     * An index nested loop: when the equi-join keys cover the right table's whole primary key
     * (same types), the right side becomes a primary-key lookup per left row instead of a scan.
     */
    private static Plan indexLookup(Plan right, List<Expr> lk, List<Expr> rk, Plan.JoinType type) {
        if (!(right instanceof Plan.SeqScan ss) || ss.filter != null || !ss.table.hasPrimaryKey()
                || !(type == Plan.JoinType.INNER || type == Plan.JoinType.LEFT)) {
            return null;
        }
        TableDef t = ss.table;
        Expr[] key = new Expr[t.primaryKey().size()];
        for (int i = 0; i < rk.size(); i++) {
            if (!(rk.get(i) instanceof Expr.Column r) || !(lk.get(i) instanceof Expr.Column l)) {
                continue;
            }
            int k = t.primaryKey().indexOf(r.index + 1);
            if (k < 0 || l.type != t.columns().get(r.index).type()) {
                continue;
            }
            // the left row is one level out while the lookup runs
            key[k] = new Expr.Column(l.type, l.typmod, l.levelsUp + 1, l.index, l.name, l.tableOid, l.attnum);
        }
        for (Expr k : key) {
            if (k == null) {
                return null;
            }
        }
        return new Plan.PkLookup(t, List.of(key), null);
    }

    private static Scope.Entry entryWith(Scope s, String col, int pos) {
        for (Scope.Entry e : s.entries) {
            if (e.names.contains(col)) {
                return e;
            }
        }
        throw new LrepException(SqlState.UNDEFINED_COLUMN, "column \"" + col + "\" specified in USING clause does not exist in "
                + "left table").withPosition(pos);
    }

    static void flattenAnd(io.lrep.node.sql.ast.Expr e, List<io.lrep.node.sql.ast.Expr> out) {
        if (e instanceof BoolExpr b && b.op() == io.lrep.node.sql.ast.Expr.BoolOp.AND) {
            for (io.lrep.node.sql.ast.Expr a : b.args()) {
                flattenAnd(a, out);
            }
        } else {
            out.add(e);
        }
    }

    // =====================================================================================
    // WHERE, primary-key lookups
    // =====================================================================================

    private Plan where(Plan plan, Scope scope, List<FromItem> from, io.lrep.node.sql.ast.Expr where) {
        Expr filter = binder.coerceBool(binder.bind(where, scope), "WHERE", where.pos());
        if (plan instanceof Plan.SeqScan ss && from.size() == 1) {
            List<Expr> key = pkKey(ss.table, scope, where);
            if (key != null) {
                return new Plan.PkLookup(ss.table, key, filter);
            }
            return new Plan.SeqScan(ss.table, filter);
        }
        if (plan instanceof Plan.ViewScan vs) {
            return new Plan.ViewScan(vs.view, filter);
        }
        return new Plan.Filter(plan, filter);
    }

    /**
     * The primary key values a WHERE clause fixes ({@code pk = expr AND ...} where expr does not
     * read the table), coerced to the key columns' types; null when it does not fix all of them.
     */
    List<Expr> pkKey(TableDef table, Scope scope, io.lrep.node.sql.ast.Expr where) {
        if (!table.hasPrimaryKey()) {
            return null;
        }
        List<io.lrep.node.sql.ast.Expr> conjuncts = new ArrayList<>();
        flattenAnd(where, conjuncts);
        Expr[] key = new Expr[table.primaryKey().size()];
        for (io.lrep.node.sql.ast.Expr c : conjuncts) {
            if (!(c instanceof BinaryOp b) || !b.op().equals("=")) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                io.lrep.node.sql.ast.Expr colSide = side == 0 ? b.left() : b.right();
                io.lrep.node.sql.ast.Expr valSide = side == 0 ? b.right() : b.left();
                if (!(colSide instanceof ColumnRef cr)) {
                    continue;
                }
                Expr.Column col = scope.resolve(cr.names(), cr.pos());
                if (col == null || col.levelsUp != 0) {
                    continue;
                }
                int attnum = col.index + 1;
                int k = table.primaryKey().indexOf(attnum);
                if (k < 0 || key[k] != null || readsLevel(valSide, scope)) {
                    continue;
                }
                ColumnDef cd = table.columns().get(attnum - 1);
                Expr v = binder.bind(valSide, scope);
                if (v.type != PgType.UNKNOWN && !(v instanceof Expr.Param && v.type == PgType.UNKNOWN)
                        && Ops.comparisonType(v.type, cd.type()) != cd.type()) {
                    continue;
                }
                key[k] = keyValue(binder.coerce(v, cd.type(), -1, valSide.pos()), cd.type());
            }
        }
        for (Expr k : key) {
            if (k == null) {
                return null;
            }
        }
        return List.of(key);
    }

    /** A key value must be exactly the column's Java class; a comparison in a wider type would not be a point lookup. */
    private static Expr keyValue(Expr e, PgType t) {
        return e;
    }

    /** Whether an expression reads a column of this query level (then it cannot be a lookup key). */
    private static boolean readsLevel(io.lrep.node.sql.ast.Expr e, Scope scope) {
        boolean[] reads = {false};
        AstUtil.walk(e, n -> {
            if (n instanceof ColumnRef c) {
                try {
                    Expr.Column col = scope.resolve(c.names(), c.pos());
                    if (col == null || col.levelsUp == 0) {
                        reads[0] = true;
                    }
                } catch (LrepException x) {
                    reads[0] = true;
                }
            } else if (n instanceof Query || n instanceof FuncCall f && !f.args().isEmpty() && false) {
                reads[0] = true;
            }
        });
        return reads[0];
    }
}
