package io.lrep.node.sql.ast;

import java.util.List;

/**
 * A column or table constraint. As a column constraint the column lists are empty (the column
 * is implied). name is the {@code CONSTRAINT name} prefix, or null.
 */
public sealed interface Constraint {

    String name();

    int pos();

    record NotNull(String name, int pos) implements Constraint {
    }

    /** An explicit {@code NULL} column constraint. */
    record Null(String name, int pos) implements Constraint {
    }

    record Default(String name, Expr expr, int pos) implements Constraint {
    }

    record PrimaryKey(String name, List<Ident> columns, List<GenericOption> options, int pos) implements Constraint {
    }

    record Unique(String name, List<Ident> columns, boolean nullsNotDistinct, int pos) implements Constraint {
    }

    record Check(String name, Expr expr, boolean noInherit, int pos) implements Constraint {
    }

    /**
     * {@code [FOREIGN KEY (cols)] REFERENCES t [(cols)] [MATCH ...] [ON DELETE a] [ON UPDATE a]};
     * actions are lower-case words: "no action", "restrict", "cascade", "set null", "set default".
     */
    record ForeignKey(String name, List<Ident> columns, QualifiedName refTable, List<Ident> refColumns,
            String match, String onDelete, String onUpdate, int pos) implements Constraint {
    }

    /** {@code GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY [(sequence options)]}. */
    record Identity(String name, boolean always, List<SequenceOption> options, int pos) implements Constraint {
    }

    /** {@code GENERATED ALWAYS AS (expr) STORED}. */
    record Generated(String name, Expr expr, int pos) implements Constraint {
    }

    /** {@code EXCLUDE ...}: parsed only far enough to reject it (0A000). */
    record Exclude(String name, int pos) implements Constraint {
    }

    /** Trailing {@code [NOT] DEFERRABLE} / {@code INITIALLY ...} attached to the previous constraint. */
    record Deferrable(String name, Boolean deferrable, Boolean initiallyDeferred, int pos) implements Constraint {
    }
}
