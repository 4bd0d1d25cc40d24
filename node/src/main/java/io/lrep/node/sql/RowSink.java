package io.lrep.node.sql;

/** Receives result rows as an executor produces them; values are of the columns' Java classes. */
@FunctionalInterface
public interface RowSink {

    /**
     * One row. The array belongs to the sink once passed.
     *
     * @return false to stop early (the client went away); the executor then stops producing
     */
    boolean row(Object[] values);
}
