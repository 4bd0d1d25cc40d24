package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgInterval;
import io.lrep.core.types.PgType;
import io.lrep.core.types.TypMod;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import io.lrep.node.sql.ast.Expr.ArrayConstructor;
import io.lrep.node.sql.ast.Expr.ArraySubquery;
import io.lrep.node.sql.ast.Expr.Between;
import io.lrep.node.sql.ast.Expr.BinaryOp;
import io.lrep.node.sql.ast.Expr.BoolExpr;
import io.lrep.node.sql.ast.Expr.BoolLiteral;
import io.lrep.node.sql.ast.Expr.BoolTest;
import io.lrep.node.sql.ast.Expr.Case;
import io.lrep.node.sql.ast.Expr.Cast;
import io.lrep.node.sql.ast.Expr.Coalesce;
import io.lrep.node.sql.ast.Expr.Collate;
import io.lrep.node.sql.ast.Expr.ColumnRef;
import io.lrep.node.sql.ast.Expr.DefaultValue;
import io.lrep.node.sql.ast.Expr.DistinctFrom;
import io.lrep.node.sql.ast.Expr.Exists;
import io.lrep.node.sql.ast.Expr.FuncCall;
import io.lrep.node.sql.ast.Expr.InList;
import io.lrep.node.sql.ast.Expr.InSubquery;
import io.lrep.node.sql.ast.Expr.Like;
import io.lrep.node.sql.ast.Expr.MinMax;
import io.lrep.node.sql.ast.Expr.NullIf;
import io.lrep.node.sql.ast.Expr.NullLiteral;
import io.lrep.node.sql.ast.Expr.NullTest;
import io.lrep.node.sql.ast.Expr.NumberLiteral;
import io.lrep.node.sql.ast.Expr.Param;
import io.lrep.node.sql.ast.Expr.QuantifiedArray;
import io.lrep.node.sql.ast.Expr.QuantifiedSubquery;
import io.lrep.node.sql.ast.Expr.RowConstructor;
import io.lrep.node.sql.ast.Expr.ScalarSubquery;
import io.lrep.node.sql.ast.Expr.SqlValueFunction;
import io.lrep.node.sql.ast.Expr.StringLiteral;
import io.lrep.node.sql.ast.Expr.Subscript;
import io.lrep.node.sql.ast.Expr.TypedLiteral;
import io.lrep.node.sql.ast.Expr.UnaryOp;
import io.lrep.node.sql.ast.Query;
import io.lrep.node.sql.ast.TypeName;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Binds syntax-tree expressions to typed {@link Expr}s: names through a {@link Scope},
 * operators and functions by argument types, untyped literals and parameters by context.
 */
final class Binder {

    final ExecSession session;
    final FunctionRegistry registry;
    final ParamTypes params;
    final QueryPlanner planner;

    /** Non-null while binding expressions above an Aggregate (select list, HAVING, ORDER BY of a grouped query). */
    AggContext agg;
    /** Where aggregates are not allowed: "WHERE", "JOIN conditions", ...; null where they are. */
    String noAggregates;

    Binder(ExecSession session, ParamTypes params, QueryPlanner planner) {
        this.session = session;
        this.registry = session.engine.registry;
        this.params = params;
        this.planner = planner;
    }

    ZoneId zone() {
        return session.timeZone();
    }

    /** The grouping of the query level being bound: GROUP BY expressions, and aggregate calls found so far. */
    static final class AggContext {
        final Scope fromScope;
        final Scope aggScope;
        final List<io.lrep.node.sql.ast.Expr> groupBy;
        final List<Expr> groupBound;
        final List<Aggs.Spec> specs = new ArrayList<>();
        final List<FuncCall> calls = new ArrayList<>();

        AggContext(Scope fromScope, Scope aggScope, List<io.lrep.node.sql.ast.Expr> groupBy, List<Expr> groupBound) {
            this.fromScope = fromScope;
            this.aggScope = aggScope;
            this.groupBy = groupBy;
            this.groupBound = groupBound;
        }
    }

    // =====================================================================================
    // Expressions
    // =====================================================================================

    Expr bind(io.lrep.node.sql.ast.Expr e, Scope s) {
        if (agg != null && s == agg.aggScope) {
            for (int i = 0; i < agg.groupBy.size(); i++) {
                if (AstUtil.same(agg.groupBy.get(i), e)) {
                    Expr g = agg.groupBound.get(i);
                    return new Expr.Column(g.type, g.typmod, 0, i, g instanceof Expr.Column c ? c.name : "?column?",
                            g instanceof Expr.Column c2 ? c2.tableOid : 0, g instanceof Expr.Column c3 ? c3.attnum : (short) 0);
                }
            }
            if (e instanceof FuncCall f && f.over() == null && isAggregateCall(f)) {
                return aggregate(f);
            }
            if (e instanceof ColumnRef c) {
                Expr.Column col = agg.fromScope.resolve(c.names(), c.pos());
                if (col == null) {
                    Expr.Column outer = agg.aggScope.parent == null ? null : agg.aggScope.parent.resolve(c.names(), c.pos());
                    if (outer != null) {
                        return new Expr.Column(outer.type, outer.typmod, outer.levelsUp + 1, outer.index, outer.name, outer.tableOid,
                                outer.attnum);
                    }
                    throw undefinedColumn(c);
                }
                if (col.levelsUp > 0) {
                    return col;
                }
                throw new LrepException(SqlState.GROUPING_ERROR, "column \"" + String.join(".", qualifiedForError(c))
                        + "\" must appear in the GROUP BY clause or be used in an aggregate function").withPosition(c.pos());
            }
        }
        return bindNode(e, s);
    }

    private List<String> qualifiedForError(ColumnRef c) {
        if (c.names().size() >= 2) {
            return c.names().subList(c.names().size() - 2, c.names().size());
        }
        for (Scope.Entry en : agg.fromScope.entries) {
            if (en.names.contains(c.column()) && en.refName != null) {
                return List.of(en.refName, c.column());
            }
        }
        return c.names();
    }

    boolean isAggregateCall(FuncCall f) {
        return f.over() == null && (f.schema() == null || f.schema().equals("pg_catalog")) && Aggs.isAggregate(f.name())
                && registry.find(f.schema(), f.name(), List.of(PgType.UNKNOWN)) == null;
    }

    private Expr aggregate(FuncCall f) {
        Aggs.Kind kind = Aggs.kindOf(f.name(), f.star() ? 0 : f.args().size());
        for (int i = 0; i < agg.calls.size(); i++) {
            if (AstUtil.same(agg.calls.get(i), f)) {
                Aggs.Spec sp = agg.specs.get(i);
                return new Expr.Column(sp.resultType(), -1, 0, agg.groupBy.size() + i, f.name(), 0, (short) 0);
            }
        }
        AggContext saved = agg;
        agg = null;
        String savedNo = noAggregates;
        noAggregates = "aggregate function calls";
        try {
            Expr arg = null;
            Expr delim = null;
            PgType argType = PgType.INT8;
            if (kind != Aggs.Kind.COUNT_STAR) {
                if (f.args().isEmpty()) {
                    throw new LrepException(SqlState.UNDEFINED_FUNCTION, "function " + f.name() + "() does not exist").withPosition(f.pos());
                }
                arg = bind(f.args().get(0), saved.fromScope);
                if (arg.type == PgType.UNKNOWN) {
                    arg = coerce(arg, PgType.TEXT, -1, f.pos());
                }
                argType = arg.type;
                if (kind == Aggs.Kind.STRING_AGG) {
                    if (f.args().size() != 2) {
                        throw new LrepException(SqlState.UNDEFINED_FUNCTION, "function string_agg(" + Ops.sqlName(argType)
                                + ") does not exist").withPosition(f.pos());
                    }
                    arg = coerce(arg, PgType.TEXT, -1, f.pos());
                    delim = coerce(bind(f.args().get(1), saved.fromScope), PgType.TEXT, -1, f.pos());
                }
                if (kind == Aggs.Kind.SUM || kind == Aggs.Kind.AVG) {
                    if (argType == PgType.OID) {
                        throw new LrepException(SqlState.UNDEFINED_FUNCTION, "function " + f.name() + "(oid) does not exist");
                    }
                }
            }
            Expr filter = f.filter() == null ? null : coerce(bind(f.filter(), saved.fromScope), PgType.BOOL, -1, f.pos());
            PgType rt = Aggs.resultType(kind, argType, f.name());
            Aggs.Spec sp = new Aggs.Spec(kind, arg, delim, f.distinct(), filter, rt);
            saved.specs.add(sp);
            saved.calls.add(f);
            return new Expr.Column(rt, -1, 0, saved.groupBy.size() + saved.specs.size() - 1, f.name(), 0, (short) 0);
        } finally {
            agg = saved;
            noAggregates = savedNo;
        }
    }

    private Expr bindNode(io.lrep.node.sql.ast.Expr e, Scope s) {
        if (e instanceof NumberLiteral n) {
            return numberLiteral(n);
        }
        if (e instanceof StringLiteral str) {
            return new Expr.Const(PgType.UNKNOWN, str.value());
        }
        if (e instanceof BoolLiteral b) {
            return new Expr.Const(PgType.BOOL, b.value());
        }
        if (e instanceof NullLiteral) {
            return new Expr.Const(PgType.UNKNOWN, null);
        }
        if (e instanceof TypedLiteral t) {
            return cast(new Expr.Const(PgType.UNKNOWN, t.value()), t.type(), t.pos());
        }
        if (e instanceof Param p) {
            int idx = p.index() - 1;
            if (idx < 0 || !params.allows(idx)) {
                throw new LrepException(SqlState.UNDEFINED_PARAMETER, "there is no parameter $" + p.index()).withPosition(p.pos());
            }
            params.seen(idx);
            PgType t = params.get(idx);
            return new Expr.Param(idx, t == null ? PgType.UNKNOWN : t);
        }
        if (e instanceof DefaultValue d) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "DEFAULT is not allowed in this context").withPosition(d.pos());
        }
        if (e instanceof ColumnRef c) {
            Expr.Column col = s == null ? null : s.resolve(c.names(), c.pos());
            if (col == null) {
                throw undefinedColumn(c);
            }
            return col;
        }
        if (e instanceof BinaryOp b) {
            return binary(b, s);
        }
        if (e instanceof UnaryOp u) {
            return unary(u, s);
        }
        if (e instanceof BoolExpr b) {
            return boolExpr(b, s);
        }
        if (e instanceof NullTest n) {
            Expr a = bind(n.arg(), s);
            boolean not = n.not();
            return Expr.of(PgType.BOOL, env -> (a.eval(env) == null) != not);
        }
        if (e instanceof BoolTest b) {
            Expr a = coerce(bind(b.arg(), s), PgType.BOOL, -1, b.pos());
            return Expr.of(PgType.BOOL, env -> {
                Object v = a.eval(env);
                return switch (b.kind()) {
                    case IS_TRUE -> Boolean.TRUE.equals(v);
                    case IS_NOT_TRUE -> !Boolean.TRUE.equals(v);
                    case IS_FALSE -> Boolean.FALSE.equals(v);
                    case IS_NOT_FALSE -> !Boolean.FALSE.equals(v);
                    case IS_UNKNOWN -> v == null;
                    case IS_NOT_UNKNOWN -> v != null;
                };
            });
        }
        if (e instanceof DistinctFrom d) {
            Expr[] p = comparable(bind(d.left(), s), bind(d.right(), s), "=", d.pos());
            PgType t = p[0].type;
            boolean not = d.not();
            return Expr.of(PgType.BOOL, env -> {
                Object x = p[0].eval(env);
                Object y = p[1].eval(env);
                boolean distinct = x == null || y == null ? x != y : Plan.compareValues(t, x, y) != 0;
                return distinct != not;
            });
        }
        if (e instanceof Between b) {
            Expr a = bind(b.arg(), s);
            Expr lo = bind(b.low(), s);
            Expr hi = bind(b.high(), s);
            Expr ge = compare(">=", a, lo, b.pos());
            Expr le = compare("<=", a, hi, b.pos());
            Expr both = and(List.of(ge, le));
            Expr result = both;
            if (b.symmetric()) {
                Expr ge2 = compare(">=", a, hi, b.pos());
                Expr le2 = compare("<=", a, lo, b.pos());
                result = or(List.of(both, and(List.of(ge2, le2))));
            }
            return b.not() ? not(result) : result;
        }
        if (e instanceof InList in) {
            Expr a = bind(in.arg(), s);
            List<Expr> eqs = new ArrayList<>();
            for (io.lrep.node.sql.ast.Expr x : in.list()) {
                eqs.add(compare("=", a, bind(x, s), in.pos()));
            }
            Expr any = or(eqs);
            return in.not() ? not(any) : any;
        }
        if (e instanceof Like l) {
            return like(l, s);
        }
        if (e instanceof Case c) {
            return caseExpr(c, s);
        }
        if (e instanceof Cast c) {
            return cast(bind(c.arg(), s), c.type(), c.pos());
        }
        if (e instanceof Collate c) {
            return bind(c.arg(), s);
        }
        if (e instanceof FuncCall f) {
            return function(f, s);
        }
        if (e instanceof Coalesce c) {
            List<Expr> args = common(bindAll(c.args(), s), "COALESCE", c.pos());
            return Expr.of(args.get(0).type, args.get(0).typmod, env -> {
                for (Expr a : args) {
                    Object v = a.eval(env);
                    if (v != null) {
                        return v;
                    }
                }
                return null;
            });
        }
        if (e instanceof NullIf n) {
            Expr a = bind(n.left(), s);
            Expr b = bind(n.right(), s);
            Expr eq = compare("=", a, b, n.pos());
            Expr a2 = a.type == PgType.UNKNOWN ? coerce(a, PgType.TEXT, -1, n.pos()) : a;
            return Expr.of(a2.type, env -> Boolean.TRUE.equals(eq.eval(env)) ? null : a2.eval(env));
        }
        if (e instanceof MinMax m) {
            List<Expr> args = common(bindAll(m.args(), s), m.greatest() ? "GREATEST" : "LEAST", m.pos());
            PgType t = args.get(0).type;
            boolean greatest = m.greatest();
            return Expr.of(t, env -> {
                Object best = null;
                for (Expr a : args) {
                    Object v = a.eval(env);
                    if (v != null && (best == null || (Plan.compareValues(t, v, best) > 0) == greatest && Plan.compareValues(t, v, best) != 0)) {
                        best = v;
                    }
                }
                return best;
            });
        }
        if (e instanceof SqlValueFunction f) {
            return sqlValueFunction(f);
        }
        if (e instanceof ScalarSubquery q) {
            return scalarSubquery(q.query(), s, q.pos());
        }
        if (e instanceof Exists x) {
            QueryPlanner.Result r = planner.planSubquery(x.query(), s);
            Plan p = r.plan();
            boolean cacheable = !r.correlated();
            Object key = new Object();
            return Expr.of(PgType.BOOL, env -> {
                if (cacheable) {
                    return env.exec.cached(key, () -> p.open(env.exec, env).next() != null);
                }
                return p.open(env.exec, env).next() != null;
            });
        }
        if (e instanceof InSubquery in) {
            Expr any = quantifiedSubquery("=", bind(in.arg(), s), false, in.query(), s, in.pos());
            return in.not() ? not(any) : any;
        }
        if (e instanceof QuantifiedSubquery q) {
            return quantifiedSubquery(q.op(), bind(q.left(), s), q.all(), q.query(), s, q.pos());
        }
        if (e instanceof QuantifiedArray q) {
            return quantifiedArray(q, s);
        }
        if (e instanceof ArraySubquery a) {
            QueryPlanner.Result r = planner.planSubquery(a.query(), s);
            if (r.columns().size() != 1) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "subquery must return only one column").withPosition(a.pos());
            }
            PgType el = r.columns().get(0).type();
            PgType at = el.arrayType() != null ? el.arrayType() : PgType.TEXT_ARRAY;
            Plan p = r.plan();
            return Expr.of(at, env -> {
                List<Object> out = new ArrayList<>();
                RowIter it = p.open(env.exec, env);
                Object[] row;
                while ((row = it.next()) != null) {
                    out.add(row[0]);
                }
                return out.toArray();
            });
        }
        if (e instanceof ArrayConstructor a) {
            List<Expr> els = bindAll(a.elements(), s);
            if (els.isEmpty()) {
                return new Expr.Const(PgType.TEXT_ARRAY, new Object[0]);
            }
            els = common(els, "ARRAY", a.pos());
            PgType el = els.get(0).type;
            PgType at = el.elementType() != null ? el : el.arrayType();
            if (at == null) {
                throw new LrepException(SqlState.UNDEFINED_OBJECT, "could not find array type for data type " + Ops.sqlName(el))
                        .withPosition(a.pos());
            }
            List<Expr> fin = els;
            return Expr.of(at, env -> {
                Object[] out = new Object[fin.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = fin.get(i).eval(env);
                }
                return out;
            });
        }
        if (e instanceof Subscript sub) {
            Expr arr = bind(sub.arg(), s);
            if (arr.type.elementType() == null) {
                throw new LrepException(SqlState.DATATYPE_MISMATCH, "cannot subscript type " + Ops.sqlName(arr.type)
                        + " because it does not support subscripting").withPosition(sub.pos());
            }
            if (sub.slice()) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "array slices are not supported").withPosition(sub.pos());
            }
            Expr idx = coerce(bind(sub.lower(), s), PgType.INT4, -1, sub.pos());
            return Expr.of(arr.type.elementType(), env -> {
                Object[] a = (Object[]) arr.eval(env);
                Object i = idx.eval(env);
                if (a == null || i == null) {
                    return null;
                }
                int k = (Integer) i;
                return k >= 1 && k <= a.length ? a[k - 1] : null;
            });
        }
        if (e instanceof RowConstructor r) {
            List<Expr> fs = bindAll(r.fields(), s);
            return Expr.of(PgType.RECORD, env -> Dml.eval(fs, env));
        }
        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, e.getClass().getSimpleName() + " expressions are not supported")
                .withPosition(e.pos());
    }

    LrepException undefinedColumn(ColumnRef c) {
        String name = c.names().size() >= 2 ? String.join(".", c.names().subList(c.names().size() - 2, c.names().size())) : c.column();
        // PostgreSQL quotes a bare column name but not a qualified one
        String shown = c.names().size() >= 2 ? name : quoteIfNeeded(name);
        return new LrepException(SqlState.UNDEFINED_COLUMN, "column " + shown + " does not exist").withPosition(c.pos());
    }

    private static String quoteIfNeeded(String name) {
        return "\"" + name + "\"";
    }

    List<Expr> bindAll(List<io.lrep.node.sql.ast.Expr> es, Scope s) {
        List<Expr> out = new ArrayList<>();
        for (io.lrep.node.sql.ast.Expr e : es) {
            out.add(bind(e, s));
        }
        return out;
    }

    private Expr numberLiteral(NumberLiteral n) {
        return switch (n.type()) {
            case INT4 -> new Expr.Const(PgType.INT4, Integer.parseInt(n.text()));
            case INT8 -> new Expr.Const(PgType.INT8, Long.parseLong(n.text()));
            default -> new Expr.Const(PgType.NUMERIC, new BigDecimal(n.text()));
        };
    }

    // ---------------------------------------------------------------- coercion

    /** Implicit coercion to {@code target}: untyped literals are read as it, parameters take it, values are converted. */
    Expr coerce(Expr e, PgType target, int typmod, int pos) {
        if (e.type == target && (typmod < 0 || e.typmod == typmod)) {
            return e;
        }
        if (e instanceof Expr.Const c && c.type == PgType.UNKNOWN) {
            if (c.value == null) {
                return new Expr.Const(target, typmod, null);
            }
            try {
                return new Expr.Const(target, typmod, Casts.input(target, typmod, (String) c.value, zone()));
            } catch (LrepException x) {
                throw x.position() == 0 ? x.withPosition(pos) : x;
            }
        }
        if (e instanceof Expr.Param p && p.type == PgType.UNKNOWN) {
            PgType t = params.infer(p.index, target);
            Expr typed = new Expr.Param(p.index, t);
            return t == target ? typed : runtimeCast(typed, target, typmod, false);
        }
        if (e.type == PgType.UNKNOWN) {
            return runtimeCast(e, target, typmod, true);
        }
        return runtimeCast(e, target, typmod, false);
    }

    /** Assignment coercion (INSERT/UPDATE values to a column's type). */
    Expr assign(Expr e, PgType target, int typmod, int pos) {
        if (e.type == target && typmod < 0) {
            return e;
        }
        if (e.type == PgType.UNKNOWN || e instanceof Expr.Param) {
            Expr c = coerce(e, target, typmod, pos);
            if (typmod >= 0 && !(c instanceof Expr.Const)) {
                return assignCast(c, target, typmod);
            }
            return c;
        }
        if (e.type == target && e.typmod == typmod) {
            return e;
        }
        if (e.type.elementType() != null && target.elementType() == null || !assignable(e.type, target)) {
            throw new LrepException(SqlState.DATATYPE_MISMATCH, "column is of type " + TypMod.sqlName(target, typmod)
                    + " but expression is of type " + Ops.sqlName(e.type))
                    .withHint("You will need to rewrite or cast the expression.").withPosition(pos);
        }
        return assignCast(e, target, typmod);
    }

    private static boolean assignable(PgType from, PgType to) {
        if (from == to || Casts.implicit(from, to)) {
            return true;
        }
        if (Ops.isNumeric(from) && Ops.isNumeric(to)) {
            return true;
        }
        if (Ops.isString(to)) {
            return true;
        }
        if (Ops.isDateTime(from) && Ops.isDateTime(to)) {
            return true;
        }
        return (from == PgType.JSON || from == PgType.JSONB) && (to == PgType.JSON || to == PgType.JSONB)
                || Ops.isReg(to) || Ops.isReg(from);
    }

    private Expr assignCast(Expr e, PgType target, int typmod) {
        PgType from = e.type;
        Expr.Evaluator ev = env -> Casts.assign(from, target, typmod, e.eval(env), env.exec.session.timeZone());
        if (e.isConstant()) {
            Object v = Casts.assign(from, target, typmod, e.eval(null), zone());
            return new Expr.Const(target, typmod, v);
        }
        return Expr.of(target, typmod, ev);
    }

    private Expr runtimeCast(Expr e, PgType target, int typmod, boolean explicit) {
        PgType from = e.type;
        if (e.isConstant()) {
            Object v = Casts.explicit(from, target, typmod, e.eval(null), zone());
            return new Expr.Const(target, typmod, v);
        }
        if (Ops.isNumeric(from) && Ops.isNumeric(target) && typmod < 0) {
            return Expr.of(target, env -> Ops.promote(from, target, e.eval(env)));
        }
        return Expr.of(target, typmod, env -> Casts.explicit(from, target, typmod, e.eval(env), env.exec.session.timeZone()));
    }

    /** Explicit cast {@code e::type}. */
    Expr cast(Expr e, TypeName tn, int pos) {
        if (tn.name().equals("interval") && tn.arrayDims() == 0 && !tn.intervalFields().isEmpty()) {
            // INTERVAL '5' MINUTE, INTERVAL '1 day 02:03:04' HOUR TO MINUTE: a bare number is the
            // last field's unit, and the fields below it are dropped.
            String last = tn.intervalFields().get(tn.intervalFields().size() - 1);
            if (e instanceof Expr.Const c && c.type == PgType.UNKNOWN) {
                return new Expr.Const(PgType.INTERVAL, c.value == null ? null : PgInterval.parse((String) c.value, last).truncateTo(last));
            }
            Expr iv = castTo(e, PgType.INTERVAL, -1, pos);
            return foldIfConstant(Expr.of(PgType.INTERVAL, env -> {
                Object v = iv.eval(env);
                return v == null ? null : ((PgInterval) v).truncateTo(last);
            }), iv);
        }
        PgType target = typeOf(tn);
        int typmod = typmodOf(tn, target);
        return castTo(e, target, typmod, pos);
    }

    Expr castTo(Expr e, PgType target, int typmod, int pos) {
        PgType src = e.type == PgType.UNKNOWN ? PgType.TEXT : e.type;
        // Casts to and from reg* and other catalog types: a function named as the target type.
        if ((Ops.isReg(target) || Ops.isReg(e.type)) && target != e.type) {
            SqlFunction f = registry.find(null, target.typname(), List.of(src));
            if (f != null && !f.returnsSet()) {
                return call(f, List.of(coerce(e, f.argTypes().get(0) == null ? src : f.argTypes().get(0), -1, pos)), pos);
            }
            if (target == PgType.REGCLASS && Ops.isString(src)) {
                Expr arg = coerce(e, PgType.TEXT, -1, pos);
                return foldIfConstant(Expr.of(PgType.REGCLASS, env -> {
                    Object v = arg.eval(env);
                    return v == null ? null : (Object) env.exec.session.relationOid((String) v);
                }), arg);
            }
            if (target == PgType.REGTYPE && Ops.isString(src)) {
                Expr arg = coerce(e, PgType.TEXT, -1, pos);
                return foldIfConstant(Expr.of(PgType.REGTYPE, env -> {
                    Object v = arg.eval(env);
                    if (v == null) {
                        return null;
                    }
                    PgType t = PgType.byName(((String) v).trim());
                    if (t == null) {
                        throw new LrepException(SqlState.UNDEFINED_OBJECT, "type \"" + v + "\" does not exist");
                    }
                    return (long) t.oid();
                }), arg);
            }
            if (Ops.isString(target) && e.type == PgType.REGCLASS) {
                return Expr.of(target, env -> {
                    Object v = e.eval(env);
                    return v == null ? null : env.exec.session.relationName((Long) v);
                });
            }
            if (Ops.isString(target) && e.type == PgType.REGTYPE) {
                return Expr.of(target, env -> {
                    Object v = e.eval(env);
                    if (v == null) {
                        return null;
                    }
                    PgType t = PgType.byOid((int) (long) (Long) v);
                    return t == null ? v.toString() : TypMod.sqlName(t, -1);
                });
            }
        }
        if (e instanceof Expr.Const c && c.type == PgType.UNKNOWN) {
            return coerce(e, target, typmod, pos);
        }
        if (e instanceof Expr.Param p && p.type == PgType.UNKNOWN) {
            return coerce(e, target, typmod, pos);
        }
        if (e.type == target && typmod < 0) {
            return e;
        }
        if (!castable(e.type, target)) {
            throw Casts.cannotCast(e.type, target).withPosition(pos);
        }
        return runtimeCast(e, target, typmod, true);
    }

    private Expr foldIfConstant(Expr e, Expr arg) {
        return e;
    }

    private static boolean castable(PgType from, PgType to) {
        if (from == to || Casts.implicit(from, to) || Ops.isString(from) || Ops.isString(to) || from == PgType.UNKNOWN) {
            return true;
        }
        if (Ops.isNumeric(from) && Ops.isNumeric(to)) {
            return true;
        }
        if ((from == PgType.BOOL && (to == PgType.INT4 || to == PgType.INT2 || to == PgType.INT8))
                || (to == PgType.BOOL && (from == PgType.INT4 || from == PgType.INT2 || from == PgType.INT8))) {
            return true;
        }
        if (Ops.isDateTime(from) && Ops.isDateTime(to)) {
            return true;
        }
        if ((from == PgType.JSON || from == PgType.JSONB) && (to == PgType.JSON || to == PgType.JSONB)) {
            return true;
        }
        if (from.elementType() != null && to.elementType() != null) {
            return true;
        }
        return Ops.isReg(from) || Ops.isReg(to);
    }

    /** The type a type name means; 42704 when there is none. */
    static PgType typeOf(TypeName tn) {
        String name = tn.name().toLowerCase(Locale.ROOT);
        PgType t = switch (name) {
            case "serial", "serial4" -> PgType.INT4;
            case "bigserial", "serial8" -> PgType.INT8;
            case "smallserial", "serial2" -> PgType.INT2;
            case "int" -> PgType.INT4;
            case "float" -> floatType(tn);
            case "timestamp" -> PgType.TIMESTAMP;
            case "timestamptz" -> PgType.TIMESTAMPTZ;
            case "decimal" -> PgType.NUMERIC;
            // reg* types lrep has no PgType for: plain oids (their text is the number)
            case "regnamespace", "regrole", "regprocedure", "regoper", "regoperator", "regconfig", "regdictionary",
                    "regcollation" -> PgType.OID;
            case "string" -> null;
            default -> PgType.byName(name);
        };
        if (t == null || t == PgType.UNKNOWN && !name.equals("unknown")) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "type \"" + tn.name() + "\" does not exist").withPosition(tn.pos());
        }
        for (int i = 0; i < tn.arrayDims(); i++) {
            PgType a = t.elementType() != null ? t : t.arrayType();
            if (a == null) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "arrays of type " + Ops.sqlName(t) + " are not supported")
                        .withPosition(tn.pos());
            }
            t = a;
        }
        return t;
    }

    private static PgType floatType(TypeName tn) {
        if (tn.modifiers().size() == 1 && tn.modifiers().get(0) instanceof NumberLiteral n && Integer.parseInt(n.text()) <= 24) {
            return PgType.FLOAT4;
        }
        return PgType.FLOAT8;
    }

    static int typmodOf(TypeName tn, PgType t) {
        if (tn.modifiers().isEmpty() || tn.arrayDims() > 0) {
            return -1;
        }
        List<Integer> mods = new ArrayList<>();
        for (io.lrep.node.sql.ast.Expr m : tn.modifiers()) {
            if (!(m instanceof NumberLiteral n)) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "type modifiers must be simple constants").withPosition(tn.pos());
            }
            mods.add(Integer.parseInt(n.text()));
        }
        try {
            return switch (t) {
                case VARCHAR, BPCHAR -> TypMod.length(mods.get(0));
                case NUMERIC -> TypMod.numeric(mods.get(0), mods.size() > 1 ? mods.get(1) : 0);
                case TIMESTAMP, TIMESTAMPTZ -> TypMod.precision(mods.get(0));
                default -> -1;
            };
        } catch (IllegalArgumentException e) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage()).withPosition(tn.pos());
        }
    }

    /** Brings expressions to one type (CASE, COALESCE, VALUES, UNION, ARRAY): unknowns become the others' type, or text. */
    List<Expr> common(List<Expr> es, String context, int pos) {
        PgType t = null;
        for (Expr e : es) {
            if (e.type == PgType.UNKNOWN) {
                continue;
            }
            if (t == null) {
                t = e.type;
            } else if (t != e.type) {
                PgType c = commonOf(t, e.type);
                if (c == null) {
                    throw new LrepException(SqlState.DATATYPE_MISMATCH, context + " types " + Ops.sqlName(t) + " and "
                            + Ops.sqlName(e.type) + " cannot be matched").withPosition(pos);
                }
                t = c;
            }
        }
        if (t == null) {
            t = PgType.TEXT;
        }
        List<Expr> out = new ArrayList<>();
        for (Expr e : es) {
            out.add(e.type == t ? e : coerce(e, t, -1, pos));
        }
        return out;
    }

    static PgType commonOf(PgType a, PgType b) {
        if (a == b) {
            return a;
        }
        if (Ops.isNumeric(a) && Ops.isNumeric(b)) {
            return Ops.numericCommon(a, b);
        }
        if (Ops.isString(a) && Ops.isString(b)) {
            return PgType.TEXT;
        }
        if (Ops.isDateTime(a) && Ops.isDateTime(b)) {
            return a == PgType.TIMESTAMPTZ || b == PgType.TIMESTAMPTZ ? PgType.TIMESTAMPTZ : PgType.TIMESTAMP;
        }
        if ((Ops.isReg(a) || a == PgType.OID) && (Ops.isReg(b) || b == PgType.OID)) {
            return PgType.OID;
        }
        return null;
    }

    // ---------------------------------------------------------------- operators

    private Expr binary(BinaryOp b, Scope s) {
        String op = b.op();
        switch (op) {
            case "=", "<>", "<", ">", "<=", ">=":
                return compare(op, bind(b.left(), s), bind(b.right(), s), b.pos());
            case "+", "-", "*", "/", "%":
                return arith(op, bind(b.left(), s), bind(b.right(), s), b.pos());
            case "||":
                return concat(bind(b.left(), s), bind(b.right(), s), b.pos());
            case "^": {
                Expr l = bind(b.left(), s);
                Expr r = bind(b.right(), s);
                boolean numeric = l.type == PgType.NUMERIC || r.type == PgType.NUMERIC;
                SqlFunction pow = registry.resolve(null, "power", numeric ? List.of(PgType.NUMERIC, PgType.NUMERIC)
                        : List.of(PgType.FLOAT8, PgType.FLOAT8));
                return call(pow, coerceArgs(pow, List.of(l, r), b.pos()), b.pos());
            }
            case "~~", "!~~", "~~*", "!~~*": {
                Expr a = coerce(bind(b.left(), s), PgType.TEXT, -1, b.pos());
                Expr p = coerce(bind(b.right(), s), PgType.TEXT, -1, b.pos());
                boolean ci = op.contains("*");
                boolean not = op.startsWith("!");
                return Expr.of(PgType.BOOL, env -> {
                    Object x = a.eval(env);
                    Object y = p.eval(env);
                    return x == null || y == null ? null : Ops.like(textOf(x), (String) y, null, ci) != not;
                });
            }
            case "~", "~*", "!~", "!~*":
                return regex(op, bind(b.left(), s), bind(b.right(), s), b.pos());
            case "&", "|", "#", "<<", ">>": {
                Expr l = bind(b.left(), s);
                Expr r = bind(b.right(), s);
                PgType t = l.type == PgType.UNKNOWN ? (r.type == PgType.UNKNOWN ? PgType.INT4 : r.type) : l.type;
                if (!(t == PgType.INT2 || t == PgType.INT4 || t == PgType.INT8)) {
                    throw noOperator(op, l.type, r.type, b.pos());
                }
                Expr x = coerce(l, t, -1, b.pos());
                Expr y = coerce(r, op.equals("<<") || op.equals(">>") ? PgType.INT4 : t, -1, b.pos());
                return Expr.of(t, env -> {
                    Object p = x.eval(env);
                    Object q = y.eval(env);
                    if (p == null || q == null) {
                        return null;
                    }
                    long u = ((Number) p).longValue();
                    long v = ((Number) q).longValue();
                    long r2 = switch (op) {
                        case "&" -> u & v;
                        case "|" -> u | v;
                        case "#" -> u ^ v;
                        case "<<" -> u << v;
                        default -> u >> v;
                    };
                    return Ops.promote(PgType.INT8, t, r2);
                });
            }
            default:
                Expr l = bind(b.left(), s);
                Expr r = bind(b.right(), s);
                throw noOperator(op, l.type, r.type, b.pos());
        }
    }

    static String textOf(Object v) {
        return v instanceof String str ? str : String.valueOf(v);
    }

    private LrepException noOperator(String op, PgType l, PgType r, int pos) {
        return new LrepException(SqlState.UNDEFINED_FUNCTION, "operator does not exist: " + typeText(l) + " " + op + " " + typeText(r))
                .withHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                .withPosition(pos);
    }

    private static String typeText(PgType t) {
        return t == PgType.UNKNOWN ? "unknown" : Ops.sqlName(t);
    }

    /** Brings two comparison operands to the type they compare in. */
    Expr[] comparable(Expr l, Expr r, String op, int pos) {
        if (l.type == PgType.UNKNOWN && r.type == PgType.UNKNOWN) {
            return new Expr[] {coerce(l, PgType.TEXT, -1, pos), coerce(r, PgType.TEXT, -1, pos)};
        }
        if (l.type == PgType.UNKNOWN) {
            Expr l2 = coerce(l, r.type, -1, pos);
            return new Expr[] {l2, r};
        }
        if (r.type == PgType.UNKNOWN) {
            return new Expr[] {l, coerce(r, l.type, -1, pos)};
        }
        PgType t = Ops.comparisonType(l.type, r.type);
        if (t == null) {
            if (l.type == PgType.RECORD && r.type == PgType.RECORD) {
                return new Expr[] {l, r};
            }
            throw noOperator(op, l.type, r.type, pos);
        }
        return new Expr[] {coerce(l, t, -1, pos), coerce(r, t, -1, pos)};
    }

    Expr compare(String op, Expr l, Expr r, int pos) {
        Expr[] p = comparable(l, r, op, pos);
        Expr a = p[0];
        Expr b = p[1];
        PgType t = a.type;
        if (t == PgType.RECORD) {
            return Expr.of(PgType.BOOL, env -> {
                Object[] x = (Object[]) a.eval(env);
                Object[] y = (Object[]) b.eval(env);
                if (x == null || y == null) {
                    return null;
                }
                boolean eq = java.util.Arrays.deepEquals(x, y);
                return op.equals("=") ? eq : op.equals("<>") ? !eq : null;
            });
        }
        return switch (op) {
            case "=" -> Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                Object y = b.eval(env);
                return x == null || y == null ? null : Plan.compareValues(t, x, y) == 0;
            });
            case "<>" -> Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                Object y = b.eval(env);
                return x == null || y == null ? null : Plan.compareValues(t, x, y) != 0;
            });
            case "<" -> Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                Object y = b.eval(env);
                return x == null || y == null ? null : Plan.compareValues(t, x, y) < 0;
            });
            case ">" -> Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                Object y = b.eval(env);
                return x == null || y == null ? null : Plan.compareValues(t, x, y) > 0;
            });
            case "<=" -> Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                Object y = b.eval(env);
                return x == null || y == null ? null : Plan.compareValues(t, x, y) <= 0;
            });
            default -> Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                Object y = b.eval(env);
                return x == null || y == null ? null : Plan.compareValues(t, x, y) >= 0;
            });
        };
    }

    private Expr arith(String op, Expr l, Expr r, int pos) {
        // date/time and interval arithmetic
        if (Ops.isDateTime(l.type) || Ops.isDateTime(r.type) || l.type == PgType.INTERVAL || r.type == PgType.INTERVAL) {
            return dateArith(op, l, r, pos);
        }
        if (l.type == PgType.UNKNOWN && r.type == PgType.UNKNOWN) {
            throw new LrepException(SqlState.AMBIGUOUS_FUNCTION, "operator is not unique: unknown " + op + " unknown")
                    .withHint("Could not choose a best candidate operator. You might need to add explicit type casts.").withPosition(pos);
        }
        PgType lt = l.type == PgType.UNKNOWN ? (Ops.isNumeric(r.type) ? r.type : PgType.NUMERIC) : l.type;
        PgType rt = r.type == PgType.UNKNOWN ? (Ops.isNumeric(l.type) ? l.type : PgType.NUMERIC) : r.type;
        if (!Ops.isNumeric(lt) || !Ops.isNumeric(rt)) {
            throw noOperator(op, l.type, r.type, pos);
        }
        PgType t = Ops.numericCommon(lt, rt);
        if (t == PgType.OID) {
            t = PgType.INT8;
        }
        Expr a = coerce(l, t, -1, pos);
        Expr b = coerce(r, t, -1, pos);
        char c = op.charAt(0);
        PgType tt = t;
        if (c == '%' && (t == PgType.FLOAT4 || t == PgType.FLOAT8)) {
            throw noOperator(op, l.type, r.type, pos);
        }
        Expr result = Expr.of(t, env -> Ops.arith(c, tt, a.eval(env), b.eval(env)));
        if (a.isConstant() && b.isConstant()) {
            return new Expr.Const(t, result.eval(null));
        }
        return result;
    }

    /**
     * Date, timestamp and interval operators as PostgreSQL resolves them: an untyped literal
     * takes the type of the other operand where such an operator exists (timestamptz -
     * unknown is timestamptz - timestamptz), else interval (timestamptz + '1 hour').
     */
    private Expr dateArith(String op, Expr l, Expr r, int pos) {
        boolean plus = op.equals("+");
        boolean minus = op.equals("-");
        if (l.type == PgType.UNKNOWN && r.type == PgType.UNKNOWN) {
            throw noOperator(op, l.type, r.type, pos);
        }
        // interval (op) interval, number
        if (l.type == PgType.INTERVAL || l.type == PgType.UNKNOWN && r.type == PgType.INTERVAL) {
            if ((plus || minus) && (r.type == PgType.INTERVAL || r.type == PgType.UNKNOWN) && l.type != PgType.UNKNOWN) {
                return intervalOp(coerce(l, PgType.INTERVAL, -1, pos), coerce(r, PgType.INTERVAL, -1, pos),
                        plus ? PgInterval::plus : PgInterval::minus);
            }
            if (l.type == PgType.UNKNOWN && (plus || minus)) {
                return intervalOp(coerce(l, PgType.INTERVAL, -1, pos), r, plus ? PgInterval::plus : PgInterval::minus);
            }
            if ((op.equals("*") || op.equals("/")) && (Ops.isNumeric(r.type) || r.type == PgType.UNKNOWN)) {
                Expr f = coerce(r, PgType.FLOAT8, -1, pos);
                boolean mul = op.equals("*");
                return Expr.of(PgType.INTERVAL, env -> {
                    Object v = l.eval(env);
                    Object x = f.eval(env);
                    return v == null || x == null ? null
                            : mul ? ((PgInterval) v).multiply((Double) x) : ((PgInterval) v).divide((Double) x);
                });
            }
            if (plus && Ops.isDateTime(r.type)) {
                return dateArith(op, r, l, pos);
            }
            throw noOperator(op, l.type, r.type, pos);
        }
        if (r.type == PgType.INTERVAL && op.equals("*") && (Ops.isNumeric(l.type) || l.type == PgType.UNKNOWN)) {
            return dateArith(op, r, l, pos);
        }
        if (l.type == PgType.DATE && (r.type == PgType.INT4 || r.type == PgType.INT2) && (plus || minus)) {
            Expr days = coerce(r, PgType.INT4, -1, pos);
            int sign = minus ? -1 : 1;
            return Expr.of(PgType.DATE, env -> {
                Object d = l.eval(env);
                Object n = days.eval(env);
                return d == null || n == null ? null : ((LocalDate) d).plusDays(sign * (long) (Integer) n);
            });
        }
        if (l.type == PgType.DATE && (r.type == PgType.DATE || r.type == PgType.UNKNOWN) && minus) {
            Expr rd = coerce(r, PgType.DATE, -1, pos);
            return Expr.of(PgType.INT4, env -> {
                Object a = l.eval(env);
                Object b = rd.eval(env);
                return a == null || b == null ? null : (int) (((LocalDate) a).toEpochDay() - ((LocalDate) b).toEpochDay());
            });
        }
        if (Ops.isDateTime(l.type) && r.type == PgType.INTERVAL || Ops.isDateTime(l.type) && r.type == PgType.UNKNOWN && plus
                && l.type != PgType.DATE) {
            if (!plus && !minus) {
                throw noOperator(op, l.type, r.type, pos);
            }
            Expr iv = coerce(r, PgType.INTERVAL, -1, pos);
            if (l.type == PgType.TIMESTAMPTZ) {
                return Expr.of(PgType.TIMESTAMPTZ, env -> {
                    Object t = l.eval(env);
                    Object v = iv.eval(env);
                    if (t == null || v == null) {
                        return null;
                    }
                    PgInterval d = plus ? (PgInterval) v : ((PgInterval) v).negate();
                    return d.addTo((Instant) t, env.exec.session.timeZone());
                });
            }
            Expr ts = coerce(l, PgType.TIMESTAMP, -1, pos);
            return Expr.of(PgType.TIMESTAMP, env -> {
                Object t = ts.eval(env);
                Object v = iv.eval(env);
                if (t == null || v == null) {
                    return null;
                }
                PgInterval d = plus ? (PgInterval) v : ((PgInterval) v).negate();
                return d.addTo((LocalDateTime) t);
            });
        }
        if (minus && (l.type == PgType.TIMESTAMP || l.type == PgType.TIMESTAMPTZ || r.type == PgType.TIMESTAMP
                || r.type == PgType.TIMESTAMPTZ)) {
            PgType lt = l.type == PgType.UNKNOWN ? r.type : l.type;
            PgType rt = r.type == PgType.UNKNOWN ? l.type : r.type;
            PgType t = Ops.comparisonType(lt, rt);
            if (t == PgType.DATE) {
                t = PgType.TIMESTAMP;
            }
            if (t == PgType.TIMESTAMPTZ || t == PgType.TIMESTAMP) {
                Expr a = coerce(l, t, -1, pos);
                Expr b = coerce(r, t, -1, pos);
                boolean tz = t == PgType.TIMESTAMPTZ;
                return Expr.of(PgType.INTERVAL, env -> {
                    Object x = a.eval(env);
                    Object y = b.eval(env);
                    if (x == null || y == null) {
                        return null;
                    }
                    return tz ? PgInterval.between((Instant) x, (Instant) y) : PgInterval.between((LocalDateTime) x, (LocalDateTime) y);
                });
            }
        }
        if (l.type == PgType.DATE && r.type == PgType.UNKNOWN && plus) {
            throw new LrepException(SqlState.AMBIGUOUS_FUNCTION, "operator is not unique: date + unknown")
                    .withHint("Could not choose a best candidate operator. You might need to add explicit type casts.").withPosition(pos);
        }
        throw noOperator(op, l.type, r.type, pos);
    }

    private Expr intervalOp(Expr a, Expr b, java.util.function.BinaryOperator<PgInterval> f) {
        return Expr.of(PgType.INTERVAL, env -> {
            Object x = a.eval(env);
            Object y = b.eval(env);
            return x == null || y == null ? null : f.apply((PgInterval) x, (PgInterval) y);
        });
    }

    private Expr concat(Expr l, Expr r, int pos) {
        if (l.type.elementType() != null || r.type.elementType() != null) {
            PgType at = l.type.elementType() != null ? l.type : r.type;
            Expr a = l.type.elementType() != null ? l : coerce(l, at.elementType(), -1, pos);
            Expr b = r.type.elementType() != null || r.type == PgType.UNKNOWN && l.type.elementType() != null && false ? r
                    : r.type.elementType() != null ? r : coerce(r, at.elementType(), -1, pos);
            return Expr.of(at, env -> {
                Object x = a.eval(env);
                Object y = b.eval(env);
                List<Object> out = new ArrayList<>();
                addArrayPart(out, x, a.type.elementType() != null);
                addArrayPart(out, y, b.type.elementType() != null);
                return out.toArray();
            });
        }
        if (!(Ops.isString(l.type) || l.type == PgType.UNKNOWN || Ops.isString(r.type) || r.type == PgType.UNKNOWN)) {
            throw noOperator("||", l.type, r.type, pos);
        }
        Expr a = toText(l, pos);
        Expr b = toText(r, pos);
        Expr result = Expr.of(PgType.TEXT, env -> {
            Object x = a.eval(env);
            Object y = b.eval(env);
            return x == null || y == null ? null : (String) x + (String) y;
        });
        return a.isConstant() && b.isConstant() ? new Expr.Const(PgType.TEXT, result.eval(null)) : result;
    }

    private static void addArrayPart(List<Object> out, Object v, boolean isArray) {
        if (isArray) {
            if (v != null) {
                out.addAll(Arrays.asList((Object[]) v));
            }
        } else {
            out.add(v);
        }
    }

    Expr toText(Expr e, int pos) {
        if (e.type == PgType.TEXT) {
            return e;
        }
        if (e.type == PgType.UNKNOWN || Ops.isString(e.type)) {
            return coerce(e, PgType.TEXT, -1, pos);
        }
        if (e.type.typname().startsWith("reg")) {
            return castTo(e, PgType.TEXT, -1, pos); // a name through its output function (regclassout, ...), not the oid
        }
        PgType from = e.type;
        return Expr.of(PgType.TEXT, env -> Casts.output(from, e.eval(env), env.exec.session.timeZone()));
    }

    private Expr regex(String op, Expr l, Expr r, int pos) {
        Expr a = coerce(l, PgType.TEXT, -1, pos);
        Expr p = coerce(r, PgType.TEXT, -1, pos);
        boolean ci = op.contains("*");
        boolean not = op.startsWith("!");
        if (p instanceof Expr.Const c && c.value != null) {
            Pattern pat = Ops.regex((String) c.value, ci);
            return Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                return x == null ? null : pat.matcher((String) x).find() != not;
            });
        }
        return Expr.of(PgType.BOOL, env -> {
            Object x = a.eval(env);
            Object y = p.eval(env);
            return x == null || y == null ? null : Ops.regex((String) y, ci).matcher((String) x).find() != not;
        });
    }

    private Expr like(Like l, Scope s) {
        if (l.kind() == io.lrep.node.sql.ast.Expr.LikeKind.SIMILAR) {
            Expr a = toText(bind(l.arg(), s), l.pos());
            Expr p = coerce(bind(l.pattern(), s), PgType.TEXT, -1, l.pos());
            boolean not = l.not();
            return Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                Object y = p.eval(env);
                if (x == null || y == null) {
                    return null;
                }
                // SQL regular expression: % and _ are wildcards, the rest is POSIX syntax, anchored
                String re = ((String) y).replace("%", ".*").replace("_", ".");
                return Ops.regex("^(?:" + re + ")$", false).matcher((String) x).find() != not;
            });
        }
        Expr a = toText(bind(l.arg(), s), l.pos());
        Expr p = coerce(bind(l.pattern(), s), PgType.TEXT, -1, l.pos());
        Expr esc = l.escape() == null ? null : coerce(bind(l.escape(), s), PgType.TEXT, -1, l.pos());
        boolean ci = l.kind() == io.lrep.node.sql.ast.Expr.LikeKind.ILIKE;
        boolean not = l.not();
        if (p instanceof Expr.Const c && c.value != null && (esc == null || esc instanceof Expr.Const)) {
            Pattern pat = Ops.likePattern((String) c.value, esc == null ? null : (String) ((Expr.Const) esc).value, ci);
            return Expr.of(PgType.BOOL, env -> {
                Object x = a.eval(env);
                return x == null ? null : pat.matcher((String) x).matches() != not;
            });
        }
        return Expr.of(PgType.BOOL, env -> {
            Object x = a.eval(env);
            Object y = p.eval(env);
            Object e = esc == null ? null : esc.eval(env);
            if (x == null || y == null || (esc != null && e == null)) {
                return null;
            }
            return Ops.like((String) x, (String) y, (String) e, ci) != not;
        });
    }

    private Expr unary(UnaryOp u, Scope s) {
        Expr a = bind(u.operand(), s);
        switch (u.op()) {
            case "-": {
                if (a.type == PgType.INTERVAL) {
                    return Expr.of(PgType.INTERVAL, env -> {
                        Object v = a.eval(env);
                        return v == null ? null : ((PgInterval) v).negate();
                    });
                }
                Expr x = a.type == PgType.UNKNOWN ? coerce(a, PgType.NUMERIC, -1, u.pos()) : a;
                if (!Ops.isNumeric(x.type)) {
                    throw new LrepException(SqlState.UNDEFINED_FUNCTION, "operator does not exist: - " + typeText(a.type))
                            .withPosition(u.pos());
                }
                PgType t = x.type;
                if (x.isConstant()) {
                    return new Expr.Const(t, Ops.negate(t, x.eval(null)));
                }
                return Expr.of(t, env -> Ops.negate(t, x.eval(env)));
            }
            case "+":
                return a;
            case "~": {
                PgType t = a.type;
                return Expr.of(t, env -> {
                    Object v = a.eval(env);
                    return v == null ? null : Ops.promote(PgType.INT8, t, ~((Number) v).longValue());
                });
            }
            default:
                throw new LrepException(SqlState.UNDEFINED_FUNCTION, "operator does not exist: " + u.op() + " " + typeText(a.type))
                        .withPosition(u.pos());
        }
    }

    private Expr boolExpr(BoolExpr b, Scope s) {
        List<Expr> args = new ArrayList<>();
        for (io.lrep.node.sql.ast.Expr x : b.args()) {
            args.add(coerceBool(bind(x, s), b.op().name(), x.pos()));
        }
        return switch (b.op()) {
            case AND -> and(args);
            case OR -> or(args);
            case NOT -> not(args.get(0));
        };
    }

    Expr coerceBool(Expr e, String context, int pos) {
        if (e.type == PgType.BOOL) {
            return e;
        }
        if (e.type == PgType.UNKNOWN) {
            return coerce(e, PgType.BOOL, -1, pos);
        }
        throw new LrepException(SqlState.DATATYPE_MISMATCH, "argument of " + context + " must be type boolean, not type "
                + Ops.sqlName(e.type)).withPosition(pos);
    }

    static Expr and(List<Expr> args) {
        if (args.size() == 1) {
            return args.get(0);
        }
        Expr[] a = args.toArray(new Expr[0]);
        return Expr.of(PgType.BOOL, env -> {
            boolean sawNull = false;
            for (Expr x : a) {
                Object v = x.eval(env);
                if (v == null) {
                    sawNull = true;
                } else if (!(Boolean) v) {
                    return false;
                }
            }
            return sawNull ? null : Boolean.TRUE;
        });
    }

    static Expr or(List<Expr> args) {
        if (args.size() == 1) {
            return args.get(0);
        }
        Expr[] a = args.toArray(new Expr[0]);
        return Expr.of(PgType.BOOL, env -> {
            boolean sawNull = false;
            for (Expr x : a) {
                Object v = x.eval(env);
                if (v == null) {
                    sawNull = true;
                } else if ((Boolean) v) {
                    return true;
                }
            }
            return sawNull ? null : Boolean.FALSE;
        });
    }

    static Expr not(Expr a) {
        return Expr.of(PgType.BOOL, env -> {
            Object v = a.eval(env);
            return v == null ? null : !(Boolean) v;
        });
    }

    private Expr caseExpr(Case c, Scope s) {
        Expr operand = c.operand() == null ? null : bind(c.operand(), s);
        List<Expr> conds = new ArrayList<>();
        List<Expr> results = new ArrayList<>();
        for (io.lrep.node.sql.ast.Expr.When w : c.whens()) {
            Expr cond = operand == null ? coerceBool(bind(w.condition(), s), "CASE/WHEN", w.pos())
                    : compare("=", operand, bind(w.condition(), s), w.pos());
            conds.add(cond);
            results.add(bind(w.result(), s));
        }
        results.add(c.elseResult() == null ? new Expr.Const(PgType.UNKNOWN, null) : bind(c.elseResult(), s));
        List<Expr> rs = common(results, "CASE", c.pos());
        Expr[] cs = conds.toArray(new Expr[0]);
        Expr[] rr = rs.toArray(new Expr[0]);
        return Expr.of(rr[0].type, env -> {
            for (int i = 0; i < cs.length; i++) {
                if (Boolean.TRUE.equals(cs[i].eval(env))) {
                    return rr[i].eval(env);
                }
            }
            return rr[rr.length - 1].eval(env);
        });
    }

    private Expr sqlValueFunction(SqlValueFunction f) {
        String name = switch (f.kind()) {
            case CURRENT_DATE -> "current_date";
            case CURRENT_TIMESTAMP -> "now";
            case LOCALTIMESTAMP -> "localtimestamp";
            case CURRENT_USER, CURRENT_ROLE, USER -> "current_user";
            case SESSION_USER -> "session_user";
            case CURRENT_SCHEMA -> "current_schema";
            case CURRENT_CATALOG -> "current_database";
            default -> throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, f.kind() + " is not supported").withPosition(f.pos());
        };
        SqlFunction fn = registry.resolve(null, name, List.of());
        return call(fn, List.of(), f.pos());
    }

    // ---------------------------------------------------------------- functions

    /** Window calls of the select list being bound; null where window functions are not allowed. */
    Windows.Collector windows;
    List<io.lrep.node.sql.ast.Expr.WindowSpec> namedWindows = List.of();

    private Expr window(FuncCall f, Scope s) {
        if (windows == null) {
            throw new LrepException(SqlState.GROUPING_ERROR, "window functions are not allowed in "
                    + (noAggregates != null ? noAggregates : "this context")).withPosition(f.pos());
        }
        Windows.Kind kind = Windows.kindOf(f.name());
        if (kind == null) {
            throw new LrepException(SqlState.UNDEFINED_FUNCTION, "function " + f.name() + " is not a window function")
                    .withPosition(f.pos());
        }
        io.lrep.node.sql.ast.Expr.WindowSpec w = f.over();
        if (w.refName() != null && w.partitionBy().isEmpty() && w.orderBy().isEmpty()) {
            for (io.lrep.node.sql.ast.Expr.WindowSpec named : namedWindows) {
                if (w.refName().equals(named.refName())) {
                    w = named;
                }
            }
        }
        Windows.Collector saved = windows;
        windows = null;
        try {
            List<Expr> part = new ArrayList<>();
            for (io.lrep.node.sql.ast.Expr p : w.partitionBy()) {
                part.add(bind(p, s));
            }
            List<Expr> order = new ArrayList<>();
            boolean[] desc = new boolean[w.orderBy().size()];
            boolean[] nf = new boolean[w.orderBy().size()];
            for (int i = 0; i < w.orderBy().size(); i++) {
                io.lrep.node.sql.ast.SortItem si = w.orderBy().get(i);
                Expr e = bind(si.expr(), s);
                order.add(e.type == PgType.UNKNOWN ? coerce(e, PgType.TEXT, -1, si.pos()) : e);
                desc[i] = si.direction() == io.lrep.node.sql.ast.SortItem.Direction.DESC;
                nf[i] = si.nulls() == io.lrep.node.sql.ast.SortItem.NullsOrder.DEFAULT ? desc[i]
                        : si.nulls() == io.lrep.node.sql.ast.SortItem.NullsOrder.FIRST;
            }
            if (kind != Windows.Kind.AGGREGATE) {
                return saved.register(new Windows.Call(kind, null, part, order, desc, nf, PgType.INT8));
            }
            Aggs.Kind ak = Aggs.kindOf(f.name(), f.star() ? 0 : f.args().size());
            Expr arg = null;
            PgType argType = PgType.INT8;
            if (ak != Aggs.Kind.COUNT_STAR) {
                arg = bind(f.args().get(0), s);
                if (arg.type == PgType.UNKNOWN) {
                    arg = coerce(arg, PgType.TEXT, -1, f.pos());
                }
                argType = arg.type;
            }
            PgType rt = Aggs.resultType(ak, argType, f.name());
            Aggs.Spec spec = new Aggs.Spec(ak, arg, null, f.distinct(), null, rt);
            return saved.register(new Windows.Call(kind, spec, part, order, desc, nf, rt));
        } finally {
            windows = saved;
        }
    }

    private Expr function(FuncCall f, Scope s) {
        if (f.over() != null) {
            return window(f, s);
        }
        if ((f.schema() == null || f.schema().equals("pg_catalog")) && Aggs.isAggregate(f.name())
                && registry.find(f.schema(), f.name(), List.of(PgType.UNKNOWN)) == null) {
            if (agg == null) {
                String where = noAggregates != null ? noAggregates : "this context";
                if (noAggregates != null && noAggregates.equals("aggregate function calls")) {
                    throw new LrepException(SqlState.GROUPING_ERROR, "aggregate function calls cannot be nested").withPosition(f.pos());
                }
                throw new LrepException(SqlState.GROUPING_ERROR, "aggregate functions are not allowed in " + where).withPosition(f.pos());
            }
            return aggregate(f);
        }
        if (f.star()) {
            throw new LrepException(SqlState.UNDEFINED_FUNCTION, f.name() + "(*) must be used to call a parameterless aggregate function")
                    .withPosition(f.pos());
        }
        List<Expr> args = bindAll(f.args(), s);
        if (f.name().equals("pg_typeof") && args.size() == 1 && (f.schema() == null || f.schema().equals("pg_catalog"))) {
            return new Expr.Const(PgType.REGTYPE, (long) args.get(0).type.oid());
        }
        List<PgType> types = new ArrayList<>();
        for (Expr a : args) {
            types.add(a.type);
        }
        String schema = f.schema();
        if (schema != null && schema.equals("pg_catalog") && registry.find("pg_catalog", f.name(), types) == null) {
            schema = null;
        }
        SqlFunction fn = registry.find(schema, f.name(), types);
        if (fn == null) {
            throw registryError(schema, f.name(), types, f.pos());
        }
        if (fn.returnsSet()) {
            if (planner.srfAllowed == null) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "set-returning functions are not allowed in this context")
                        .withPosition(f.pos());
            }
            return planner.srfAllowed.register(fn, coerceArgs(fn, args, f.pos()), f.pos(), srfType(fn, args));
        }
        return call(fn, coerceArgs(fn, args, f.pos()), f.pos());
    }

    private LrepException registryError(String schema, String name, List<PgType> types, int pos) {
        try {
            registry.resolve(schema, name, types);
            return new LrepException(SqlState.UNDEFINED_FUNCTION, "function " + name + " does not exist");
        } catch (LrepException e) {
            return e.withPosition(pos);
        }
    }

    /**
     * The column type of a set-returning function in the select list (unnest: the array's element
     * type); one with several result columns yields a record per row, as a function with OUT
     * parameters does in PostgreSQL.
     */
    PgType srfType(SqlFunction fn, List<Expr> args) {
        if (fn.resultColumns().size() > 1) {
            return PgType.RECORD;
        }
        if (fn.name().equals("unnest") && !args.isEmpty() && args.get(0).type.elementType() != null) {
            return args.get(0).type.elementType();
        }
        return fn.resultColumns().isEmpty() ? PgType.TEXT : fn.resultColumns().get(0).type();
    }

    List<Expr> coerceArgs(SqlFunction fn, List<Expr> args, int pos) {
        List<Expr> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            List<PgType> pts = fn.argTypes();
            PgType p = i < pts.size() ? pts.get(i) : pts.get(pts.size() - 1);
            Expr a = args.get(i);
            if (p == null) {
                out.add(a.type == PgType.UNKNOWN ? coerce(a, PgType.TEXT, -1, pos) : a);
            } else {
                out.add(coerce(a, p, -1, pos));
            }
        }
        return out;
    }

    Expr call(SqlFunction fn, List<Expr> args, int pos) {
        Expr[] as = args.toArray(new Expr[0]);
        boolean strict = fn.strict();
        SqlFunction.Scalar impl = fn.scalar();
        PgType rt = fn.returnType() == null ? PgType.TEXT : fn.returnType();
        Expr.Evaluator ev = env -> {
            Object[] vals = new Object[as.length];
            for (int i = 0; i < vals.length; i++) {
                vals[i] = as[i].eval(env);
                if (vals[i] == null && strict) {
                    return null;
                }
            }
            return impl.call(env.exec, vals);
        };
        if (!fn.volatile_() && Expr.allConstant(args) && !fn.schema().equals("pg_catalog_volatile")) {
            // Immutable with constant arguments: still evaluated per run (functions may read the session); cheap enough.
            return Expr.of(rt, ev);
        }
        return Expr.of(rt, ev);
    }

    // ---------------------------------------------------------------- subqueries

    private Expr scalarSubquery(Query q, Scope s, int pos) {
        QueryPlanner.Result r = planner.planSubquery(q, s);
        if (r.columns().size() != 1) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "subquery must return only one column").withPosition(pos);
        }
        Plan p = r.plan();
        PgType t = r.columns().get(0).type();
        boolean cacheable = !r.correlated();
        Object key = new Object();
        Expr.Evaluator ev = env -> {
            RowIter it = p.open(env.exec, env);
            Object[] first = it.next();
            if (first == null) {
                return null;
            }
            if (it.next() != null) {
                throw new LrepException(SqlState.CARDINALITY_VIOLATION, "more than one row returned by a subquery used as an expression");
            }
            return first[0];
        };
        if (cacheable) {
            return Expr.of(t, env -> env.exec.cached(key, () -> ev.eval(env)));
        }
        return Expr.of(t, ev);
    }

    private Expr quantifiedSubquery(String op, Expr left, boolean all, Query q, Scope s, int pos) {
        QueryPlanner.Result r = planner.planSubquery(q, s);
        if (r.columns().size() != 1) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "subquery has too many columns").withPosition(pos);
        }
        PgType rt = r.columns().get(0).type();
        Expr probe = new Expr.Const(rt, null);
        Expr[] p = comparable(left, new Expr.Column(rt, -1, 0, 0, "x", 0, (short) 0), op, pos);
        Expr l = p[0];
        PgType t = p[0].type;
        Expr rightConv = p[1];
        Plan plan = r.plan();
        boolean cacheable = !r.correlated();
        Object key = new Object();
        int cmpOp = opCode(op, pos);
        return Expr.of(PgType.BOOL, env -> {
            Object x = l.eval(env);
            List<Object[]> rows = cacheable ? env.exec.cached(key, () -> Plan.materialize(plan.open(env.exec, env)))
                    : Plan.materialize(plan.open(env.exec, env));
            Env inner = new Env(env.exec, env.outer);
            boolean sawNull = false;
            for (Object[] row : rows) {
                inner.row = row;
                Object y = rightConv.eval(inner);
                Boolean b = x == null || y == null ? null : test(cmpOp, Plan.compareValues(t, x, y));
                if (b == null) {
                    sawNull = true;
                } else if (b != all) {
                    return !all;
                }
            }
            return sawNull ? null : all;
        });
    }

    private static int opCode(String op, int pos) {
        return switch (op) {
            case "=" -> 0;
            case "<>" -> 1;
            case "<" -> 2;
            case ">" -> 3;
            case "<=" -> 4;
            case ">=" -> 5;
            default -> throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "operator " + op + " is not supported with ANY/ALL")
                    .withPosition(pos);
        };
    }

    private static boolean test(int op, int c) {
        return switch (op) {
            case 0 -> c == 0;
            case 1 -> c != 0;
            case 2 -> c < 0;
            case 3 -> c > 0;
            case 4 -> c <= 0;
            default -> c >= 0;
        };
    }

    private Expr quantifiedArray(QuantifiedArray q, Scope s) {
        Expr left = bind(q.left(), s);
        Expr arr = bind(q.array(), s);
        if (arr.type == PgType.UNKNOWN) {
            PgType lt = left.type == PgType.UNKNOWN ? PgType.TEXT : left.type;
            PgType at = lt.arrayType() != null ? lt.arrayType() : PgType.TEXT_ARRAY;
            arr = coerce(arr, at, -1, q.pos());
        }
        if (arr.type.elementType() == null) {
            throw new LrepException(SqlState.DATATYPE_MISMATCH, "op ANY/ALL (array) requires array on right side").withPosition(q.pos());
        }
        PgType el = arr.type.elementType();
        Expr[] p = comparable(left, new Expr.Column(el, -1, 0, 0, "x", 0, (short) 0), q.op(), q.pos());
        Expr l = p[0];
        PgType t = l.type;
        Expr conv = p[1];
        int cmpOp = opCode(q.op(), q.pos());
        boolean all = q.all();
        Expr array = arr;
        return Expr.of(PgType.BOOL, env -> {
            Object x = l.eval(env);
            Object[] a = (Object[]) array.eval(env);
            if (a == null) {
                return null;
            }
            Env inner = new Env(env.exec, null);
            boolean sawNull = false;
            for (Object y0 : a) {
                inner.row = new Object[] {y0};
                Object y = conv.eval(inner);
                Boolean b = x == null || y == null ? null : test(cmpOp, Plan.compareValues(t, x, y));
                if (b == null) {
                    sawNull = true;
                } else if (b != all) {
                    return !all;
                }
            }
            return sawNull ? null : all;
        });
    }

    // ---------------------------------------------------------------- relations

    /** A relation found by name: a table, a sequence or a system view. */
    record Relation(TableDef table, SequenceDef sequence, SystemView view) {}

    Relation findRelation(String schema, String name) {
        var txn = session.txn;
        if (schema != null) {
            SystemView v = registry.view(schema, name);
            if (v != null) {
                return new Relation(null, null, v);
            }
            TableDef t = txn.findTable(schema, name);
            if (t != null) {
                return new Relation(t, null, null);
            }
            SequenceDef sq = txn.findSequence(schema, name);
            return sq == null ? null : new Relation(null, sq, null);
        }
        for (String sc : session.existingSearchPath(true)) {
            SystemView v = registry.view(sc, name);
            if (v != null) {
                return new Relation(null, null, v);
            }
            TableDef t = txn.findTable(sc, name);
            if (t != null) {
                return new Relation(t, null, null);
            }
            SequenceDef sq = txn.findSequence(sc, name);
            if (sq != null) {
                return new Relation(null, sq, null);
            }
        }
        return null;
    }
}
