package io.lrep.node.sql.exec;

/**
 * The rows an expression sees while it is evaluated: the current row of its own query level and,
 * through {@link #outer}, the current rows of the enclosing query levels (for correlated
 * subqueries). Mutable and reused row after row by the plan node that owns it.
 */
public final class Env {

    /** The current row of this query level (plan-node specific layout). */
    public Object[] row;

    /** The enclosing query level's environment, or null at the top. */
    public final Env outer;

    /** The statement being run (parameters, snapshot, cancel checks). */
    public final Exec exec;

    public Env(Exec exec, Env outer) {
        this.exec = exec;
        this.outer = outer;
    }

    public Env(Exec exec, Env outer, Object[] row) {
        this.exec = exec;
        this.outer = outer;
        this.row = row;
    }

    /** The environment {@code levelsUp} query levels out. */
    public Env up(int levelsUp) {
        Env e = this;
        for (int i = 0; i < levelsUp; i++) {
            e = e.outer;
        }
        return e;
    }
}
