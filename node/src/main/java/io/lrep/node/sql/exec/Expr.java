package io.lrep.node.sql.exec;

import io.lrep.core.types.PgType;
import java.util.List;

/**
 * A bound, typed expression: the analyzer resolves names, operators, functions and casts once
 * (at prepare time) into a tree of these, and execution only calls {@link #eval(Env)}. The few
 * kinds the planner looks into (constants, parameters, column references) are subclasses; every
 * other expression is a {@link Fn} closure over its already bound children.
 */
public abstract class Expr {

    /** The result type; {@link PgType#UNKNOWN} only for an untyped literal not yet resolved. */
    public final PgType type;

    /** The result type modifier, or -1. */
    public final int typmod;

    protected Expr(PgType type, int typmod) {
        this.type = type;
        this.typmod = typmod;
    }

    public abstract Object eval(Env env);

    /** True when the value does not depend on the row, parameters or volatile state. */
    public boolean isConstant() {
        return false;
    }

    /** The evaluation as a closure. */
    @FunctionalInterface
    public interface Evaluator {
        Object eval(Env env);
    }

    public static Expr of(PgType type, int typmod, Evaluator fn) {
        return new Fn(type, typmod, fn, false);
    }

    public static Expr of(PgType type, Evaluator fn) {
        return new Fn(type, -1, fn, false);
    }

    /** A literal or a folded constant. */
    public static final class Const extends Expr {
        public final Object value;

        public Const(PgType type, int typmod, Object value) {
            super(type, typmod);
            this.value = value;
        }

        public Const(PgType type, Object value) {
            this(type, -1, value);
        }

        @Override
        public Object eval(Env env) {
            return value;
        }

        @Override
        public boolean isConstant() {
            return true;
        }
    }

    /** {@code $n}; UNKNOWN while its type is still open (the analyzer re-creates it typed once inferred). */
    public static final class Param extends Expr {
        public final int index;

        public Param(int index, PgType type) {
            super(type, -1);
            this.index = index;
        }

        @Override
        public Object eval(Env env) {
            return env.exec.params[index];
        }
    }

    /** A column of the current row ({@code levelsUp} query levels out). */
    public static final class Column extends Expr {
        public final int levelsUp;
        public final int index;
        public final String name;
        /** The base table and attnum it reads, for RowDescription (0 if none). */
        public final int tableOid;
        public final short attnum;

        public Column(PgType type, int typmod, int levelsUp, int index, String name, int tableOid, short attnum) {
            super(type, typmod);
            this.levelsUp = levelsUp;
            this.index = index;
            this.name = name;
            this.tableOid = tableOid;
            this.attnum = attnum;
        }

        @Override
        public Object eval(Env env) {
            Env e = levelsUp == 0 ? env : env.up(levelsUp);
            return e.row[index];
        }
    }

    /** Everything else. */
    public static final class Fn extends Expr {
        private final Evaluator fn;
        private final boolean constant;

        public Fn(PgType type, int typmod, Evaluator fn, boolean constant) {
            super(type, typmod);
            this.fn = fn;
            this.constant = constant;
        }

        @Override
        public Object eval(Env env) {
            return fn.eval(env);
        }

        @Override
        public boolean isConstant() {
            return constant;
        }
    }

    /** Whether every expression is constant. */
    public static boolean allConstant(List<Expr> exprs) {
        for (Expr e : exprs) {
            if (!e.isConstant()) {
                return false;
            }
        }
        return true;
    }
}
