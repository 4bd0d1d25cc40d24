package io.lrep.node.server;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.CopyStream;
import io.lrep.node.sql.ExecuteResult;
import io.lrep.node.sql.Notice;
import io.lrep.node.sql.Portal;
import io.lrep.node.sql.Prepared;
import io.lrep.node.sql.RowSink;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlEngine;
import io.lrep.node.sql.SqlSession;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A canned SQL engine for protocol tests. Statements (case-insensitive, ';'-separated in a simple
 * Query):
 * <pre>
 * select rows N          N rows (id int4, name text; name NULL when id % 5 == 0)
 * select echo $1, $2 ... one row of the bound parameters, typed as the parameters
 * select error           42601 syntax error at position 8
 * select block           blocks until cancelled, then 57014
 * select internal        throws IllegalStateException
 * notice                 raises a NOTICE, tag DO
 * begin / commit / rollback, set NAME = VALUE (reported), insert (INSERT 0 1)
 * copy in                COPY FROM STDIN, counts lines; a line "bad" fails with 22P02
 * copy out               COPY TO STDOUT of three lines
 * </pre>
 */
final class FakeSqlEngine implements SqlEngine {

    final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
    final List<String> copiedIn = new CopyOnWriteArrayList<>();
    /** Counts down when a statement starts blocking in {@code select block}. */
    volatile CountDownLatch blocking = new CountDownLatch(1);
    /** Rows produced by {@code select rows N} so far. */
    final java.util.concurrent.atomic.AtomicLong rowsProduced = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public SqlSession openSession(SessionContext context) {
        if (context.database().equals("nodb")) {
            throw new LrepException(SqlState.INVALID_CATALOG_NAME, "database \"nodb\" does not exist");
        }
        FakeSession s = new FakeSession(context);
        sessions.add(s);
        return s;
    }

    private static final Pattern PARAM = Pattern.compile("\\$(\\d+)");

    record FakePrepared(String sql, String kind, List<PgType> parameterTypes, List<ColumnInfo> columns) implements Prepared {
        @Override
        public boolean isEmpty() {
            return kind.equals("empty");
        }
    }

    final class FakeSession implements SqlSession {
        final SessionContext context;
        final Map<String, String> reported = new LinkedHashMap<>();
        final Map<String, String> changes = new LinkedHashMap<>();
        final List<Notice> notices = new ArrayList<>();
        private final CountDownLatch cancelled = new CountDownLatch(1);
        char status = 'I';
        volatile boolean closed;
        int implicitAborts;

        FakeSession(SessionContext context) {
            this.context = context;
            reported.put("server_version", "15.0");
            reported.put("server_encoding", "UTF8");
            reported.put("client_encoding", "UTF8");
            reported.put("DateStyle", "ISO, MDY");
            reported.put("TimeZone", "UTC");
            reported.put("integer_datetimes", "on");
            reported.put("standard_conforming_strings", "on");
            reported.put("is_superuser", "on");
            reported.put("session_authorization", context.user());
            reported.put("application_name", context.startupSettings().getOrDefault("application_name", ""));
        }

        @Override
        public List<Prepared> prepareAll(String sql) {
            List<Prepared> out = new ArrayList<>();
            for (String part : sql.split(";")) {
                if (!part.isBlank()) {
                    out.add(prepare(part, new int[0]));
                }
            }
            if (out.isEmpty() && !sql.isEmpty()) {
                out.add(new FakePrepared(sql, "empty", List.of(), List.of()));
            }
            return out;
        }

        @Override
        public Prepared prepare(String sql, int[] oids) {
            String s = sql.strip().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) {
                return new FakePrepared(sql, "empty", List.of(), List.of());
            }
            int params = 0;
            Matcher m = PARAM.matcher(s);
            while (m.find()) {
                params = Math.max(params, Integer.parseInt(m.group(1)));
            }
            List<PgType> types = new ArrayList<>();
            for (int i = 0; i < params; i++) {
                PgType t = i < oids.length && oids[i] != 0 ? PgType.byOid(oids[i]) : PgType.TEXT;
                types.add(t == null ? PgType.TEXT : t);
            }
            if (s.startsWith("select error")) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "syntax error at or near \"error\"").withPosition(8);
            }
            if (s.startsWith("select echo")) {
                List<ColumnInfo> cols = new ArrayList<>();
                for (int i = 0; i < params; i++) {
                    cols.add(ColumnInfo.of("p" + (i + 1), types.get(i)));
                }
                return new FakePrepared(sql, "echo", types, cols);
            }
            if (s.startsWith("select rows")) {
                return new FakePrepared(sql, "rows", types, List.of(ColumnInfo.of("id", PgType.INT4), ColumnInfo.of("name", PgType.TEXT)));
            }
            if (s.startsWith("select block") || s.startsWith("select internal")) {
                return new FakePrepared(sql, s.substring(7), types, List.of(ColumnInfo.of("x", PgType.INT4)));
            }
            return new FakePrepared(sql, s, types, List.of());
        }

        @Override
        public Portal bind(Prepared statement, Object[] parameters) {
            FakePrepared p = (FakePrepared) statement;
            for (int i = 0; i < parameters.length; i++) {
                if (parameters[i] != null && !p.parameterTypes().get(i).javaClass().isInstance(parameters[i])) {
                    throw new AssertionError("parameter " + i + " is a " + parameters[i].getClass());
                }
            }
            return new FakePortal(p, parameters.clone());
        }

        @Override
        public ExecuteResult execute(Portal portal, int maxRows, RowSink sink) {
            FakePortal fp = (FakePortal) portal;
            String kind = fp.statement.kind();
            if (status == 'E' && !kind.equals("rollback") && !kind.equals("commit")) {
                throw new LrepException(SqlState.IN_FAILED_SQL_TRANSACTION,
                        "current transaction is aborted, commands ignored until end of transaction block");
            }
            try {
                return run(fp, kind, maxRows, sink);
            } catch (LrepException e) {
                if (status == 'T') {
                    status = 'E';
                }
                throw e;
            }
        }

        private ExecuteResult run(FakePortal fp, String kind, int maxRows, RowSink sink) {
            switch (kind) {
                case "rows" -> {
                    int n = Integer.parseInt(fp.statement.sql().strip().split("\\s+")[2]);
                    int sent = 0;
                    while (fp.next < n) {
                        if (maxRows > 0 && sent == maxRows) {
                            return ExecuteResult.SUSPENDED;
                        }
                        int id = fp.next++;
                        sink.row(new Object[] {id, id % 5 == 0 ? null : "row " + id});
                        rowsProduced.incrementAndGet();
                        sent++;
                    }
                    return ExecuteResult.complete("SELECT " + sent);
                }
                case "echo" -> {
                    sink.row(fp.parameters.clone());
                    return ExecuteResult.complete("SELECT 1");
                }
                case "block" -> {
                    blocking.countDown();
                    try {
                        if (!cancelled.await(10, TimeUnit.SECONDS)) {
                            throw new AssertionError("never cancelled");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new LrepException(SqlState.QUERY_CANCELED, "canceling statement due to user request");
                }
                case "internal" -> throw new IllegalStateException("boom");
                case "notice" -> {
                    notices.add(new Notice("NOTICE", "00000", "hello from the fake", "some detail", null));
                    return ExecuteResult.complete("DO");
                }
                case "begin" -> {
                    status = 'T';
                    return ExecuteResult.complete("BEGIN");
                }
                case "commit" -> {
                    String tag = status == 'E' ? "ROLLBACK" : "COMMIT";
                    status = 'I';
                    return ExecuteResult.complete(tag);
                }
                case "rollback" -> {
                    status = 'I';
                    return ExecuteResult.complete("ROLLBACK");
                }
                case "insert" -> {
                    return ExecuteResult.complete("INSERT 0 1");
                }
                case "copy in", "copy out" -> {
                    return ExecuteResult.COPY;
                }
                default -> {
                    if (kind.startsWith("set ")) {
                        String[] kv = fp.statement.sql().strip().substring(4).split("\\s*=\\s*", 2);
                        String value = kv[1].replace("'", "");
                        reported.put(kv[0], value);
                        changes.put(kv[0], value);
                        return ExecuteResult.complete("SET");
                    }
                    throw new LrepException(SqlState.SYNTAX_ERROR, "syntax error at or near \"" + kind.split(" ")[0] + "\"").withPosition(1);
                }
            }
        }

        @Override
        public void endOfQuery() {}

        @Override
        public void abortImplicit() {
            // the server calls this after every failed statement; inside a block it fails the block
            implicitAborts++;
            if (status == 'T') {
                status = 'E';
            }
        }

        @Override
        public char transactionStatus() {
            return status;
        }

        @Override
        public void cancel() {
            cancelled.countDown();
        }

        @Override
        public Map<String, String> drainParameterChanges() {
            Map<String, String> out = new LinkedHashMap<>(changes);
            changes.clear();
            return out;
        }

        @Override
        public Map<String, String> reportedParameters() {
            return new LinkedHashMap<>(reported);
        }

        @Override
        public List<Notice> drainNotices() {
            List<Notice> out = new ArrayList<>(notices);
            notices.clear();
            return out;
        }

        @Override
        public ZoneId timeZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final class FakePortal implements Portal {
        final FakePrepared statement;
        final Object[] parameters;
        int next;
        private CopyStream copy;

        FakePortal(FakePrepared statement, Object[] parameters) {
            this.statement = statement;
            this.parameters = parameters;
        }

        @Override
        public Kind kind() {
            return switch (statement.kind()) {
                case "rows", "echo", "block", "internal" -> Kind.ROWS;
                case "copy in" -> Kind.COPY_IN;
                case "copy out" -> Kind.COPY_OUT;
                default -> Kind.COMMAND;
            };
        }

        @Override
        public List<ColumnInfo> columns() {
            return statement.columns();
        }

        @Override
        public CopyStream copy() {
            if (copy == null) {
                copy = new FakeCopy();
            }
            return copy;
        }
    }

    final class FakeCopy implements CopyStream {
        private final StringBuilder in = new StringBuilder();
        private final List<String> out = new ArrayList<>(Arrays.asList("1\tone\n", "2\ttwo\n", "3\t\\N\n"));

        @Override
        public int columnCount() {
            return 2;
        }

        @Override
        public boolean csv() {
            return false;
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            in.append(new String(data, offset, length, StandardCharsets.UTF_8));
            if (in.toString().contains("bad\n")) {
                throw new LrepException(SqlState.INVALID_TEXT_REPRESENTATION, "invalid input syntax for type integer: \"bad\"");
            }
        }

        @Override
        public String finish() {
            String[] lines = in.toString().split("\n");
            copiedIn.addAll(Arrays.asList(lines));
            return "COPY " + lines.length;
        }

        @Override
        public void fail(String message) {
            in.setLength(0);
        }

        @Override
        public byte[] read() {
            return out.isEmpty() ? null : out.remove(0).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String commandTag() {
            return "COPY 3";
        }
    }
}
