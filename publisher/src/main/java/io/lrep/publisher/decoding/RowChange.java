package io.lrep.publisher.decoding;

import io.lrep.core.storage.TableDef;
import java.util.Arrays;

/**
 * One decoded row change with the table's shape as of the change's LSN ({@code relation}).
 * Rows are full width, in {@code relation.columns()} order (dropped columns included, as null),
 * as {@link io.lrep.core.wal.WalRecord} defines them. Old rows: with replica identity DEFAULT
 * only the key columns are set ({@code oldIsFullRow == false}, PostgreSQL's 'K' tuple); with
 * FULL the whole row ({@code true}, the 'O' tuple); an update that kept the key under DEFAULT has
 * no old row ({@code oldRow == null}).
 */
public sealed interface RowChange {

    /** Where the change's WAL record starts. */
    long lsn();

    /** The table's definition as of {@link #lsn()}. */
    TableDef relation();

    record Insert(long lsn, TableDef relation, Object[] newRow) implements RowChange {
        @Override
        public boolean equals(Object o) {
            return o instanceof Insert i && lsn == i.lsn && relation.equals(i.relation) && Arrays.deepEquals(newRow, i.newRow);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(lsn) * 31 + Arrays.deepHashCode(newRow);
        }

        @Override
        public String toString() {
            return "Insert[" + relation.name() + " " + Arrays.deepToString(newRow) + "]";
        }
    }

    record Update(long lsn, TableDef relation, Object[] oldRow, boolean oldIsFullRow, Object[] newRow) implements RowChange {
        @Override
        public boolean equals(Object o) {
            return o instanceof Update u && lsn == u.lsn && relation.equals(u.relation) && oldIsFullRow == u.oldIsFullRow
                    && Arrays.deepEquals(oldRow, u.oldRow) && Arrays.deepEquals(newRow, u.newRow);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(lsn) * 31 + Arrays.deepHashCode(newRow);
        }

        @Override
        public String toString() {
            return "Update[" + relation.name() + " " + Arrays.deepToString(oldRow) + (oldIsFullRow ? " (full)" : "") + " -> "
                    + Arrays.deepToString(newRow) + "]";
        }
    }

    record Delete(long lsn, TableDef relation, Object[] oldRow, boolean oldIsFullRow) implements RowChange {
        @Override
        public boolean equals(Object o) {
            return o instanceof Delete d && lsn == d.lsn && relation.equals(d.relation) && oldIsFullRow == d.oldIsFullRow
                    && Arrays.deepEquals(oldRow, d.oldRow);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(lsn) * 31 + Arrays.deepHashCode(oldRow);
        }

        @Override
        public String toString() {
            return "Delete[" + relation.name() + " " + Arrays.deepToString(oldRow) + (oldIsFullRow ? " (full)" : "") + "]";
        }
    }
}
