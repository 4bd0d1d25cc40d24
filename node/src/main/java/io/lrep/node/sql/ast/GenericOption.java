package io.lrep.node.sql.ast;

/**
 * A {@code name [value]} option (EXPLAIN, VACUUM, COPY, WITH (...) lists). The name is lower
 * case; value is the option's argument as text (a string constant's contents, a number's text, a
 * keyword lower-cased) or null when none was given.
 */
public record GenericOption(String name, String value, int pos) {
}
