package io.lrep.publisher.pgoutput;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.pgoutput.PgOutputDescriptor;
import io.lrep.publisher.walsender.ReplicationCommand.PluginOption;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The pgoutput options of one {@code START_REPLICATION ... LOGICAL} (PostgreSQL's
 * {@code parse_output_parameters} and the checks of {@code pgoutput_startup}).
 *
 * @param protocolVersion  {@code proto_version}, 1 to 4
 * @param publicationNames {@code publication_names}, at least one, as SplitIdentifierString splits them
 * @param binary           {@code binary}: values in the types' binary send format
 * @param messages         {@code messages}: forward pg_logical_emit_message messages
 * @param streaming        {@code streaming}: stream large in-progress transactions
 * @param originNone       {@code origin = none}: drop transactions that carry a replication origin
 */
public record PgOutputOptions(int protocolVersion, List<String> publicationNames, boolean binary, boolean messages,
        Streaming streaming, boolean originNone) {

    /** The {@code streaming} option's values. */
    public enum Streaming {
        /** Large transactions are spilled and sent whole at commit. */
        OFF,
        /** Large transactions are streamed in progress (protocol 2+). */
        ON,
        /** As ON, for a subscriber applying in parallel: Stream Abort carries the abort LSN and time (protocol 4). */
        PARALLEL
    }

    /** Protocol versions the plugin speaks. */
    public static final int MIN_PROTOCOL_VERSION = PgOutputDescriptor.MIN_PROTOCOL_VERSION;
    public static final int MAX_PROTOCOL_VERSION = PgOutputDescriptor.MAX_PROTOCOL_VERSION;
    /** The lowest protocol version with streaming, two-phase and parallel streaming. */
    public static final int STREAM_VERSION = PgOutputDescriptor.STREAMING_PROTOCOL_VERSION;
    public static final int TWO_PHASE_VERSION = PgOutputDescriptor.TWO_PHASE_PROTOCOL_VERSION;
    public static final int STREAM_PARALLEL_VERSION = PgOutputDescriptor.PARALLEL_STREAMING_PROTOCOL_VERSION;

    /** NAMEDATALEN - 1: names longer than this many bytes are truncated. */
    private static final int NAME_MAX_BYTES = 63;
    private static final BigInteger UINT32_MAX = BigInteger.valueOf(0xFFFF_FFFFL);
    private static final BigInteger ULONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    public PgOutputOptions {
        publicationNames = List.copyOf(publicationNames);
    }

    /** Whether large transactions are streamed in progress. */
    public boolean streams() {
        return streaming != Streaming.OFF;
    }

    /**
     * Parses and checks the options as PostgreSQL does, in its order: first each option as
     * given (an option given twice: 42601 {@code conflicting or redundant options}; an unknown
     * one: XX000 {@code unrecognized pgoutput option: x}; bad values: {@code invalid
     * proto_version}, {@code proto_version "x" out of range}, 42602 {@code invalid
     * publication_names syntax}, 42601 {@code binary requires a Boolean value}, {@code streaming
     * requires a Boolean value or "parallel"}, 22023 {@code unrecognized origin value: "x"}), then
     * 0A000 {@code client sent proto_version=N but we only support protocol 4 or lower} (or
     * {@code 1 or higher}; a missing proto_version counts as 0), 22023 {@code publication_names
     * parameter missing}, 22023 {@code requested proto_version=N does not support streaming, need
     * 2 or higher} (parallel: {@code ... parallel streaming, need 4 or higher}), and for
     * {@code two_phase} 22023 {@code requested proto_version=N does not support two-phase commit,
     * need 3 or higher}, or, from protocol 3 on, {@code two-phase commit requested, but not
     * supported by output plugin}: lrep has no prepared transactions, so only
     * {@code two_phase = false} is accepted.
     */
    public static PgOutputOptions parse(List<PluginOption> options) {
        long protocolVersion = 0;
        List<String> names = List.of();
        boolean binary = false;
        boolean messages = false;
        Streaming streaming = Streaming.OFF;
        boolean twoPhase = false;
        boolean originNone = false;
        List<String> given = new ArrayList<>();
        for (PluginOption o : options) {
            String name = o.name();
            boolean known = switch (name) {
                case "proto_version", "publication_names", "binary", "messages", "streaming", "two_phase", "origin" -> true;
                default -> false;
            };
            if (!known) {
                throw new LrepException(SqlState.INTERNAL_ERROR, "unrecognized pgoutput option: " + name);
            }
            if (given.contains(name)) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "conflicting or redundant options");
            }
            given.add(name);
            switch (name) {
                case "proto_version" -> protocolVersion = parseProtocolVersion(required(o));
                case "publication_names" -> {
                    names = splitIdentifiers(required(o));
                    if (names == null) {
                        throw new LrepException(SqlState.INVALID_NAME, "invalid publication_names syntax");
                    }
                }
                case "binary" -> binary = parseBoolean(o);
                case "messages" -> messages = parseBoolean(o);
                case "streaming" -> streaming = parseStreaming(o);
                case "two_phase" -> twoPhase = parseBoolean(o);
                default -> {
                    String v = required(o);
                    if (v.equalsIgnoreCase("none")) {
                        originNone = true;
                    } else if (!v.equalsIgnoreCase("any")) {
                        throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "unrecognized origin value: \"" + v + "\"");
                    }
                }
            }
        }
        // PostgreSQL keeps proto_version in a uint32 and prints it with %d.
        int version = (int) protocolVersion;
        if (protocolVersion > MAX_PROTOCOL_VERSION) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "client sent proto_version=" + version
                    + " but we only support protocol " + MAX_PROTOCOL_VERSION + " or lower");
        }
        if (protocolVersion < MIN_PROTOCOL_VERSION) {
            throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "client sent proto_version=" + version
                    + " but we only support protocol " + MIN_PROTOCOL_VERSION + " or higher");
        }
        if (names.isEmpty()) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "publication_names parameter missing");
        }
        if (streaming == Streaming.ON && version < STREAM_VERSION) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "requested proto_version=" + version
                    + " does not support streaming, need " + STREAM_VERSION + " or higher");
        }
        if (streaming == Streaming.PARALLEL && version < STREAM_PARALLEL_VERSION) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "requested proto_version=" + version
                    + " does not support parallel streaming, need " + STREAM_PARALLEL_VERSION + " or higher");
        }
        if (twoPhase) {
            if (version < TWO_PHASE_VERSION) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "requested proto_version=" + version
                        + " does not support two-phase commit, need " + TWO_PHASE_VERSION + " or higher");
            }
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                    "two-phase commit requested, but not supported by output plugin");
        }
        return new PgOutputOptions(version, names, binary, messages, streaming, originNone);
    }

    /** An option's value; one given without a value is 42601 {@code x requires a parameter} (PostgreSQL's defGetString). */
    private static String required(PluginOption o) {
        if (o.value() == null) {
            throw new LrepException(SqlState.SYNTAX_ERROR, o.name() + " requires a parameter");
        }
        return o.value();
    }

    /** strtoul(value, &end, 10) with PostgreSQL's checks: the whole string, at most 2^32 - 1. */
    private static long parseProtocolVersion(String value) {
        int i = 0;
        int n = value.length();
        while (i < n && isCSpace(value.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (value.charAt(i) == '+' || value.charAt(i) == '-')) {
            negative = value.charAt(i) == '-';
            i++;
        }
        int digitsFrom = i;
        while (i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
            i++;
        }
        if (i == digitsFrom) {
            // no number at all: strtoul leaves the end at the start, so only "" passes (as 0)
            if (!value.isEmpty()) {
                throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid proto_version");
            }
            return 0;
        }
        if (i != n) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid proto_version");
        }
        BigInteger parsed = new BigInteger(value.substring(digitsFrom, i));
        if (parsed.compareTo(ULONG_MAX) > 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid proto_version"); // ERANGE
        }
        if (negative && parsed.signum() != 0) {
            parsed = ULONG_MAX.add(BigInteger.ONE).subtract(parsed); // strtoul negates in unsigned long
        }
        if (parsed.compareTo(UINT32_MAX) > 0) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "proto_version \"" + value + "\" out of range");
        }
        return parsed.longValue();
    }

    /** PostgreSQL's defGetBoolean for a string value: true/false/on/off in any case; no value means true. */
    private static boolean parseBoolean(PluginOption o) {
        String v = o.value();
        if (v == null) {
            return true;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equalsIgnoreCase("off")) {
            return false;
        }
        throw new LrepException(SqlState.SYNTAX_ERROR, o.name() + " requires a Boolean value");
    }

    /** defGetStreamingMode: a Boolean or {@code parallel}. */
    private static Streaming parseStreaming(PluginOption o) {
        String v = o.value();
        if (v == null || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("on")) {
            return Streaming.ON;
        }
        if (v.equalsIgnoreCase("false") || v.equalsIgnoreCase("off")) {
            return Streaming.OFF;
        }
        if (v.equalsIgnoreCase("parallel")) {
            return Streaming.PARALLEL;
        }
        throw new LrepException(SqlState.SYNTAX_ERROR, o.name() + " requires a Boolean value or \"parallel\"");
    }

    /**
     * PostgreSQL's SplitIdentifierString with ',' as separator: blanks around names are
     * skipped; an unquoted name ends at a comma or blank and is downcased (ASCII letters only);
     * a double-quoted name keeps its case and {@code ""} stands for one quote; every name is
     * truncated to 63 bytes. Returns null for bad syntax (an empty unquoted name, a missing
     * closing quote, text after a name), an empty list for an empty or blank string.
     */
    static List<String> splitIdentifiers(String raw) {
        List<String> out = new ArrayList<>();
        int n = raw.length();
        int i = 0;
        while (i < n && isCSpace(raw.charAt(i))) {
            i++;
        }
        if (i == n) {
            return out;
        }
        while (true) {
            StringBuilder name = new StringBuilder();
            if (raw.charAt(i) == '"') {
                i++;
                while (true) {
                    int q = raw.indexOf('"', i);
                    if (q < 0) {
                        return null;
                    }
                    name.append(raw, i, q);
                    if (q + 1 < n && raw.charAt(q + 1) == '"') {
                        name.append('"');
                        i = q + 2;
                    } else {
                        i = q + 1;
                        break;
                    }
                }
            } else {
                int from = i;
                while (i < n && raw.charAt(i) != ',' && !isCSpace(raw.charAt(i))) {
                    i++;
                }
                if (i == from) {
                    return null;
                }
                name.append(asciiLower(raw.substring(from, i)));
            }
            while (i < n && isCSpace(raw.charAt(i))) {
                i++;
            }
            out.add(truncate(name.toString()));
            if (i == n) {
                return out;
            }
            if (raw.charAt(i) != ',') {
                return null;
            }
            i++;
            while (i < n && isCSpace(raw.charAt(i))) {
                i++;
            }
            if (i == n) {
                return null; // a trailing comma: an empty name follows
            }
        }
    }

    private static String asciiLower(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }

    /** Cuts a name to at most 63 UTF-8 bytes, never inside a character (truncate_identifier). */
    private static String truncate(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= NAME_MAX_BYTES) {
            return name;
        }
        int bytes = 0;
        int k = 0;
        while (k < name.length()) {
            int cp = name.codePointAt(k);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > NAME_MAX_BYTES) {
                break;
            }
            bytes += len;
            k += Character.charCount(cp);
        }
        return name.substring(0, k);
    }

    /** scanner_isspace: space, tab, newline, carriage return, form feed. */
    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }
}
