package io.lrep.node.server;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client authentication rules in the format of PostgreSQL's {@code pg_hba.conf}: one rule a line,
 * {@code local|host|hostssl|hostnossl|hostgssenc|hostnogssenc DATABASE USER [ADDRESS [MASK]] METHOD [options]};
 * {@code #} starts a comment, a backslash at the end of a line continues it, fields may be
 * double-quoted (a quoted keyword is a plain name), and DATABASE and USER are comma lists. The
 * first rule that matches a connection decides how it authenticates.
 *
 * <ul>
 * <li>DATABASE: {@code all}, {@code sameuser}, {@code samerole} (or {@code samegroup}),
 *     {@code replication}, or names. As in PostgreSQL 15, a physical replication connection
 *     matches only {@code replication}; a logical one ({@code replication=database}) names a
 *     database and matches like a normal connection, not {@code replication}.</li>
 * <li>USER: {@code all}, {@code +role} (members of role), or names.</li>
 * <li>ADDRESS: CIDR ({@code 127.0.0.1/32}, {@code ::1/128}), an address with a separate mask,
 *     {@code all}, {@code samehost}, {@code samenet}, or a host name (resolved forward at match
 *     time).</li>
 * <li>METHOD: {@code trust}, {@code reject}, {@code password}, {@code md5}, {@code scram-sha-256}.</li>
 * </ul>
 * There is no SSL or GSSAPI encryption, so {@code hostssl} and {@code hostgssenc} rules never
 * match (a warning at load), and {@code local} rules never match (no Unix sockets).
 * {@code @file} inclusions are not supported. Immutable once loaded.
 */
public final class HbaConfig {

    private static final Logger LOG = LoggerFactory.getLogger(HbaConfig.class);

    /** How a matching connection authenticates. */
    public enum Method {
        TRUST("trust"), REJECT("reject"), PASSWORD("password"), MD5("md5"), SCRAM_SHA_256("scram-sha-256");

        private final String keyword;

        Method(String keyword) {
            this.keyword = keyword;
        }

        public String keyword() {
            return keyword;
        }
    }

    /** The connection type of a rule. */
    public enum ConnType { LOCAL, HOST, HOSTSSL, HOSTNOSSL, HOSTGSSENC, HOSTNOGSSENC }

    /** One field token: its text and whether it was quoted (quoted keywords are names). */
    record Token(String text, boolean quoted) {
        boolean is(String keyword) {
            return !quoted && text.equals(keyword);
        }
    }

    /** How a rule's address field matches. */
    enum AddressKind { ALL, SAMEHOST, SAMENET, CIDR, HOSTNAME }

    /** One rule; {@code line} is its line number in the file. */
    public record Rule(int line, ConnType type, List<Token> databases, List<Token> users, AddressKind addressKind,
            byte[] address, byte[] mask, String hostname, Method method) {

        public Method method() {
            return method;
        }
    }

    /** What a connection asks for, to match against the rules. */
    public record Request(InetAddress clientAddress, String user, String database, Replication replication) {}

    /** The kind of connection: a normal one, or a walsender's (physical, or logical with a database). */
    public enum Replication { NONE, PHYSICAL, LOGICAL }

    /** Tells whether a role is a member of another (for {@code +role} and {@code samerole}). */
    @FunctionalInterface
    public interface Membership {
        boolean isMember(String user, String role);
    }

    private final Path file;
    private final List<Rule> rules;

    private HbaConfig(Path file, List<Rule> rules) {
        this.file = file;
        this.rules = List.copyOf(rules);
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws LrepException F0000 naming the file and line of the first bad rule, or 58P01 if
     *                       the file cannot be read
     */
    public static HbaConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LrepException(SqlState.UNDEFINED_FILE, "could not open configuration file \"" + file + "\": " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    /** Parses rules from {@code text}; {@code file} names the source in errors. */
    public static HbaConfig parse(Path file, String text) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            StringBuilder logical = new StringBuilder(lines[i]);
            while (endsWithContinuation(logical) && i + 1 < lines.length) {
                logical.setLength(logical.length() - 1);
                logical.append(' ').append(lines[++i]);
            }
            try {
                List<List<Token>> fields = tokenize(logical.toString());
                if (!fields.isEmpty()) {
                    rules.add(parseRule(lineNo, fields));
                }
            } catch (LrepException e) {
                throw new LrepException(SqlState.CONFIG_FILE_ERROR, LrepException.Severity.FATAL,
                        e.getMessage() + " (line " + lineNo + " of configuration file \"" + file + "\")", null, e.hint(), null);
            }
        }
        if (rules.isEmpty()) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "configuration file \"" + file + "\" contains no entries");
        }
        return new HbaConfig(file, rules);
    }

    private static boolean endsWithContinuation(CharSequence line) {
        int comment = line.toString().indexOf('#');
        return comment < 0 && line.length() > 0 && line.charAt(line.length() - 1) == '\\';
    }

    /** Splits a line into fields; each field is a comma list of tokens. */
    private static List<List<Token>> tokenize(String line) {
        List<List<Token>> fields = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '#') {
                break;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            List<Token> field = new ArrayList<>();
            while (true) {
                StringBuilder token = new StringBuilder();
                boolean quoted = false;
                boolean inQuote = false;
                while (i < n) {
                    c = line.charAt(i);
                    if (inQuote) {
                        if (c == '"') {
                            if (i + 1 < n && line.charAt(i + 1) == '"') {
                                token.append('"');
                                i += 2;
                                continue;
                            }
                            inQuote = false;
                        } else {
                            token.append(c);
                        }
                        i++;
                        continue;
                    }
                    if (c == '"') {
                        inQuote = true;
                        quoted = true;
                        i++;
                    } else if (c == ',' || c == '#' || Character.isWhitespace(c)) {
                        break;
                    } else {
                        token.append(c);
                        i++;
                    }
                }
                if (inQuote) {
                    throw new LrepException(SqlState.CONFIG_FILE_ERROR, "unterminated quoted string");
                }
                field.add(new Token(token.toString(), quoted));
                if (i < n && line.charAt(i) == ',') {
                    i++;
                    continue;
                }
                break;
            }
            fields.add(field);
        }
        return fields;
    }

    private static Rule parseRule(int line, List<List<Token>> fields) {
        ConnType type = switch (single(fields.get(0), "connection type")) {
            case "local" -> ConnType.LOCAL;
            case "host" -> ConnType.HOST;
            case "hostssl" -> ConnType.HOSTSSL;
            case "hostnossl" -> ConnType.HOSTNOSSL;
            case "hostgssenc" -> ConnType.HOSTGSSENC;
            case "hostnogssenc" -> ConnType.HOSTNOGSSENC;
            default -> throw new LrepException(SqlState.CONFIG_FILE_ERROR,
                    "invalid connection type \"" + fields.get(0).get(0).text() + "\"");
        };
        if (fields.size() < 2) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "end-of-line before database specification");
        }
        List<Token> databases = checkNames(fields.get(1));
        if (fields.size() < 3) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "end-of-line before role specification");
        }
        List<Token> users = checkNames(fields.get(2));
        int next = 3;
        AddressKind kind = AddressKind.ALL;
        byte[] address = null;
        byte[] mask = null;
        String hostname = null;
        if (type != ConnType.LOCAL) {
            if (fields.size() <= next) {
                throw new LrepException(SqlState.CONFIG_FILE_ERROR, "end-of-line before IP address specification");
            }
            String addr = single(fields.get(next++), "IP address");
            Token addrToken = fields.get(next - 1).get(0);
            if (addrToken.is("all")) {
                kind = AddressKind.ALL;
            } else if (addrToken.is("samehost")) {
                kind = AddressKind.SAMEHOST;
            } else if (addrToken.is("samenet")) {
                kind = AddressKind.SAMENET;
            } else {
                int slash = addr.indexOf('/');
                String host = slash >= 0 ? addr.substring(0, slash) : addr;
                byte[] parsed = parseNumericAddress(host);
                if (parsed == null) {
                    if (slash >= 0) {
                        throw new LrepException(SqlState.CONFIG_FILE_ERROR, "invalid IP address \"" + host + "\"");
                    }
                    kind = AddressKind.HOSTNAME;
                    hostname = host.toLowerCase(Locale.ROOT);
                } else {
                    kind = AddressKind.CIDR;
                    address = parsed;
                    if (slash >= 0) {
                        mask = maskOfLength(addr.substring(slash + 1), parsed.length, addr);
                    } else {
                        if (fields.size() <= next) {
                            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "end-of-line before netmask specification")
                                    .withHint("Specify an address range in CIDR notation, or provide a separate netmask.");
                        }
                        String m = single(fields.get(next++), "netmask");
                        mask = parseNumericAddress(m);
                        if (mask == null) {
                            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "invalid IP mask \"" + m + "\"");
                        }
                        if (mask.length != address.length) {
                            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "IP address and mask do not match");
                        }
                    }
                    for (int b = 0; b < address.length; b++) {
                        address[b] &= mask[b];
                    }
                }
            }
        }
        if (fields.size() <= next) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "end-of-line before authentication method");
        }
        String m = single(fields.get(next++), "authentication method");
        Method method = null;
        for (Method candidate : Method.values()) {
            if (candidate.keyword().equals(m)) {
                method = candidate;
            }
        }
        if (method == null) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "invalid authentication method \"" + m + "\"");
        }
        for (int f = next; f < fields.size(); f++) {
            for (Token option : fields.get(f)) {
                // PostgreSQL's trust/password methods take no options; we support none.
                throw new LrepException(SqlState.CONFIG_FILE_ERROR,
                        "authentication option \"" + option.text() + "\" is not supported for authentication method \"" + m + "\"");
            }
        }
        if (type == ConnType.HOSTSSL || type == ConnType.HOSTGSSENC) {
            LOG.warn("{} record on line {} cannot match because {} is not supported", type.name().toLowerCase(Locale.ROOT), line,
                    type == ConnType.HOSTSSL ? "SSL" : "GSSAPI encryption");
        }
        return new Rule(line, type, databases, users, kind, address, mask, hostname, method);
    }

    private static List<Token> checkNames(List<Token> tokens) {
        for (Token t : tokens) {
            if (!t.quoted() && t.text().startsWith("@")) {
                throw new LrepException(SqlState.CONFIG_FILE_ERROR, "file inclusion \"" + t.text() + "\" is not supported");
            }
            if (t.text().isEmpty()) {
                throw new LrepException(SqlState.CONFIG_FILE_ERROR, "empty name in list");
            }
        }
        return List.copyOf(tokens);
    }

    private static String single(List<Token> field, String what) {
        if (field.size() != 1) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "multiple values specified for " + what);
        }
        return field.get(0).text();
    }

    private static byte[] maskOfLength(String bits, int bytes, String whole) {
        int len;
        try {
            len = Integer.parseInt(bits);
        } catch (NumberFormatException e) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "invalid CIDR mask in address \"" + whole + "\"");
        }
        if (len < 0 || len > bytes * 8) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, "invalid CIDR mask in address \"" + whole + "\"");
        }
        byte[] mask = new byte[bytes];
        for (int b = 0; b < len; b++) {
            mask[b / 8] |= (byte) (0x80 >>> (b % 8));
        }
        return mask;
    }

    /** A numeric IPv4 or IPv6 address, without name resolution; null if {@code s} is not one. */
    static byte[] parseNumericAddress(String s) {
        if (s.isEmpty()) {
            return null;
        }
        if (s.indexOf(':') >= 0) {
            if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return null;
            }
        } else {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                    return null;
                }
            }
        }
        try {
            byte[] a = InetAddress.getByName(s).getAddress();
            return a.length == 4 && s.indexOf(':') >= 0 ? mapped(a) : a; // Java turns ::ffff:a.b.c.d into IPv4
        } catch (UnknownHostException e) {
            return null; // not a literal address; the caller treats it as a host name or an error
        }
    }

    public Path file() {
        return file;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The first rule matching {@code request}, or empty (no pg_hba.conf entry). */
    public Optional<Rule> match(Request request, Membership membership) {
        for (Rule rule : rules) {
            if (matchesType(rule) && matchesAddress(rule, request.clientAddress()) && matchesDatabase(rule, request, membership)
                    && matchesUser(rule, request.user(), membership)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /**
     * The FATAL error for a connection no rule matches, worded as PostgreSQL's.
     */
    public static LrepException noEntry(Request request) {
        String host = request.clientAddress().getHostAddress();
        String message = request.replication() == Replication.PHYSICAL
                ? "no pg_hba.conf entry for replication connection from host \"" + host + "\", user \"" + request.user()
                        + "\", no encryption"
                : "no pg_hba.conf entry for host \"" + host + "\", user \"" + request.user() + "\", database \"" + request.database()
                        + "\", no encryption";
        return new LrepException(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, LrepException.Severity.FATAL, message, null, null, null);
    }

    private static boolean matchesType(Rule rule) {
        // Connections are TCP without SSL or GSSAPI encryption.
        return switch (rule.type()) {
            case HOST, HOSTNOSSL, HOSTNOGSSENC -> true;
            case LOCAL, HOSTSSL, HOSTGSSENC -> false;
        };
    }

    private static boolean matchesDatabase(Rule rule, Request request, Membership membership) {
        for (Token t : rule.databases()) {
            if (request.replication() == Replication.PHYSICAL) {
                // a physical replication connection names no database: only the keyword matches
                if (t.is("replication")) {
                    return true;
                }
            } else if (t.is("all")) {
                return true;
            } else if (t.is("sameuser")) {
                if (request.database().equals(request.user())) {
                    return true;
                }
            } else if (t.is("samerole") || t.is("samegroup")) {
                if (membership.isMember(request.user(), request.database())) {
                    return true;
                }
            } else if (t.is("replication")) {
                continue; // matches physical replication connections only
            } else if (t.text().equals(request.database())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesUser(Rule rule, String user, Membership membership) {
        for (Token t : rule.users()) {
            if (t.is("all")) {
                return true;
            }
            if (!t.quoted() && t.text().startsWith("+")) {
                if (membership.isMember(user, t.text().substring(1))) {
                    return true;
                }
            } else if (t.text().equals(user)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAddress(Rule rule, InetAddress client) {
        return switch (rule.addressKind()) {
            case ALL -> true;
            case CIDR -> inNetwork(client.getAddress(), rule.address(), rule.mask());
            case SAMEHOST -> localInterfaces().stream().anyMatch(a -> a.address().equals(client));
            case SAMENET -> localInterfaces().stream().anyMatch(a -> inNetwork(client.getAddress(),
                    a.address().getAddress(), maskOfLength(Integer.toString(a.prefix()), a.address().getAddress().length, "")));
            case HOSTNAME -> resolvesTo(rule.hostname(), client);
        };
    }

    static boolean inNetwork(byte[] client, byte[] network, byte[] mask) {
        // compare an IPv4 client with an IPv6 rule as its IPv4-mapped address
        byte[] c = client.length == 4 && network.length == 16 ? mapped(client) : client;
        if (c.length != network.length) {
            return false;
        }
        for (int i = 0; i < c.length; i++) {
            if ((c[i] & mask[i]) != (network[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }

    private static byte[] mapped(byte[] ipv4) {
        byte[] c = new byte[16];
        c[10] = (byte) 0xff;
        c[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, c, 12, 4);
        return c;
    }

    private record LocalAddress(InetAddress address, int prefix) {}

    private static List<LocalAddress> localInterfaces() {
        List<LocalAddress> out = new ArrayList<>();
        try {
            Enumeration<NetworkInterface> nics = NetworkInterface.getNetworkInterfaces();
            for (NetworkInterface nic : nics == null ? Collections.<NetworkInterface>emptyList() : Collections.list(nics)) {
                nic.getInterfaceAddresses().forEach(a -> out.add(new LocalAddress(a.getAddress(), Math.max(a.getNetworkPrefixLength(), 0))));
            }
        } catch (SocketException e) {
            // no interface list: samehost and samenet match nothing, which denies rather than allows
            LOG.warn("could not list network interfaces for samehost/samenet: {}", e.toString());
        }
        return out;
    }

    private static boolean resolvesTo(String hostname, InetAddress client) {
        try {
            for (InetAddress a : InetAddress.getAllByName(hostname)) {
                if (a.equals(client)) {
                    return true;
                }
            }
        } catch (UnknownHostException e) {
            // an unresolvable name matches no client, as in PostgreSQL
            return false;
        }
        return false;
    }
}
