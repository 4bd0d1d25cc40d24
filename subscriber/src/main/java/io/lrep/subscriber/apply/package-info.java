/**
 * The logical replication apply worker: streams one subscription's slot from its publisher and
 * applies it exactly once through {@link io.lrep.apply.Applier}, as PostgreSQL 15's worker.c.
 */
package io.lrep.subscriber.apply;
