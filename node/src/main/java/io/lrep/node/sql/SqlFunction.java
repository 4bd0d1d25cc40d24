package io.lrep.node.sql;

import io.lrep.core.types.PgType;
import java.util.Iterator;
import java.util.List;

/**
 * A function callable from SQL. Overloads share a name; the executor picks the one whose
 * argument types match (with PostgreSQL's implicit casts; a null entry in {@code argTypes}
 * accepts any type). A strict function returns NULL for any NULL argument without being
 * called. A set-returning function ({@code returnsSet}) yields rows of {@code resultColumns}
 * and may be used in FROM (generate_series, pg_get_publication_tables) and in the select list.
 *
 * @param schema {@code pg_catalog} for built-ins (callable unqualified)
 * @param variadic the last argument type repeats (concat, format, json_build_object)
 * @param returnType null for a set-returning function (its rows are {@code resultColumns})
 */
public record SqlFunction(String schema, String name, List<PgType> argTypes, boolean variadic, PgType returnType,
        boolean strict, boolean volatile_, Scalar scalar, boolean returnsSet, List<ColumnInfo> resultColumns, SetReturning setReturning) {

    /** A function returning one value. */
    @FunctionalInterface
    public interface Scalar {
        Object call(QueryContext context, Object[] args);
    }

    /** A function returning rows. */
    @FunctionalInterface
    public interface SetReturning {
        Iterator<Object[]> call(QueryContext context, Object[] args);
    }

    public static SqlFunction scalar(String name, List<PgType> argTypes, PgType returnType, boolean strict, Scalar impl) {
        return new SqlFunction("pg_catalog", name, argTypes, false, returnType, strict, false, impl, false, List.of(), null);
    }

    public static SqlFunction setReturning(String name, List<PgType> argTypes, List<ColumnInfo> resultColumns, boolean strict,
            SetReturning impl) {
        return new SqlFunction("pg_catalog", name, argTypes, false, null, strict, true, null, true, resultColumns, impl);
    }
}
