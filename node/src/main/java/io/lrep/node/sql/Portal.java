package io.lrep.node.sql;

import java.util.List;

/**
 * A statement bound to its parameter values, ready to run (the extended protocol's portal; the
 * simple protocol uses an unnamed one per statement). Running it may take several
 * {@link SqlSession#execute} calls when the client asks for a row limit.
 */
public interface Portal {

    /** What kind of result this portal produces. */
    enum Kind { ROWS, COMMAND, COPY_IN, COPY_OUT }

    Kind kind();

    /** The result columns (for ROWS, and for DML with RETURNING). */
    List<ColumnInfo> columns();

    /** For COPY_IN and COPY_OUT: the COPY's column count; its format is text or csv. */
    CopyStream copy();
}
