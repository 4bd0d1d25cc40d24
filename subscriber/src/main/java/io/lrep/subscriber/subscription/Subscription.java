package io.lrep.subscriber.subscription;

import java.util.List;

/**
 * One row of pg_subscription: PostgreSQL 15's columns plus {@code subpasswordrequired} and
 * {@code suborigin} (PostgreSQL 16's, for the {@code password_required} and {@code origin}
 * options).
 *
 * @param skipLsn          {@code subskiplsn}: the finish LSN of the remote transaction to skip, 0 for none
 * @param twoPhaseState    {@code subtwophasestate}: {@code d} disabled, {@code p} pending, {@code e} enabled
 * @param slotName         {@code subslotname}, null for {@code slot_name = NONE}
 * @param synchronousCommit {@code subsynccommit}: the apply workers' synchronous_commit ("off" by default)
 * @param origin           {@code suborigin}: "any" or "none"
 */
public record Subscription(long oid, long dbid, long skipLsn, String name, long ownerOid, boolean enabled, boolean binary,
        boolean streaming, char twoPhaseState, boolean disableOnError, boolean passwordRequired, String conninfo, String slotName,
        String synchronousCommit, List<String> publications, String origin) {

    /** subtwophasestate values. */
    public static final char TWO_PHASE_DISABLED = 'd';
    public static final char TWO_PHASE_PENDING = 'p';
    public static final char TWO_PHASE_ENABLED = 'e';

    /** The oid of database {@code postgres}, the only database lrep has. */
    public static final long POSTGRES_DBID = 5;

    public Subscription {
        publications = List.copyOf(publications);
    }

    public Subscription withName(String newName) {
        return new Subscription(oid, dbid, skipLsn, newName, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin);
    }

    public Subscription withOwner(long newOwner) {
        return new Subscription(oid, dbid, skipLsn, name, newOwner, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin);
    }

    public Subscription withEnabled(boolean on) {
        return new Subscription(oid, dbid, skipLsn, name, ownerOid, on, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin);
    }

    public Subscription withConninfo(String newConninfo) {
        return new Subscription(oid, dbid, skipLsn, name, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, newConninfo, slotName, synchronousCommit, publications, origin);
    }

    public Subscription withPublications(List<String> newPublications) {
        return new Subscription(oid, dbid, skipLsn, name, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, newPublications, origin);
    }

    public Subscription withSkipLsn(long lsn) {
        return new Subscription(oid, dbid, lsn, name, ownerOid, enabled, binary, streaming, twoPhaseState, disableOnError,
                passwordRequired, conninfo, slotName, synchronousCommit, publications, origin);
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
                o.isSet(SubscriptionOptions.ORIGIN) ? o.origin() : origin);
    }
}
