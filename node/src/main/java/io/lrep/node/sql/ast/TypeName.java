package io.lrep.node.sql.ast;

import java.util.List;

/**
 * A type name as written. SQL-standard spellings are mapped to PostgreSQL's internal names with
 * schema {@code pg_catalog}, as PostgreSQL's grammar does: {@code integer} is
 * {@code pg_catalog.int4}, {@code double precision} is {@code pg_catalog.float8},
 * {@code character varying(20)} is {@code pg_catalog.varchar} with modifier 20,
 * {@code timestamp with time zone} is {@code pg_catalog.timestamptz}, {@code char} is
 * {@code pg_catalog.bpchar} (modifier 1 when no length is given). Names written by the user
 * ({@code int4}, {@code text}, {@code serial}, {@code regclass}) are kept unqualified.
 *
 * @param schema null unless qualified
 * @param name the type name (lower case unless quoted)
 * @param modifiers the type modifiers as written ({@code numeric(10,2)}: two constants)
 * @param arrayDims number of {@code []} (or {@code ARRAY}) suffixes; 0 for a scalar type
 * @param setof written as {@code SETOF type}
 * @param intervalFields for {@code interval year to month} and the like: the field words; else empty
 * @param pos 1-based position
 */
public record TypeName(String schema, String name, List<Expr> modifiers, int arrayDims, boolean setof,
        List<String> intervalFields, int pos) {

    public static TypeName of(String schema, String name) {
        return new TypeName(schema, name, List.of(), 0, false, List.of(), 0);
    }

    /** The same type with one more array dimension. */
    public TypeName arrayOf() {
        return new TypeName(schema, name, modifiers, arrayDims + 1, setof, intervalFields, pos);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (schema != null) {
            b.append(schema).append('.');
        }
        b.append(name);
        if (!modifiers.isEmpty()) {
            b.append('(');
            for (int i = 0; i < modifiers.size(); i++) {
                Expr m = modifiers.get(i);
                b.append(i == 0 ? "" : ",").append(m instanceof Expr.NumberLiteral n ? n.text() : m.toString());
            }
            b.append(')');
        }
        b.append("[]".repeat(arrayDims));
        return b.toString();
    }
}
