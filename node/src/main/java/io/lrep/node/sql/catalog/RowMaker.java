package io.lrep.node.sql.catalog;

import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds rows of one relation by column name. Columns not given are NULL in views and, as in
 * PostgreSQL's catalog tables (whose fixed-width columns are NOT NULL), false / 0 in catalog
 * tables. Numbers are converted to the column type's Java class, so callers may pass ints.
 */
final class RowMaker {

    private final CatalogColumns.Shape shape;
    private final Map<String, Integer> index = new HashMap<>();
    private final Object[] template;

    RowMaker(CatalogColumns.Shape shape) {
        this.shape = shape;
        List<ColumnInfo> cols = shape.columns();
        template = new Object[cols.size()];
        for (int k = 0; k < cols.size(); k++) {
            index.put(cols.get(k).name(), k);
            if (shape.relkind() == 'r') {
                template[k] = zero(cols.get(k).type());
            }
        }
    }

    private static Object zero(PgType type) {
        return switch (type) {
            case BOOL -> Boolean.FALSE;
            case INT2 -> (short) 0;
            case INT4 -> 0;
            case INT8, OID, REGPROC, REGCLASS, REGTYPE -> 0L;
            case FLOAT4 -> 0f;
            default -> null;
        };
    }

    /** A row from name/value pairs. */
    Object[] row(Object... namesAndValues) {
        Object[] row = template.clone();
        for (int k = 0; k < namesAndValues.length; k += 2) {
            String name = (String) namesAndValues[k];
            Integer at = index.get(name);
            if (at == null) {
                throw new IllegalArgumentException("column " + name + " of " + shape.name() + " (expected: one of " + index.keySet() + ")");
            }
            row[at] = convert(shape.columns().get(at).type(), namesAndValues[k + 1]);
        }
        return row;
    }

    private static Object convert(PgType type, Object value) {
        if (!(value instanceof Number n)) {
            if (value instanceof Character c) {
                return c == '\0' ? "" : String.valueOf(c);
            }
            return value;
        }
        return switch (type) {
            case INT2 -> n.shortValue();
            case INT4 -> n.intValue();
            case INT8, OID, REGPROC, REGCLASS, REGTYPE -> n.longValue();
            case FLOAT4 -> n.floatValue();
            case FLOAT8 -> n.doubleValue();
            default -> value;
        };
    }
}
