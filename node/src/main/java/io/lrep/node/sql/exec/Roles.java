package io.lrep.node.sql.exec;

import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.node.SystemTables;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;

/**
 * Roles as rows of {@code pg_catalog.pg_authid}: the lookup the protocol server uses to
 * authenticate a connection, and the helpers CREATE/ALTER/DROP ROLE share.
 */
public final class Roles {

    /** One pg_authid row; {@code password} is a SCRAM-SHA-256 or md5 verifier, or null; {@code connLimit} -1 = none. */
    public record Role(long oid, String name, boolean superuser, boolean canLogin, boolean replication, String password, int connLimit,
            Instant validUntil) {}

    private Roles() {}

    /** The role called {@code name} as of now (its own short read-only transaction). */
    public static Optional<Role> find(StorageEngine storage, String name) {
        try (Transaction t = storage.begin(IsolationLevel.READ_COMMITTED, 0)) {
            RowRef r = findRow(t, name);
            return r == null ? Optional.empty() : Optional.of(toRole(r.values()));
        }
    }

    static Role toRole(Object[] v) {
        return new Role((Long) v[SystemTables.ROL_OID], (String) v[SystemTables.ROL_NAME], (Boolean) v[SystemTables.ROL_SUPER],
                (Boolean) v[SystemTables.ROL_CANLOGIN], (Boolean) v[SystemTables.ROL_REPLICATION], (String) v[SystemTables.ROL_PASSWORD],
                (Integer) v[SystemTables.ROL_CONNLIMIT], (Instant) v[SystemTables.ROL_VALIDUNTIL]);
    }

    /** The pg_authid row of {@code name} in {@code t}'s current snapshot, or null. */
    static RowRef findRow(Transaction t, String name) {
        TableDef authid = t.findTable(SystemTables.SCHEMA, SystemTables.AUTHID);
        if (authid == null) {
            return null;
        }
        Iterator<RowRef> it = t.scan(authid, t.statementSnapshot());
        while (it.hasNext()) {
            RowRef r = it.next();
            if (name.equals(r.values()[SystemTables.ROL_NAME])) {
                return r;
            }
        }
        return null;
    }
}
