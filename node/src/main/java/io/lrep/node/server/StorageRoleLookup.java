package io.lrep.node.server;

import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.node.SystemTables;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;

/** Reads roles from {@code pg_catalog.pg_authid} in a short read-only transaction. */
public final class StorageRoleLookup implements RoleLookup {

    private final StorageEngine storage;

    public StorageRoleLookup(StorageEngine storage) {
        this.storage = storage;
    }

    @Override
    public Optional<Role> find(String name) {
        try (Transaction t = storage.begin()) {
            TableDef authid = t.findTable(SystemTables.SCHEMA, SystemTables.AUTHID);
            if (authid == null) {
                return Optional.empty();
            }
            Iterator<RowRef> rows = t.scan(authid, t.statementSnapshot());
            while (rows.hasNext()) {
                Object[] v = rows.next().values();
                if (name.equals(v[SystemTables.ROL_NAME])) {
                    return Optional.of(new Role((Long) v[SystemTables.ROL_OID], name, (Boolean) v[SystemTables.ROL_SUPER],
                            (Boolean) v[SystemTables.ROL_CANLOGIN], (Boolean) v[SystemTables.ROL_REPLICATION],
                            (Integer) v[SystemTables.ROL_CONNLIMIT], (String) v[SystemTables.ROL_PASSWORD],
                            (Instant) v[SystemTables.ROL_VALIDUNTIL]));
                }
            }
            return Optional.empty();
        }
    }
}
