package io.lrep.subscriber.subscription;

/**
 * One row of pg_subscription_rel: a table of a subscription and its synchronization state
 * (reference §2.4: {@code i} init, {@code d} data sync, {@code f} finished copy, {@code s} sync
 * done, {@code r} ready; {@code w} and {@code c} are never stored).
 *
 * @param lsn {@code srsublsn}, 0 when NULL (it is set in states {@code s} and {@code r})
 */
public record SubscriptionRel(long subOid, long relOid, char state, long lsn) {

    public static final char INIT = 'i';
    public static final char DATASYNC = 'd';
    public static final char FINISHEDCOPY = 'f';
    public static final char SYNCDONE = 's';
    public static final char READY = 'r';

    /** Whether the table still needs (or has) a table-sync worker: not SYNCDONE or READY. */
    public boolean syncing() {
        return state != SYNCDONE && state != READY;
    }
}
