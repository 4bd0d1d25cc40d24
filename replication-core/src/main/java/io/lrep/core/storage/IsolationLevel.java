package io.lrep.core.storage;

/** The isolation levels storage implements, with PostgreSQL's semantics. */
public enum IsolationLevel {
    /** A new snapshot per statement; a concurrently updated row is re-checked (EvalPlanQual). */
    READ_COMMITTED,
    /** One snapshot from the first statement on; a concurrently updated row fails with 40001. */
    REPEATABLE_READ
}
