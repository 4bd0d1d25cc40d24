package io.lrep.node.sql.ast;

import java.util.List;

/**
 * A complete query: {@code [WITH ...] body [ORDER BY ...] [LIMIT ...] [OFFSET ...] [FOR UPDATE ...]}.
 * Also used for a parenthesized query inside a set operation.
 *
 * @param with the WITH clause or null
 * @param limit the LIMIT / FETCH FIRST count, or null (LIMIT ALL and no limit are both null)
 * @param offset the OFFSET, or null
 * @param withTies FETCH FIRST ... WITH TIES
 * @param locking FOR UPDATE / FOR SHARE clauses
 */
public record Query(With with, QueryExpr body, List<SortItem> orderBy, Expr limit, Expr offset, boolean withTies,
        List<LockingClause> locking, int pos) implements QueryExpr {

    /** A query that is only its body. */
    public static Query of(QueryExpr body) {
        return new Query(null, body, List.of(), null, null, false, List.of(), body.pos());
    }

    /** {@code WITH [RECURSIVE] cte, ...}. */
    public record With(boolean recursive, List<Cte> ctes, int pos) {
    }

    /**
     * {@code name [(cols)] AS [[NOT] MATERIALIZED] (statement)}; the statement is a
     * {@link Statement.Select} or a data-modifying statement with RETURNING.
     */
    public record Cte(String name, List<String> columns, Boolean materialized, Statement statement, int pos) {
    }

    /** {@code FOR UPDATE|NO KEY UPDATE|SHARE|KEY SHARE [OF t, ...] [NOWAIT|SKIP LOCKED]}. */
    public record LockingClause(Strength strength, List<QualifiedName> of, WaitPolicy waitPolicy, int pos) {
    }

    public enum Strength { UPDATE, NO_KEY_UPDATE, SHARE, KEY_SHARE }

    public enum WaitPolicy { BLOCK, NOWAIT, SKIP_LOCKED }
}
