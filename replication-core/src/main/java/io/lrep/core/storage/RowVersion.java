package io.lrep.core.storage;

import io.lrep.core.wal.WalRecordCodec;

/**
 * One version of a row. Versions of one key form a chain from the newest ({@link Chain#head})
 * through {@code older}. Fields other than the final ones change only under the engine lock;
 * readers walk chains without it: {@code ender} is written after {@code enderCid} (the volatile
 * write publishes both), and unlinking a version ({@code older} of its predecessor) leaves the
 * unlinked version's own {@code older} intact, so a reader standing on it still reaches the rest
 * of the chain. The values are kept encoded ({@link WalRecordCodec#encodeRow}): a stored row costs
 * the heap one array instead of an array and an object per value, which is what a young
 * collection copies for each new row.
 */
final class RowVersion {

    final RowKey key;
    private final byte[] data;
    final TxnState creator;
    final int creatorCid;
    int enderCid;
    volatile TxnState ender;
    volatile RowVersion older;
    /** The last transaction that locked this version FOR UPDATE (meaningful while it runs), or null. */
    volatile TxnState locker;
    /** The version an update made from this one (possibly under another key), or null. */
    volatile RowVersion successor;

    /** A version of the values {@code data} encodes ({@link WalRecordCodec#encodeRow}), not copied. */
    RowVersion(RowKey key, byte[] data, TxnState creator, int creatorCid) {
        this.key = key;
        this.data = data;
        this.creator = creator;
        this.creatorCid = creatorCid;
    }

    /** The values as stored (attnum order, as wide as the table was when written), in a new array. */
    Object[] values() {
        return WalRecordCodec.decodeRow(data);
    }

    /** Visible to a snapshot at {@code lsn} taken by {@code own} (null: none) at command {@code cid}. */
    boolean visible(long lsn, TxnState own, int cid) {
        TxnState c = creator;
        if (c == own) {
            if (creatorCid >= cid) {
                return false;
            }
        } else if (!c.committedAtOrBefore(lsn)) {
            return false;
        }
        TxnState e = ender;
        if (e == null) {
            return true;
        }
        if (e == own) {
            return enderCid >= cid;
        }
        return !e.committedAtOrBefore(lsn);
    }

    /** Not ended by a live or committed transaction: the row's current version. */
    boolean isLive() {
        TxnState e = ender;
        return e == null || e.aborted;
    }
}
