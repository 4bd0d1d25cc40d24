package io.lrep.core.wal;

/** A record as read back from WAL, with where it starts and where the next one starts. */
public record WalEntry(long startLsn, long endLsn, WalRecord record) {}
