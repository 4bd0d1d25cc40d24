package io.lrep.node;

import io.lrep.core.storage.StorageEngine;

/** Test access to the system tables' bootstrap for tests outside this package. */
public final class SystemTablesFixture {

    private SystemTablesFixture() {}

    /** Creates pg_authid and the bootstrap superuser, as initialising a data directory does. */
    public static void bootstrap(StorageEngine storage, String superuser) {
        SystemTables.bootstrap(storage, superuser, null);
    }
}
