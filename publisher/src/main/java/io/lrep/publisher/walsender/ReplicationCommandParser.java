package io.lrep.publisher.walsender;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.publisher.walsender.ReplicationCommand.CreateSlot;
import io.lrep.publisher.walsender.ReplicationCommand.PluginOption;
import io.lrep.publisher.walsender.ReplicationCommand.SnapshotAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the commands of PostgreSQL's streaming-replication protocol (PostgreSQL 15's
 * repl_scanner.l and repl_gram.y, and walsender.c's option checks).
 *
 * <p>Lexing as PostgreSQL's: keywords are case-insensitive; unquoted identifiers are folded to
 * lower case, double-quoted ones are kept; {@code 'strings'} with {@code ''} for a quote;
 * unsigned integers; LSNs {@code X/X} in hex. A text whose first token is not a replication
 * command keyword is not a replication command: {@link #parse} returns null, and a logical
 * walsender runs it as SQL. Errors are 42601 {@code syntax error} as PostgreSQL reports them.
 */
public final class ReplicationCommandParser {

    private static final Set<String> KEYWORDS = Set.of("BASE_BACKUP", "IDENTIFY_SYSTEM", "READ_REPLICATION_SLOT", "SHOW", "TIMELINE",
            "START_REPLICATION", "CREATE_REPLICATION_SLOT", "ALTER_REPLICATION_SLOT", "DROP_REPLICATION_SLOT", "TIMELINE_HISTORY", "PHYSICAL", "RESERVE_WAL",
            "LOGICAL", "SLOT", "TEMPORARY", "TWO_PHASE", "EXPORT_SNAPSHOT", "NOEXPORT_SNAPSHOT", "USE_SNAPSHOT", "WAIT");
    private static final Set<String> COMMANDS = Set.of("IDENTIFY_SYSTEM", "BASE_BACKUP", "START_REPLICATION", "CREATE_REPLICATION_SLOT",
            "ALTER_REPLICATION_SLOT", "DROP_REPLICATION_SLOT", "READ_REPLICATION_SLOT", "TIMELINE_HISTORY", "SHOW");
    /** NAMEDATALEN - 1: longer identifiers are truncated, as PostgreSQL does. */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private enum Kind { KEYWORD, IDENT, SCONST, UCONST, RECPTR, PUNCT, END }

    private record Token(Kind kind, String text, long number) {
        boolean is(String keyword) {
            return kind == Kind.KEYWORD && text.equals(keyword);
        }

        boolean isPunct(char c) {
            return kind == Kind.PUNCT && text.charAt(0) == c;
        }
    }

    private final String sql;
    private int pos;
    private Token current;

    private ReplicationCommandParser(String sql) {
        this.sql = sql;
    }

    /**
     * The replication command {@code sql} holds, or null if its first token is not one (then
     * it is SQL).
     *
     * @throws LrepException 42601 for a malformed replication command
     */
    public static ReplicationCommand parse(String sql) {
        ReplicationCommandParser p = new ReplicationCommandParser(sql);
        Token first;
        try {
            first = p.lex();
        } catch (LrepException e) {
            return null; // not lexable as a replication command: let the SQL parser report it
        }
        if (first.kind() != Kind.KEYWORD || !COMMANDS.contains(first.text())) {
            return null;
        }
        p.current = first;
        ReplicationCommand command = p.command();
        if (p.current.isPunct(';')) {
            p.advance();
        }
        if (p.current.kind() != Kind.END) {
            throw syntaxError();
        }
        return command;
    }

    /** True if {@code sql} starts with a replication command keyword (the rest may still be malformed). */
    public static boolean isReplicationCommand(String sql) {
        try {
            Token first = new ReplicationCommandParser(sql).lex();
            return first.kind() == Kind.KEYWORD && COMMANDS.contains(first.text());
        } catch (LrepException e) {
            return false;
        }
    }

    // ---- grammar ---------------------------------------------------------------------------

    private ReplicationCommand command() {
        Token t = current;
        advance();
        switch (t.text()) {
            case "IDENTIFY_SYSTEM":
                return new ReplicationCommand.IdentifySystem();
            case "SHOW": {
                StringBuilder name = new StringBuilder(identifier());
                while (current.isPunct('.')) {
                    advance();
                    name.append('.').append(identifier());
                }
                return new ReplicationCommand.Show(name.toString());
            }
            case "TIMELINE_HISTORY":
                return new ReplicationCommand.TimelineHistory(unsigned());
            case "READ_REPLICATION_SLOT":
                return new ReplicationCommand.ReadSlot(identifier());
            case "DROP_REPLICATION_SLOT": {
                String name = identifier();
                boolean await = false;
                if (current.is("WAIT")) {
                    advance();
                    await = true;
                }
                return new ReplicationCommand.DropSlot(name, await);
            }
            case "CREATE_REPLICATION_SLOT":
                return createSlot();
            case "ALTER_REPLICATION_SLOT":
                return alterSlot();
            case "START_REPLICATION":
                return startReplication();
            case "BASE_BACKUP":
                while (current.kind() != Kind.END) {
                    advance(); // its options do not matter: it is refused as a whole
                }
                return new ReplicationCommand.BaseBackup();
            default:
                throw syntaxError();
        }
    }

    private ReplicationCommand createSlot() {
        String name = identifier();
        boolean temporary = false;
        if (current.is("TEMPORARY")) {
            advance();
            temporary = true;
        }
        boolean logical;
        String plugin = null;
        if (current.is("PHYSICAL")) {
            advance();
            logical = false;
        } else if (current.is("LOGICAL")) {
            advance();
            logical = true;
            plugin = identifier();
        } else {
            throw syntaxError();
        }
        List<PluginOption> options = new ArrayList<>();
        if (current.isPunct('(')) {
            advance();
            options.add(genericOption());
            while (current.isPunct(',')) {
                advance();
                options.add(genericOption());
            }
            expect(')');
        } else {
            while (current.kind() == Kind.KEYWORD) { // the legacy syntax (PostgreSQL 10 to 14)
                options.add(switch (current.text()) {
                    case "EXPORT_SNAPSHOT" -> new PluginOption("snapshot", "export");
                    case "NOEXPORT_SNAPSHOT" -> new PluginOption("snapshot", "nothing");
                    case "USE_SNAPSHOT" -> new PluginOption("snapshot", "use");
                    case "RESERVE_WAL" -> new PluginOption("reserve_wal", "true");
                    case "TWO_PHASE" -> new PluginOption("two_phase", "true");
                    default -> throw syntaxError();
                });
                advance();
            }
        }
        return slotOptions(name, temporary, logical, plugin, options);
    }

    /** walsender.c's parseCreateReplSlotOptions. */
    private static CreateSlot slotOptions(String name, boolean temporary, boolean logical, String plugin, List<PluginOption> options) {
        SnapshotAction snapshot = SnapshotAction.EXPORT;
        boolean reserveWal = false;
        boolean twoPhase = false;
        boolean failover = false;
        Set<String> given = new HashSet<>();
        for (PluginOption o : options) {
            switch (o.name()) {
                case "snapshot" -> {
                    if (!given.add(o.name()) || !logical) {
                        throw redundant();
                    }
                    String action = o.value() == null ? "" : o.value();
                    snapshot = switch (action) {
                        case "export" -> SnapshotAction.EXPORT;
                        case "nothing" -> SnapshotAction.NOTHING;
                        case "use" -> SnapshotAction.USE;
                        default -> throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                                "unrecognized value for CREATE_REPLICATION_SLOT option \"snapshot\": \"" + action + "\"");
                    };
                }
                case "reserve_wal" -> {
                    if (!given.add(o.name()) || logical) {
                        throw redundant();
                    }
                    reserveWal = bool(o);
                }
                case "two_phase" -> {
                    if (!given.add(o.name()) || !logical) {
                        throw redundant();
                    }
                    twoPhase = bool(o);
                }
                case "failover" -> {
                    if (!given.add(o.name()) || !logical) {
                        throw redundant();
                    }
                    failover = bool(o);
                }
                default -> throw new LrepException(SqlState.SYNTAX_ERROR, "unrecognized option: " + o.name());
            }
        }
        return new CreateSlot(name, temporary, logical, plugin, snapshot, reserveWal, twoPhase, failover);
    }

    /** PostgreSQL 17's {@code ALTER_REPLICATION_SLOT var_name '(' generic_option_list ')'} and ParseAlterReplSlotOptions. */
    private ReplicationCommand alterSlot() {
        String name = identifier();
        expect('(');
        List<PluginOption> options = new ArrayList<>();
        options.add(genericOption());
        while (current.isPunct(',')) {
            advance();
            options.add(genericOption());
        }
        expect(')');
        Boolean failover = null;
        for (PluginOption o : options) {
            if (!o.name().equals("failover")) {
                throw new LrepException(SqlState.INTERNAL_ERROR, "unrecognized option: " + o.name());
            }
            if (failover != null) {
                throw redundant();
            }
            failover = bool(o);
        }
        return new ReplicationCommand.AlterSlot(name, failover);
    }

    private ReplicationCommand startReplication() {
        String slot = null;
        if (current.is("SLOT")) {
            advance();
            slot = identifier();
        }
        if (current.is("LOGICAL")) {
            if (slot == null) {
                throw syntaxError();
            }
            advance();
            long lsn = recptr();
            List<PluginOption> options = new ArrayList<>();
            if (current.isPunct('(')) {
                advance();
                options.add(pluginOption());
                while (current.isPunct(',')) {
                    advance();
                    options.add(pluginOption());
                }
                expect(')');
            }
            return new ReplicationCommand.StartLogical(slot, lsn, options);
        }
        if (current.is("PHYSICAL")) {
            advance();
        }
        long lsn = recptr();
        long timeline = 0;
        if (current.is("TIMELINE")) {
            advance();
            timeline = unsigned();
            if (timeline <= 0) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "invalid timeline " + timeline);
            }
        }
        return new ReplicationCommand.StartPhysical(slot, lsn, timeline);
    }

    /** plugin_opt_elem: IDENT [SCONST]. */
    private PluginOption pluginOption() {
        String name = identifier();
        String value = null;
        if (current.kind() == Kind.SCONST) {
            value = current.text();
            advance();
        }
        return new PluginOption(name, value);
    }

    /** generic_option: ident_or_keyword [IDENT | SCONST | UCONST]. */
    private PluginOption genericOption() {
        String name;
        if (current.kind() == Kind.IDENT) {
            name = current.text();
        } else if (current.kind() == Kind.KEYWORD) {
            name = current.text().toLowerCase(Locale.ROOT);
        } else {
            throw syntaxError();
        }
        advance();
        String value = null;
        if (current.kind() == Kind.IDENT || current.kind() == Kind.SCONST || current.kind() == Kind.UCONST) {
            value = current.text();
            advance();
        }
        return new PluginOption(name, value);
    }

    /** defGetBoolean: no value is true; 0/1, true/false, on/off, yes/no (any case; prefixes as PostgreSQL's parse_bool). */
    private static boolean bool(PluginOption o) {
        if (o.value() == null) {
            return true;
        }
        String v = o.value().toLowerCase(Locale.ROOT);
        switch (v) {
            case "1", "true", "on", "t", "tr", "tru", "y", "ye", "yes":
                return true;
            case "0", "false", "off", "f", "fa", "fal", "fals", "n", "no", "of":
                return false;
            default:
                throw new LrepException(SqlState.SYNTAX_ERROR, o.name() + " requires a Boolean value");
        }
    }

    private String identifier() {
        if (current.kind() != Kind.IDENT) {
            throw syntaxError();
        }
        String s = current.text();
        advance();
        return s;
    }

    private long unsigned() {
        if (current.kind() != Kind.UCONST) {
            throw syntaxError();
        }
        long v = current.number();
        advance();
        return v;
    }

    private long recptr() {
        if (current.kind() != Kind.RECPTR) {
            throw syntaxError();
        }
        long v = current.number();
        advance();
        return v;
    }

    private void expect(char c) {
        if (!current.isPunct(c)) {
            throw syntaxError();
        }
        advance();
    }

    private void advance() {
        current = lex();
    }

    private static LrepException syntaxError() {
        return new LrepException(SqlState.SYNTAX_ERROR, "syntax error");
    }

    private static LrepException redundant() {
        return new LrepException(SqlState.SYNTAX_ERROR, "conflicting or redundant options");
    }

    // ---- lexer -----------------------------------------------------------------------------

    private Token lex() {
        while (pos < sql.length() && isSpace(sql.charAt(pos))) {
            pos++;
        }
        if (pos >= sql.length()) {
            return new Token(Kind.END, "", 0);
        }
        char c = sql.charAt(pos);
        int lsnEnd = lsnEnd(pos);
        if (lsnEnd > 0) {
            String text = sql.substring(pos, lsnEnd);
            pos = lsnEnd;
            int slash = text.indexOf('/');
            try {
                long hi = Long.parseLong(text.substring(0, slash), 16);
                long lo = Long.parseLong(text.substring(slash + 1), 16);
                if (hi > 0xFFFFFFFFL || lo > 0xFFFFFFFFL) {
                    throw new NumberFormatException(text);
                }
                return new Token(Kind.RECPTR, text, hi << 32 | lo);
            } catch (NumberFormatException e) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "invalid streaming start location");
            }
        }
        if (c >= '0' && c <= '9') {
            int start = pos;
            while (pos < sql.length() && sql.charAt(pos) >= '0' && sql.charAt(pos) <= '9') {
                pos++;
            }
            String digits = sql.substring(start, pos);
            long v;
            try {
                v = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                v = Long.MAX_VALUE;
            }
            return new Token(Kind.UCONST, digits, v);
        }
        if (c == '\'' || c == '"') {
            return quoted(c);
        }
        if (identStart(c)) {
            int start = pos;
            while (pos < sql.length() && identCont(sql.charAt(pos))) {
                pos++;
            }
            String word = sql.substring(start, pos);
            String upper = word.toUpperCase(Locale.ROOT);
            if (KEYWORDS.contains(upper)) {
                return new Token(Kind.KEYWORD, upper, 0);
            }
            return new Token(Kind.IDENT, truncate(word.toLowerCase(Locale.ROOT)), 0);
        }
        if (c == ',' || c == ';' || c == '(' || c == ')' || c == '.') {
            pos++;
            return new Token(Kind.PUNCT, String.valueOf(c), 0);
        }
        throw new LrepException(SqlState.SYNTAX_ERROR, "syntax error: unexpected character \"" + c + "\"");
    }

    private Token quoted(char quote) {
        StringBuilder text = new StringBuilder();
        int i = pos + 1;
        while (true) {
            if (i >= sql.length()) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "unterminated quoted string");
            }
            char ch = sql.charAt(i);
            if (ch == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    text.append(quote);
                    i += 2;
                    continue;
                }
                break;
            }
            text.append(ch);
            i++;
        }
        pos = i + 1;
        if (quote == '\'') {
            return new Token(Kind.SCONST, text.toString(), 0);
        }
        if (text.length() == 0) {
            throw new LrepException(SqlState.SYNTAX_ERROR, "zero-length delimited identifier");
        }
        return new Token(Kind.IDENT, truncate(text.toString()), 0);
    }

    /** The end of an {@code X/X} LSN starting at {@code start}, or -1. */
    private int lsnEnd(int start) {
        int i = start;
        while (i < sql.length() && Character.digit(sql.charAt(i), 16) >= 0) {
            i++;
        }
        if (i == start || i >= sql.length() || sql.charAt(i) != '/') {
            return -1;
        }
        int j = i + 1;
        while (j < sql.length() && Character.digit(sql.charAt(j), 16) >= 0) {
            j++;
        }
        return j == i + 1 ? -1 : j;
    }

    private static String truncate(String identifier) {
        if (identifier.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
            return identifier;
        }
        int end = identifier.length();
        while (identifier.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            end--;
        }
        return identifier.substring(0, end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    private static boolean identStart(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
    }

    private static boolean identCont(char c) {
        return identStart(c) || (c >= '0' && c <= '9') || c == '$';
    }
}
