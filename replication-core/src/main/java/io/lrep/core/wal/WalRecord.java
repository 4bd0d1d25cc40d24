package io.lrep.core.wal;

/**
 * One logical WAL record. Rows are full-width {@code Object[]} in table column order (attnum
 * order, dropped columns included as null), each value of the Java class that
 * {@link io.lrep.core.types.PgType} names for the column's type; SQL NULL is {@code null}.
 *
 * <p>Old rows of update and delete: with replica identity DEFAULT (or USING a key) only the key
 * columns are set and the rest are null ({@code oldIsFullRow == false}); with FULL every column
 * is set ({@code oldIsFullRow == true}); an update that did not change the key under DEFAULT
 * carries no old row ({@code oldRow == null}), as PostgreSQL does.
 *
 * <p>Transaction ids are PostgreSQL-style 32-bit xids; {@code 0} means "no transaction"
 * (non-transactional logical messages, checkpoints, sequence advances).
 */
public sealed interface WalRecord {

    /** The transaction this record belongs to, or 0. */
    int xid();

    /**
     * A new row. {@code encodedNewRow}, when not null, is {@code newRow} as
     * {@link WalRecordCodec#encodeRow} encodes it, written as it is (the storage engine keeps a
     * row version in that form, so the row is encoded once); decoded records carry null.
     */
    record Insert(int xid, int relOid, Object[] newRow, byte[] encodedNewRow) implements WalRecord {
        public Insert(int xid, int relOid, Object[] newRow) {
            this(xid, relOid, newRow, null);
        }
    }

    /** An update; {@code encodedNewRow} as in {@link Insert}. */
    record Update(int xid, int relOid, Object[] oldRow, boolean oldIsFullRow, Object[] newRow, byte[] encodedNewRow)
            implements WalRecord {
        public Update(int xid, int relOid, Object[] oldRow, boolean oldIsFullRow, Object[] newRow) {
            this(xid, relOid, oldRow, oldIsFullRow, newRow, null);
        }
    }

    record Delete(int xid, int relOid, Object[] oldRow, boolean oldIsFullRow) implements WalRecord {}

    record Truncate(int xid, int[] relOids, boolean cascade, boolean restartIdentity) implements WalRecord {}

    /**
     * Commit of a transaction. {@code commitTimeMicros} is microseconds since the Unix epoch.
     * {@code originId}/{@code originLsn} are the replication origin whose remote transaction this
     * commit applied (0 / 0 when the transaction is local).
     */
    record Commit(int xid, long commitTimeMicros, int originId, long originLsn) implements WalRecord {}

    record Abort(int xid) implements WalRecord {}

    /**
     * {@code ROLLBACK TO SAVEPOINT} in transaction {@code xid}: every record of {@code xid} that
     * starts at or after {@code fromLsn} and before this record is void (the WAL insert position
     * when the savepoint was set; no record of {@code xid} from before the savepoint starts
     * there or later). Recovery and logical decoding drop those records; the transaction itself
     * goes on and ends with its own Commit or Abort. Rolling back to the same savepoint again
     * logs another record with the same {@code fromLsn}: ranges may overlap, and dropping is
     * idempotent. Written only when the transaction logged something since the savepoint.
     */
    record SubxactAbort(int xid, long fromLsn) implements WalRecord {}

    /**
     * A catalog change made by transaction {@code xid}: {@code kind} says what happened to the
     * object {@code oid} and {@code definition} is the catalog's own encoding of the object's new
     * definition (empty when dropped). A decoder replays these to know every table's shape at
     * any LSN.
     */
    record CatalogChange(int xid, int kind, int oid, byte[] definition) implements WalRecord {}

    /** pg_logical_emit_message: transactional messages carry their xid, others 0. */
    record LogicalMessage(int xid, boolean transactional, String prefix, byte[] content) implements WalRecord {}

    /** A sequence's new last value (non-transactional, as in PostgreSQL). */
    record SequenceAdvance(int xid, int seqOid, long lastValue, boolean isCalled) implements WalRecord {}

    /**
     * A completed checkpoint: its image holds every transaction that committed at or before
     * {@code snapshotLsn}; replay starts at {@code redoLsn} (at most snapshotLsn: the first
     * record of the oldest transaction in progress at the snapshot).
     */
    record Checkpoint(int xid, long redoLsn, long snapshotLsn, int nextXid, int nextOid, int timeline, long timeMicros)
            implements WalRecord {}
}
