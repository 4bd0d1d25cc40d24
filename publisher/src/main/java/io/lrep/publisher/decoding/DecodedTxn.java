package io.lrep.publisher.decoding;

import io.lrep.core.lsn.Lsn;

/**
 * A committed transaction as the output plugin sees it (PostgreSQL's ReorderBufferTXN at
 * commit). {@code commitLsn} is where the Commit record starts (PostgreSQL's {@code final_lsn},
 * the LSN pgoutput's Begin and Commit carry); {@code endLsn} is where it ends, which is what a
 * client confirms as flushed once it has the transaction. {@code commitTimeMicros} is
 * microseconds since the Unix epoch; {@code originId}/{@code originLsn} name the replication
 * origin the transaction was applied from (0 / 0 for a local transaction).
 */
public record DecodedTxn(int xid, long commitLsn, long endLsn, long commitTimeMicros, int originId, long originLsn) {

    /** Whether the transaction was itself replicated from elsewhere (what {@code origin = none} filters out). */
    public boolean hasOrigin() {
        return originId != 0;
    }

    @Override
    public String toString() {
        return "DecodedTxn[xid=" + Integer.toUnsignedString(xid) + ", commit=" + Lsn.format(commitLsn) + ", end="
                + Lsn.format(endLsn) + ", origin=" + originId + "]";
    }
}
