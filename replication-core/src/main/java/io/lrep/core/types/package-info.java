/**
 * PostgreSQL's types in lrep: {@link io.lrep.core.types.PgType} (OIDs, names and the Java class
 * of each type's values), {@link io.lrep.core.types.TextCodec} (text input/output functions),
 * {@link io.lrep.core.types.BinaryCodec} (binary send/receive), {@link io.lrep.core.types.Values}
 * (ordering, equality, hashing, assignment casts) and {@link io.lrep.core.types.TypMod} (type
 * modifiers in PostgreSQL's {@code atttypmod} encoding). All behave as PostgreSQL 15 with its
 * default settings; each class documents where lrep differs.
 */
package io.lrep.core.types;
