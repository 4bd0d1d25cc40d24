package io.lrep.core.wal;

import java.util.function.LongConsumer;

/**
 * The node's write-ahead log as storage and decoders see it. LSNs are raw {@code long}s
 * (see {@link io.lrep.core.lsn.Lsn}); every LSN returned is the end (exclusive) of a record.
 */
public interface WalLog {

    /**
     * Appends a record. Space is reserved without a global lock; returns the record's end LSN.
     * The record is not durable until {@link #waitForFlush(long)} returns for that LSN.
     *
     * @throws io.lrep.core.error.LrepException 54000 if the record is larger than the WAL can take
     */
    long append(WalRecord record);

    /** Blocks until every record ending at or before {@code lsn} is durable (group commit). */
    void waitForFlush(long lsn);

    /**
     * Asks for a flush soon without waiting for it: an asynchronous commit's rows become visible
     * once it is flushed, so it should not wait for the flusher's idle round. Does nothing where
     * flushes are only made by hand.
     */
    default void requestFlush() {
    }

    /** Blocks until the flushed end passes {@code lsn} or the timeout runs out; true if it passed. */
    boolean awaitFlushedBeyond(long lsn, long timeoutNanos);

    /**
     * Calls {@code listener} with the new flushed end after each flush that moved it, on the
     * flushing thread, until the returned handle is run. A listener must not block: it wakes a
     * thread (a walsender waiting for WAL) and returns.
     *
     * @return runs to remove the listener; idempotent
     */
    Runnable addFlushListener(LongConsumer listener);

    /** The end of all space reserved so far. */
    long insertLsn();

    /** Everything before this LSN is durable. */
    long flushedLsn();

    /** The first LSN still readable (the start of the oldest kept segment). */
    long oldestLsn();

    /** A reader positioned at {@code fromLsn}, which must be a record boundary. */
    WalReader openReader(long fromLsn);

    /** Keeps segments at or after {@code lsn} for {@code holder} (a checkpoint, later a slot). */
    void holdFrom(String holder, long lsn);

    /** Drops a holder's claim. */
    void release(String holder);

    /** Removes segment files wholly below every holder's horizon; returns how many were removed. */
    int removeOldSegments();
}
