package io.lrep.node.sql.catalog;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.QueryContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Text input and output of regtype and regproc, and pg_proc's function signatures. */
final class RegTypes {

    private Function<QueryContext, List<PgCatalogViews.ProcEntry>> procs = ctx -> List.of();

    void setProcs(Function<QueryContext, List<PgCatalogViews.ProcEntry>> procs) {
        this.procs = procs;
    }

    /** The oid a type name denotes ({@code integer}, {@code pg_catalog.int4}, {@code varchar(20)}, {@code text[]}, {@code "char"}), or null. */
    static Long typeOid(String text) {
        String t = text.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(t);
        }
        int arrays = 0;
        while (t.endsWith("[]")) {
            t = t.substring(0, t.length() - 2).trim();
            arrays++;
        }
        int paren = t.indexOf('(');
        if (paren >= 0) {
            int close = t.lastIndexOf(')');
            String after = close > paren ? t.substring(close + 1).trim() : "";
            t = (t.substring(0, paren).trim() + " " + after).trim(); // timestamp(3) with time zone
        }
        PgType type;
        if (t.startsWith("\"") || t.contains(".")) {
            List<String> parts = Identifiers.parseQualified(t);
            if (parts.size() > 2 || parts.size() == 2 && !parts.get(0).equals("pg_catalog")) {
                return null;
            }
            type = PgType.byName(parts.get(parts.size() - 1));
            if (type != null && !type.typname().equals(parts.get(parts.size() - 1)) && t.endsWith("\"")) {
                type = null; // a quoted name is the type's own name, never an SQL spelling
            }
        } else {
            String lower = t.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
            type = lower.equals("char") ? PgType.BPCHAR : PgType.byName(lower);
        }
        if (type == null || arrays > 1) {
            return null;
        }
        if (arrays == 1) {
            PgType array = type.arrayType();
            return array == null ? null : (long) array.oid();
        }
        return (long) type.oid();
    }

    /** regtype input; 42704 {@code type "x" does not exist}. */
    static long typeIn(String text) {
        Long oid = typeOid(text);
        if (oid == null) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "type \"" + text.trim() + "\" does not exist");
        }
        return oid;
    }

    /** regtype output: format_type without modifier; the number for an unknown oid, "-" for 0. */
    static String typeOut(long oid) {
        if (oid == 0) {
            return "-";
        }
        return PgType.byOid((int) oid) == null || oid > Integer.MAX_VALUE ? Long.toString(oid) : TypeFormat.format(oid);
    }

    /** regproc input: the oid of the one function with that name; 42883 when none. */
    long procIn(QueryContext ctx, String text) {
        String t = text.trim();
        if (t.equals("-")) {
            return 0;
        }
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(t);
        }
        List<String> parts = Identifiers.parseQualified(t);
        String name = parts.get(parts.size() - 1);
        for (PgCatalogViews.ProcEntry p : procs.apply(ctx)) {
            if (p.name().equals(name)) {
                return p.oid();
            }
        }
        throw new LrepException(SqlState.UNDEFINED_FUNCTION, "function \"" + t + "\" does not exist");
    }

    /** regproc output: the function's name, "-" for 0, the number for an unknown oid. */
    String procOut(QueryContext ctx, long oid) {
        if (oid == 0) {
            return "-";
        }
        PgCatalogViews.ProcEntry p = proc(ctx, oid);
        return p == null ? Long.toString(oid) : Identifiers.quote(p.name());
    }

    private PgCatalogViews.ProcEntry proc(QueryContext ctx, long oid) {
        for (PgCatalogViews.ProcEntry p : procs.apply(ctx)) {
            if (p.oid() == oid) {
                return p;
            }
        }
        return null;
    }

    /** pg_get_function_result: {@code integer}, {@code SETOF record}; null for an unknown oid. */
    String functionResult(QueryContext ctx, long oid) {
        PgCatalogViews.ProcEntry p = proc(ctx, oid);
        if (p == null) {
            return null;
        }
        return (p.returnsSet() ? "SETOF " : "") + typeName(p.returnType());
    }

    /** pg_get_function_arguments: {@code oid, integer}; null for an unknown oid. */
    String functionArguments(QueryContext ctx, long oid) {
        PgCatalogViews.ProcEntry p = proc(ctx, oid);
        if (p == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < p.argTypes().size(); k++) {
            String name = typeName(p.argTypes().get(k));
            names.add(p.variadic() && k == p.argTypes().size() - 1 ? "VARIADIC " + name : name);
        }
        return String.join(", ", names);
    }

    /** format_type, knowing the pseudo-types function signatures use. */
    static String typeName(int oid) {
        return switch (oid) {
            case 194 -> "pg_node_tree";
            case 2275 -> "cstring";
            case 2276 -> "\"any\"";
            case 2277 -> "anyarray";
            case 2281 -> "internal";
            case 2283 -> "anyelement";
            default -> TypeFormat.format(oid);
        };
    }
}
