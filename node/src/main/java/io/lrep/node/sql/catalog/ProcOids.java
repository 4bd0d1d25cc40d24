package io.lrep.node.sql.catalog;

import java.util.Map;

/** PostgreSQL 15's pg_proc oids of the functions lrep offers, by name and argument count. */
final class ProcOids {

    private static final Map<String, Long> OIDS = Map.ofEntries(
            Map.entry("_pg_expandarray/1", 13208L), Map.entry("array_to_string/3", 384L), Map.entry("array_to_string/2", 395L),
            Map.entry("col_description/2", 1216L), Map.entry("format_type/2", 1081L), Map.entry("has_database_privilege/3", 2250L),
            Map.entry("has_database_privilege/2", 2254L), Map.entry("has_schema_privilege/3", 2268L),
            Map.entry("has_schema_privilege/2", 2272L), Map.entry("has_table_privilege/3", 1922L),
            Map.entry("has_table_privilege/2", 1926L), Map.entry("now/0", 1299L), Map.entry("obj_description/2", 1215L),
            Map.entry("obj_description/1", 1348L), Map.entry("pg_encoding_to_char/1", 1597L),
            Map.entry("pg_function_is_visible/1", 2081L), Map.entry("pg_get_constraintdef/1", 1387L),
            Map.entry("pg_get_constraintdef/2", 2508L), Map.entry("pg_get_expr/2", 1716L), Map.entry("pg_get_expr/3", 2509L),
            Map.entry("pg_get_function_arguments/1", 2162L), Map.entry("pg_get_function_result/1", 2165L),
            Map.entry("pg_get_indexdef/1", 1643L), Map.entry("pg_get_indexdef/3", 2507L), Map.entry("pg_get_partkeydef/1", 3352L),
            Map.entry("pg_get_serial_sequence/2", 1665L), Map.entry("pg_get_statisticsobjdef_columns/1", 6174L),
            Map.entry("pg_get_userbyid/1", 1642L), Map.entry("pg_relation_is_publishable/1", 6121L),
            Map.entry("pg_relation_size/1", 2325L), Map.entry("pg_relation_size/2", 2332L), Map.entry("pg_size_pretty/1", 2288L),
            Map.entry("pg_table_is_visible/1", 2079L), Map.entry("pg_table_size/1", 2997L),
            Map.entry("pg_total_relation_size/1", 2286L), Map.entry("pg_type_is_visible/1", 2080L), Map.entry("quote_ident/1", 1282L),
            Map.entry("shobj_description/2", 1993L), Map.entry("to_regclass/1", 3495L), Map.entry("to_regtype/1", 3493L));

    private ProcOids() {}

    /** The oid, or null when the function is not one PostgreSQL has with that many arguments. */
    static Long oidOf(String name, int argCount) {
        return OIDS.get(name + "/" + argCount);
    }
}
