package io.lrep.subscriber.client;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A libpq connection string, parsed as {@code PQconninfoParse} does and without connecting:
 * {@code key=value} pairs (values optionally single-quoted, backslash escapes) or a
 * {@code postgresql://} / {@code postgres://} URI
 * ({@code postgresql://user:pw@host1:p1,host2:p2/db?key=value}, percent-decoded).
 *
 * <p>Every keyword of PostgreSQL 15's libpq is accepted (an unknown one is an error, as in
 * libpq); the ones the client acts on are host, hostaddr, port, dbname, user, password,
 * application_name, fallback_application_name, client_encoding, options, connect_timeout,
 * target_session_attrs, sslmode and replication. Checks that libpq makes only when connecting
 * (port numbers, host and port counts, sslmode and target_session_attrs values) are made by
 * {@link #hosts()} and the other accessors, and raise {@link ClientException} (08006).
 *
 * <p>Immutable; {@link #with} and {@link #withDefault} make copies.
 */
public final class ConnInfo {

    /** libpq's default port. */
    public static final int DEFAULT_PORT = 5432;

    /** PostgreSQL 15's libpq connection keywords (PQconninfoOptions). */
    public static final Set<String> KEYWORDS = Set.of("service", "user", "password", "passfile", "channel_binding",
            "connect_timeout", "dbname", "host", "hostaddr", "port", "client_encoding", "options", "application_name",
            "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
            "tcp_user_timeout", "sslmode", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslcrl",
            "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version", "gssencmode",
            "krbsrvname", "gsslib", "replication", "target_session_attrs");

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    private static final Set<String> SESSION_ATTRS = Set.of("any", "read-write", "read-only", "primary", "standby",
            "prefer-standby");

    private final Map<String, String> values;

    private ConnInfo(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** One host to try: the name (for messages), the address to connect to, and the port. */
    public record HostAddress(String host, String hostaddr, int port) {
        /** What to connect to: hostaddr when given, else host. */
        public String connectTo() {
            return hostaddr != null && !hostaddr.isEmpty() ? hostaddr : host;
        }

        @Override
        public String toString() {
            return connectTo() + ":" + port;
        }
    }

    /** An empty connection string: every setting at its default. */
    public static ConnInfo empty() {
        return new ConnInfo(new LinkedHashMap<>());
    }

    /**
     * Parses a key=value string or a URI.
     *
     * @throws LrepException 42601 {@code invalid connection string syntax: <libpq's message>}
     */
    public static ConnInfo parse(String conninfo) {
        Map<String, String> values = new LinkedHashMap<>();
        if (conninfo.startsWith("postgresql://") || conninfo.startsWith("postgres://")) {
            parseUri(conninfo, values);
        } else {
            parseKeywordValue(conninfo, values);
        }
        return new ConnInfo(values);
    }

    /** True when {@code s} is a URI or contains '=', as libpq's {@code recognized_connection_string}. */
    public static boolean looksLikeConnectionString(String s) {
        return s.startsWith("postgresql://") || s.startsWith("postgres://") || s.indexOf('=') >= 0;
    }

    /** A copy with {@code key} set (an empty value counts as unset, as in libpq). */
    public ConnInfo with(String key, String value) {
        checkKeyword(key);
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new ConnInfo(copy);
    }

    /** A copy with {@code key} set unless the string already sets it. */
    public ConnInfo withDefault(String key, String value) {
        return isSet(key) ? this : with(key, value);
    }

    /** The value of a keyword as written, or null when not set. */
    public String get(String key) {
        checkKeyword(key);
        return values.get(key);
    }

    /** Every keyword the string sets, in order. */
    public Map<String, String> values() {
        return values;
    }

    private boolean isSet(String key) {
        String v = values.get(key);
        return v != null && !v.isEmpty();
    }

    private String nonEmpty(String key) {
        return isSet(key) ? values.get(key) : null;
    }

    /** The user: as set, else the operating-system user (libpq's default). */
    public String user() {
        String u = nonEmpty("user");
        return u != null ? u : System.getProperty("user.name");
    }

    /** The database: as set, else the user name. */
    public String dbname() {
        String d = nonEmpty("dbname");
        return d != null ? d : user();
    }

    /** The password, or null. */
    public String password() {
        return values.get("password");
    }

    public String applicationName() {
        return nonEmpty("application_name");
    }

    public String fallbackApplicationName() {
        return nonEmpty("fallback_application_name");
    }

    public String options() {
        return nonEmpty("options");
    }

    public String clientEncoding() {
        return nonEmpty("client_encoding");
    }

    /** The replication startup parameter (database, true, ...), or null for a normal session. */
    public String replication() {
        return nonEmpty("replication");
    }

    /** sslmode, default prefer. */
    public String sslmode() {
        String mode = nonEmpty("sslmode");
        if (mode == null) {
            return "prefer";
        }
        if (!SSL_MODES.contains(mode)) {
            throw new ClientException("invalid sslmode value: \"" + mode + "\"");
        }
        return mode;
    }

    /** target_session_attrs, default any. */
    public String targetSessionAttrs() {
        String attrs = nonEmpty("target_session_attrs");
        if (attrs == null) {
            return "any";
        }
        if (!SESSION_ATTRS.contains(attrs)) {
            throw new ClientException("invalid target_session_attrs value: \"" + attrs + "\"");
        }
        return attrs;
    }

    /** connect_timeout in seconds per host; 0 = wait indefinitely; 1 counts as 2, as in libpq. */
    public int connectTimeoutSeconds() {
        String t = nonEmpty("connect_timeout");
        if (t == null) {
            return 0;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(t.trim());
        } catch (NumberFormatException e) {
            throw new ClientException("invalid integer value \"" + t + "\" for connection option \"connect_timeout\"");
        }
        return seconds <= 0 ? 0 : Math.max(seconds, 2);
    }

    /**
     * The hosts to try, in order: host, hostaddr and port split at commas; one port serves
     * every host; an empty entry means the default (localhost, 5432).
     */
    public List<HostAddress> hosts() {
        List<String> hostList = split(nonEmpty("host"));
        List<String> addrList = split(nonEmpty("hostaddr"));
        List<String> portList = split(nonEmpty("port"));
        int n = Math.max(hostList.size(), addrList.size());
        if (n == 0) {
            n = 1;
        }
        if (!hostList.isEmpty() && !addrList.isEmpty() && hostList.size() != addrList.size()) {
            throw new ClientException("could not match " + hostList.size() + " host names to " + addrList.size()
                    + " hostaddr values");
        }
        if (portList.size() > 1 && portList.size() != n) {
            throw new ClientException("could not match " + portList.size() + " port numbers to " + n + " hosts");
        }
        List<HostAddress> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String host = i < hostList.size() ? hostList.get(i) : "";
            String addr = i < addrList.size() ? addrList.get(i) : "";
            String portText = portList.isEmpty() ? "" : portList.get(portList.size() == 1 ? 0 : i);
            if (host.isEmpty() && addr.isEmpty()) {
                host = "localhost";
            }
            if (host.startsWith("/")) {
                throw new ClientException("Unix-domain socket connections are not supported: \"" + host + "\"");
            }
            result.add(new HostAddress(host.isEmpty() ? addr : host, addr.isEmpty() ? null : addr, port(portText)));
        }
        return result;
    }

    private static int port(String text) {
        if (text.isEmpty()) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below, as libpq does
        }
        throw new ClientException("invalid port number: \"" + text + "\"");
    }

    private static List<String> split(String commaList) {
        if (commaList == null) {
            return List.of();
        }
        List<String> parts = new ArrayList<>();
        int from = 0;
        while (true) {
            int comma = commaList.indexOf(',', from);
            if (comma < 0) {
                parts.add(commaList.substring(from));
                return parts;
            }
            parts.add(commaList.substring(from, comma));
            from = comma + 1;
        }
    }

    /** The string as key=value pairs, password masked. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(k).append('=').append(k.equals("password") ? "********" : quote(v));
        });
        return b.toString();
    }

    /** A value quoted for a key=value string when it needs to be. */
    public static String quote(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '\\')) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnInfo c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    // ---------------------------------------------------------------- parsing

    private static LrepException syntax(String libpqMessage) {
        return new LrepException(SqlState.SYNTAX_ERROR, "invalid connection string syntax: " + libpqMessage);
    }

    private static void checkKeyword(String key) {
        if (!KEYWORDS.contains(key)) {
            throw syntax("invalid connection option \"" + key + "\"");
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** libpq's conninfo_parse. */
    private static void parseKeywordValue(String s, Map<String, String> out) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            if (isSpace(s.charAt(i))) {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < n && s.charAt(i) != '=' && !isSpace(s.charAt(i))) {
                i++;
            }
            String name = s.substring(nameStart, i);
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw syntax("missing \"=\" after \"" + name + "\" in connection info string");
            }
            i++;
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw syntax("unterminated quoted string in connection info string");
                    }
                    char c = s.charAt(i);
                    if (c == '\\') {
                        i++;
                        if (i < n) {
                            value.append(s.charAt(i++));
                        }
                        continue;
                    }
                    i++;
                    if (c == '\'') {
                        break;
                    }
                    value.append(c);
                }
            } else {
                while (i < n && !isSpace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = s.charAt(i++);
                    } else if (c == '\\') {
                        break;
                    }
                    value.append(c);
                }
            }
            checkKeyword(name);
            out.put(name, value.toString());
        }
    }

    /** libpq's conninfo_uri_parse_options. */
    private static void parseUri(String uri, Map<String, String> out) {
        int prefix = uri.startsWith("postgresql://") ? "postgresql://".length() : "postgres://".length();
        int n = uri.length();
        int p = prefix;
        // user info: up to '@' when it comes before any '/' or '?'
        int at = p;
        while (at < n && uri.charAt(at) != '@' && uri.charAt(at) != '/' && uri.charAt(at) != '?') {
            at++;
        }
        if (at < n && uri.charAt(at) == '@') {
            String userInfo = uri.substring(p, at);
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            if (!user.isEmpty()) {
                out.put("user", percentDecode(user, uri));
            }
            if (colon >= 0) {
                String password = userInfo.substring(colon + 1);
                if (!password.isEmpty()) {
                    out.put("password", percentDecode(password, uri));
                }
            }
            p = at + 1;
        }
        StringBuilder hosts = new StringBuilder();
        StringBuilder ports = new StringBuilder();
        boolean anyHost = false;
        boolean anyPort = false;
        boolean first = true;
        while (true) {
            if (!first) {
                hosts.append(',');
                ports.append(',');
            }
            first = false;
            String host;
            if (p < n && uri.charAt(p) == '[') {
                int close = uri.indexOf(']', p + 1);
                if (close < 0) {
                    throw syntax("end of string reached when looking for matching \"]\" in IPv6 host address in URI: \""
                            + uri + "\"");
                }
                if (close == p + 1) {
                    throw syntax("IPv6 host address may not be empty in URI: \"" + uri + "\"");
                }
                host = uri.substring(p + 1, close);
                p = close + 1;
                if (p < n && ":/?,".indexOf(uri.charAt(p)) < 0) {
                    throw syntax("unexpected character \"" + uri.charAt(p) + "\" at position " + (p + 1)
                            + " in URI (expected \":\" or \"/\"): \"" + uri + "\"");
                }
            } else {
                int start = p;
                while (p < n && ":/?,".indexOf(uri.charAt(p)) < 0) {
                    p++;
                }
                host = percentDecode(uri.substring(start, p), uri);
            }
            anyHost |= !host.isEmpty();
            hosts.append(host);
            if (p < n && uri.charAt(p) == ':') {
                int start = ++p;
                while (p < n && "/?,".indexOf(uri.charAt(p)) < 0) {
                    p++;
                }
                String port = percentDecode(uri.substring(start, p), uri);
                anyPort |= !port.isEmpty();
                ports.append(port);
            }
            if (p < n && uri.charAt(p) == ',') {
                p++;
                continue;
            }
            break;
        }
        if (anyHost) {
            out.put("host", hosts.toString());
        }
        if (anyPort) {
            out.put("port", ports.toString());
        }
        if (p < n && uri.charAt(p) == '/') {
            int start = ++p;
            while (p < n && uri.charAt(p) != '?') {
                p++;
            }
            String db = uri.substring(start, p);
            if (!db.isEmpty()) {
                out.put("dbname", percentDecode(db, uri));
            }
        }
        if (p < n && uri.charAt(p) == '?') {
            parseUriQuery(uri.substring(p + 1), uri, out);
        }
    }

    private static void parseUriQuery(String query, String uri, Map<String, String> out) {
        for (String param : query.split("&", -1)) {
            if (param.isEmpty()) {
                continue;
            }
            int eq = param.indexOf('=');
            if (eq < 0) {
                throw syntax("missing key/value separator \"=\" in URI query parameter: \"" + param + "\"");
            }
            if (param.indexOf('=', eq + 1) >= 0) {
                throw syntax("extra key/value separator \"=\" in URI query parameter: \"" + param + "\"");
            }
            String key = percentDecode(param.substring(0, eq), uri);
            String value = percentDecode(param.substring(eq + 1), uri);
            if (key.equals("ssl") && value.equals("true")) {
                key = "sslmode";
                value = "require";
            }
            if (!KEYWORDS.contains(key)) {
                throw syntax("invalid URI query parameter: \"" + key + "\"");
            }
            out.put(key, value);
        }
    }

    private static String percentDecode(String s, String uri) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != '%') {
                bytes.write(raw[i]);
                continue;
            }
            int hi = i + 1 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
            int lo = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
            if (hi < 0 || lo < 0) {
                throw syntax("invalid percent-encoded token: \"" + s + "\"");
            }
            int b = hi << 4 | lo;
            if (b == 0) {
                throw syntax("forbidden value %00 in percent-encoded value: \"" + s + "\"");
            }
            bytes.write(b);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
