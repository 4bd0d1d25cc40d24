package io.lrep.node.sql.ast;

import java.util.List;

/** An item of a FROM list (also UPDATE ... FROM and DELETE ... USING). */
public sealed interface FromItem {

    int pos();

    /** {@code [ONLY] [schema.]table [[AS] alias [(cols)]]}; alias null when absent. */
    record Table(QualifiedName name, boolean only, Alias alias, int pos) implements FromItem {
    }

    /** {@code [LATERAL] (SELECT ...) [AS] alias}; alias null when absent (PostgreSQL 15 then raises 42601). */
    record Subquery(Query query, boolean lateral, Alias alias, int pos) implements FromItem {
    }

    /**
     * {@code [LATERAL] f(args) [WITH ORDINALITY] [[AS] alias [(cols)]]}, e.g.
     * {@code generate_series(1, 3) AS g(x)}, {@code unnest(a) x}.
     */
    record Function(Expr.FuncCall call, boolean lateral, boolean withOrdinality, Alias alias, int pos)
            implements FromItem {
    }

    /**
     * A join. on is the ON condition (null for CROSS, NATURAL and USING joins); using lists USING
     * columns. A parenthesized join may carry an alias.
     */
    record Join(JoinKind kind, FromItem left, FromItem right, Expr on, List<Ident> using, boolean natural,
            Alias alias, int pos) implements FromItem {
    }

    enum JoinKind { INNER, LEFT, RIGHT, FULL, CROSS }
}
