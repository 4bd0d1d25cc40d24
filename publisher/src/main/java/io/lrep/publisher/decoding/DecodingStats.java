package io.lrep.publisher.decoding;

/**
 * A slot's decoding counters, as pg_stat_replication_slots has them. Bytes are the decoded
 * changes' sizes (their WAL record sizes). {@code spillTxns}/{@code streamTxns} count
 * transactions spilled/streamed at least once, {@code spillCount}/{@code streamCount} every
 * spill/stream, {@code totalTxns}/{@code totalBytes} the transactions (and their changes) sent to
 * the listener, streamed or not.
 */
public record DecodingStats(long spillTxns, long spillCount, long spillBytes, long streamTxns, long streamCount,
        long streamBytes, long totalTxns, long totalBytes) {

    /** All zero. */
    public static final DecodingStats ZERO = new DecodingStats(0, 0, 0, 0, 0, 0, 0, 0);

    /** The sum of two counters, for a slot that decodes across restarts. */
    public DecodingStats plus(DecodingStats o) {
        return new DecodingStats(spillTxns + o.spillTxns, spillCount + o.spillCount, spillBytes + o.spillBytes,
                streamTxns + o.streamTxns, streamCount + o.streamCount, streamBytes + o.streamBytes, totalTxns + o.totalTxns,
                totalBytes + o.totalBytes);
    }
}
