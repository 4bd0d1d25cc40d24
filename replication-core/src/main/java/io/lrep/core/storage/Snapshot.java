package io.lrep.core.storage;

/**
 * What one statement sees: every transaction committed with commit LSN at or below {@code lsn},
 * plus its own transaction's writes of commands before {@code cid}.
 */
public record Snapshot(long lsn, int cid) {}
