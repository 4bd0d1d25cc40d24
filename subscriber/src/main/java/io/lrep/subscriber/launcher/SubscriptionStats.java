package io.lrep.subscriber.launcher;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cumulative statistics of pg_stat_subscription_stats, kept as PostgreSQL 15 keeps them
 * (pgstat_subscription.c, pgstat.c): per subscription an {@code apply_error_count}, a
 * {@code sync_error_count} and the time of the last reset.
 * <ul>
 *   <li>A subscription has an entry once one of its workers counted an error; until then it
 *       shows zeros and a NULL {@code stats_reset}, and a reset does nothing to it (as PostgreSQL
 *       15, whose reset only touches entries that exist).</li>
 *   <li>A clean shutdown {@link #save saves} the entries to {@code pg_stat/pgstat.stat}; the next
 *       start {@link #restore restores} them and removes the file, so a crash after that start
 *       loses them; after crash recovery the file is discarded (pgstat_discard_stats).</li>
 *   <li>Dropping a subscription drops its entry.</li>
 * </ul>
 * File format, one entry a line, written to a temporary file, fsynced and renamed over the old:
 * <pre>
 * lrep pgstat 1
 * subscription &lt;oid&gt; &lt;apply_error_count&gt; &lt;sync_error_count&gt; &lt;stats_reset ISO-8601 | -&gt;
 * end
 * </pre>
 *
 * <p>Threads: every method may be called from any thread.
 */
public final class SubscriptionStats {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionStats.class);

    /** The statistics file in its directory, as PostgreSQL's pg_stat/pgstat.stat. */
    public static final String FILE = "pgstat.stat";
    private static final String HEADER = "lrep pgstat 1";
    private static final String END = "end";

    /** One subscription's counters; {@code statsReset} is null until a reset. */
    public record Entry(long subOid, long applyErrorCount, long syncErrorCount, Instant statsReset) {
    }

    private final Map<Long, Entry> entries = new HashMap<>();

    /** Empty statistics. */
    public SubscriptionStats() {
    }

    /**
     * The statistics a clean shutdown saved in {@code dir}, or none after crash recovery or when
     * there is no file; the file is removed either way. A file that cannot be parsed is
     * discarded with a warning, as PostgreSQL does with a corrupted statistics file.
     */
    public static SubscriptionStats restore(Path dir, boolean crashRecovery) {
        SubscriptionStats stats = new SubscriptionStats();
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return stats;
        }
        if (crashRecovery) {
            LOG.debug("discarding statistics file \"{}\" after crash recovery", file);
        } else {
            try {
                stats.entries.putAll(parse(Files.readAllLines(file, StandardCharsets.UTF_8)));
            } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
                // the statistics start from zero again; nothing else depends on them
                LOG.warn("corrupted statistics file \"{}\", starting with empty statistics: {}", file, e.getMessage());
            }
        }
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not unlink file \"" + file + "\": " + e.getMessage(), e);
        }
        return stats;
    }

    private static Map<Long, Entry> parse(List<String> lines) {
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException("bad header");
        }
        if (!lines.get(lines.size() - 1).equals(END)) {
            throw new IllegalArgumentException("no end line");
        }
        Map<Long, Entry> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size() - 1)) {
            String[] f = line.split(" ");
            if (f.length != 5 || !f[0].equals("subscription")) {
                throw new IllegalArgumentException("bad line: " + line);
            }
            long oid = Long.parseLong(f[1]);
            out.put(oid, new Entry(oid, Long.parseLong(f[2]), Long.parseLong(f[3]), f[4].equals("-") ? null : Instant.parse(f[4])));
        }
        return out;
    }

    /**
     * Writes the statistics to {@code dir}/{@value #FILE} atomically (temporary file, fsync,
     * rename, fsync of the directory when {@code fsync}), creating {@code dir} if needed.
     */
    public void save(Path dir, boolean fsync) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Entry e : new TreeMap<>(snapshot()).values()) {
            sb.append("subscription ").append(e.subOid()).append(' ').append(e.applyErrorCount()).append(' ')
                    .append(e.syncErrorCount()).append(' ').append(e.statsReset() == null ? "-" : e.statsReset().toString()).append('\n');
        }
        sb.append(END).append('\n');
        Path file = dir.resolve(FILE);
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            if (fsync) {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (fsync) {
                try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                    ch.force(true);
                }
            }
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not write temporary statistics file \"" + tmp + "\": " + e.getMessage(), e);
        }
    }

    private synchronized Map<Long, Entry> snapshot() {
        return new HashMap<>(entries);
    }

    /** Counts one error of the subscription's apply worker, or of one of its table-sync workers. */
    public synchronized void countError(long subOid, boolean tableSync) {
        Entry e = entries.getOrDefault(subOid, new Entry(subOid, 0, 0, null));
        entries.put(subOid, tableSync ? new Entry(subOid, e.applyErrorCount(), e.syncErrorCount() + 1, e.statsReset())
                : new Entry(subOid, e.applyErrorCount() + 1, e.syncErrorCount(), e.statsReset()));
    }

    /** The subscription's counters: zeros and a null reset time when it has no entry. */
    public synchronized Entry get(long subOid) {
        return entries.getOrDefault(subOid, new Entry(subOid, 0, 0, null));
    }

    /** pg_stat_reset_subscription_stats(oid): zeroes the subscription's entry, if it has one, and stamps it {@code now}. */
    public synchronized void reset(long subOid, Instant now) {
        if (entries.containsKey(subOid)) {
            entries.put(subOid, new Entry(subOid, 0, 0, now.truncatedTo(ChronoUnit.MICROS)));
        }
    }

    /** pg_stat_reset_subscription_stats(NULL): resets every entry. */
    public synchronized void resetAll(Instant now) {
        for (Long oid : new ArrayList<>(entries.keySet())) {
            reset(oid, now);
        }
    }

    /** Drops the subscription's entry (DROP SUBSCRIPTION committed). */
    public synchronized void drop(long subOid) {
        entries.remove(subOid);
    }
}
