package io.lrep.bench.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/** SQL, polling and file helpers shared by the end-to-end benchmarks (lrep nodes and PostgreSQL servers alike). */
final class BenchSql {

    private BenchSql() {
    }

    /** Parses {@code --name=value} arguments. */
    static Map<String, String> parseArgs(String... argv) {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("argument: " + a + " (expected: --name=value or --flag)");
            }
            int eq = a.indexOf('=');
            if (eq < 0) {
                args.put(a.substring(2), "true");
            } else {
                args.put(a.substring(2, eq), a.substring(eq + 1));
            }
        }
        return args;
    }

    /** A pgjdbc connection to database postgres on 127.0.0.1 (trust authentication). */
    static Connection connect(int port, String user) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    /** The first column of the first row, or null when there is no row. */
    static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Runs each statement in turn. */
    static void execute(Connection c, String... sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    static long count(Connection c, String table) throws SQLException {
        return Long.parseLong(single(c, "SELECT count(*) FROM " + table));
    }

    /** The nearest-rank percentile {@code p} (0 to 100) of {@code values} (not changed); NaN when empty. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v[Math.max(0, Math.min(v.length - 1, (int) Math.ceil(p / 100.0 * v.length) - 1))];
    }

    /** An LSN printed {@code X/X} as a long. */
    static long parseLsn(String text) {
        int slash = text.indexOf('/');
        return Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16);
    }

    /**
     * Waits {@code periodMs} before a caller polls again (a polling period, not a delay to let
     * something happen: every caller re-checks its condition).
     */
    static void pause(long periodMs) {
        java.util.concurrent.locks.LockSupport.parkNanos(periodMs * 1_000_000L);
    }

    /** Prints a line prefixed with the time of day. */
    static void say(String format, Object... values) {
        System.out.printf(Locale.ROOT, "%tT " + format + "%n", Stream.concat(Stream.of(System.currentTimeMillis()), Arrays.stream(values)).toArray());
    }

    /** Deletes a directory and everything under it (nothing if it does not exist). */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + dir, e);
        }
    }
}
