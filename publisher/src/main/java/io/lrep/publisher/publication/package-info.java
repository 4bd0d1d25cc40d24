/**
 * Publications as PostgreSQL 15 has them: the catalog rows (pg_publication,
 * pg_publication_rel, pg_publication_namespace, ordinary WAL-logged storage tables in
 * pg_catalog), the rules that tie them to tables, and what a set of publications publishes for
 * one table ({@link io.lrep.publisher.publication.Publications#resolve}).
 */
package io.lrep.publisher.publication;
