package io.lrep.node.sql.catalog;

import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pg_type's rows for every {@link PgType} and pg_proc's rows for the type I/O functions they
 * name, with PostgreSQL 15's oids and attributes.
 */
final class BuiltinTypes {

    /** One pg_type row (the columns that vary between types). */
    record TypeRow(PgType type, boolean byVal, char typtype, int typelem, int typarray, Proc input, Proc output,
            Proc receive, Proc send, char align, char storage, int collation) {}

    /** A built-in function's pg_proc identity: oid, name, result and argument types. */
    record Proc(int oid, String name, int returnType, List<Integer> argTypes) {}

    // oid|typname|typbyval|typtype|typelem|typarray|in oid|in|out oid|out|recv oid|recv|send oid|send|align|storage|collation
    private static final String[] DATA = {
            "16|bool|t|b|0|1000|1242|boolin|1243|boolout|2436|boolrecv|2437|boolsend|c|p|0",
            "17|bytea|f|b|0|1001|1244|byteain|31|byteaout|2412|bytearecv|2413|byteasend|i|x|0",
            "18|char|t|b|0|1002|1245|charin|33|charout|2434|charrecv|2435|charsend|c|p|0",
            "19|name|f|b|18|1003|34|namein|35|nameout|2422|namerecv|2423|namesend|c|p|950",
            "20|int8|t|b|0|1016|460|int8in|461|int8out|2408|int8recv|2409|int8send|d|p|0",
            "21|int2|t|b|0|1005|38|int2in|39|int2out|2404|int2recv|2405|int2send|s|p|0",
            "22|int2vector|f|b|21|1006|40|int2vectorin|41|int2vectorout|2410|int2vectorrecv|2411|int2vectorsend|i|p|0",
            "23|int4|t|b|0|1007|42|int4in|43|int4out|2406|int4recv|2407|int4send|i|p|0",
            "24|regproc|t|b|0|1008|44|regprocin|45|regprocout|2444|regprocrecv|2445|regprocsend|i|p|0",
            "25|text|f|b|0|1009|46|textin|47|textout|2414|textrecv|2415|textsend|i|x|100",
            "26|oid|t|b|0|1028|1798|oidin|1799|oidout|2418|oidrecv|2419|oidsend|i|p|0",
            "30|oidvector|f|b|26|1013|54|oidvectorin|55|oidvectorout|2420|oidvectorrecv|2421|oidvectorsend|i|p|0",
            "114|json|f|b|0|199|321|json_in|322|json_out|323|json_recv|324|json_send|i|x|0",
            "700|float4|t|b|0|1021|200|float4in|201|float4out|2424|float4recv|2425|float4send|i|p|0",
            "701|float8|t|b|0|1022|214|float8in|215|float8out|2426|float8recv|2427|float8send|d|p|0",
            "705|unknown|f|p|0|0|109|unknownin|110|unknownout|2416|unknownrecv|2417|unknownsend|c|p|0",
            "1000|_bool|f|b|16|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|0",
            "1002|_char|f|b|18|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|0",
            "1003|_name|f|b|19|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|950",
            "1005|_int2|f|b|21|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|0",
            "1007|_int4|f|b|23|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|0",
            "1009|_text|f|b|25|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|100",
            "1015|_varchar|f|b|1043|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|100",
            "1016|_int8|f|b|20|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|d|x|0",
            "1022|_float8|f|b|701|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|d|x|0",
            "1028|_oid|f|b|26|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|i|x|0",
            "1042|bpchar|f|b|0|1014|1044|bpcharin|1045|bpcharout|2430|bpcharrecv|2431|bpcharsend|i|x|100",
            "1043|varchar|f|b|0|1015|1046|varcharin|1047|varcharout|2432|varcharrecv|2433|varcharsend|i|x|100",
            "1082|date|t|b|0|1182|1084|date_in|1085|date_out|2468|date_recv|2469|date_send|i|p|0",
            "1114|timestamp|t|b|0|1115|1312|timestamp_in|1313|timestamp_out|2474|timestamp_recv|2475|timestamp_send|d|p|0",
            "1184|timestamptz|t|b|0|1185|1150|timestamptz_in|1151|timestamptz_out|2476|timestamptz_recv|2477|timestamptz_send|d|p|0",
            "1186|interval|f|b|0|1187|1160|interval_in|1161|interval_out|2478|interval_recv|2479|interval_send|d|p|0",
            "1187|_interval|f|b|1186|0|750|array_in|751|array_out|2400|array_recv|2401|array_send|d|x|0",
            "1700|numeric|f|b|0|1231|1701|numeric_in|1702|numeric_out|2460|numeric_recv|2461|numeric_send|i|m|0",
            "2205|regclass|t|b|0|2210|2218|regclassin|2219|regclassout|2452|regclassrecv|2453|regclasssend|i|p|0",
            "2206|regtype|t|b|0|2211|2220|regtypein|2221|regtypeout|2454|regtyperecv|2455|regtypesend|i|p|0",
            "2249|record|f|p|0|2287|2290|record_in|2291|record_out|2402|record_recv|2403|record_send|d|x|0",
            "2278|void|t|p|0|0|2298|void_in|2299|void_out|3120|void_recv|3121|void_send|i|p|0",
            "2950|uuid|f|b|0|2951|2952|uuid_in|2953|uuid_out|2961|uuid_recv|2962|uuid_send|c|p|0",
            "3220|pg_lsn|t|b|0|3221|3229|pg_lsn_in|3230|pg_lsn_out|3238|pg_lsn_recv|3239|pg_lsn_send|d|p|0",
            "3802|jsonb|f|b|0|3807|3806|jsonb_in|3804|jsonb_out|3805|jsonb_recv|3803|jsonb_send|i|x|0",
    };

    private static final Map<Integer, TypeRow> BY_OID = new LinkedHashMap<>();
    private static final Map<Integer, Proc> PROCS = new LinkedHashMap<>();

    static {
        for (String line : DATA) {
            String[] f = line.split("\\|", -1);
            PgType type = PgType.byOid(Integer.parseInt(f[0]));
            if (type == null) {
                throw new IllegalStateException("no PgType for " + line);
            }
            int oid = type.oid();
            Proc in = proc(Integer.parseInt(f[6]), f[7], oid, List.of(2275));
            Proc out = proc(Integer.parseInt(f[8]), f[9], 2275, List.of(oid));
            Proc recv = proc(Integer.parseInt(f[10]), f[11], oid, List.of(2281));
            Proc send = proc(Integer.parseInt(f[12]), f[13], 17, List.of(oid));
            BY_OID.put(oid, new TypeRow(type, f[2].equals("t"), f[3].charAt(0), Integer.parseInt(f[4]), Integer.parseInt(f[5]),
                    in, out, recv, send, f[14].charAt(0), f[15].charAt(0), Integer.parseInt(f[16])));
        }
    }

    private BuiltinTypes() {}

    private static Proc proc(int oid, String name, int returnType, List<Integer> args) {
        // array_in etc. serve many types: the first registration wins (anyarray signatures).
        return PROCS.computeIfAbsent(oid, k -> new Proc(oid, name, returnType, args));
    }

    static List<TypeRow> all() {
        return new ArrayList<>(BY_OID.values());
    }

    static TypeRow byOid(long oid) {
        return oid > Integer.MAX_VALUE ? null : BY_OID.get((int) oid);
    }

    /** The type I/O functions, by oid. */
    static Map<Integer, Proc> ioProcs() {
        return Collections.unmodifiableMap(PROCS);
    }
}
