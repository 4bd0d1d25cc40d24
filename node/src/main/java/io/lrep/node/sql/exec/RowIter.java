package io.lrep.node.sql.exec;

/** A pull iterator over rows: {@link #next()} returns null at the end. */
@FunctionalInterface
public interface RowIter {

    Object[] next();

    RowIter EMPTY = () -> null;
}
