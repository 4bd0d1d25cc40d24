package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.QueryContext;
import io.lrep.node.sql.SqlFunction;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The built-in functions of {@code pg_catalog}, as {@link SqlFunction}s like the ones extensions add. */
public final class Builtins {

    /** What version() returns; "PostgreSQL 15" first so clients parse it. */
    public static final String VERSION = "PostgreSQL 15.0 (lrep 0.1.0) on x86_64-pc-linux-gnu, compiled by javac, 64-bit";

    private static final PgType T = PgType.TEXT;
    private static final PgType I4 = PgType.INT4;
    private static final PgType I8 = PgType.INT8;
    private static final PgType N = PgType.NUMERIC;
    private static final PgType F8 = PgType.FLOAT8;

    private Builtins() {}

    private static SqlFunction f(String name, List<PgType> args, PgType ret, SqlFunction.Scalar impl) {
        return SqlFunction.scalar(name, args, ret, true, impl);
    }

    private static SqlFunction volatileFn(String name, List<PgType> args, PgType ret, boolean strict, SqlFunction.Scalar impl) {
        return new SqlFunction("pg_catalog", name, args, false, ret, strict, true, impl, false, List.of(), null);
    }

    private static SqlFunction variadic(String name, List<PgType> args, PgType ret, SqlFunction.Scalar impl) {
        return new SqlFunction("pg_catalog", name, args, true, ret, false, false, impl, false, List.of(), null);
    }

    private static Exec exec(QueryContext c) {
        return (Exec) c;
    }

    public static List<SqlFunction> all() {
        List<SqlFunction> l = new ArrayList<>();
        // ---------------------------------------------------------------- time
        for (String n : List.of("now", "transaction_timestamp", "current_timestamp")) {
            l.add(volatileFn(n, List.of(), PgType.TIMESTAMPTZ, false, (c, a) -> exec(c).session.transactionTime()));
        }
        l.add(volatileFn("statement_timestamp", List.of(), PgType.TIMESTAMPTZ, false, (c, a) -> exec(c).statementTime));
        l.add(volatileFn("clock_timestamp", List.of(), PgType.TIMESTAMPTZ, false, (c, a) -> Instant.now()));
        l.add(volatileFn("current_date", List.of(), PgType.DATE, false,
                (c, a) -> LocalDate.ofInstant(exec(c).session.transactionTime(), exec(c).session.timeZone())));
        l.add(volatileFn("localtimestamp", List.of(), PgType.TIMESTAMP, false,
                (c, a) -> LocalDateTime.ofInstant(exec(c).session.transactionTime(), exec(c).session.timeZone())));
        l.addAll(DateTimeFunctions.all());
        // ---------------------------------------------------------------- strings
        l.add(f("md5", List.of(T), T, (c, a) -> md5((String) a[0])));
        l.add(f("md5", List.of(PgType.BYTEA), T, (c, a) -> md5((byte[]) a[0])));
        for (String n : List.of("length", "char_length", "character_length")) {
            l.add(f(n, List.of(T), I4, (c, a) -> ((String) a[0]).codePointCount(0, ((String) a[0]).length())));
        }
        l.add(f("length", List.of(PgType.BYTEA), I4, (c, a) -> ((byte[]) a[0]).length));
        l.add(f("octet_length", List.of(T), I4, (c, a) -> ((String) a[0]).getBytes(StandardCharsets.UTF_8).length));
        l.add(f("octet_length", List.of(PgType.BYTEA), I4, (c, a) -> ((byte[]) a[0]).length));
        l.add(f("lower", List.of(T), T, (c, a) -> ((String) a[0]).toLowerCase(java.util.Locale.ROOT)));
        l.add(f("upper", List.of(T), T, (c, a) -> ((String) a[0]).toUpperCase(java.util.Locale.ROOT)));
        l.add(f("initcap", List.of(T), T, (c, a) -> initcap((String) a[0])));
        l.add(f("reverse", List.of(T), T, (c, a) -> new StringBuilder((String) a[0]).reverse().toString()));
        for (String n : List.of("substr", "substring")) {
            l.add(f(n, List.of(T, I4), T, (c, a) -> substr((String) a[0], (Integer) a[1], null)));
            l.add(f(n, List.of(T, I4, I4), T, (c, a) -> substr((String) a[0], (Integer) a[1], (Integer) a[2])));
        }
        l.add(f("substring", List.of(T, T), T, (c, a) -> {
            java.util.regex.Matcher m = Ops.regex((String) a[1], false).matcher((String) a[0]);
            if (!m.find()) {
                return null;
            }
            return m.groupCount() > 0 ? m.group(1) : m.group();
        }));
        l.add(f("strpos", List.of(T, T), I4, (c, a) -> strpos((String) a[0], (String) a[1])));
        l.add(f("position", List.of(T, T), I4, (c, a) -> strpos((String) a[0], (String) a[1])));
        l.add(f("replace", List.of(T, T, T), T, (c, a) -> ((String) a[1]).isEmpty() ? a[0]
                : ((String) a[0]).replace((String) a[1], (String) a[2])));
        l.add(f("btrim", List.of(T), T, (c, a) -> trim((String) a[0], " ", true, true)));
        l.add(f("btrim", List.of(T, T), T, (c, a) -> trim((String) a[0], (String) a[1], true, true)));
        l.add(f("trim", List.of(T), T, (c, a) -> trim((String) a[0], " ", true, true)));
        l.add(f("trim", List.of(T, T), T, (c, a) -> trim((String) a[0], (String) a[1], true, true)));
        l.add(f("ltrim", List.of(T), T, (c, a) -> trim((String) a[0], " ", true, false)));
        l.add(f("ltrim", List.of(T, T), T, (c, a) -> trim((String) a[0], (String) a[1], true, false)));
        l.add(f("rtrim", List.of(T), T, (c, a) -> trim((String) a[0], " ", false, true)));
        l.add(f("rtrim", List.of(T, T), T, (c, a) -> trim((String) a[0], (String) a[1], false, true)));
        l.add(variadic("concat", Arrays.asList((PgType) null), T, (c, a) -> {
            StringBuilder sb = new StringBuilder();
            for (Object o : a) {
                if (o != null) {
                    sb.append(text(c, o));
                }
            }
            return sb.toString();
        }));
        l.add(variadic("concat_ws", Arrays.asList(T, null), T, (c, a) -> {
            if (a[0] == null) {
                return null;
            }
            StringBuilder sb = new StringBuilder();
            boolean first = true;
            for (int i = 1; i < a.length; i++) {
                if (a[i] != null) {
                    if (!first) {
                        sb.append((String) a[0]);
                    }
                    sb.append(text(c, a[i]));
                    first = false;
                }
            }
            return sb.toString();
        }));
        l.add(f("left", List.of(T, I4), T, (c, a) -> left((String) a[0], (Integer) a[1])));
        l.add(f("right", List.of(T, I4), T, (c, a) -> right((String) a[0], (Integer) a[1])));
        l.add(f("lpad", List.of(T, I4), T, (c, a) -> pad((String) a[0], (Integer) a[1], " ", true)));
        l.add(f("lpad", List.of(T, I4, T), T, (c, a) -> pad((String) a[0], (Integer) a[1], (String) a[2], true)));
        l.add(f("rpad", List.of(T, I4), T, (c, a) -> pad((String) a[0], (Integer) a[1], " ", false)));
        l.add(f("rpad", List.of(T, I4, T), T, (c, a) -> pad((String) a[0], (Integer) a[1], (String) a[2], false)));
        l.add(f("repeat", List.of(T, I4), T, (c, a) -> ((String) a[0]).repeat(Math.max(0, (Integer) a[1]))));
        l.add(f("split_part", List.of(T, T, I4), T, (c, a) -> splitPart((String) a[0], (String) a[1], (Integer) a[2])));
        l.add(f("starts_with", List.of(T, T), PgType.BOOL, (c, a) -> ((String) a[0]).startsWith((String) a[1])));
        l.add(f("chr", List.of(I4), T, (c, a) -> new String(Character.toChars((Integer) a[0]))));
        l.add(f("ascii", List.of(T), I4, (c, a) -> ((String) a[0]).isEmpty() ? 0 : ((String) a[0]).codePointAt(0)));
        l.add(f("quote_ident", List.of(T), T, (c, a) -> quoteIdent((String) a[0])));
        l.add(f("quote_literal", List.of(T), T, (c, a) -> quoteLiteral((String) a[0])));
        l.add(new SqlFunction("pg_catalog", "quote_nullable", List.of(T), false, T, false, false,
                (c, a) -> a[0] == null ? "NULL" : quoteLiteral((String) a[0]), false, List.of(), null));
        l.add(variadic("format", Arrays.asList(T, null), T, Builtins::format));
        l.add(f("string_to_array", List.of(T, T), PgType.TEXT_ARRAY, (c, a) -> {
            String s = (String) a[0];
            String d = (String) a[1];
            if (s.isEmpty()) {
                return new Object[0];
            }
            if (d.isEmpty()) {
                return new Object[] {s};
            }
            List<Object> parts = new ArrayList<>();
            int from = 0;
            int at;
            while ((at = s.indexOf(d, from)) >= 0) {
                parts.add(s.substring(from, at));
                from = at + d.length();
            }
            parts.add(s.substring(from));
            return parts.toArray();
        }));
        l.add(f("to_hex", List.of(I8), T, (c, a) -> Long.toHexString((Long) a[0])));
        l.add(f("gen_random_uuid", List.of(), PgType.UUID, (c, a) -> UUID.randomUUID()));
        // ---------------------------------------------------------------- math
        l.add(f("abs", List.of(PgType.INT2), PgType.INT2, (c, a) -> (short) Math.abs((Short) a[0])));
        l.add(f("abs", List.of(I4), I4, (c, a) -> {
            if ((Integer) a[0] == Integer.MIN_VALUE) {
                throw Ops.outOfRange(I4);
            }
            return Math.abs((Integer) a[0]);
        }));
        l.add(f("abs", List.of(I8), I8, (c, a) -> {
            if ((Long) a[0] == Long.MIN_VALUE) {
                throw Ops.outOfRange(I8);
            }
            return Math.abs((Long) a[0]);
        }));
        l.add(f("abs", List.of(N), N, (c, a) -> ((BigDecimal) a[0]).abs()));
        l.add(f("abs", List.of(F8), F8, (c, a) -> Math.abs((Double) a[0])));
        l.add(f("round", List.of(N), N, (c, a) -> ((BigDecimal) a[0]).setScale(0, RoundingMode.HALF_UP)));
        l.add(f("round", List.of(N, I4), N, (c, a) -> ((BigDecimal) a[0]).setScale(Math.max((Integer) a[1], -1000), RoundingMode.HALF_UP)));
        l.add(f("round", List.of(F8), F8, (c, a) -> Math.rint((Double) a[0])));
        l.add(f("trunc", List.of(N), N, (c, a) -> ((BigDecimal) a[0]).setScale(0, RoundingMode.DOWN)));
        l.add(f("trunc", List.of(N, I4), N, (c, a) -> ((BigDecimal) a[0]).setScale((Integer) a[1], RoundingMode.DOWN)));
        l.add(f("trunc", List.of(F8), F8, (c, a) -> {
            double d = (Double) a[0];
            return d < 0 ? Math.ceil(d) : Math.floor(d);
        }));
        for (String n : List.of("ceil", "ceiling")) {
            l.add(f(n, List.of(N), N, (c, a) -> ((BigDecimal) a[0]).setScale(0, RoundingMode.CEILING)));
            l.add(f(n, List.of(F8), F8, (c, a) -> Math.ceil((Double) a[0])));
        }
        l.add(f("floor", List.of(N), N, (c, a) -> ((BigDecimal) a[0]).setScale(0, RoundingMode.FLOOR)));
        l.add(f("floor", List.of(F8), F8, (c, a) -> Math.floor((Double) a[0])));
        l.add(f("sign", List.of(N), N, (c, a) -> BigDecimal.valueOf(((BigDecimal) a[0]).signum())));
        l.add(f("sign", List.of(F8), F8, (c, a) -> Math.signum((Double) a[0])));
        l.add(f("mod", List.of(PgType.INT2, PgType.INT2), PgType.INT2, (c, a) -> Ops.arith('%', PgType.INT2, a[0], a[1])));
        l.add(f("mod", List.of(I4, I4), I4, (c, a) -> Ops.arith('%', I4, a[0], a[1])));
        l.add(f("mod", List.of(I8, I8), I8, (c, a) -> Ops.arith('%', I8, a[0], a[1])));
        l.add(f("mod", List.of(N, N), N, (c, a) -> Ops.arith('%', N, a[0], a[1])));
        l.add(f("div", List.of(N, N), N, (c, a) -> {
            if (((BigDecimal) a[1]).signum() == 0) {
                throw Ops.divisionByZero();
            }
            return ((BigDecimal) a[0]).divideToIntegralValue((BigDecimal) a[1]).setScale(0, RoundingMode.DOWN);
        }));
        for (String n : List.of("power", "pow")) {
            l.add(f(n, List.of(F8, F8), F8, (c, a) -> power((Double) a[0], (Double) a[1])));
            l.add(f(n, List.of(N, N), N, (c, a) -> numericPower((BigDecimal) a[0], (BigDecimal) a[1])));
        }
        l.add(f("sqrt", List.of(F8), F8, (c, a) -> {
            if ((Double) a[0] < 0) {
                throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "cannot take square root of a negative number");
            }
            return Math.sqrt((Double) a[0]);
        }));
        l.add(f("sqrt", List.of(N), N, (c, a) -> {
            BigDecimal x = (BigDecimal) a[0];
            if (x.signum() < 0) {
                throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "cannot take square root of a negative number");
            }
            if (x.signum() == 0) {
                return BigDecimal.ZERO.setScale(Math.max(16, x.scale()));
            }
            // sqrt_var's scale: 16 significant digits from the result's weight, at least the input's scale
            int sweight = (Ops.weight(x) + 1) * 4 / 2 - 1;
            int rscale = Math.min(Math.max(16 - sweight, Math.max(x.scale(), 0)), 1000);
            return x.sqrt(new MathContext(rscale + 40)).setScale(rscale, RoundingMode.HALF_UP);
        }));
        l.add(f("exp", List.of(F8), F8, (c, a) -> Math.exp((Double) a[0])));
        l.add(f("ln", List.of(F8), F8, (c, a) -> log((Double) a[0], Math::log)));
        l.add(f("log", List.of(F8), F8, (c, a) -> log((Double) a[0], Math::log10)));
        l.add(f("pi", List.of(), F8, (c, a) -> Math.PI));
        l.add(volatileFn("random", List.of(), F8, false, (c, a) -> ThreadLocalRandom.current().nextDouble()));
        l.add(f("gcd", List.of(I8, I8), I8, (c, a) -> BigInteger.valueOf((Long) a[0]).gcd(BigInteger.valueOf((Long) a[1])).longValue()));
        // ---------------------------------------------------------------- system
        l.add(f("version", List.of(), T, (c, a) -> VERSION));
        l.add(volatileFn("current_setting", List.of(T), T, true, (c, a) -> c.setting((String) a[0])));
        l.add(volatileFn("current_setting", List.of(T, PgType.BOOL), T, true, (c, a) -> {
            if ((Boolean) a[1]) {
                return exec(c).session.settings.find((String) a[0]);
            }
            return c.setting((String) a[0]);
        }));
        l.add(volatileFn("set_config", List.of(T, T, PgType.BOOL), T, false, (c, a) -> {
            if (a[0] == null) {
                throw new LrepException(SqlState.NULL_VALUE_NOT_ALLOWED, "SET requires parameter name");
            }
            return c.setSetting((String) a[0], (String) a[1], a[2] != null && (Boolean) a[2]);
        }));
        l.add(volatileFn("pg_current_wal_lsn", List.of(), PgType.PG_LSN, false, (c, a) -> Lsn.of(exec(c).session.engine.walInsertLsn())));
        l.add(volatileFn("pg_current_wal_insert_lsn", List.of(), PgType.PG_LSN, false,
                (c, a) -> Lsn.of(exec(c).session.engine.walInsertLsn())));
        l.add(volatileFn("pg_current_wal_flush_lsn", List.of(), PgType.PG_LSN, false,
                (c, a) -> Lsn.of(exec(c).session.engine.walInsertLsn())));
        // the lag queries' arithmetic: WAL bytes between two positions, as numeric (LSNs are unsigned)
        l.add(f("pg_wal_lsn_diff", List.of(PgType.PG_LSN, PgType.PG_LSN), PgType.NUMERIC,
                (c, a) -> new BigDecimal(Long.toUnsignedString(((Lsn) a[0]).value()))
                        .subtract(new BigDecimal(Long.toUnsignedString(((Lsn) a[1]).value())))));
        l.add(volatileFn("pg_backend_pid", List.of(), I4, false, (c, a) -> c.session().backendPid()));
        for (String n : List.of("current_user", "session_user", "user", "current_role")) {
            l.add(volatileFn(n, List.of(), PgType.NAME, false, (c, a) -> c.session().user()));
        }
        l.add(volatileFn("current_database", List.of(), PgType.NAME, false, (c, a) -> c.session().database()));
        l.add(volatileFn("current_catalog", List.of(), PgType.NAME, false, (c, a) -> c.session().database()));
        l.add(volatileFn("current_schema", List.of(), PgType.NAME, false, (c, a) -> {
            List<String> s = exec(c).session.existingSearchPath(false);
            return s.isEmpty() ? null : s.get(0);
        }));
        l.add(volatileFn("current_schemas", List.of(PgType.BOOL), PgType.NAME_ARRAY, true,
                (c, a) -> exec(c).session.existingSearchPath((Boolean) a[0]).toArray()));
        l.add(volatileFn("pg_sleep", List.of(F8), PgType.VOID, true, (c, a) -> {
            exec(c).session.sleep((long) ((Double) a[0] * 1000));
            return "";
        }));
        l.add(volatileFn("txid_current", List.of(), I8, false, (c, a) -> exec(c).session.assignXid()));
        l.add(volatileFn("pg_current_xact_id", List.of(), I8, false, (c, a) -> exec(c).session.assignXid()));
        l.add(volatileFn("pg_is_in_recovery", List.of(), PgType.BOOL, false, (c, a) -> false));
        l.add(volatileFn("pg_postmaster_start_time", List.of(), PgType.TIMESTAMPTZ, false, (c, a) -> exec(c).session.engine.startTime()));
        // ---------------------------------------------------------------- sequences
        l.add(volatileFn("nextval", List.of(T), I8, true, (c, a) -> {
            SequenceDef s = exec(c).session.sequenceByName((String) a[0]);
            return exec(c).session.nextval(s);
        }));
        l.add(volatileFn("nextval", List.of(PgType.REGCLASS), I8, true, (c, a) -> {
            SequenceDef s = exec(c).session.sequenceByOid((Long) a[0]);
            return exec(c).session.nextval(s);
        }));
        l.add(volatileFn("currval", List.of(T), I8, true, (c, a) -> exec(c).session.currval(exec(c).session.sequenceByName((String) a[0]))));
        l.add(volatileFn("currval", List.of(PgType.REGCLASS), I8, true,
                (c, a) -> exec(c).session.currval(exec(c).session.sequenceByOid((Long) a[0]))));
        l.add(volatileFn("lastval", List.of(), I8, false, (c, a) -> exec(c).session.lastval()));
        l.add(volatileFn("setval", List.of(T, I8), I8, true,
                (c, a) -> exec(c).session.setval(exec(c).session.sequenceByName((String) a[0]), (Long) a[1], true)));
        l.add(volatileFn("setval", List.of(T, I8, PgType.BOOL), I8, true,
                (c, a) -> exec(c).session.setval(exec(c).session.sequenceByName((String) a[0]), (Long) a[1], (Boolean) a[2])));
        l.add(volatileFn("setval", List.of(PgType.REGCLASS, I8), I8, true,
                (c, a) -> exec(c).session.setval(exec(c).session.sequenceByOid((Long) a[0]), (Long) a[1], true)));
        // ---------------------------------------------------------------- arrays
        l.add(f("array_length", Arrays.asList(null, I4), I4, (c, a) -> {
            Object[] arr = (Object[]) a[0];
            return (Integer) a[1] == 1 && arr.length > 0 ? arr.length : null;
        }));
        l.add(new SqlFunction("pg_catalog", "array_position", Arrays.asList(null, null), false, I4, false, false, (c, a) -> {
            if (a[0] == null) {
                return null;
            }
            Object[] arr = (Object[]) a[0];
            for (int i = 0; i < arr.length; i++) {
                if (arr[i] == null ? a[1] == null : a[1] != null && String.valueOf(arr[i]).equals(String.valueOf(a[1]))) {
                    return i + 1;
                }
            }
            return null;
        }, false, List.of(), null));
        l.add(f("cardinality", Arrays.asList((PgType) null), I4, (c, a) -> ((Object[]) a[0]).length));
        l.add(f("array_upper", Arrays.asList(null, I4), I4, (c, a) -> (Integer) a[1] == 1 && ((Object[]) a[0]).length > 0
                ? ((Object[]) a[0]).length : null));
        l.add(f("array_lower", Arrays.asList(null, I4), I4, (c, a) -> (Integer) a[1] == 1 && ((Object[]) a[0]).length > 0 ? 1 : null));
        l.add(new SqlFunction("pg_catalog", "array_to_string", Arrays.asList(null, T), false, T, true, false,
                (c, a) -> arrayToString(c, (Object[]) a[0], (String) a[1], null), false, List.of(), null));
        l.add(new SqlFunction("pg_catalog", "array_to_string", Arrays.asList(null, T, T), false, T, false, false,
                (c, a) -> a[0] == null || a[1] == null ? null : arrayToString(c, (Object[]) a[0], (String) a[1], (String) a[2]),
                false, List.of(), null));
        // ---------------------------------------------------------------- set-returning
        l.add(SqlFunction.setReturning("generate_series", List.of(I4, I4), List.of(ColumnInfo.of("generate_series", I4)), true,
                (c, a) -> series((Integer) a[0], (Integer) a[1], 1, false)));
        l.add(SqlFunction.setReturning("generate_series", List.of(I4, I4, I4), List.of(ColumnInfo.of("generate_series", I4)), true,
                (c, a) -> series((Integer) a[0], (Integer) a[1], (Integer) a[2], false)));
        l.add(SqlFunction.setReturning("generate_series", List.of(I8, I8), List.of(ColumnInfo.of("generate_series", I8)), true,
                (c, a) -> series((Long) a[0], (Long) a[1], 1, true)));
        l.add(SqlFunction.setReturning("generate_series", List.of(I8, I8, I8), List.of(ColumnInfo.of("generate_series", I8)), true,
                (c, a) -> series((Long) a[0], (Long) a[1], (Long) a[2], true)));
        l.add(SqlFunction.setReturning("generate_series", List.of(N, N), List.of(ColumnInfo.of("generate_series", N)), true,
                (c, a) -> numericSeries((BigDecimal) a[0], (BigDecimal) a[1], BigDecimal.ONE)));
        l.add(SqlFunction.setReturning("generate_series", List.of(N, N, N), List.of(ColumnInfo.of("generate_series", N)), true,
                (c, a) -> numericSeries((BigDecimal) a[0], (BigDecimal) a[1], (BigDecimal) a[2])));
        l.add(SqlFunction.setReturning("unnest", Arrays.asList((PgType) null), List.of(ColumnInfo.of("unnest", PgType.TEXT)), true,
                (c, a) -> {
                    Object[] arr = (Object[]) a[0];
                    List<Object[]> rows = new ArrayList<>();
                    for (Object o : arr) {
                        rows.add(new Object[] {o});
                    }
                    return rows.iterator();
                }));
        return l;
    }

    // ---------------------------------------------------------------- helpers

    static String text(QueryContext c, Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (v instanceof Object[] arr) {
            return ArrayText.format(PgType.TEXT_ARRAY, arr, exec(c).session.timeZone());
        }
        return Casts.output(io.lrep.core.types.Values.typeOf(v), v, exec(c).session.timeZone());
    }

    static String md5(String s) {
        return md5(s.getBytes(StandardCharsets.UTF_8));
    }

    static String md5(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new LrepException(SqlState.INTERNAL_ERROR, "MD5 is not available", e);
        }
    }

    private static String initcap(String s) {
        StringBuilder sb = new StringBuilder();
        boolean start = true;
        for (char ch : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
            start = !Character.isLetterOrDigit(ch);
        }
        return sb.toString();
    }

    static String substr(String s, int start, Integer count) {
        int[] cps = s.codePoints().toArray();
        long from = start;
        long to;
        if (count == null) {
            to = Long.MAX_VALUE;
        } else {
            if (count < 0) {
                throw new LrepException(SqlState.STRING_DATA_LENGTH_MISMATCH, "negative substring length not allowed");
            }
            to = (long) start + count;
        }
        int b = (int) Math.max(1, from) - 1;
        int e = (int) Math.min(cps.length + 1L, to) - 1;
        if (b >= cps.length || e <= b) {
            return "";
        }
        return new String(cps, b, e - b);
    }

    static int strpos(String s, String sub) {
        int i = s.indexOf(sub);
        return i < 0 ? 0 : s.codePointCount(0, i) + 1;
    }

    static String trim(String s, String chars, boolean leading, boolean trailing) {
        int b = 0;
        int e = s.length();
        while (leading && b < e && chars.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        while (trailing && e > b && chars.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(b, e);
    }

    private static String left(String s, int n) {
        int len = s.codePointCount(0, s.length());
        int k = n >= 0 ? Math.min(n, len) : Math.max(0, len + n);
        return s.substring(0, s.offsetByCodePoints(0, k));
    }

    private static String right(String s, int n) {
        int len = s.codePointCount(0, s.length());
        int k = n >= 0 ? Math.min(n, len) : Math.max(0, len + n);
        return s.substring(s.offsetByCodePoints(0, len - k));
    }

    private static String pad(String s, int len, String fill, boolean leftSide) {
        int cur = s.codePointCount(0, s.length());
        if (len <= 0) {
            return "";
        }
        if (cur >= len) {
            return s.substring(0, s.offsetByCodePoints(0, len));
        }
        if (fill.isEmpty()) {
            return s;
        }
        StringBuilder p = new StringBuilder();
        while (p.codePointCount(0, p.length()) < len - cur) {
            p.append(fill);
        }
        String padding = p.substring(0, p.offsetByCodePoints(0, len - cur));
        return leftSide ? padding + s : s + padding;
    }

    private static String splitPart(String s, String d, int n) {
        if (n == 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "field position must not be zero");
        }
        List<String> parts = new ArrayList<>();
        if (d.isEmpty()) {
            parts.add(s);
        } else {
            int from = 0;
            int at;
            while ((at = s.indexOf(d, from)) >= 0) {
                parts.add(s.substring(from, at));
                from = at + d.length();
            }
            parts.add(s.substring(from));
        }
        int idx = n > 0 ? n - 1 : parts.size() + n;
        return idx >= 0 && idx < parts.size() ? parts.get(idx) : "";
    }

    static String quoteIdent(String s) {
        boolean safe = !s.isEmpty() && (Character.isLowerCase(s.charAt(0)) || s.charAt(0) == '_');
        for (int i = 0; safe && i < s.length(); i++) {
            char ch = s.charAt(i);
            safe = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
        }
        if (safe && !Keywords.isReserved(s)) {
            return s;
        }
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    static String quoteLiteral(String s) {
        String body = s.replace("'", "''");
        if (s.indexOf('\\') >= 0) {
            return "E'" + body.replace("\\", "\\\\") + "'";
        }
        return "'" + body + "'";
    }

    /** format(): %s, %I, %L, %%, with optional argument positions {@code %2$s}. */
    private static Object format(QueryContext c, Object[] a) {
        if (a[0] == null) {
            return null;
        }
        String fmt = (String) a[0];
        StringBuilder sb = new StringBuilder();
        int next = 1;
        for (int i = 0; i < fmt.length(); i++) {
            char ch = fmt.charAt(i);
            if (ch != '%') {
                sb.append(ch);
                continue;
            }
            if (++i >= fmt.length()) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "unterminated format() type specifier")
                        .withHint("For a single \"%\" use \"%%\".");
            }
            ch = fmt.charAt(i);
            if (ch == '%') {
                sb.append('%');
                continue;
            }
            int argPos = -1;
            int j = i;
            while (j < fmt.length() && Character.isDigit(fmt.charAt(j))) {
                j++;
            }
            if (j > i && j < fmt.length() && fmt.charAt(j) == '$') {
                argPos = Integer.parseInt(fmt.substring(i, j));
                i = j + 1;
                ch = fmt.charAt(i);
            }
            int idx = argPos > 0 ? argPos : next;
            next = idx + 1;
            if (idx >= a.length) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "too few arguments for format()");
            }
            Object v = a[idx];
            switch (ch) {
                case 's' -> sb.append(v == null ? "" : text(c, v));
                case 'I' -> {
                    if (v == null) {
                        throw new LrepException(SqlState.NULL_VALUE_NOT_ALLOWED, "null values cannot be formatted as an SQL identifier");
                    }
                    sb.append(quoteIdent(text(c, v)));
                }
                case 'L' -> sb.append(v == null ? "NULL" : quoteLiteral(text(c, v)));
                default -> throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "unrecognized format() type specifier \"" + ch + "\"")
                        .withHint("For a single \"%\" use \"%%\".");
            }
        }
        return sb.toString();
    }

    private static double power(double x, double y) {
        if (x == 0 && y < 0) {
            throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined");
        }
        if (x < 0 && Math.floor(y) != y) {
            throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                    "a negative number raised to a non-integer power yields a complex result");
        }
        double r = Math.pow(x, y);
        if (Double.isInfinite(r)) {
            throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        }
        return r;
    }

    private static BigDecimal numericPower(BigDecimal x, BigDecimal y) {
        if (x.signum() == 0 && y.signum() < 0) {
            throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION, "zero raised to a negative power is undefined");
        }
        BigDecimal exact;
        boolean integral = y.stripTrailingZeros().scale() <= 0 && y.abs().compareTo(BigDecimal.valueOf(10000)) < 0;
        if (integral) {
            int n = y.intValueExact();
            exact = n >= 0 ? x.pow(n) : BigDecimal.ONE.divide(x.pow(-n), new MathContext(60));
        } else if (y.compareTo(new BigDecimal("0.5")) == 0) {
            if (x.signum() < 0) {
                throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                        "a negative number raised to a non-integer power yields a complex result");
            }
            exact = x.sqrt(new MathContext(60));
        } else {
            exact = new BigDecimal(power(x.doubleValue(), y.doubleValue()));
        }
        if (exact.signum() == 0) {
            return BigDecimal.ZERO.setScale(Math.max(16, Math.max(x.scale(), y.scale())));
        }
        // power_var's scale: 16 significant digits from the result's magnitude, at least the inputs' scales
        int log10 = exact.precision() - exact.scale() - 1;
        int rscale = Math.min(Math.max(16 - log10, Math.max(Math.max(x.scale(), y.scale()), 0)), 1000);
        return exact.setScale(rscale, RoundingMode.HALF_UP);
    }

    private static double log(double x, java.util.function.DoubleUnaryOperator fn) {
        if (x == 0) {
            throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_LOGARITHM, "cannot take logarithm of zero");
        }
        if (x < 0) {
            throw new LrepException(SqlState.INVALID_ARGUMENT_FOR_LOGARITHM, "cannot take logarithm of a negative number");
        }
        return fn.applyAsDouble(x);
    }

    private static String arrayToString(QueryContext c, Object[] arr, String delim, String nullString) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object o : arr) {
            if (o == null && nullString == null) {
                continue;
            }
            if (!first) {
                sb.append(delim);
            }
            sb.append(o == null ? nullString : text(c, o));
            first = false;
        }
        return sb.toString();
    }

    private static Iterator<Object[]> series(long start, long stop, long step, boolean asLong) {
        if (step == 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "step size cannot equal zero");
        }
        return new Iterator<>() {
            long cur = start;
            boolean done = step > 0 ? start > stop : start < stop;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public Object[] next() {
                if (done) {
                    throw new NoSuchElementException();
                }
                long v = cur;
                try {
                    cur = Math.addExact(cur, step);
                    done = step > 0 ? cur > stop : cur < stop;
                } catch (ArithmeticException e) {
                    done = true;
                }
                return new Object[] {asLong ? (Object) v : (Object) (int) v};
            }
        };
    }

    private static Iterator<Object[]> numericSeries(BigDecimal start, BigDecimal stop, BigDecimal step) {
        if (step.signum() == 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "step size cannot equal zero");
        }
        int scale = Math.max(start.scale(), step.scale());
        return new Iterator<>() {
            BigDecimal cur = start.setScale(scale);

            @Override
            public boolean hasNext() {
                return step.signum() > 0 ? cur.compareTo(stop) <= 0 : cur.compareTo(stop) >= 0;
            }

            @Override
            public Object[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                BigDecimal v = cur;
                cur = cur.add(step);
                return new Object[] {v};
            }
        };
    }
}
