package io.lrep.publisher.publication;

import io.lrep.core.storage.TableDef;
import java.util.Set;

/**
 * Turns a stored row filter's text (pg_publication_rel.prqual) into something the publisher can
 * run. The node implements it with its SQL expression evaluator; the publisher cannot parse SQL
 * itself. Implementations are thread-safe: walsenders compile and test on their own threads.
 */
public interface RowFilterCompiler {

    /** The filter {@code expression} over rows of {@code table}. */
    RowFilter compile(TableDef table, String expression);

    /** The attnums of {@code table} that {@code expression} reads. */
    Set<Integer> columnsUsed(TableDef table, String expression);
}
