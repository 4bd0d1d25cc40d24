package io.lrep.apply;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.TextCodec;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value an applied insert gives a local column the remote relation does not have: its
 * default, as PostgreSQL's apply worker fills it (slot_fill_defaults). The node plugs in its
 * SQL expression evaluator; {@link #BASIC} covers identity columns, {@code nextval(...)},
 * literals (with casts) and NULL.
 */
@FunctionalInterface
public interface ColumnDefaults {

    /** The column's default for a new row of {@code table}, evaluated in {@code t}. */
    Object valueFor(Transaction t, TableDef table, ColumnDef column);

    /** Identity columns, {@code nextval('seq'::regclass)}, literals and NULL; 0A000 for other expressions. */
    ColumnDefaults BASIC = new ColumnDefaults() {
        private final Pattern nextval = Pattern.compile("nextval\\('((?:[^']|'')+)'(?:::regclass)?\\)");
        private final Pattern cast = Pattern.compile("^(.*?)(::[a-z_ ]+(\\([0-9, ]+\\))?(\\[\\])?)+$", Pattern.DOTALL);

        @Override
        public Object valueFor(Transaction t, TableDef table, ColumnDef column) {
            if (column.isIdentity()) {
                return t.nextval(t.sequence(column.identitySequenceOid()));
            }
            String expr = column.defaultExpr();
            if (expr == null) {
                return null;
            }
            String e = expr.trim();
            Matcher nv = nextval.matcher(e);
            if (nv.matches()) {
                String name = nv.group(1).replace("''", "'");
                int dot = name.indexOf('.');
                String schema = dot < 0 ? table.schemaName() : name.substring(0, dot);
                String seq = dot < 0 ? name : name.substring(dot + 1);
                return t.nextval(t.sequence(schema, seq.replace("\"", "")));
            }
            Matcher c = cast.matcher(e);
            if (c.matches()) {
                e = c.group(1).trim();
            }
            if (e.equalsIgnoreCase("null")) {
                return null;
            }
            if (e.length() >= 2 && e.startsWith("'") && e.endsWith("'")) {
                return TextCodec.parse(column.type(), column.typmod(), e.substring(1, e.length() - 1).replace("''", "'"));
            }
            String lower = e.toLowerCase(Locale.ROOT);
            if (lower.equals("true") || lower.equals("false") || e.matches("[-+]?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?")) {
                return TextCodec.parse(column.type(), column.typmod(), e);
            }
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot evaluate default expression " + expr
                    + " of column \"" + column.name() + "\" of relation \"" + table.name() + "\" during apply");
        }
    };
}
