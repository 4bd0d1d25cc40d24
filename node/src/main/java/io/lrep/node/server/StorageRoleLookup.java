package io.lrep.node.server;

import io.lrep.core.storage.StorageEngine;
import io.lrep.node.sql.exec.Roles;
import java.util.Optional;

/** Reads roles from {@code pg_catalog.pg_authid} in a short read-only transaction. */
public final class StorageRoleLookup implements RoleLookup {

    private final StorageEngine storage;

    public StorageRoleLookup(StorageEngine storage) {
        this.storage = storage;
    }

    @Override
    public Optional<Role> find(String name) {
        return Roles.find(storage, name).map(r -> new Role(r.oid(), r.name(), r.superuser(), r.canLogin(), r.replication(),
                r.connLimit(), r.password(), r.validUntil()));
    }
}
