package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.TableDef;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.ast.Expr.ColumnRef;
import io.lrep.node.sql.ast.Expr.FuncCall;
import io.lrep.node.sql.parser.SqlParser;
import io.lrep.publisher.publication.RowFilter;
import io.lrep.publisher.publication.RowFilterCompiler;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Publication row filters (PostgreSQL 15's {@code WHERE (expr)} of a publication table): the
 * checks CREATE/ALTER PUBLICATION make on the expression, and the {@link RowFilterCompiler} the
 * publisher evaluates them with.
 *
 * <p>Rules, as PostgreSQL 15 words them: only columns of the table (42703 {@code column "x" does
 * not exist}); the result must be boolean (42804 {@code argument of PUBLICATION WHERE must be
 * type boolean, not type integer}); no aggregates (42803 {@code aggregate functions are not
 * allowed in WHERE}), no window functions (42P20), and 0A000 {@code invalid publication WHERE
 * expression} for subqueries, system columns, and mutable functions (now(), random(),
 * CURRENT_USER, ...). lrep has no user-defined functions, operators or types, so those cannot
 * occur; unlike PostgreSQL, casts through text I/O ({@code c::int}) are allowed.
 *
 * <p>A compiled filter runs in a private session of the engine (superuser, UTC); its
 * {@code test} is synchronized, so one filter may be shared by threads.
 */
public final class RowFilterExpressions implements RowFilterCompiler {

    private static final Set<String> SYSTEM_COLUMNS = Set.of("ctid", "xmin", "xmax", "cmin", "cmax", "tableoid");
    private static final String ONLY_SIMPLE = "Only columns, constants, built-in operators, built-in data types, "
            + "built-in collations, and immutable built-in functions are allowed.";

    private final EngineCore core;

    RowFilterExpressions(EngineCore core) {
        this.core = core;
    }

    /**
     * Binds {@code where} over the columns of {@code table} with the checks above, giving the
     * boolean expression (row layout: the table's full-width row).
     */
    static Expr bind(Binder binder, TableDef table, io.lrep.node.sql.ast.Expr where) {
        validate(binder.registry, table, where);
        String saved = binder.noAggregates;
        binder.noAggregates = "WHERE";
        try {
            Expr e = binder.bind(where, scope(table));
            return binder.coerceBool(e, "PUBLICATION WHERE", where.pos());
        } finally {
            binder.noAggregates = saved;
        }
    }

    private static Scope scope(TableDef t) {
        Scope s = new Scope(null);
        Scope.Entry e = new Scope.Entry(t.name(), t.oid(), t);
        for (ColumnDef c : t.columns()) {
            if (!c.dropped()) {
                e.add(c.name(), c.type(), c.typmod(), c.attnum() - 1);
            }
        }
        s.add(e);
        s.width = t.columns().size();
        return s;
    }

    private static void validate(FunctionRegistry registry, TableDef table, io.lrep.node.sql.ast.Expr where) {
        AstUtil.walk(where, node -> {
            if (node instanceof io.lrep.node.sql.ast.Expr.ScalarSubquery || node instanceof io.lrep.node.sql.ast.Expr.Exists
                    || node instanceof io.lrep.node.sql.ast.Expr.InSubquery || node instanceof io.lrep.node.sql.ast.Expr.ArraySubquery
                    || node instanceof io.lrep.node.sql.ast.Expr.QuantifiedSubquery) {
                throw invalid(ONLY_SIMPLE, ((io.lrep.node.sql.ast.Expr) node).pos());
            }
            if (node instanceof io.lrep.node.sql.ast.Expr.SqlValueFunction f) {
                throw invalid("User-defined or built-in mutable functions are not allowed.", f.pos());
            }
            if (node instanceof ColumnRef c) {
                String col = c.names().get(c.names().size() - 1);
                if (table.column(col) == null && SYSTEM_COLUMNS.contains(col)) {
                    throw invalid("System columns are not allowed.", c.pos());
                }
            }
            if (node instanceof FuncCall f) {
                if (f.over() != null) {
                    throw new LrepException(SqlState.WINDOWING_ERROR, "window functions are not allowed in WHERE").withPosition(f.pos());
                }
                if (registry.anyVolatile(f.name())) {
                    throw invalid("User-defined or built-in mutable functions are not allowed.", f.pos());
                }
            }
        });
    }

    private static LrepException invalid(String detail, int pos) {
        return new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "invalid publication WHERE expression").withDetail(detail).withPosition(pos);
    }

    /** The attnums a filter's column references name (a qualifier, if any, is the table's name). */
    static Set<Integer> columnsOf(TableDef table, io.lrep.node.sql.ast.Expr where) {
        Set<Integer> out = new HashSet<>();
        AstUtil.walk(where, node -> {
            if (node instanceof ColumnRef c) {
                ColumnDef col = table.column(c.names().get(c.names().size() - 1));
                if (col != null) {
                    out.add(col.attnum());
                }
            }
        });
        return out;
    }

    @Override
    public Set<Integer> columnsUsed(TableDef table, String expression) {
        return columnsOf(table, SqlParser.parseExpression(expression));
    }

    @Override
    public synchronized RowFilter compile(TableDef table, String expression) {
        ExecSession session = new ExecSession(core, new SessionContext("lrep_publisher", EngineCore.DATABASES.get(0), 0,
                Map.of("TimeZone", "UTC"), "false", null), true);
        session.txn = core.storage().begin(IsolationLevel.READ_COMMITTED, 0);
        Expr bound;
        try {
            QueryPlanner planner = new QueryPlanner(session, ParamTypes.none());
            bound = bind(planner.binder, table, SqlParser.parseExpression(expression));
        } finally {
            session.txn.close();
            session.txn = null;
        }
        Exec exec = new Exec(session, new Object[0], null, null, Instant.now());
        Env env = new Env(exec, null);
        return new Compiled(bound, env);
    }

    /** One bound filter and the environment it is evaluated in. */
    private static final class Compiled implements RowFilter {
        private final Expr expr;
        private final Env env;

        Compiled(Expr expr, Env env) {
            this.expr = expr;
            this.env = env;
        }

        @Override
        public synchronized boolean test(Object[] row) {
            env.row = row;
            return Plan.truth(expr.eval(env));
        }
    }
}
