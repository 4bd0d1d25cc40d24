package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Structural helpers over the syntax tree's records: equality ignoring positions, and a visitor over sub-nodes. */
final class AstUtil {

    /**
     * Per record class of the syntax tree: the accessors of its components other than
     * {@code pos} (for {@link #same}) and of those that can hold sub-nodes (for {@link #walk}).
     * Reflecting on a record's components allocates and is slow, and planning walks the tree of
     * every statement.
     */
    private record Shape(MethodHandle[] compared, MethodHandle[] children) {}

    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            List<MethodHandle> compared = new ArrayList<>();
            List<MethodHandle> children = new ArrayList<>();
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (RecordComponent c : type.getRecordComponents()) {
                MethodHandle get;
                try {
                    get = lookup.unreflect(c.getAccessor()).asType(GETTER);
                } catch (IllegalAccessException e) {
                    throw new LrepException(SqlState.INTERNAL_ERROR, "cannot read " + c.getName() + " of " + type.getSimpleName(), e);
                }
                if (!c.getName().equals("pos")) {
                    compared.add(get);
                }
                Class<?> t = c.getType();
                if (!t.isPrimitive() && t != String.class && !t.isEnum()) {
                    children.add(get);
                }
            }
            return new Shape(compared.toArray(MethodHandle[]::new), children.toArray(MethodHandle[]::new));
        }
    };

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
            for (MethodHandle get : SHAPES.get(a.getClass()).compared) {
                if (!same(get(get, a), get(get, b))) {
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
        forEachChild(node, child -> walk(child, visit));
    }

    /** Calls {@code action} with each component of record node {@code node} that can hold sub-nodes. */
    static void forEachChild(Object node, Consumer<Object> action) {
        for (MethodHandle get : SHAPES.get(node.getClass()).children) {
            action.accept(get(get, node));
        }
    }

    private static Object get(MethodHandle get, Object o) {
        try {
            return (Object) get.invokeExact(o);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new LrepException(SqlState.INTERNAL_ERROR, "cannot read a component of " + o.getClass().getSimpleName(), e);
        }
    }
}
