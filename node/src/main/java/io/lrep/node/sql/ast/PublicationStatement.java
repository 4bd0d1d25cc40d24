package io.lrep.node.sql.ast;

import java.util.List;

/** CREATE PUBLICATION and ALTER PUBLICATION (DROP PUBLICATION is a {@link Statement.Drop}). */
public sealed interface PublicationStatement extends Statement {

    /**
     * {@code TABLE [ONLY] t [*] [(cols)] [WHERE (expr)]}.
     *
     * @param columns   the column list, or null
     * @param where     the row filter, or null
     * @param whereText the row filter's source text between its parentheses, or null
     */
    record TableSpec(QualifiedName table, List<Ident> columns, Expr where, String whereText, int pos) {
    }

    /** One publication object: a table, or {@code TABLES IN SCHEMA s} (schema null with currentSchema for CURRENT_SCHEMA). */
    record ObjectSpec(TableSpec table, String schema, boolean currentSchema, int pos) {

        public boolean isTable() {
            return table != null;
        }
    }

    /** {@code CREATE PUBLICATION name [FOR ALL TABLES | FOR object, ...] [WITH (option, ...)]}. */
    record Create(String name, boolean allTables, List<ObjectSpec> objects, List<GenericOption> options, SourceSpan span)
            implements PublicationStatement {
    }

    /** ADD, SET or DROP of an ALTER PUBLICATION object list. */
    enum AlterKind { ADD, SET, DROP }

    /** {@code ALTER PUBLICATION name ADD|SET|DROP object, ...}. */
    record AlterObjects(String name, AlterKind kind, List<ObjectSpec> objects, SourceSpan span) implements PublicationStatement {
    }

    /** {@code ALTER PUBLICATION name SET (option, ...)}. */
    record AlterOptions(String name, List<GenericOption> options, SourceSpan span) implements PublicationStatement {
    }

    /** {@code ALTER PUBLICATION name RENAME TO newName}. */
    record Rename(String name, String newName, SourceSpan span) implements PublicationStatement {
    }

    /** {@code ALTER PUBLICATION name OWNER TO role}. */
    record Owner(String name, RoleSpec owner, SourceSpan span) implements PublicationStatement {
    }
}
