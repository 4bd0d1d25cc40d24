package io.lrep.node.sql.ast;

/**
 * A possibly qualified object name: {@code [[catalog.]schema.]name}.
 *
 * @param catalog the database name, or null (PostgreSQL rejects other databases: 0A000)
 * @param schema the schema, or null to search the search_path
 * @param name the object's name
 * @param pos 1-based position of the name's first token
 */
public record QualifiedName(String catalog, String schema, String name, int pos) {

    public static QualifiedName of(String schema, String name) {
        return new QualifiedName(null, schema, name, 0);
    }

    /** The name as PostgreSQL prints it in messages: {@code schema.name} or {@code name}. */
    @Override
    public String toString() {
        return (catalog != null ? catalog + "." : "") + (schema != null ? schema + "." : "") + name;
    }
}
