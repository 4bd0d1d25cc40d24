/**
 * The walsender: the streaming-replication commands ({@link io.lrep.publisher.walsender.ReplicationCommandParser})
 * and the logical START_REPLICATION loop ({@link io.lrep.publisher.walsender.WalSender}), as PostgreSQL 15's
 * walsender.c runs them. The node binds a connection ({@link io.lrep.publisher.walsender.WalSenderTransport}) and
 * the pgoutput plugin ({@link io.lrep.publisher.walsender.OutputPlugin}, writing to a
 * {@link io.lrep.publisher.walsender.PgOutputSink}); pg_stat_replication reads
 * {@link io.lrep.publisher.walsender.WalSenderStatus} snapshots from
 * {@link io.lrep.publisher.walsender.WalSenders}.
 */
package io.lrep.publisher.walsender;
