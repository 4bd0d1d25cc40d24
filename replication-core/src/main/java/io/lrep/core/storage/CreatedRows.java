package io.lrep.core.storage;

import java.util.ArrayList;

/**
 * The row versions a transaction linked, to unlink if it aborts: each run of one table's
 * versions follows that table (no object per version: a long transaction keeps its list until
 * it ends). Under the engine lock.
 */
final class CreatedRows {

    private final ArrayList<Object> items = new ArrayList<>();
    private Table last;

    void add(Table table, RowVersion v) {
        if (table != last) {
            items.add(table);
            last = table;
        }
        items.add(v);
    }

    /** A position to unlink back to ({@link #unlinkFrom}); the next version starts a new run. */
    int mark() {
        last = null;
        return items.size();
    }

    /** Unlinks every version added since {@code mark} and forgets them; returns how many there were. */
    int unlinkFrom(int mark) {
        Table table = null;
        int n = 0;
        for (int i = mark; i < items.size(); i++) {
            Object o = items.get(i);
            if (o instanceof Table t) {
                table = t;
            } else {
                table.unlink((RowVersion) o);
                n++;
            }
        }
        items.subList(mark, items.size()).clear();
        last = null;
        return n;
    }

    void clear() {
        items.clear();
        last = null;
    }
}
