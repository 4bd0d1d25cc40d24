package io.lrep.node.sql.exec;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.node.NodeConfig;
import io.lrep.node.Setting;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's configuration parameters (GUCs): the client-side settings PostgreSQL has that
 * are not node settings (client_encoding, DateStyle, TimeZone, search_path, statement_timeout,
 * ...), read-only facts (server_version, integer_datetimes, ...), and the node's
 * {@link NodeConfig} settings underneath (readable with SHOW; synchronous_commit is also
 * settable per session).
 *
 * <p>Transactional as PostgreSQL's: a SET inside a transaction that rolls back is undone;
 * SET LOCAL lasts until the end of the transaction. {@link #beginTransaction()},
 * {@link #commit()}, {@link #rollback()} and the savepoint calls keep that state.
 */
public final class SessionSettings {

    /** How a parameter may be changed. */
    enum Context { USER, READ_ONLY, SERVER }

    /** A session-level parameter: canonical name (as SHOW heads it), default, validation. */
    record Def(String name, String defaultValue, Context context, boolean reported, String description, Normalizer normalizer) {}

    @FunctionalInterface
    interface Normalizer {
        String normalize(String value);
    }

    static final Map<String, Def> DEFS = new TreeMap<>();

    private static final java.util.Set<String> MS_SETTINGS = java.util.Set.of("statement_timeout", "lock_timeout",
            "idle_in_transaction_session_timeout");

    static {
        add("client_encoding", "UTF8", Context.USER, true, "Sets the client's character set encoding.", SessionSettings::encoding);
        add("DateStyle", "ISO, MDY", Context.USER, true, "Sets the display format for date and time values.", SessionSettings::dateStyle);
        add("IntervalStyle", "postgres", Context.USER, true, "Sets the display format for interval values.",
                v -> only("IntervalStyle", v, "postgres"));
        add("TimeZone", "UTC", Context.USER, true, "Sets the time zone for displaying and interpreting time stamps.",
                SessionSettings::timeZoneName);
        add("extra_float_digits", "1", Context.USER, false, "Sets the number of digits displayed for floating-point values.",
                v -> intRange("extra_float_digits", v, -15, 3));
        add("application_name", "", Context.USER, true, "Sets the application name to be reported in statistics and logs.", v -> v);
        add("search_path", "\"$user\", public", Context.USER, false, "Sets the schema search order for names that are not schema-qualified.",
                v -> v);
        add("statement_timeout", "0", Context.USER, false, "Sets the maximum allowed duration of any statement.",
                v -> ms("statement_timeout", v));
        add("lock_timeout", "0", Context.USER, false, "Sets the maximum allowed duration of any wait for a lock.", v -> ms("lock_timeout", v));
        add("idle_in_transaction_session_timeout", "0", Context.USER, false,
                "Sets the maximum allowed idle time between queries, when in a transaction.", v -> ms("idle_in_transaction_session_timeout", v));
        add("default_transaction_isolation", "read committed", Context.USER, false,
                "Sets the transaction isolation level of each new transaction.", SessionSettings::isolation);
        add("default_transaction_read_only", "off", Context.USER, true, "Sets the default read-only status of new transactions.",
                v -> bool("default_transaction_read_only", v));
        add("default_transaction_deferrable", "off", Context.USER, false, "Sets the default deferrable status of new transactions.",
                v -> bool("default_transaction_deferrable", v));
        add("standard_conforming_strings", "on", Context.USER, true, "Causes '...' strings to treat backslashes literally.", v -> {
            if (!bool("standard_conforming_strings", v).equals("on")) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "standard_conforming_strings = off is not supported");
            }
            return "on";
        });
        add("escape_string_warning", "on", Context.USER, false, "Warn about backslash escapes in ordinary string literals.",
                v -> bool("escape_string_warning", v));
        add("password_encryption", "scram-sha-256", Context.USER, false, "Chooses the algorithm for encrypting passwords.",
                v -> choice("password_encryption", v, List.of("md5", "scram-sha-256")));
        add("client_min_messages", "notice", Context.USER, false, "Sets the message levels that are sent to the client.",
                v -> choice("client_min_messages", v, List.of("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning",
                        "error")));
        add("bytea_output", "hex", Context.USER, false, "Sets the output format for bytea.", v -> only("bytea_output", v, "hex"));
        add("row_security", "on", Context.USER, false, "Enable row security.", v -> bool("row_security", v));
        add("synchronous_commit", null, Context.USER, false, "Sets the current transaction's synchronization level.",
                v -> choice("synchronous_commit", v, List.of("on", "off", "local", "remote_write", "remote_apply")));
        add("work_mem", "4MB", Context.USER, false, "Sets the maximum memory to be used for query workspaces.", v -> v);
        add("maintenance_work_mem", "64MB", Context.USER, false, "Sets the maximum memory to be used for maintenance operations.", v -> v);
        add("jit", "off", Context.USER, false, "Allow JIT compilation.", v -> bool("jit", v));
        add("timezone_abbreviations", "Default", Context.USER, false, "Selects a file of time zone abbreviations.", v -> v);
        add("server_version", "15.0", Context.READ_ONLY, true, "Shows the server version.", null);
        add("server_version_num", "150000", Context.READ_ONLY, false, "Shows the server version as an integer.", null);
        add("server_encoding", "UTF8", Context.READ_ONLY, true, "Shows the server (database) character set encoding.", null);
        add("integer_datetimes", "on", Context.READ_ONLY, true, "Shows whether datetimes are integer based.", null);
        add("in_hot_standby", "off", Context.READ_ONLY, true, "Shows whether hot standby is currently active.", null);
        add("is_superuser", "off", Context.READ_ONLY, true, "Shows whether the current user is a superuser.", null);
        add("session_authorization", "", Context.READ_ONLY, true, "Sets the session user name.", null);
        add("max_identifier_length", "63", Context.READ_ONLY, false, "Shows the maximum identifier length.", null);
        add("block_size", "8192", Context.READ_ONLY, false, "Shows the size of a disk block.", null);
        add("lc_collate", "C", Context.READ_ONLY, false, "Shows the collation order locale.", null);
        add("lc_ctype", "C", Context.READ_ONLY, false, "Shows the character classification and case conversion locale.", null);
        add("lc_messages", "C", Context.USER, false, "Sets the language in which messages are displayed.", v -> v);
        add("lc_monetary", "C", Context.USER, false, "Sets the locale for formatting monetary amounts.", v -> v);
        add("lc_numeric", "C", Context.USER, false, "Sets the locale for formatting numbers.", v -> v);
        add("lc_time", "C", Context.USER, false, "Sets the locale for formatting date and time values.", v -> v);
        add("wal_level", "logical", Context.READ_ONLY, false, "Sets the level of information written to the WAL.", null);
        add("data_checksums", "off", Context.READ_ONLY, false, "Shows whether data checksums are turned on for this cluster.", null);
        // pg_recvlogical and pg_receivewal ask for these on their replication connections
        add("data_directory_mode", "0700", Context.READ_ONLY, false, "Shows the mode of the data directory.", null);
        add("wal_segment_size", "16MB", Context.READ_ONLY, false, "Shows the size of write ahead log segments.", null);
    }

    private static void add(String name, String dflt, Context context, boolean reported, String description, Normalizer n) {
        DEFS.put(name.toLowerCase(Locale.ROOT), new Def(name, dflt, context, reported, description, n));
    }

    private final NodeConfig config;
    private final Map<String, String> current = new HashMap<>();
    /** What current becomes at commit (SET LOCAL values dropped); null when nothing changed in this transaction. */
    private Map<String, String> afterCommit;
    /** current as the transaction began; null when nothing changed in this transaction. */
    private Map<String, String> atStart;
    private final List<Map<String, String>> savepoints = new ArrayList<>();
    private final Map<String, String> changedReported = new LinkedHashMap<>();
    private String transactionIsolation;
    private Boolean transactionReadOnly;

    public SessionSettings(NodeConfig config, String user, boolean superuser) {
        this.config = config;
        for (Def d : DEFS.values()) {
            String key = d.name().toLowerCase(Locale.ROOT);
            String v = d.defaultValue();
            if (key.equals("synchronous_commit")) {
                v = config.get("synchronous_commit");
            }
            current.put(key, v);
        }
        current.put("session_authorization", user);
        current.put("is_superuser", superuser ? "on" : "off");
    }

    /** Whether a parameter of this name exists (session or node). */
    public static boolean exists(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return DEFS.containsKey(key) || NodeConfig.settings().containsKey(key);
    }

    /** The value as SHOW prints it; 42704 for an unknown name. */
    public String show(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (key.equals("transaction_isolation")) {
            return transactionIsolation != null ? transactionIsolation : current.get("default_transaction_isolation");
        }
        if (key.equals("transaction_read_only")) {
            return transactionReadOnly != null ? (transactionReadOnly ? "on" : "off") : current.get("default_transaction_read_only");
        }
        if (key.equals("transaction_deferrable")) {
            return "off";
        }
        String v = current.get(key);
        if (v != null) {
            if (MS_SETTINGS.contains(key) && !v.equals("0")) {
                return new Setting(key, Setting.Type.INT, "0", 0, Integer.MAX_VALUE, Setting.Unit.MS, List.of(), "").show(v);
            }
            return v;
        }
        if (NodeConfig.settings().containsKey(key)) {
            return config.show(key);
        }
        throw unknown(name);
    }

    /** The value, or null when unknown. */
    public String find(String name) {
        return exists(name) || isTransactionParam(name) ? show(name) : null;
    }

    private static boolean isTransactionParam(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return key.equals("transaction_isolation") || key.equals("transaction_read_only") || key.equals("transaction_deferrable");
    }

    /** The name SHOW puts in its column header. */
    public static String canonicalName(String name) {
        Def d = DEFS.get(name.toLowerCase(Locale.ROOT));
        return d != null ? d.name() : name.toLowerCase(Locale.ROOT);
    }

    /**
     * SET (or set_config): {@code value} null means DEFAULT (RESET).
     *
     * @param local SET LOCAL: until the end of the transaction
     */
    public void set(String name, String value, boolean local, boolean inTransaction) {
        String key = name.toLowerCase(Locale.ROOT);
        if (isTransactionParam(key)) {
            throw new LrepException(SqlState.CANT_CHANGE_RUNTIME_PARAM, "parameter \"" + key + "\" cannot be changed now");
        }
        Def d = DEFS.get(key);
        String normalized;
        if (d == null) {
            Setting s = NodeConfig.settings().get(key);
            if (s == null) {
                throw unknown(name);
            }
            throw new LrepException(SqlState.CANT_CHANGE_RUNTIME_PARAM,
                    "parameter \"" + key + "\" cannot be changed without restarting the server");
        }
        if (d.context() == Context.READ_ONLY) {
            throw new LrepException(SqlState.CANT_CHANGE_RUNTIME_PARAM, "parameter \"" + key + "\" cannot be changed");
        }
        if (value == null) {
            normalized = key.equals("synchronous_commit") ? config.get("synchronous_commit") : d.defaultValue();
        } else {
            normalized = d.normalizer().normalize(value);
        }
        if (atStart == null) {
            atStart = new HashMap<>(current);
            afterCommit = new HashMap<>(current);
        }
        if (!local) {
            afterCommit.put(key, normalized);
        }
        put(key, normalized);
    }

    /** Applies a StartupMessage setting as if by SET outside a transaction. */
    public void setAtStartup(String name, String value) {
        set(name, value, false, false);
        commit();
    }

    /** RESET ALL. */
    public void resetAll() {
        for (Def d : DEFS.values()) {
            if (d.context() == Context.USER) {
                set(d.name(), null, false, true);
            }
        }
    }

    private void put(String key, String value) {
        String old = current.put(key, value);
        Def d = DEFS.get(key);
        if (d != null && d.reported() && !value.equals(old)) {
            changedReported.put(d.name(), value);
        }
    }

    /** A transaction began (sets its isolation and read-only status from the defaults unless given). */
    public void beginTransaction(String isolation, Boolean readOnly) {
        transactionIsolation = isolation;
        transactionReadOnly = readOnly;
    }

    /** SET TRANSACTION inside a transaction. */
    public void setTransaction(String isolation, Boolean readOnly) {
        if (isolation != null) {
            transactionIsolation = isolation;
        }
        if (readOnly != null) {
            transactionReadOnly = readOnly;
        }
    }

    public boolean transactionReadOnly() {
        return "on".equals(show("transaction_read_only"));
    }

    public String transactionIsolation() {
        return show("transaction_isolation");
    }

    public void commit() {
        if (afterCommit != null) {
            restore(afterCommit);
        }
        endTransaction();
    }

    public void rollback() {
        if (atStart != null) {
            restore(atStart);
        }
        endTransaction();
    }

    private void endTransaction() {
        atStart = null;
        afterCommit = null;
        savepoints.clear();
        transactionIsolation = null;
        transactionReadOnly = null;
    }

    private void restore(Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            put(e.getKey(), e.getValue());
        }
    }

    /** SAVEPOINT: remembers the settings. */
    public void savepoint() {
        savepoints.add(new HashMap<>(current));
    }

    /** ROLLBACK TO the savepoint at depth {@code index} (0 = outermost); it stays defined. */
    public void rollbackTo(int index) {
        Map<String, String> saved = savepoints.get(index);
        while (savepoints.size() > index + 1) {
            savepoints.remove(savepoints.size() - 1);
        }
        restore(saved);
        if (afterCommit != null) {
            afterCommit.putAll(saved);
        }
    }

    /** RELEASE the savepoint at depth {@code index} and those after it. */
    public void release(int index) {
        while (savepoints.size() > index) {
            savepoints.remove(savepoints.size() - 1);
        }
    }

    /** Reported settings that changed since the last call. */
    public Map<String, String> drainChanges() {
        Map<String, String> out = new LinkedHashMap<>(changedReported);
        changedReported.clear();
        return out;
    }

    /** Every reported setting. */
    public Map<String, String> reported() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Def d : DEFS.values()) {
            if (d.reported()) {
                out.put(d.name(), current.get(d.name().toLowerCase(Locale.ROOT)));
            }
        }
        changedReported.clear();
        return out;
    }

    /** SHOW ALL rows: name, setting, description. */
    public List<String[]> all() {
        Map<String, String[]> rows = new TreeMap<>();
        for (Def d : DEFS.values()) {
            rows.put(d.name().toLowerCase(Locale.ROOT), new String[] {d.name(), show(d.name()), d.description()});
        }
        for (Setting s : NodeConfig.settings().values()) {
            rows.putIfAbsent(s.name(), new String[] {s.name(), config.show(s.name()), s.description()});
        }
        rows.put("transaction_isolation", new String[] {"transaction_isolation", show("transaction_isolation"),
            "Sets the current transaction's isolation level."});
        rows.put("transaction_read_only", new String[] {"transaction_read_only", show("transaction_read_only"),
            "Sets the current transaction's read-only status."});
        return new ArrayList<>(rows.values());
    }

    /** The session time zone. */
    public ZoneId zone() {
        return zoneOf(current.get("timezone"));
    }

    public long statementTimeoutMs() {
        return Long.parseLong(current.get("statement_timeout"));
    }

    public boolean synchronousCommit() {
        return !"off".equals(current.get("synchronous_commit"));
    }

    /** The schemas of search_path, "$user" replaced by the user's name. */
    public List<String> searchPath() {
        List<String> out = new ArrayList<>();
        for (String part : current.get("search_path").split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            if (s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2) {
                s = s.substring(1, s.length() - 1).replace("\"\"", "\"");
            } else {
                s = s.toLowerCase(Locale.ROOT);
            }
            if (s.equals("$user")) {
                s = current.get("session_authorization");
            }
            out.add(s);
        }
        return out;
    }

    // ---------------------------------------------------------------- validation

    static LrepException unknown(String name) {
        return new LrepException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name + "\"");
    }

    private static LrepException invalid(String name, String value) {
        return new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \"" + name + "\": \"" + value + "\"");
    }

    private static String encoding(String v) {
        String u = v.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
        if (u.equals("UTF8") || u.equals("UNICODE")) {
            return "UTF8";
        }
        if (u.equals("SQLASCII") || u.equals("LATIN1") || u.equals("WIN1252") || u.equals("LATIN9") || u.equals("EUCJP")
                || u.equals("SJIS") || u.equals("WIN1251") || u.equals("ISO88591")) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                    "conversion between " + v.trim().toUpperCase(Locale.ROOT) + " and UTF8 is not supported");
        }
        throw invalid("client_encoding", v);
    }

    private static String dateStyle(String v) {
        boolean iso = false;
        for (String part : v.split(",")) {
            String p = part.trim().toUpperCase(Locale.ROOT);
            switch (p) {
                case "ISO" -> iso = true;
                case "MDY", "US", "NONEURO", "NONEUROPEAN", "DEFAULT" -> {
                    // the default order
                }
                default -> throw invalid("DateStyle", v).withDetail("Only the ISO, MDY date style is supported.");
            }
        }
        if (!iso && !v.trim().equalsIgnoreCase("MDY")) {
            throw invalid("DateStyle", v).withDetail("Only the ISO, MDY date style is supported.");
        }
        return "ISO, MDY";
    }

    private static String only(String name, String v, String allowed) {
        if (!v.trim().equalsIgnoreCase(allowed)) {
            throw invalid(name, v).withHint("Available values: " + allowed + ".");
        }
        return allowed;
    }

    private static String choice(String name, String v, List<String> choices) {
        String l = v.trim().toLowerCase(Locale.ROOT);
        if (!choices.contains(l)) {
            throw invalid(name, v).withHint("Available values: " + String.join(", ", choices) + ".");
        }
        return l;
    }

    private static String isolation(String v) {
        String l = v.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return choice("default_transaction_isolation", l, List.of("serializable", "repeatable read", "read committed", "read uncommitted"));
    }

    private static String bool(String name, String v) {
        return new Setting(name, Setting.Type.BOOL, "off", 0, 1, Setting.Unit.NONE, List.of(), "").normalize(v);
    }

    private static String intRange(String name, String v, long min, long max) {
        return new Setting(name, Setting.Type.INT, "0", min, max, Setting.Unit.NONE, List.of(), "").normalize(v);
    }

    private static String ms(String name, String v) {
        return new Setting(name, Setting.Type.INT, "0", 0, Integer.MAX_VALUE, Setting.Unit.MS, List.of(), "").normalize(v);
    }

    private static String timeZoneName(String v) {
        String t = v.trim();
        zoneOf(t);
        return t;
    }

    /** A TimeZone value as a Java zone: names, UTC/GMT/Z, ISO offsets, and POSIX-style hours (SET TIME ZONE -8). */
    static ZoneId zoneOf(String v) {
        String t = v.trim();
        if (t.equalsIgnoreCase("utc") || t.equalsIgnoreCase("gmt") || t.equalsIgnoreCase("z") || t.equalsIgnoreCase("zulu")
                || t.equalsIgnoreCase("etc/utc")) {
            return ZoneOffset.UTC;
        }
        if (t.equalsIgnoreCase("localtime") || t.equalsIgnoreCase("default")) {
            return ZoneOffset.UTC;
        }
        try {
            if (t.matches("[+-]?\\d{1,2}(\\.\\d+)?")) {
                double hours = Double.parseDouble(t);
                return ZoneOffset.ofTotalSeconds((int) Math.round(hours * 3600));
            }
            if (t.matches("[+-]\\d{1,2}(:\\d{2})?(:\\d{2})?")) {
                return ZoneOffset.of(t.length() <= 3 ? t : t);
            }
            return ZoneId.of(t);
        } catch (DateTimeException e) {
            // Try PostgreSQL's case-insensitive zone names before giving up.
            for (String id : ZoneId.getAvailableZoneIds()) {
                if (id.equalsIgnoreCase(t)) {
                    return ZoneId.of(id);
                }
            }
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for parameter \"TimeZone\": \"" + v + "\"");
        }
    }
}
