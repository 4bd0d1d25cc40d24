package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.node.NodeConfig;
import io.lrep.node.SystemTablesFixture;
import io.lrep.node.sql.ColumnInfo;
import io.lrep.node.sql.ExecuteResult;
import io.lrep.node.sql.LrepSqlEngine;
import io.lrep.node.sql.Notice;
import io.lrep.node.sql.Portal;
import io.lrep.node.sql.Prepared;
import io.lrep.node.sql.SessionContext;
import io.lrep.node.sql.SqlSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small SQL-script driver for engine tests: a real storage engine over an in-memory WAL, the
 * engine, and sessions driven as the protocol server drives them (simple Query: prepareAll,
 * bind, execute each, endOfQuery or abortImplicit on error).
 */
final class SqlHarness implements AutoCloseable {

    final MemoryWalLog wal = new MemoryWalLog();
    final StorageEngine storage = new StorageEngine(wal);
    final AtomicInteger checkpoints = new AtomicInteger();
    final LrepSqlEngine engine;
    private final List<SqlSession> sessions = new ArrayList<>();
    private static final AtomicInteger PIDS = new AtomicInteger(1000);

    SqlHarness() {
        this(List.of());
    }

    /** With these system views and functions (SystemCatalog, PublicationViews, ...). */
    SqlHarness(List<io.lrep.node.sql.CatalogExtension> extensions) {
        SystemTablesFixture.bootstrap(storage, "postgres");
        engine = new LrepSqlEngine(storage, NodeConfig.defaults(), extensions, wal::insertLsn, checkpoints::incrementAndGet);
    }

    SqlSession session() {
        return session("postgres");
    }

    SqlSession session(String user) {
        SqlSession s = engine.openSession(new SessionContext(user, "postgres", PIDS.incrementAndGet(), Map.of(), "false", "127.0.0.1"));
        sessions.add(s);
        return s;
    }

    /** The outcome of one statement as text: a tag, rows ("a|b" lines, NULL as "null"), or "ERROR code: message". */
    static String run(SqlSession s, String sql) {
        StringBuilder out = new StringBuilder();
        try {
            List<Prepared> ps = s.prepareAll(sql);
            for (Prepared p : ps) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                Portal portal = s.bind(p, new Object[0]);
                List<String> rows = new ArrayList<>();
                List<ColumnInfo> cols = portal.columns();
                ExecuteResult r = s.execute(portal, 0, row -> {
                    rows.add(format(cols, row, s));
                    return true;
                });
                if (portal.kind() == Portal.Kind.ROWS) {
                    out.append(String.join("\n", rows));
                    if (rows.isEmpty()) {
                        out.append("(0 rows)");
                    }
                } else {
                    out.append(r.commandTag());
                }
            }
            s.endOfQuery();
        } catch (LrepException e) {
            s.abortImplicit();
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            out.append("ERROR ").append(e.sqlState().code()).append(": ").append(e.getMessage());
        }
        return out.toString();
    }

    static String format(List<ColumnInfo> cols, Object[] row, SqlSession s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                sb.append('|');
            }
            Object v = row[i];
            PgType t = cols.get(i).type();
            sb.append(v == null ? "null" : Casts.output(t, v, s.timeZone()));
        }
        return sb.toString();
    }

    static List<String> notices(SqlSession s) {
        List<String> out = new ArrayList<>();
        for (Notice n : s.drainNotices()) {
            out.add(n.severity() + " " + n.sqlState() + ": " + n.message());
        }
        return out;
    }

    @Override
    public void close() {
        for (SqlSession s : sessions) {
            s.close();
        }
        engine.close();
    }

    /** Runs pairs of (statement, expected {@link #run} output) in order, naming the statement that differs. */
    static void script(SqlSession s, String... steps) {
        for (int i = 0; i < steps.length; i += 2) {
            org.assertj.core.api.Assertions.assertThat(run(s, steps[i])).as(steps[i]).isEqualTo(steps[i + 1]);
        }
    }
}
