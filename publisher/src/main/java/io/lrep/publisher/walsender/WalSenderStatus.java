package io.lrep.publisher.walsender;

import io.lrep.publisher.decoding.DecodingStats;

/**
 * One walsender as pg_stat_replication shows it, at a moment: an immutable snapshot, safe to
 * read from any thread. LSNs are raw longs, 0 meaning NULL (nothing sent or reported yet); a
 * lag is in microseconds, null when there is none to show (PostgreSQL's NULL interval).
 *
 * @param pid the backend's process id
 * @param slotName the slot streamed from
 * @param state startup, catchup, streaming or stopping
 * @param sentLsn the end of the last WAL record decoded ({@code sent_lsn})
 * @param writeLsn the write position of the client's last standby status update
 * @param flushLsn its flush position
 * @param replayLsn its apply position
 * @param writeLagMicros {@code write_lag}, measured as PostgreSQL's lag tracker does
 * @param flushLagMicros {@code flush_lag}
 * @param replayLagMicros {@code replay_lag}
 * @param replyTimeMicros the send time of the client's last status update (a PostgreSQL
 *     timestamp, microseconds since 2000-01-01 UTC), null before the first
 * @param decodingStats this walsender's decoding counters (pg_stat_replication_slots); a slot's
 *     total is the sum over the walsenders that streamed it
 */
public record WalSenderStatus(int pid, String slotName, WalSender.State state, long sentLsn, long writeLsn, long flushLsn,
        long replayLsn, Long writeLagMicros, Long flushLagMicros, Long replayLagMicros, Long replyTimeMicros,
        DecodingStats decodingStats) {}
