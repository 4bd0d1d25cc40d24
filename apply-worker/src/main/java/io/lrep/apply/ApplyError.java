package io.lrep.apply;

import io.lrep.core.error.LrepException;
import io.lrep.core.lsn.Lsn;

/**
 * An error raised while applying a remote change, with PostgreSQL 15's error context
 * (apply_error_callback): {@code processing remote data for replication origin "pg_16395"
 * during "INSERT" for replication target relation "public.t" in transaction 725 finished at
 * 0/14C0378}. SQLSTATE, message, detail and hint are those of the original error (its cause);
 * {@link #finishLsn()} is what {@code ALTER SUBSCRIPTION ... SKIP (lsn = ...)} takes to skip the
 * transaction.
 */
public final class ApplyError extends LrepException {

    private static final long serialVersionUID = 1L;

    private final String context;
    private final long finishLsn;
    private final int xid;

    ApplyError(LrepException cause, String context, long finishLsn, int xid) {
        super(cause.sqlState(), cause.severity(), cause.getMessage(), cause.detail(), cause.hint(), cause);
        this.context = context;
        this.finishLsn = finishLsn;
        this.xid = xid;
    }

    /** The error context line, as PostgreSQL's CONTEXT field. */
    public String context() {
        return context;
    }

    /** The finish LSN (commit LSN) of the remote transaction being applied. */
    public long finishLsn() {
        return finishLsn;
    }

    /** The remote transaction's xid. */
    public int xid() {
        return xid;
    }

    /** The context string of a change of {@code relation} (null: none, as for TRUNCATE). */
    static String context(String origin, String command, String relation, int xid, long finishLsn) {
        StringBuilder sb = new StringBuilder("processing remote data for replication origin \"").append(origin)
                .append("\" during \"").append(command).append('"');
        if (relation != null) {
            sb.append(" for replication target relation \"").append(relation).append('"');
        }
        return sb.append(" in transaction ").append(Integer.toUnsignedString(xid)).append(" finished at ")
                .append(Lsn.format(finishLsn)).toString();
    }

    @Override
    public String toString() {
        return super.toString() + System.lineSeparator() + "CONTEXT:  " + context;
    }
}
