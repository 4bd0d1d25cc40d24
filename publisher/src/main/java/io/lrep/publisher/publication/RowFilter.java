package io.lrep.publisher.publication;

import java.util.List;

/**
 * A publication's row filter compiled for one table shape. PostgreSQL's rule: a row is
 * published when the expression yields true; false and NULL both filter it out.
 */
@FunctionalInterface
public interface RowFilter {

    /** Whether the row (full width, in TableDef column order, dropped columns null) passes. */
    boolean test(Object[] row);

    /** The filter passing a row when any of {@code filters} does (PostgreSQL ORs the filters of several publications). */
    static RowFilter anyOf(List<RowFilter> filters) {
        List<RowFilter> all = List.copyOf(filters);
        if (all.size() == 1) {
            return all.get(0);
        }
        return row -> {
            for (RowFilter f : all) {
                if (f.test(row)) {
                    return true;
                }
            }
            return false;
        };
    }
}
