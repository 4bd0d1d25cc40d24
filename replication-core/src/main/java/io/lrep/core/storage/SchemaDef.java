package io.lrep.core.storage;

/** A schema (pg_namespace row). */
public record SchemaDef(int oid, String name) {}
