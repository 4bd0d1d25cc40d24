/**
 * The SQL engine behind {@link io.lrep.node.sql.LrepSqlEngine}: analysis, planning and execution
 * with PostgreSQL 15's semantics.
 *
 * <pre>
 * text --SqlParser--&gt; Statement --Analyzer/QueryPlanner/Binder--&gt; Planned (cached in Prepared)
 *      --ExecSession.execute--&gt; Plan.open(Exec) row iterators / Dml / Ddl / RoleDdl / CopyPlanner
 * </pre>
 *
 * <ul>
 *   <li>{@link io.lrep.node.sql.exec.ExecSession}: the session state machine (implicit
 *       transactions, blocks, failed blocks, savepoints), cancel and statement_timeout,
 *       sequences' currval/lastval, notices. {@link io.lrep.node.sql.exec.SessionSettings}: GUCs.</li>
 *   <li>{@link io.lrep.node.sql.exec.Expr}: bound expressions; all name, type, operator and
 *       function resolution happens once at prepare time. Untyped literals take their type from
 *       context (the other operand, the target column); unresolved parameters become text.</li>
 *   <li>{@link io.lrep.node.sql.exec.Plan}: scans, primary-key lookups (a WHERE that fixes every
 *       key column by constants, parameters or outer references uses Transaction.get), joins
 *       (hash joins on equi-conditions, nested loops otherwise, LATERAL re-run per row),
 *       aggregation, windows, sorting, DISTINCT [ON], LIMIT, set operations.</li>
 *   <li>Functions: built-ins ({@link io.lrep.node.sql.exec.Builtins}) and the catalog extensions'
 *       resolve through one {@link io.lrep.node.sql.exec.FunctionRegistry}, by name and argument
 *       types with PostgreSQL's implicit casts. A cast to or from a reg* type first looks for a
 *       function named as the target type taking the source type ({@code regclass(text)},
 *       {@code text(regclass)}); without one, regclass/regtype text is resolved by the engine.</li>
 *   <li>Plans remember the table definitions they read; a statement whose tables changed since
 *       it was planned is planned again before it runs.</li>
 * </ul>
 */
package io.lrep.node.sql.exec;
