package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.WriteResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * INSERT, UPDATE and DELETE against storage, with PostgreSQL's read committed semantics: a row
 * a concurrent transaction updated is re-checked on its newest version (EvalPlanQual) and
 * updated or skipped; one it deleted, or this statement already changed, is skipped.
 */
final class Dml {

    private Dml() {}

    /** Marks a VALUES entry written as DEFAULT. */
    static final Object DEFAULT = new Object() {
        @Override
        public String toString() {
            return "DEFAULT";
        }
    };

    /** ON CONFLICT: DO NOTHING ({@code setAttnums} null) or DO UPDATE SET (over [existing row, excluded row]). */
    record Conflict(int[] setAttnums, List<Expr> setExprs, Expr where) {}

    /**
     * @param targets     source column i goes to attnum targets[i]
     * @param defaults    per attnum-1: the column default (null: NULL)
     * @param returning   over the full-width new row
     */
    record Insert(TableDef table, int[] targets, Plan source, List<Expr> defaults, Conflict conflict, List<Expr> returning) {}

    static Planned.Outcome insert(Exec ex, Insert spec) {
        TableDef table = spec.table();
        int width = table.columns().size();
        RowIter src = spec.source().open(ex, null);
        Env env = new Env(ex, null);
        List<Object[]> out = spec.returning() == null ? null : new ArrayList<>();
        long n = 0;
        Object[] in;
        while ((in = src.next()) != null) {
            ex.checkCancel();
            Object[] row = new Object[width];
            boolean[] given = new boolean[width];
            for (int i = 0; i < spec.targets().length; i++) {
                int idx = spec.targets()[i] - 1;
                if (in[i] != DEFAULT) {
                    row[idx] = in[i];
                    given[idx] = true;
                }
            }
            for (int i = 0; i < width; i++) {
                if (!given[i] && !table.columns().get(i).dropped()) {
                    Expr d = spec.defaults().get(i);
                    row[i] = d == null ? null : d.eval(env);
                }
            }
            Object[] stored = row;
            if (spec.conflict() == null) {
                ex.txn.insert(table, row);
            } else {
                RowRef existing = ex.txn.tryInsert(table, row);
                if (existing != null) {
                    if (spec.conflict().setAttnums() == null) {
                        continue;
                    }
                    stored = conflictUpdate(ex, spec, existing, row);
                    if (stored == null) {
                        continue;
                    }
                }
            }
            n++;
            if (out != null) {
                env.row = stored;
                out.add(eval(spec.returning(), env));
            }
        }
        return new Planned.Outcome("INSERT 0 " + n, out == null ? List.of() : out);
    }

    private static Object[] conflictUpdate(Exec ex, Insert spec, RowRef existing, Object[] excluded) {
        Conflict c = spec.conflict();
        Env env = new Env(ex, null);
        RowRef cur = existing;
        while (true) {
            WriteResult lock = ex.txn.lockRow(cur);
            switch (lock.status()) {
                case OK -> {
                    // locked: the version we hold is current
                }
                case UPDATED -> {
                    cur = lock.row();
                    continue;
                }
                case DELETED -> throw new LrepException(SqlState.SERIALIZATION_FAILURE,
                        "could not serialize access due to concurrent delete");
                case SELF_MODIFIED -> throw new LrepException(SqlState.CARDINALITY_VIOLATION,
                        "ON CONFLICT DO UPDATE command cannot affect row a second time")
                        .withHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.");
                default -> throw new IllegalStateException(lock.status().toString());
            }
            env.row = Plan.concat(cur.values(), excluded);
            if (c.where() != null && !Plan.truth(c.where().eval(env))) {
                return null;
            }
            Object[] next = cur.values().clone();
            for (int i = 0; i < c.setAttnums().length; i++) {
                next[c.setAttnums()[i] - 1] = c.setExprs().get(i).eval(env);
            }
            WriteResult w = ex.txn.update(cur, next);
            switch (w.status()) {
                case OK:
                    return next;
                case UPDATED:
                    cur = w.row();
                    continue;
                case SELF_MODIFIED:
                    throw new LrepException(SqlState.CARDINALITY_VIOLATION, "ON CONFLICT DO UPDATE command cannot affect row a second time")
                            .withHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.");
                default:
                    return null;
            }
        }
    }

    /**
     * Where UPDATE and DELETE find their rows: by primary key ({@code key} non-null) or a scan,
     * then {@code where} over the table row.
     */
    record Target(TableDef table, List<Expr> key, Expr where) {}

    /** UPDATE: {@code setExprs} over the old row give the values of {@code setAttnums}. */
    record Update(Target target, int[] setAttnums, List<Expr> setExprs, List<Expr> returning) {}

    record Delete(Target target, List<Expr> returning) {}

    private static Iterator<RowRef> rows(Exec ex, Target t, Env env) {
        if (t.key() != null) {
            Object[] k = new Object[t.key().size()];
            for (int i = 0; i < k.length; i++) {
                k[i] = t.key().get(i).eval(env);
                if (k[i] == null) {
                    return java.util.Collections.emptyIterator();
                }
            }
            ex.gets++;
            RowRef r = ex.txn.get(t.table(), k, ex.snapshot());
            return r == null ? java.util.Collections.emptyIterator() : List.of(r).iterator();
        }
        ex.scans++;
        return ex.txn.scan(t.table(), ex.snapshot());
    }

    static Planned.Outcome update(Exec ex, Update spec) {
        Target t = spec.target();
        Env env = new Env(ex, null);
        Iterator<RowRef> it = rows(ex, t, env);
        List<Object[]> out = spec.returning() == null ? null : new ArrayList<>();
        long n = 0;
        while (it.hasNext()) {
            ex.checkCancel();
            RowRef r = it.next();
            env.row = r.values();
            if (t.where() != null && !Plan.truth(t.where().eval(env))) {
                continue;
            }
            while (r != null) {
                Object[] next = r.values().clone();
                env.row = r.values();
                for (int i = 0; i < spec.setAttnums().length; i++) {
                    next[spec.setAttnums()[i] - 1] = spec.setExprs().get(i).eval(env);
                }
                WriteResult w = ex.txn.update(r, next);
                switch (w.status()) {
                    case OK -> {
                        n++;
                        if (out != null) {
                            env.row = next;
                            out.add(eval(spec.returning(), env));
                        }
                        r = null;
                    }
                    case UPDATED -> {
                        r = w.row();
                        env.row = r.values();
                        if (t.where() != null && !Plan.truth(t.where().eval(env))) {
                            r = null;
                        }
                    }
                    default -> r = null;
                }
            }
        }
        return new Planned.Outcome("UPDATE " + n, out == null ? List.of() : out);
    }

    static Planned.Outcome delete(Exec ex, Delete spec) {
        Target t = spec.target();
        Env env = new Env(ex, null);
        Iterator<RowRef> it = rows(ex, t, env);
        List<Object[]> out = spec.returning() == null ? null : new ArrayList<>();
        long n = 0;
        while (it.hasNext()) {
            ex.checkCancel();
            RowRef r = it.next();
            env.row = r.values();
            if (t.where() != null && !Plan.truth(t.where().eval(env))) {
                continue;
            }
            while (r != null) {
                WriteResult w = ex.txn.delete(r);
                switch (w.status()) {
                    case OK -> {
                        n++;
                        if (out != null) {
                            env.row = r.values();
                            out.add(eval(spec.returning(), env));
                        }
                        r = null;
                    }
                    case UPDATED -> {
                        r = w.row();
                        env.row = r.values();
                        if (t.where() != null && !Plan.truth(t.where().eval(env))) {
                            r = null;
                        }
                    }
                    default -> r = null;
                }
            }
        }
        return new Planned.Outcome("DELETE " + n, out == null ? List.of() : out);
    }

    static Object[] eval(List<Expr> exprs, Env env) {
        Object[] o = new Object[exprs.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = exprs.get(i).eval(env);
        }
        return o;
    }
}
