package io.lrep.subscriber.apply;

import io.lrep.apply.Applier;
import io.lrep.core.protocol.replication.PgTimestamp;
import java.time.Instant;

/**
 * What one apply worker last saw, for {@code pg_stat_subscription}: written by the worker's
 * thread, read by any thread (each field is volatile; a reader may see a mix of two updates,
 * as PostgreSQL's view may).
 */
public final class ApplyWorkerStatus {
    private final long subOid;
    private volatile long receivedLsn;
    /** PostgreSQL microseconds (since 2000-01-01), 0: none; kept raw so that a message costs no allocation. */
    private volatile long lastMsgSendMicros;
    /** Epoch milliseconds, 0: none. */
    private volatile long lastMsgReceiptMillis;
    private volatile long latestEndLsn;
    private volatile long latestEndMicros;
    private volatile Applier applier;

    public ApplyWorkerStatus(long subOid) {
        this.subOid = subOid;
    }

    public long subOid() {
        return subOid;
    }

    /** {@code received_lsn}: the last LSN received (0 before any). */
    public long receivedLsn() {
        return receivedLsn;
    }

    /** {@code last_msg_send_time}, or null. */
    public Instant lastMsgSendTime() {
        long micros = lastMsgSendMicros;
        return micros == 0 ? null : PgTimestamp.toInstant(micros);
    }

    /** {@code last_msg_receipt_time}, or null. */
    public Instant lastMsgReceiptTime() {
        long millis = lastMsgReceiptMillis;
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }

    /** {@code latest_end_lsn}: last_received when the latest keepalive arrived (0 before any). */
    public long latestEndLsn() {
        return latestEndLsn;
    }

    /** {@code latest_end_time}: the latest keepalive's send time, or null. */
    public Instant latestEndTime() {
        long micros = latestEndMicros;
        return micros == 0 ? null : PgTimestamp.toInstant(micros);
    }

    /** The worker applies with {@code a} from now on (its figures are read for metrics). */
    public void attach(Applier a) {
        this.applier = a;
    }

    /** The end LSN of the last remote transaction applied (0 before any). */
    public long appliedLsn() {
        Applier a = applier;
        return a == null ? 0 : a.remoteLsn();
    }

    /** The remote commit time of the last applied transaction (microseconds since 2000-01-01), 0 if none. */
    public long lastAppliedCommitTimeMicros() {
        Applier a = applier;
        return a == null ? 0 : a.lastAppliedCommitTimeMicros();
    }

    /** Remote transactions this worker applied (each worker counts from 0). */
    public long transactionsApplied() {
        Applier a = applier;
        return a == null ? 0 : a.transactionsApplied();
    }

    /** Row changes this worker applied. */
    public long rowsApplied() {
        Applier a = applier;
        return a == null ? 0 : a.rowsApplied();
    }

    /** Rows this worker copied (table synchronisation). */
    public long rowsCopied() {
        Applier a = applier;
        return a == null ? 0 : a.rowsCopied();
    }

    /**
     * As UpdateWorkerStats: a message sent at {@code sendMicros} (PostgreSQL microseconds)
     * arrived at {@code receiptMillis} (epoch); {@code keepalive} also moves latest_end.
     */
    void onMessage(long lastReceived, long sendMicros, long receiptMillis, boolean keepalive) {
        receivedLsn = lastReceived;
        lastMsgSendMicros = sendMicros;
        lastMsgReceiptMillis = receiptMillis;
        if (keepalive) {
            latestEndLsn = lastReceived;
            latestEndMicros = sendMicros;
        }
    }
}
