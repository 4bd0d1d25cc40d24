package io.lrep.subscriber.subscription;

import java.util.List;

/**
 * One row of pg_subscription: PostgreSQL 15's columns plus {@code subpasswordrequired} and
 * {@code suborigin} (PostgreSQL 16's, for the {@code password_required} and {@code origin}
 * options) and {@code subfailover} (PostgreSQL 17's, for {@code failover}).
 *
 * @param skipLsn          {@code subskiplsn}: the finish LSN of the remote transaction to skip, 0 for none
 * @param twoPhaseState    {@code subtwophasestate}: {@code d} disabled, {@code p} pending, {@code e} enabled
 * @param slotName         {@code subslotname}, null for {@code slot_name = NONE}
 * @param synchronousCommit {@code subsynccommit}: the apply workers' synchronous_commit ("off" by default)
 * @param origin           {@code suborigin}: "any" or "none"
 * @param failover         {@code subfailover}: the subscription's slot is created (or altered) with FAILOVER
 */
public record Subscription(long oid, long dbid, long skipLsn, String name, long ownerOid, boolean enabled, boolean binary,
        boolean streaming, char twoPhaseState, boolean disableOnError, boolean passwordRequired, String conninfo, String slotName,
        String synchronousCommit, List<String> publications, String origin, boolean failover) {

    /** subtwophasestate values. */
    public static final char TWO_PHASE_DISABLED = 'd';
    public static final char TWO_PHASE_PENDING = 'p';
    public static final char TWO_PHASE_ENABLED = 'e';

    /** The oid of database {@code postgres}, the only database lrep has. */
    public static final long POSTGRES_DBID = 5;

    public Subscription {
        publications = List.copyOf(publications);
    }

    /** A subscription without failover. */
    public Subscription(long oid, long dbid, long skipLsn, String name, long ownerOid, boolean enabled, boolean binary,
            boolean streaming, char twoPhaseState, boolean disableOnError, boolean passwordRequired, String conninfo, String slotName,
            String synchronousCommit, List<String> publications, String origin) {
        this(oid, dbid, skipLsn, name, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError, passwordRequired, conninfo,
                slotName, synchronousCommit, publications, origin, false);
    }

    public Subscription withName(String newName) {
        return new Subscription(oid, dbid, skipLsn, newName, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin, failover);
    }

    public Subscription withOwner(long newOwner) {
        return new Subscription(oid, dbid, skipLsn, name, newOwner, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin, failover);
    }

    public Subscription withEnabled(boolean on) {
        return new Subscription(oid, dbid, skipLsn, name, ownerOid, on, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin, failover);
    }

    public Subscription withConninfo(String newConninfo) {
        return new Subscription(oid, dbid, skipLsn, name, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, newConninfo, slotName, synchronousCommit, publications, origin, failover);
    }

    public Subscription withPublications(List<String> newPublications) {
        return new Subscription(oid, dbid, skipLsn, name, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, newPublications, origin, failover);
    }

    public Subscription withSkipLsn(long lsn) {
        return new Subscription(oid, dbid, lsn, name, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin, failover);
    }

    /** The options ALTER SUBSCRIPTION ... SET (...) may change, taken from {@code o} where it names them. */
    public Subscription withOptions(SubscriptionOptions o) {
        return new Subscription(oid, dbid, skipLsn, name, ownerOid, enabled,
                o.isSet(SubscriptionOptions.BINARY) ? o.binary() : binary,
                o.isSet(SubscriptionOptions.STREAMING) ? o.streaming() : streaming,
                twoPhaseState,
                o.isSet(SubscriptionOptions.DISABLE_ON_ERROR) ? o.disableOnError() : disableOnError,
                o.isSet(SubscriptionOptions.PASSWORD_REQUIRED) ? o.passwordRequired() : passwordRequired,
                conninfo,
                o.isSet(SubscriptionOptions.SLOT_NAME) ? o.slotName() : slotName,
                o.isSet(SubscriptionOptions.SYNCHRONOUS_COMMIT) ? o.synchronousCommit() : synchronousCommit,
                publications,
                o.isSet(SubscriptionOptions.ORIGIN) ? o.origin() : origin,
                o.isSet(SubscriptionOptions.FAILOVER) ? o.failover() : failover);
    }
}
