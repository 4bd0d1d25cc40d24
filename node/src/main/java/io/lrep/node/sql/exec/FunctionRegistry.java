package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.CatalogExtension;
import io.lrep.node.sql.SqlFunction;
import io.lrep.node.sql.SystemView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every function and system view SQL can call or read: the built-ins and those of the catalog
 * extensions the engine was given. Functions resolve by (schema,) name and argument types:
 * exact types first, then untyped literals, then PostgreSQL's implicit casts; a null argument
 * type in a {@link SqlFunction} accepts anything. Immutable after construction.
 */
public final class FunctionRegistry {

    private final Map<String, List<SqlFunction>> functions = new HashMap<>();
    private final Map<String, SystemView> views = new HashMap<>();

    public FunctionRegistry(List<SqlFunction> builtins, List<CatalogExtension> extensions) {
        for (SqlFunction f : builtins) {
            add(f);
        }
        for (CatalogExtension e : extensions) {
            for (SqlFunction f : e.functions()) {
                add(f);
            }
            for (SystemView v : e.views()) {
                views.put(v.schema() + "." + v.name(), v);
            }
        }
    }

    private void add(SqlFunction f) {
        // Extension functions added later win over built-ins with the same signature.
        List<SqlFunction> list = functions.computeIfAbsent(f.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>());
        list.removeIf(g -> g.argTypes().equals(f.argTypes()) && g.variadic() == f.variadic() && g.schema().equals(f.schema()));
        list.add(0, f);
    }

    /** The view {@code schema.name}, or null. */
    public SystemView view(String schema, String name) {
        return views.get(schema + "." + name);
    }

    /** Whether any function called {@code name} is volatile or stable (not immutable). */
    public boolean anyVolatile(String name) {
        List<SqlFunction> list = functions.get(name.toLowerCase(Locale.ROOT));
        return list != null && list.stream().anyMatch(SqlFunction::volatile_);
    }

    public boolean hasFunction(String name) {
        return functions.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** The best match, or null when none applies. {@code schema} null = any (pg_catalog and the search path). */
    public SqlFunction find(String schema, String name, List<PgType> argTypes) {
        List<SqlFunction> list = functions.get(name.toLowerCase(Locale.ROOT));
        if (list == null) {
            return null;
        }
        SqlFunction best = null;
        int bestCost = Integer.MAX_VALUE;
        for (SqlFunction f : list) {
            if (schema != null && !schema.equals(f.schema())) {
                continue;
            }
            int cost = cost(f, argTypes);
            if (cost >= 0 && cost < bestCost) {
                best = f;
                bestCost = cost;
            }
        }
        return best;
    }

    /** Like {@link #find} but 42883 with PostgreSQL's message when nothing matches. */
    public SqlFunction resolve(String schema, String name, List<PgType> argTypes) {
        SqlFunction f = find(schema, name, argTypes);
        if (f == null) {
            List<String> names = new ArrayList<>();
            for (PgType t : argTypes) {
                names.add(t == PgType.UNKNOWN ? "unknown" : Ops.sqlName(t));
            }
            throw new LrepException(SqlState.UNDEFINED_FUNCTION, "function " + (schema != null ? schema + "." : "") + name + "("
                    + String.join(", ", names) + ") does not exist").withHint(
                    "No function matches the given name and argument types. You might need to add explicit type casts.");
        }
        return f;
    }

    private static int cost(SqlFunction f, List<PgType> args) {
        List<PgType> params = f.argTypes();
        int n = args.size();
        if (f.variadic()) {
            if (n < params.size()) {
                return -1;
            }
        } else if (n != params.size()) {
            return -1;
        }
        int cost = 0;
        for (int i = 0; i < n; i++) {
            PgType p = i < params.size() ? params.get(i) : params.get(params.size() - 1);
            PgType a = args.get(i);
            if (p == null) {
                cost += a == PgType.UNKNOWN ? 1 : 0;
            } else if (p == a) {
                continue;
            } else if (a == PgType.UNKNOWN) {
                cost += Ops.isString(p) ? 1 : 2;
            } else if (Casts.implicit(a, p)) {
                // PostgreSQL's preferred types win ties: float8 among numbers, text among strings.
                cost += p == PgType.FLOAT8 || p == PgType.TEXT ? 2 : 3;
            } else {
                return -1;
            }
        }
        return cost;
    }
}
