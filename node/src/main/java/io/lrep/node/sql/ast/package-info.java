/**
 * The immutable syntax tree the SQL parser produces ({@code io.lrep.node.sql.parser.SqlParser}).
 *
 * <p>Conventions: every list in a node is unmodifiable and never null (empty when absent);
 * optional scalars are null when absent. Identifiers are already case-folded (unquoted names
 * lower-cased, quoted names kept as written). {@code pos} fields are 1-based character positions
 * into the whole query string, as PostgreSQL reports in ErrorResponse field {@code P}; 0 when the
 * node was synthesized.
 */
package io.lrep.node.sql.ast;
