package io.lrep.node.sql.catalog;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Quoting and parsing of SQL identifiers as PostgreSQL's quote_ident and stringToQualifiedNameList do. */
public final class Identifiers {

    // PostgreSQL's reserved keywords (and the column-name/type-func-name ones quote_ident also quotes).
    private static final Set<String> KEYWORDS = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
            "asymmetric", "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char",
            "character", "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
            "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
            "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct", "do",
            "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from",
            "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
            "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "json", "lateral", "leading", "least",
            "left", "like", "limit", "localtime", "localtimestamp", "national", "natural", "nchar", "none", "normalize",
            "not", "notnull", "null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer",
            "overlaps", "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
            "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
            "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim", "true",
            "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose", "when", "where", "window",
            "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse",
            "xmlpi", "xmlroot", "xmlserialize", "xmltable");

    private Identifiers() {}

    /** quote_ident: double-quotes a name unless it is a lower-case simple identifier and not a keyword. */
    public static String quote(String name) {
        boolean safe = !name.isEmpty() && (Character.isLowerCase(name.charAt(0)) || name.charAt(0) == '_');
        for (int k = 0; safe && k < name.length(); k++) {
            char c = name.charAt(k);
            safe = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
        }
        if (safe && !KEYWORDS.contains(name)) {
            return name;
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * Splits {@code a.b} / {@code "A"."b.c"} into its names: unquoted parts are folded to lower
     * case, quoted ones are kept with {@code ""} unescaped.
     *
     * @throws LrepException 42602 "invalid name syntax"
     */
    public static List<String> parseQualified(String text) {
        List<String> parts = new ArrayList<>();
        int k = 0;
        int n = text.length();
        while (true) {
            while (k < n && Character.isWhitespace(text.charAt(k))) {
                k++;
            }
            StringBuilder part = new StringBuilder();
            if (k < n && text.charAt(k) == '"') {
                k++;
                while (true) {
                    if (k >= n) {
                        throw invalidName();
                    }
                    char c = text.charAt(k++);
                    if (c == '"') {
                        if (k < n && text.charAt(k) == '"') {
                            part.append('"');
                            k++;
                        } else {
                            break;
                        }
                    } else {
                        part.append(c);
                    }
                }
                if (part.isEmpty()) {
                    throw invalidName();
                }
            } else {
                while (k < n && text.charAt(k) != '.' && !Character.isWhitespace(text.charAt(k))) {
                    part.append(text.charAt(k++));
                }
                if (part.isEmpty()) {
                    throw invalidName();
                }
                parts.add(part.toString().toLowerCase(Locale.ROOT));
                part = null;
            }
            if (part != null) {
                parts.add(part.toString());
            }
            while (k < n && Character.isWhitespace(text.charAt(k))) {
                k++;
            }
            if (k >= n) {
                return parts;
            }
            if (text.charAt(k) != '.') {
                throw invalidName();
            }
            k++;
        }
    }

    private static LrepException invalidName() {
        return new LrepException(SqlState.INVALID_NAME, "invalid name syntax");
    }
}
