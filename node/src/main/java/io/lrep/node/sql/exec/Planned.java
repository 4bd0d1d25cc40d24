package io.lrep.node.sql.exec;

import io.lrep.core.storage.TableDef;
import io.lrep.node.sql.ColumnInfo;
import java.util.List;

/**
 * An analyzed statement, ready to run many times: a query plan, a command, transaction control
 * or a COPY. It remembers the table definitions it was planned against ({@link #deps}); when one
 * changed since (DDL), the session plans the statement again before running it.
 */
public abstract class Planned {

    /** The result columns (empty when the statement returns no rows). */
    public final List<ColumnInfo> columns;

    /** The tables whose definitions the plan depends on. */
    public final List<TableDef> deps;

    protected Planned(List<ColumnInfo> columns, List<TableDef> deps) {
        this.columns = List.copyOf(columns);
        this.deps = List.copyOf(deps);
    }

    /** The command name for 25006 ("cannot execute INSERT in a read-only transaction"), or null for a read-only statement. */
    public String writeVerb() {
        return null;
    }

    /** A SELECT (or VALUES, TABLE): rows streamed from a plan. */
    public static final class Query extends Planned {
        public final Plan plan;
        /** SELECT ... FOR UPDATE/SHARE: the base table rows are locked as they are returned (not yet supported beyond a flag). */
        public final boolean forUpdate;

        public Query(Plan plan, List<ColumnInfo> columns, List<TableDef> deps, boolean forUpdate) {
            super(columns, deps);
            this.plan = plan;
            this.forUpdate = forUpdate;
        }
    }

    /** What a command produced: its tag and, for RETURNING and SHOW, its rows. */
    public record Outcome(String tag, List<Object[]> rows) {
        public static Outcome of(String tag) {
            return new Outcome(tag, List.of());
        }
    }

    /** Runs a command in the statement's transaction. */
    @FunctionalInterface
    public interface Action {
        Outcome run(Exec ex);
    }

    /** DML, DDL and utility statements that run to completion at once. */
    public static final class Command extends Planned {
        public final Action action;
        private final String writeVerb;
        /** Refuses to run inside a transaction block (VACUUM, CREATE DATABASE...): its name, else null. */
        public final String notInBlock;
        /** Runs without a storage transaction (SET, SHOW, RESET...). */
        public final boolean utility;

        public Command(Action action, List<ColumnInfo> columns, List<TableDef> deps, String writeVerb, String notInBlock, boolean utility) {
            super(columns, deps);
            this.action = action;
            this.writeVerb = writeVerb;
            this.notInBlock = notInBlock;
            this.utility = utility;
        }

        @Override
        public String writeVerb() {
            return writeVerb;
        }
    }

    /** Transaction control, run by the session itself. */
    public static final class Txn extends Planned {
        public enum Op { BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK_TO, SET_TRANSACTION, PREPARE_TRANSACTION }

        public final Op op;
        public final String savepoint;
        /** "read committed", "repeatable read", "serializable" or null. */
        public final String isolation;
        public final Boolean readOnly;
        /** COMMIT AND CHAIN / ROLLBACK AND CHAIN. */
        public final boolean chain;

        public Txn(Op op, String savepoint, String isolation, Boolean readOnly, boolean chain) {
            super(List.of(), List.of());
            this.op = op;
            this.savepoint = savepoint;
            this.isolation = isolation;
            this.readOnly = readOnly;
            this.chain = chain;
        }
    }

    /** COPY FROM STDIN / COPY TO STDOUT. */
    public static final class Copy extends Planned {
        /** Makes the stream for one run. */
        @FunctionalInterface
        public interface Factory {
            io.lrep.node.sql.CopyStream start(Exec ex);
        }

        public final boolean in;
        public final Factory factory;

        public Copy(boolean in, Factory factory, List<TableDef> deps) {
            super(List.of(), deps);
            this.in = in;
            this.factory = factory;
        }

        @Override
        public String writeVerb() {
            return in ? "COPY FROM" : null;
        }
    }
}
