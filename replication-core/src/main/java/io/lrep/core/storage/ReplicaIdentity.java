package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;

/** A table's replica identity, PostgreSQL's {@code pg_class.relreplident}: what old-row data WAL carries. */
public enum ReplicaIdentity {
    /** The primary key columns ('d'); no old row when an update keeps the key. */
    DEFAULT('d'),
    /** Every column of the old row ('f'). */
    FULL('f'),
    /** No old row ('n'). */
    NOTHING('n');

    private final char code;

    ReplicaIdentity(char code) {
        this.code = code;
    }

    /** The relreplident letter. */
    public char code() {
        return code;
    }

    /** The identity with this relreplident letter. */
    public static ReplicaIdentity of(char code) {
        for (ReplicaIdentity r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new LrepException(SqlState.DATA_CORRUPTED, "unknown replica identity '" + code + "'");
    }
}
