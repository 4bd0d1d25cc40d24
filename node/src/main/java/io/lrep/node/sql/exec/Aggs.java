package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgInterval;
import io.lrep.core.types.PgType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Aggregate functions with PostgreSQL's result types: count, sum, avg (numbers and intervals), min, max, bool_and/or, string_agg, array_agg. */
public final class Aggs {

    private Aggs() {}

    public enum Kind { COUNT_STAR, COUNT, SUM, AVG, MIN, MAX, BOOL_AND, BOOL_OR, STRING_AGG, ARRAY_AGG }

    /** Whether {@code name} is an aggregate function. */
    public static boolean isAggregate(String name) {
        return kindOf(name, 1) != null;
    }

    public static Kind kindOf(String name, int args) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "count" -> args == 0 ? Kind.COUNT_STAR : Kind.COUNT;
            case "sum" -> Kind.SUM;
            case "avg" -> Kind.AVG;
            case "min" -> Kind.MIN;
            case "max" -> Kind.MAX;
            case "bool_and", "every" -> Kind.BOOL_AND;
            case "bool_or" -> Kind.BOOL_OR;
            case "string_agg" -> Kind.STRING_AGG;
            case "array_agg" -> Kind.ARRAY_AGG;
            default -> null;
        };
    }

    /** The result type of an aggregate over an argument of {@code arg}. */
    public static PgType resultType(Kind kind, PgType arg, String name) {
        switch (kind) {
            case COUNT_STAR:
            case COUNT:
                return PgType.INT8;
            case SUM:
                return switch (arg) {
                    case INT2, INT4 -> PgType.INT8;
                    case INT8, NUMERIC -> PgType.NUMERIC;
                    case FLOAT4 -> PgType.FLOAT4;
                    case FLOAT8 -> PgType.FLOAT8;
                    case INTERVAL -> PgType.INTERVAL;
                    default -> throw noFunction(name, arg);
                };
            case AVG:
                return switch (arg) {
                    case INT2, INT4, INT8, NUMERIC -> PgType.NUMERIC;
                    case FLOAT4, FLOAT8 -> PgType.FLOAT8;
                    case INTERVAL -> PgType.INTERVAL;
                    default -> throw noFunction(name, arg);
                };
            case MIN:
            case MAX:
                return arg == PgType.UNKNOWN ? PgType.TEXT : arg;
            case BOOL_AND:
            case BOOL_OR:
                if (arg != PgType.BOOL) {
                    throw noFunction(name, arg);
                }
                return PgType.BOOL;
            case STRING_AGG:
                return PgType.TEXT;
            case ARRAY_AGG: {
                PgType a = (arg == PgType.UNKNOWN ? PgType.TEXT : arg).arrayType();
                return a == null ? PgType.TEXT_ARRAY : a;
            }
            default:
                throw new IllegalStateException(kind.toString());
        }
    }

    private static LrepException noFunction(String name, PgType arg) {
        return new LrepException(SqlState.UNDEFINED_FUNCTION, "function " + name + "(" + Ops.sqlName(arg) + ") does not exist")
                .withHint("No function matches the given name and argument types. You might need to add explicit type casts.");
    }

    /** One aggregate call of a query: its argument(s), DISTINCT, FILTER. */
    public record Spec(Kind kind, Expr arg, Expr delimiter, boolean distinct, Expr filter, PgType resultType) {
        State newState() {
            return new State(this);
        }
    }

    /** The running state of one aggregate for one group. */
    static final class State {
        final Spec spec;
        long count;
        Object acc;
        StringBuilder text;
        List<Object> items;
        Set<Key> seen;

        State(Spec spec) {
            this.spec = spec;
        }

        void add(Env env) {
            if (spec.filter() != null && !Plan.truth(spec.filter().eval(env))) {
                return;
            }
            if (spec.kind() == Kind.COUNT_STAR) {
                count++;
                return;
            }
            Object v = spec.arg().eval(env);
            if (v == null && spec.kind() != Kind.ARRAY_AGG) {
                return;
            }
            if (spec.distinct()) {
                if (seen == null) {
                    seen = new HashSet<>();
                }
                if (!seen.add(new Key(new Object[] {v}, new PgType[] {spec.arg().type}))) {
                    return;
                }
            }
            PgType t = spec.arg().type;
            switch (spec.kind()) {
                case COUNT -> count++;
                case SUM, AVG -> {
                    count++;
                    acc = sum(t, acc, v);
                }
                case MIN -> {
                    if (acc == null || Plan.compareValues(t, v, acc) < 0) {
                        acc = v;
                    }
                }
                case MAX -> {
                    if (acc == null || Plan.compareValues(t, v, acc) > 0) {
                        acc = v;
                    }
                }
                case BOOL_AND -> acc = acc == null ? (Boolean) v : (Boolean) acc && (Boolean) v;
                case BOOL_OR -> acc = acc == null ? (Boolean) v : (Boolean) acc || (Boolean) v;
                case STRING_AGG -> {
                    Object d = spec.delimiter() == null ? null : spec.delimiter().eval(env);
                    if (text == null) {
                        text = new StringBuilder();
                    } else if (d != null) {
                        text.append((String) d);
                    }
                    text.append(v instanceof byte[] ? new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8) : (String) v);
                }
                case ARRAY_AGG -> {
                    if (items == null) {
                        items = new ArrayList<>();
                    }
                    items.add(v);
                }
                default -> throw new IllegalStateException(spec.kind().toString());
            }
        }

        private static Object sum(PgType t, Object acc, Object v) {
            switch (t) {
                case INT2:
                case INT4:
                    return (acc == null ? 0L : (Long) acc) + ((Number) v).longValue();
                case INT8:
                    return (acc == null ? BigDecimal.ZERO : (BigDecimal) acc).add(BigDecimal.valueOf((Long) v));
                case NUMERIC:
                    return acc == null ? v : ((BigDecimal) acc).add((BigDecimal) v);
                case FLOAT4:
                case FLOAT8:
                    return (acc == null ? 0.0 : (Double) acc) + ((Number) v).doubleValue();
                case INTERVAL:
                    return acc == null ? v : ((PgInterval) acc).plus((PgInterval) v);
                default:
                    throw noFunction("sum", t);
            }
        }

        Object result(Env env) {
            switch (spec.kind()) {
                case COUNT_STAR:
                case COUNT:
                    return count;
                case SUM:
                    if (acc == null) {
                        return null;
                    }
                    if (spec.arg().type == PgType.FLOAT4) {
                        return ((Double) acc).floatValue();
                    }
                    if (spec.arg().type == PgType.INT8 || spec.arg().type == PgType.NUMERIC) {
                        return acc;
                    }
                    return acc;
                case AVG:
                    if (count == 0) {
                        return null;
                    }
                    if (acc instanceof Double d) {
                        return d / count;
                    }
                    if (acc instanceof PgInterval iv) {
                        return iv.divide(count);
                    }
                    BigDecimal s = acc instanceof Long l ? BigDecimal.valueOf(l) : (BigDecimal) acc;
                    return Ops.numericDivide(s, BigDecimal.valueOf(count));
                case STRING_AGG:
                    return text == null ? null : text.toString();
                case ARRAY_AGG:
                    return items == null ? null : items.toArray();
                default:
                    return acc;
            }
        }
    }
}
