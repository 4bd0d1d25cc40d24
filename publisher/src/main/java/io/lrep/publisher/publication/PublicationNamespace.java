package io.lrep.publisher.publication;

/** One pg_publication_namespace row: a schema named in a publication's FOR TABLES IN SCHEMA list. */
public record PublicationNamespace(long oid, long pubOid, long nspOid) {}
