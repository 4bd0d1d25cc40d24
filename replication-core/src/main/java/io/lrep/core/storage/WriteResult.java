package io.lrep.core.storage;

/**
 * The outcome of {@link Transaction#update} / {@link Transaction#delete}, PostgreSQL's TM_Result
 * as read committed's executor sees it.
 *
 * <ul>
 *   <li>{@code OK}: done; {@code row} is the new version of an update (null for a delete).
 *   <li>{@code UPDATED}: (READ COMMITTED only) a concurrent transaction updated the row and
 *       committed; {@code row} is the newest committed version. The executor re-checks its WHERE
 *       clause on it (EvalPlanQual) and, if it still qualifies, retries on {@code row}.
 *   <li>{@code DELETED}: (READ COMMITTED only) a concurrent transaction deleted the row and
 *       committed: skip it.
 *   <li>{@code SELF_MODIFIED}: this transaction already updated or deleted the version
 *       (e.g. earlier in the same statement): skip it.
 * </ul>
 */
public record WriteResult(Status status, RowRef row) {

    public enum Status { OK, UPDATED, DELETED, SELF_MODIFIED }

    public boolean ok() {
        return status == Status.OK;
    }
}
