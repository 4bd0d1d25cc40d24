package io.lrep.node.sql.exec;

import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.List;

/**
 * The types of a statement's {@code $n} parameters while it is analyzed: given by the client
 * (Parse's type oids) or inferred from the first context that fixes one (a column compared with
 * or assigned from it, a cast); still unknown at the end means text, as PostgreSQL does.
 */
public final class ParamTypes {

    private final List<PgType> types = new ArrayList<>();
    private boolean closed;

    /** The parameters of a simple Query: there are none ($n is 42P02). */
    public static ParamTypes none() {
        ParamTypes p = new ParamTypes(null);
        p.closed = true;
        return p;
    }

    /** Whether $n (0-based index) may be referenced. */
    public boolean allows(int index) {
        return !closed || index < types.size();
    }

    public ParamTypes(int[] oids) {
        if (oids != null) {
            for (int oid : oids) {
                types.add(oid == 0 ? null : typeOf(oid));
            }
        }
    }

    private static PgType typeOf(int oid) {
        PgType t = PgType.byOid(oid);
        return t == null ? PgType.TEXT : t;
    }

    /** The type of $index+1, or null while unknown. */
    public PgType get(int index) {
        return index < types.size() ? types.get(index) : null;
    }

    /** Notes that $index+1 exists. */
    public void seen(int index) {
        while (types.size() <= index) {
            types.add(null);
        }
    }

    /** Fixes $index+1's type if still unknown; returns the type it has. */
    public PgType infer(int index, PgType type) {
        seen(index);
        if (types.get(index) == null && type != null && type != PgType.UNKNOWN) {
            types.set(index, type);
        }
        PgType t = types.get(index);
        return t == null ? PgType.UNKNOWN : t;
    }

    public int size() {
        return types.size();
    }

    /** The final list: unknowns become text. */
    public List<PgType> resolved() {
        List<PgType> out = new ArrayList<>();
        for (PgType t : types) {
            out.add(t == null ? PgType.TEXT : t);
        }
        return out;
    }
}
