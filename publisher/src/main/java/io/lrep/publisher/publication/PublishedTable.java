package io.lrep.publisher.publication;

import io.lrep.core.storage.TableDef;
import java.util.List;

/**
 * What a set of publications publishes for one table, as PostgreSQL 15's pgoutput works it out:
 *
 * @param publications the names of those publications that include the table (in the order asked)
 * @param actions      the union of their actions
 * @param columns      the published attnums in ascending order, or null for every column
 * @param insertFilter the row filter for INSERTs, null when rows are not filtered
 * @param updateFilter likewise for UPDATEs (pgoutput tests old and new row)
 * @param deleteFilter likewise for DELETEs (tested on the old row)
 */
public record PublishedTable(TableDef table, List<String> publications, PublishActions actions, List<Integer> columns,
        RowFilter insertFilter, RowFilter updateFilter, RowFilter deleteFilter) {

    public PublishedTable {
        publications = List.copyOf(publications);
        columns = columns == null ? null : List.copyOf(columns);
    }

    /** Whether any change of the table is published. */
    public boolean published() {
        return !publications.isEmpty() && actions.any();
    }

    /** Whether changes of this kind are published. */
    public boolean publishes(PublishActions.Action action) {
        return !publications.isEmpty() && actions.publishes(action);
    }

    /** The row filter for an action (null: none); TRUNCATE is never filtered. */
    public RowFilter filter(PublishActions.Action action) {
        return switch (action) {
            case INSERT -> insertFilter;
            case UPDATE -> updateFilter;
            case DELETE -> deleteFilter;
            case TRUNCATE -> null;
        };
    }

    /** Whether a column (attnum) is published. */
    public boolean publishesColumn(int attnum) {
        return columns == null ? !table.columns().get(attnum - 1).dropped() : columns.contains(attnum);
    }
}
