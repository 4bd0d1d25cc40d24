package io.lrep.node.sql.catalog;

import io.lrep.core.storage.TableDef;
import java.util.ArrayList;
import java.util.List;

/** The SQL text pg_get_indexdef and pg_get_constraintdef print for a table's primary key. */
final class Deparse {

    private Deparse() {}

    /** {@code CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)}. */
    static String indexDef(TableDef t) {
        return "CREATE UNIQUE INDEX " + Identifiers.quote(t.pkeyName()) + " ON " + Identifiers.quote(t.schemaName()) + "."
                + Identifiers.quote(t.name()) + " USING btree (" + keyList(t) + ")";
    }

    /** The key column at position {@code column} (from 1), quoted as needed; "" past the last one. */
    static String indexColumn(TableDef t, int column) {
        if (column < 1 || column > t.primaryKey().size()) {
            return "";
        }
        return Identifiers.quote(t.columns().get(t.primaryKey().get(column - 1) - 1).name());
    }

    /** {@code PRIMARY KEY (id)}. */
    static String constraintDef(TableDef t) {
        return "PRIMARY KEY (" + keyList(t) + ")";
    }

    private static String keyList(TableDef t) {
        List<String> names = new ArrayList<>();
        for (int k = 1; k <= t.primaryKey().size(); k++) {
            names.add(indexColumn(t, k));
        }
        return String.join(", ", names);
    }
}
