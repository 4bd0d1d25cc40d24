/**
 * pgoutput, PostgreSQL's logical replication output plugin: the START_REPLICATION options
 * ({@link io.lrep.publisher.pgoutput.PgOutputOptions}) and the plugin that turns decoded
 * transactions into pgoutput messages for a walsender
 * ({@link io.lrep.publisher.pgoutput.PgOutputPlugin}, writing to a
 * {@link io.lrep.publisher.pgoutput.PgOutputSink}).
 */
package io.lrep.publisher.pgoutput;
