/** Subscriptions, the logical replication launcher, table-sync workers and the replication client. */
package io.lrep.subscriber;
