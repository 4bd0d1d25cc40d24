package io.lrep.node;

import io.lrep.core.storage.StorageEngine;

/** Test access to the system tables' bootstrap. */
public final class TestBootstrap {

    private TestBootstrap() {}

    public static void bootstrap(StorageEngine storage, String superuser) {
        SystemTables.bootstrap(storage, superuser, null);
    }
}
