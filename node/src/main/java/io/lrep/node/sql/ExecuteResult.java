package io.lrep.node.sql;

/**
 * How an {@link SqlSession#execute} call ended: complete with a command tag
 * (CommandComplete, e.g. "INSERT 0 1", "SELECT 3", "BEGIN"), or suspended after the row limit
 * (PortalSuspended), or waiting for the client's COPY data.
 */
public record ExecuteResult(Status status, String commandTag) {

    public enum Status { COMPLETE, SUSPENDED, COPY }

    public static ExecuteResult complete(String tag) {
        return new ExecuteResult(Status.COMPLETE, tag);
    }

    public static final ExecuteResult SUSPENDED = new ExecuteResult(Status.SUSPENDED, null);
    public static final ExecuteResult COPY = new ExecuteResult(Status.COPY, null);
}
