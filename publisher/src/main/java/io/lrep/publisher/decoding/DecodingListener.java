package io.lrep.publisher.decoding;

import io.lrep.core.storage.TableDef;
import java.util.List;

/**
 * The output plugin's callbacks (PostgreSQL's OutputPluginCallbacks), called on the decoder's
 * thread from {@link LogicalDecoder#decode(int)}.
 *
 * <p>A transaction sent whole: {@link #onBegin}, then its changes, truncates and transactional
 * messages in LSN order, then {@link #onCommit}; transactions come in commit order and never
 * interleave. Non-transactional messages ({@link #onMessage} with {@code txn == null}) come
 * between transactions, as soon as they are read.
 *
 * <p>A streamed transaction (only when the decoder was asked to stream): one or more blocks
 * {@link #onStreamStart} … {@link #onStreamStop} holding its changes so far, with other
 * transactions' callbacks possibly between blocks; at its end, outside any block, either
 * {@link #onStreamCommit} (after a last block with the remaining changes, if any) or
 * {@link #onStreamAbort}. A transaction whose streamed changes were partly rolled back to a
 * savepoint is stream-aborted at once and then sent again whole at its commit, with
 * {@link #onBegin} and the same xid. The stream callbacks default to throwing, so a plugin that
 * never asks for streaming need not implement them.
 *
 * <p>Exceptions thrown here end the {@link LogicalDecoder#decode(int)} call that made them.
 */
public interface DecodingListener {

    /** A committed transaction starts (PostgreSQL's begin_cb); nothing is known yet of its changes. */
    void onBegin(DecodedTxn txn);

    /** An insert, update or delete of {@code txn} (change_cb). */
    void onChange(DecodedTxn txn, RowChange change);

    /** A TRUNCATE of {@code relations}, shapes as of {@code lsn} (truncate_cb). */
    void onTruncate(DecodedTxn txn, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity);

    /**
     * A logical message (message_cb, pg_logical_emit_message): transactional ones come inside
     * their transaction ({@code txn} set), non-transactional ones on their own ({@code txn == null}).
     */
    void onMessage(DecodedTxn txn, long lsn, boolean transactional, String prefix, byte[] content);

    /** {@code txn} commits (commit_cb); its commit LSN, end LSN, time and origin are in {@code txn}. */
    void onCommit(DecodedTxn txn);

    /** A block of streamed changes of {@code xid} starts; {@code firstSegment} for its first block. */
    default void onStreamStart(int xid, boolean firstSegment) {
        throw new IllegalStateException("streaming was requested but the listener does not implement it");
    }

    /** The current block of streamed changes of {@code xid} ends. */
    default void onStreamStop(int xid) {
        throw new IllegalStateException("streaming was requested but the listener does not implement it");
    }

    /** A change of in-progress transaction {@code xid}, inside a stream block. */
    default void onStreamChange(int xid, RowChange change) {
        throw new IllegalStateException("streaming was requested but the listener does not implement it");
    }

    /** A TRUNCATE of in-progress transaction {@code xid}, inside a stream block. */
    default void onStreamTruncate(int xid, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
        throw new IllegalStateException("streaming was requested but the listener does not implement it");
    }

    /** A transactional message of in-progress transaction {@code xid}, inside a stream block. */
    default void onStreamMessage(int xid, long lsn, String prefix, byte[] content) {
        throw new IllegalStateException("streaming was requested but the listener does not implement it");
    }

    /**
     * Everything streamed of {@code xid} is void: the transaction aborted at {@code abortLsn}, or
     * a savepoint rollback there hit streamed changes (then the transaction is sent whole at its
     * commit). lrep has no subtransaction xids, so the aborted (sub)xid is always {@code xid}.
     */
    default void onStreamAbort(int xid, long abortLsn) {
        throw new IllegalStateException("streaming was requested but the listener does not implement it");
    }

    /** A streamed transaction commits; every change of it was in the blocks before. */
    default void onStreamCommit(DecodedTxn txn) {
        throw new IllegalStateException("streaming was requested but the listener does not implement it");
    }
}
