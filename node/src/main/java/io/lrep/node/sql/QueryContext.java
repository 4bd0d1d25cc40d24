package io.lrep.node.sql;

import io.lrep.core.storage.Snapshot;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.Transaction;

/**
 * What a system view or a function sees while a statement runs: the statement's transaction and
 * snapshot, the session, and the session's current settings.
 */
public interface QueryContext {

    StorageEngine storage();

    /** The transaction the statement runs in. */
    Transaction transaction();

    /** The statement's snapshot. */
    Snapshot snapshot();

    SessionContext session();

    /** A setting's current value in this session, as SHOW prints it; throws 42704 if unknown. */
    String setting(String name);

    /** Sets a setting for the session (set_config); returns the new value as SHOW prints it. */
    String setSetting(String name, String value, boolean isLocal);
}
