package io.lrep.subscriber.subscription;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code WITH (...)} options of CREATE and ALTER SUBSCRIPTION, parsed and checked as
 * PostgreSQL 15's {@code parse_subscription_options} does: each statement form supports a set
 * of options (others are 42601 {@code unrecognized subscription parameter}); an option given
 * twice is 42601 {@code conflicting or redundant options}; {@code connect = false} turns
 * {@code enabled}, {@code create_slot} and {@code copy_data} off and conflicts with their
 * explicit {@code true}; {@code slot_name = NONE} needs {@code enabled = false} and
 * {@code create_slot = false}. lrep adds PostgreSQL 16's {@code origin} and
 * {@code password_required} and PostgreSQL 17's {@code failover}; {@code two_phase = true} is
 * refused (0A000).
 */
public final class SubscriptionOptions {

    /** An option of a WITH list: its name, its value as written (null when absent), its position in the statement (0 = unknown). */
    public record Option(String name, String value, int pos) {
    }

    /** The options, by their SQL names. */
    public static final String CONNECT = "connect";
    public static final String ENABLED = "enabled";
    public static final String CREATE_SLOT = "create_slot";
    public static final String SLOT_NAME = "slot_name";
    public static final String COPY_DATA = "copy_data";
    public static final String SYNCHRONOUS_COMMIT = "synchronous_commit";
    public static final String REFRESH = "refresh";
    public static final String BINARY = "binary";
    public static final String STREAMING = "streaming";
    public static final String TWO_PHASE = "two_phase";
    public static final String DISABLE_ON_ERROR = "disable_on_error";
    public static final String LSN = "lsn";
    public static final String ORIGIN = "origin";
    public static final String PASSWORD_REQUIRED = "password_required";
    public static final String FAILOVER = "failover";

    /** CREATE SUBSCRIPTION ... WITH. */
    public static final Set<String> FOR_CREATE = Set.of(CONNECT, ENABLED, CREATE_SLOT, SLOT_NAME, COPY_DATA, SYNCHRONOUS_COMMIT,
            BINARY, STREAMING, TWO_PHASE, DISABLE_ON_ERROR, ORIGIN, PASSWORD_REQUIRED, FAILOVER);
    /** ALTER SUBSCRIPTION ... SET (...). */
    public static final Set<String> FOR_SET = Set.of(SLOT_NAME, SYNCHRONOUS_COMMIT, BINARY, STREAMING, DISABLE_ON_ERROR, ORIGIN,
            PASSWORD_REQUIRED, FAILOVER);
    /** ALTER SUBSCRIPTION ... SET / ADD PUBLICATION ... WITH. */
    public static final Set<String> FOR_SET_PUBLICATION = Set.of(REFRESH, COPY_DATA);
    /** ALTER SUBSCRIPTION ... DROP PUBLICATION ... WITH. */
    public static final Set<String> FOR_DROP_PUBLICATION = Set.of(REFRESH);
    /** ALTER SUBSCRIPTION ... REFRESH PUBLICATION WITH. */
    public static final Set<String> FOR_REFRESH = Set.of(COPY_DATA);
    /** ALTER SUBSCRIPTION ... SKIP. */
    public static final Set<String> FOR_SKIP = Set.of(LSN);

    private static final Set<String> SYNC_COMMIT_VALUES = Set.of("local", "remote_write", "remote_apply", "on", "off",
            "true", "false", "yes", "no", "1", "0");

    private final Set<String> specified;
    private boolean connect = true;
    private boolean enabled = true;
    private boolean createSlot = true;
    private String slotName;
    private boolean copyData = true;
    private String synchronousCommit;
    private boolean refresh = true;
    private boolean binary;
    private boolean streaming;
    private boolean twoPhase;
    private boolean disableOnError;
    private long lsn;
    private String origin = "any";
    private boolean passwordRequired = true;
    private boolean failover;

    private SubscriptionOptions(Set<String> specified) {
        this.specified = specified;
    }

    /**
     * Parses {@code options} for a statement form that supports {@code supported} (one of the
     * {@code FOR_*} sets), applying the defaults and the cross-checks of PostgreSQL 15.
     */
    public static SubscriptionOptions parse(List<Option> options, Set<String> supported) {
        SubscriptionOptions o = new SubscriptionOptions(new HashSet<>());
        if (!supported.contains(CONNECT)) {
            o.connect = false;
        }
        if (!supported.contains(ENABLED)) {
            o.enabled = false;
        }
        if (!supported.contains(CREATE_SLOT)) {
            o.createSlot = false;
        }
        if (!supported.contains(COPY_DATA)) {
            o.copyData = false;
        }
        if (!supported.contains(REFRESH)) {
            o.refresh = false;
        }
        for (Option opt : options) {
            String name = opt.name().toLowerCase(Locale.ROOT);
            if (!supported.contains(name)) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "unrecognized subscription parameter: \"" + opt.name() + "\"");
            }
            if (!o.specified.add(name)) {
                throw new LrepException(SqlState.SYNTAX_ERROR, "conflicting or redundant options").withPosition(opt.pos());
            }
            switch (name) {
                case CONNECT -> o.connect = bool(opt);
                case ENABLED -> o.enabled = bool(opt);
                case CREATE_SLOT -> o.createSlot = bool(opt);
                case SLOT_NAME -> {
                    String v = string(opt);
                    o.slotName = v.equals("none") ? null : validSlotName(v);
                }
                case COPY_DATA -> o.copyData = bool(opt);
                case SYNCHRONOUS_COMMIT -> {
                    String v = string(opt);
                    if (!SYNC_COMMIT_VALUES.contains(v.toLowerCase(Locale.ROOT))) {
                        throw new LrepException(SqlState.INVALID_PARAMETER_VALUE,
                                "invalid value for parameter \"synchronous_commit\": \"" + v + "\"")
                                .withHint("Available values: local, remote_write, remote_apply, on, off.");
                    }
                    o.synchronousCommit = v;
                }
                case REFRESH -> o.refresh = bool(opt);
                case BINARY -> o.binary = bool(opt);
                case STREAMING -> o.streaming = bool(opt);
                case TWO_PHASE -> {
                    o.twoPhase = bool(opt);
                    if (o.twoPhase) {
                        throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "two_phase = true is not supported by lrep");
                    }
                }
                case DISABLE_ON_ERROR -> o.disableOnError = bool(opt);
                case LSN -> {
                    String v = string(opt);
                    if (v.equals("none")) {
                        o.lsn = 0;
                    } else {
                        long l;
                        try {
                            l = Lsn.parseLong(v);
                        } catch (RuntimeException e) {
                            throw new LrepException(SqlState.INVALID_TEXT_REPRESENTATION,
                                    "invalid input syntax for type pg_lsn: \"" + v + "\"");
                        }
                        if (l == 0) {
                            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "invalid WAL location (LSN): " + v);
                        }
                        o.lsn = l;
                    }
                }
                case ORIGIN -> {
                    String v = string(opt).toLowerCase(Locale.ROOT);
                    if (!v.equals("any") && !v.equals("none")) {
                        throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "unrecognized origin value: \"" + opt.value() + "\"");
                    }
                    o.origin = v;
                }
                case PASSWORD_REQUIRED -> o.passwordRequired = bool(opt);
                case FAILOVER -> o.failover = bool(opt);
                default -> throw new IllegalStateException(name);
            }
        }
        o.check(supported);
        return o;
    }

    private void check(Set<String> supported) {
        if (supported.contains(CONNECT) && !connect) {
            if (enabled && isSet(ENABLED)) {
                throw exclusive("connect = false", "enabled = true");
            }
            if (createSlot && isSet(CREATE_SLOT)) {
                throw exclusive("connect = false", "create_slot = true");
            }
            if (copyData && isSet(COPY_DATA)) {
                throw exclusive("connect = false", "copy_data = true");
            }
            enabled = false;
            createSlot = false;
            copyData = false;
        }
        if (slotName == null && isSet(SLOT_NAME)) {
            if (enabled) {
                if (isSet(ENABLED)) {
                    throw exclusive("slot_name = NONE", "enabled = true");
                }
                throw new LrepException(SqlState.SYNTAX_ERROR, "subscription with slot_name = NONE must also set enabled = false");
            }
            if (createSlot) {
                if (isSet(CREATE_SLOT)) {
                    throw exclusive("slot_name = NONE", "create_slot = true");
                }
                throw new LrepException(SqlState.SYNTAX_ERROR, "subscription with slot_name = NONE must also set create_slot = false");
            }
        }
    }

    private static LrepException exclusive(String a, String b) {
        return new LrepException(SqlState.SYNTAX_ERROR, a + " and " + b + " are mutually exclusive options");
    }

    /** PostgreSQL's ReplicationSlotValidateName: 1 to 63 characters of lower-case letters, digits and underscores. */
    public static String validSlotName(String name) {
        if (name.isEmpty()) {
            throw new LrepException(SqlState.INVALID_NAME, "replication slot name \"" + name + "\" is too short");
        }
        if (name.length() >= 64) {
            throw new LrepException(SqlState.NAME_TOO_LONG, "replication slot name \"" + name + "\" is too long");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                throw new LrepException(SqlState.INVALID_NAME, "replication slot name \"" + name + "\" contains invalid character")
                        .withHint("Replication slot names may only contain lower case letters, numbers, and the underscore character.");
            }
        }
        return name;
    }

    private static String string(Option o) {
        if (o.value() == null) {
            throw new LrepException(SqlState.SYNTAX_ERROR, o.name() + " requires a parameter");
        }
        return o.value();
    }

    private static boolean bool(Option o) {
        if (o.value() == null) {
            return true;
        }
        return switch (o.value().toLowerCase(Locale.ROOT)) {
            case "true", "on", "1", "t", "tr", "tru", "yes", "ye", "y" -> true;
            case "false", "off", "0", "f", "fa", "fal", "fals", "no", "n" -> false;
            default -> throw new LrepException(SqlState.SYNTAX_ERROR, o.name() + " requires a Boolean value");
        };
    }

    /** Whether the statement named option {@code name}. */
    public boolean isSet(String name) {
        return specified.contains(name);
    }

    /** The options the statement named. */
    public Set<String> specified() {
        return Set.copyOf(specified);
    }

    public boolean connect() {
        return connect;
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean createSlot() {
        return createSlot;
    }

    /** The slot name given, null for NONE or when not given (see {@link #isSet}). */
    public String slotName() {
        return slotName;
    }

    public boolean copyData() {
        return copyData;
    }

    /** The synchronous_commit given, or null when not given. */
    public String synchronousCommit() {
        return synchronousCommit;
    }

    public boolean refresh() {
        return refresh;
    }

    public boolean binary() {
        return binary;
    }

    public boolean streaming() {
        return streaming;
    }

    public boolean twoPhase() {
        return twoPhase;
    }

    public boolean disableOnError() {
        return disableOnError;
    }

    /** SKIP's LSN; 0 for NONE. */
    public long lsn() {
        return lsn;
    }

    /** "any" or "none". */
    public String origin() {
        return origin;
    }

    public boolean passwordRequired() {
        return passwordRequired;
    }

    public boolean failover() {
        return failover;
    }
}
