package io.lrep.core.storage;

import io.lrep.core.wal.WalRecord;
import java.util.List;
import java.util.function.Consumer;

/**
 * What checkpoints and recovery need from the live storage engine. A checkpoint image is a
 * stream of WAL records (the same records and codec as WAL itself), so loading an image and
 * replaying WAL go through one path: {@link #redo(List, long)}.
 */
public interface DurableState {

    /**
     * Emits the committed state as of {@code snapshotLsn}, with xid 0: a {@code CatalogChange}
     * for every object in creation order (schemas, sequences, tables), a
     * {@code SequenceAdvance} for every sequence, an {@code Insert} for every row.
     * Versions visible at the snapshot are kept for the whole export.
     */
    void exportImage(long snapshotLsn, Consumer<WalRecord> out);

    /**
     * Keeps vacuum at or below the current flushed LSN until the pin is closed, so an export at
     * any snapshot taken after this call finds every version it needs. A checkpoint takes it
     * before it chooses its snapshot: concurrent writers prune versions on the way, and without
     * the pin they could prune past the snapshot while the checkpoint waits for its flush.
     */
    SnapshotPin pinSnapshot();

    /**
     * Applies one committed transaction's records (in WAL order, without its Commit record) as
     * committed at {@code commitEndLsn}, during image load or WAL replay. Writes no WAL.
     * Non-transactional records ({@code SequenceAdvance}, non-transactional messages) come as a
     * list of one.
     */
    void redo(List<WalRecord> records, long commitEndLsn);

    /**
     * The start LSN of the first record of the oldest transaction that has written WAL and not
     * yet ended, or {@code Long.MAX_VALUE} when none has.
     */
    long oldestActiveTxnStartLsn();

    /** The next transaction id to assign. */
    int nextXid();

    /** The next object id to assign. */
    int nextOid();

    /** Sets both counters after recovery (each only moves forward). */
    void advanceCounters(int nextXid, int nextOid);
}
