package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.function.Consumer;

/** Structural helpers over the syntax tree's records: equality ignoring positions, and a visitor over sub-nodes. */
final class AstUtil {

    private AstUtil() {}

    /** Whether two syntax trees are equal except for their positions. */
    static boolean same(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return false;
        }
        if (a instanceof List<?> la) {
            List<?> lb = (List<?>) b;
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!same(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.getClass().isRecord()) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                if (c.getName().equals("pos")) {
                    continue;
                }
                if (!same(get(c, a), get(c, b))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Calls {@code visit} on every record node below {@code node} (pre-order, node included). */
    static void walk(Object node, Consumer<Object> visit) {
        if (node == null) {
            return;
        }
        if (node instanceof List<?> l) {
            for (Object o : l) {
                walk(o, visit);
            }
            return;
        }
        if (!node.getClass().isRecord()) {
            return;
        }
        visit.accept(node);
        for (RecordComponent c : node.getClass().getRecordComponents()) {
            Class<?> t = c.getType();
            if (t.isPrimitive() || t == String.class || t.isEnum()) {
                continue;
            }
            walk(get(c, node), visit);
        }
    }

    private static Object get(RecordComponent c, Object o) {
        try {
            return c.getAccessor().invoke(o);
        } catch (ReflectiveOperationException e) {
            throw new LrepException(SqlState.INTERNAL_ERROR, "cannot read " + c.getName() + " of " + o.getClass().getSimpleName(), e);
        }
    }
}
