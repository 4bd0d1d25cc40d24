/**
 * The logical replication launcher: starts and stops the apply workers of the node's
 * subscriptions, as PostgreSQL 15's launcher.c.
 */
package io.lrep.subscriber.launcher;
