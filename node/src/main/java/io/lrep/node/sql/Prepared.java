package io.lrep.node.sql;

import io.lrep.core.types.PgType;
import java.util.List;

/**
 * A parsed and analyzed statement (the extended protocol's prepared statement, or one statement
 * of a simple Query). Immutable; may be executed many times.
 */
public interface Prepared {

    /** The statement's text as the client sent it. */
    String sql();

    /** The types of $1..$n, inferred where the client left them unspecified (0); never null. */
    List<PgType> parameterTypes();

    /** The columns it returns, or an empty list when it returns no rows (ParameterDescription/NoData). */
    List<ColumnInfo> columns();

    /** True for an empty query string (EmptyQueryResponse). */
    boolean isEmpty();
}
