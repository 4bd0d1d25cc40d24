package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.List;

/**
 * The names one query level sees while it is analyzed: its FROM items (each a range of the
 * level's row) and, through {@link #parent}, the enclosing levels'. Column references resolve
 * to {@link Expr.Column}s with a level count and an index into that level's row.
 */
final class Scope {

    /** One FROM item: its reference name and its columns at {@code offset..} of the row. */
    static final class Entry {
        final String refName;
        final List<String> names = new ArrayList<>();
        final List<PgType> types = new ArrayList<>();
        final List<Integer> typmods = new ArrayList<>();
        /** Index in the level's row of each column. */
        final List<Integer> indexes = new ArrayList<>();
        final List<Boolean> hidden = new ArrayList<>();
        final int tableOid;
        final TableDef table;

        Entry(String refName, int tableOid, TableDef table) {
            this.refName = refName;
            this.tableOid = tableOid;
            this.table = table;
        }

        void add(String name, PgType type, int typmod, int index) {
            names.add(name);
            types.add(type);
            typmods.add(typmod);
            indexes.add(index);
            hidden.add(false);
        }

        short attnum(int i) {
            return table == null ? 0 : (short) (indexes.get(i) - offsetOf() + 1);
        }

        int offset;

        int offsetOf() {
            return offset;
        }

        Entry shifted(int by) {
            Entry e = new Entry(refName, tableOid, table);
            e.offset = offset + by;
            for (int i = 0; i < names.size(); i++) {
                e.add(names.get(i), types.get(i), typmods.get(i), indexes.get(i) + by);
                e.hidden.set(i, hidden.get(i));
            }
            return e;
        }
    }

    final Scope parent;
    final List<Entry> entries = new ArrayList<>();
    int width;
    /** Set when a name of this level resolved to an enclosing level (a correlated subquery). */
    boolean correlated;

    Scope(Scope parent) {
        this.parent = parent;
    }

    Entry entry(String refName) {
        for (Entry e : entries) {
            if (e.refName != null && e.refName.equals(refName)) {
                return e;
            }
        }
        return null;
    }

    /** Resolves a column reference; null if no level knows it (the caller raises 42703). */
    Expr.Column resolve(List<String> names, int pos) {
        String col = names.get(names.size() - 1);
        String qual = names.size() >= 2 ? names.get(names.size() - 2) : null;
        int level = 0;
        boolean qualifierSeen = false;
        for (Scope s = this; s != null; s = s.parent, level++) {
            Expr.Column found = null;
            for (Entry e : s.entries) {
                if (qual != null && !qual.equals(e.refName)) {
                    continue;
                }
                qualifierSeen |= qual != null;
                for (int i = 0; i < e.names.size(); i++) {
                    if (e.names.get(i).equals(col) && (qual != null || !e.hidden.get(i))) {
                        if (found != null) {
                            throw new LrepException(SqlState.AMBIGUOUS_COLUMN, "column reference \"" + col + "\" is ambiguous")
                                    .withPosition(pos);
                        }
                        found = new Expr.Column(e.types.get(i), e.typmods.get(i), level, e.indexes.get(i), col, e.tableOid,
                                e.table == null ? 0 : (short) (e.table.columns().stream().filter(c -> c.name().equals(col))
                                        .findFirst().map(c -> c.attnum()).orElse(0).intValue()));
                    }
                }
            }
            if (found != null) {
                if (level > 0) {
                    for (Scope m = this; m != s; m = m.parent) {
                        m.correlated = true;
                    }
                }
                return found;
            }
            if (qual != null && qualifierSeen) {
                break;
            }
        }
        if (qual != null && !qualifierSeen) {
            throw new LrepException(SqlState.UNDEFINED_TABLE, "missing FROM-clause entry for table \"" + qual + "\"").withPosition(pos);
        }
        return null;
    }

    void add(Entry e) {
        entries.add(e);
    }
}
