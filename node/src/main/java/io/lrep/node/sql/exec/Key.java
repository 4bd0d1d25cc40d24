package io.lrep.node.sql.exec;

import io.lrep.core.types.PgType;
import io.lrep.core.types.Values;
import java.util.Arrays;

/** A tuple of typed values usable as a hash key (GROUP BY, DISTINCT, hash joins, set operations): NULLs are equal. */
final class Key {

    final Object[] values;
    private final PgType[] types;
    private final int hash;

    Key(Object[] values, PgType[] types) {
        this.values = values;
        this.types = types;
        int h = 1;
        for (int i = 0; i < values.length; i++) {
            h = 31 * h + hashOf(types[i], values[i]);
        }
        this.hash = h;
    }

    private static int hashOf(PgType t, Object v) {
        if (v == null) {
            return 0;
        }
        if (t == PgType.UNKNOWN || t.elementType() != null || t == PgType.RECORD || t == PgType.JSON) {
            return v instanceof Object[] a ? Arrays.deepHashCode(a) : v.hashCode();
        }
        if (Ops.isReg(t)) {
            return v.hashCode();
        }
        return Values.hash(t, v);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Key k) || k.hash != hash || k.values.length != values.length) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            Object a = values[i];
            Object b = k.values[i];
            if (a == null || b == null) {
                if (a != b) {
                    return false;
                }
                continue;
            }
            PgType t = types[i];
            if (t == PgType.UNKNOWN || t.elementType() != null || t == PgType.RECORD || t == PgType.JSON || Ops.isReg(t)) {
                if (!Arrays.deepEquals(new Object[] {a}, new Object[] {b})) {
                    return false;
                }
            } else if (!Values.equal(t, a, b)) {
                return false;
            }
        }
        return true;
    }
}
