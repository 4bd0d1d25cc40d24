package io.lrep.node.sql.ast;

/** One action of ALTER TABLE. */
public sealed interface AlterTableCmd {

    int pos();

    record AddColumn(ColumnDefinition column, boolean ifNotExists, int pos) implements AlterTableCmd {
    }

    record DropColumn(String column, boolean ifExists, boolean cascade, int pos) implements AlterTableCmd {
    }

    /** SET DEFAULT expr, or DROP DEFAULT (expr null). */
    record ColumnDefault(String column, Expr expr, int pos) implements AlterTableCmd {
    }

    /** SET NOT NULL (set true) or DROP NOT NULL. */
    record ColumnNotNull(String column, boolean set, int pos) implements AlterTableCmd {
    }

    /** ALTER COLUMN c [SET DATA] TYPE t [USING expr]. */
    record ColumnType(String column, TypeName type, Expr using, int pos) implements AlterTableCmd {
    }

    /** ALTER COLUMN c ADD GENERATED ... AS IDENTITY / SET ... / DROP IDENTITY: parsed, kept as text. */
    record ColumnIdentity(String column, String action, int pos) implements AlterTableCmd {
    }

    record AddConstraint(Constraint constraint, int pos) implements AlterTableCmd {
    }

    record DropConstraint(String name, boolean ifExists, boolean cascade, int pos) implements AlterTableCmd {
    }

    /** REPLICA IDENTITY {DEFAULT|FULL|NOTHING|USING INDEX name} (indexName null unless INDEX). */
    record ReplicaIdentity(Kind kind, String indexName, int pos) implements AlterTableCmd {

        public enum Kind { DEFAULT, FULL, NOTHING, INDEX }
    }

    record RenameTable(String newName, int pos) implements AlterTableCmd {
    }

    record RenameColumn(String column, String newName, int pos) implements AlterTableCmd {
    }

    record RenameConstraint(String constraint, String newName, int pos) implements AlterTableCmd {
    }

    record OwnerTo(RoleSpec owner, int pos) implements AlterTableCmd {
    }

    record SetSchema(String schema, int pos) implements AlterTableCmd {
    }

    /** Any other action we parse but do not model (ENABLE TRIGGER, SET (..), ...): its text. */
    record Other(String text, int pos) implements AlterTableCmd {
    }
}
