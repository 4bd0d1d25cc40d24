package io.lrep.node;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's settings: {@code lrep.conf} in the data directory, in postgresql.conf's syntax
 * ({@code name = value}, {@code #} comments, single-quoted strings with {@code ''} escapes,
 * units such as {@code 16MB} and {@code 60s}), with PostgreSQL's parameter names, overridden by
 * {@code -c name=value} on the command line. Immutable.
 */
public final class NodeConfig {

    private static final Map<String, Setting> SETTINGS = new TreeMap<>();

    static {
        List<Setting> all = List.of(
                Setting.string("listen_addresses", "127.0.0.1", "Addresses the protocol server listens on."),
                Setting.integer("port", 5432, 0, 65535, Setting.Unit.NONE, "TCP port of the protocol server (0 picks a free port)."),
                Setting.integer("metrics_port", 0, -1, 65535, Setting.Unit.NONE,
                        "TCP port of the HTTP metrics and status endpoint (0 disables it, -1 picks a free port)."),
                Setting.integer("max_connections", 100, 1, 10_000, Setting.Unit.NONE, "Maximum number of client connections."),
                Setting.string("cluster_name", "", "Name of this node in process titles and logs."),
                Setting.integer("wal_buffers", 16 * 1024 * 1024 / 8192, 8, 1 << 18, Setting.Unit.NONE,
                        "Size of the shared-memory WAL ring, in 8kB pages (a power of two)."),
                Setting.integer("wal_writer_delay", 200, 1, 10_000, Setting.Unit.MS,
                        "Time between WAL flushes of records no commit waits for."),
                Setting.integer("wal_writer_flush_after", 1024, 0, Integer.MAX_VALUE, Setting.Unit.KB,
                        "Amount of such WAL written that makes the WAL writer flush without waiting."),
                Setting.bool("fsync", true, "Forces WAL to disk (turning it off risks data loss on a power failure)."),
                Setting.choice("synchronous_commit", "on", List.of("on", "off", "local", "remote_write", "remote_apply"),
                        "Whether a commit waits for its WAL to be durable."),
                Setting.integer("checkpoint_timeout", 300, 1, 86_400, Setting.Unit.S, "Time between automatic checkpoints."),
                Setting.bool("autovacuum", true, "Starts the autovacuum worker."),
                Setting.integer("autovacuum_naptime", 60, 1, 2_147_483, Setting.Unit.S, "Time to sleep between autovacuum runs."),
                Setting.integer("autovacuum_vacuum_threshold", 50, 0, Integer.MAX_VALUE, Setting.Unit.NONE,
                        "Minimum number of ended row versions prior to vacuum."),
                Setting.integer("max_worker_processes", 8, 0, 262_143, Setting.Unit.NONE, "Maximum number of background workers."),
                Setting.integer("max_wal_senders", 10, 0, 262_143, Setting.Unit.NONE, "Maximum number of walsenders."),
                Setting.integer("max_replication_slots", 10, 0, 262_143, Setting.Unit.NONE, "Maximum number of replication slots."),
                Setting.integer("max_logical_replication_workers", 4, 0, 262_143, Setting.Unit.NONE,
                        "Maximum number of logical replication workers."),
                Setting.integer("max_sync_workers_per_subscription", 2, 0, 262_143, Setting.Unit.NONE,
                        "Maximum number of table-sync workers per subscription."),
                Setting.integer("wal_sender_timeout", 60_000, 0, Integer.MAX_VALUE, Setting.Unit.MS,
                        "Time to wait before terminating an unresponsive walsender."),
                Setting.integer("wal_receiver_timeout", 60_000, 0, Integer.MAX_VALUE, Setting.Unit.MS,
                        "Time to wait before terminating an unresponsive replication connection."),
                Setting.integer("wal_receiver_status_interval", 10, 0, Integer.MAX_VALUE / 1000, Setting.Unit.S,
                        "Maximum interval between status updates sent to the publisher."),
                Setting.integer("wal_retrieve_retry_interval", 5000, 1, Integer.MAX_VALUE, Setting.Unit.MS,
                        "Time to wait before retrying to start a failed worker."),
                Setting.integer("logical_decoding_work_mem", 65_536, 64, Integer.MAX_VALUE, Setting.Unit.KB,
                        "Memory a decoder may use before spilling a transaction to disk."),
                Setting.integer("max_slot_wal_keep_size", -1, -1, Integer.MAX_VALUE, Setting.Unit.MB,
                        "Most WAL a replication slot may retain (-1: no limit)."),
                Setting.string("log_min_messages", "info", "Lowest level of messages logged."));
        for (Setting s : all) {
            SETTINGS.put(s.name(), s);
        }
    }

    private final Map<String, String> values;

    private NodeConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** Every known setting. */
    public static Map<String, Setting> settings() {
        return Collections.unmodifiableMap(SETTINGS);
    }

    /** All defaults. */
    public static NodeConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads {@code file}, then applies {@code overrides} (later wins). */
    public static NodeConfig load(Path file, Map<String, String> overrides) {
        Builder b = builder();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "could not open configuration file \"" + file + "\": " + e.getMessage(), e);
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            parseLine(file, i + 1, lines[i], b);
        }
        overrides.forEach(b::set);
        return b.build();
    }

    private static void parseLine(Path file, int lineNo, String line, Builder b) {
        String rest = line.strip();
        if (rest.isEmpty() || rest.startsWith("#")) {
            return;
        }
        int nameEnd = 0;
        while (nameEnd < rest.length() && (Character.isLetterOrDigit(rest.charAt(nameEnd)) || rest.charAt(nameEnd) == '_' || rest.charAt(nameEnd) == '.')) {
            nameEnd++;
        }
        if (nameEnd == 0) {
            throw syntax(file, lineNo, rest);
        }
        String name = rest.substring(0, nameEnd);
        rest = rest.substring(nameEnd).stripLeading();
        if (rest.startsWith("=")) {
            rest = rest.substring(1).stripLeading();
        }
        String value;
        if (rest.startsWith("'")) {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            boolean closed = false;
            while (i < rest.length()) {
                char c = rest.charAt(i);
                if (c == '\'' && i + 1 < rest.length() && rest.charAt(i + 1) == '\'') {
                    sb.append('\'');
                    i += 2;
                } else if (c == '\'') {
                    closed = true;
                    i++;
                    break;
                } else if (c == '\\' && i + 1 < rest.length()) {
                    sb.append(rest.charAt(i + 1));
                    i += 2;
                } else {
                    sb.append(c);
                    i++;
                }
            }
            if (!closed) {
                throw syntax(file, lineNo, line);
            }
            value = sb.toString();
            rest = rest.substring(i).strip();
        } else {
            int end = 0;
            while (end < rest.length() && !Character.isWhitespace(rest.charAt(end)) && rest.charAt(end) != '#') {
                end++;
            }
            value = rest.substring(0, end);
            rest = rest.substring(end).strip();
            if (value.isEmpty()) {
                throw syntax(file, lineNo, line);
            }
        }
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            throw syntax(file, lineNo, line);
        }
        try {
            b.set(name, value);
        } catch (LrepException e) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, e.getMessage() + " in file \"" + file + "\" line " + lineNo, e);
        }
    }

    private static LrepException syntax(Path file, int lineNo, String line) {
        return new LrepException(SqlState.CONFIG_FILE_ERROR,
                "syntax error in file \"" + file + "\" line " + lineNo + ", near \"" + line.strip() + "\"");
    }

    /** The text of a default {@code lrep.conf}, every setting commented out at its default. */
    public static String defaultFileText(Map<String, String> initial) {
        StringBuilder sb = new StringBuilder("# lrep configuration file. PostgreSQL's parameter names, postgresql.conf syntax.\n"
                + "# Units: kB, MB, GB for memory; ms, s, min, h, d for time.\n\n");
        for (Setting s : SETTINGS.values()) {
            String v = initial.get(s.name());
            String shown = s.type() == Setting.Type.STRING ? "'" + s.defaultValue().replace("'", "''") + "'" : s.show(s.defaultValue());
            if (v != null) {
                String value = s.type() == Setting.Type.STRING ? "'" + v.replace("'", "''") + "'" : v;
                sb.append(s.name()).append(" = ").append(value).append("\t\t# ").append(s.description()).append('\n');
            } else {
                sb.append('#').append(s.name()).append(" = ").append(shown).append("\t\t# ").append(s.description()).append('\n');
            }
        }
        return sb.toString();
    }

    /** The stored value of {@code name} (normalized; integers in the setting's unit). */
    public String get(String name) {
        String v = values.get(name.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw unknown(name);
        }
        return v;
    }

    /** The value as {@code SHOW name} prints it. */
    public String show(String name) {
        return SETTINGS.get(name.toLowerCase(Locale.ROOT)) == null ? get(name) : SETTINGS.get(name.toLowerCase(Locale.ROOT)).show(get(name));
    }

    public long getLong(String name) {
        return Long.parseLong(get(name));
    }

    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    public boolean getBool(String name) {
        return "on".equals(get(name));
    }

    /** Milliseconds of a time setting. */
    public long getMillis(String name) {
        return getLong(name) * SETTINGS.get(name).unit().base();
    }

    /** Bytes of a memory setting; -1 stays -1. */
    public long getBytes(String name) {
        long v = getLong(name);
        return v < 0 ? v : v * SETTINGS.get(name).unit().base();
    }

    /** A copy with one setting changed. */
    public NodeConfig with(String name, String value) {
        Builder b = new Builder();
        b.values.putAll(values);
        b.set(name, value);
        return b.build();
    }

    public Map<String, String> values() {
        return values;
    }

    private static LrepException unknown(String name) {
        return new LrepException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
    }

    /** Collects settings; each value is checked as it is set. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();

        private Builder() {
            SETTINGS.values().forEach(s -> values.put(s.name(), s.normalize(s.defaultValue())));
        }

        public Builder set(String name, String value) {
            String key = name.toLowerCase(Locale.ROOT);
            Setting s = SETTINGS.get(key);
            if (s == null) {
                throw unknown(name);
            }
            values.put(key, s.normalize(value));
            return this;
        }

        public NodeConfig build() {
            return new NodeConfig(new LinkedHashMap<>(values));
        }
    }
}
