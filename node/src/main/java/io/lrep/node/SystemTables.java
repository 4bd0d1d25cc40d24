package io.lrep.node;

import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.SequenceDef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.apply.OriginRegistry;
import io.lrep.publisher.publication.PublicationCatalog;
import io.lrep.subscriber.subscription.SubscriptionCatalog;
import java.util.List;

/**
 * The catalogs that are ordinary (transactional, WAL-logged, checkpointed) tables in schema
 * {@code pg_catalog}, created when a data directory is initialised. Roles live in
 * {@code pg_authid} with PostgreSQL's columns; new role oids come from the sequence
 * {@code pg_authid_oid_seq}. The bootstrap superuser has oid 10, as in PostgreSQL. The
 * publication catalogs are {@link PublicationCatalog}'s, the subscription catalogs
 * {@link SubscriptionCatalog}'s.
 */
public final class SystemTables {

    public static final String SCHEMA = "pg_catalog";
    public static final String AUTHID = "pg_authid";
    public static final String AUTHID_OID_SEQ = "pg_authid_oid_seq";
    public static final long BOOTSTRAP_SUPERUSER_OID = 10;

    /** Column positions (0-based) of pg_authid rows. */
    public static final int ROL_OID = 0;
    public static final int ROL_NAME = 1;
    public static final int ROL_SUPER = 2;
    public static final int ROL_INHERIT = 3;
    public static final int ROL_CREATEROLE = 4;
    public static final int ROL_CREATEDB = 5;
    public static final int ROL_CANLOGIN = 6;
    public static final int ROL_REPLICATION = 7;
    public static final int ROL_BYPASSRLS = 8;
    public static final int ROL_CONNLIMIT = 9;
    public static final int ROL_PASSWORD = 10;
    public static final int ROL_VALIDUNTIL = 11;

    private SystemTables() {}

    /**
     * Creates the system tables a data directory bootstrapped by an older lrep lacks (the
     * publication and subscription catalogs, the replication origins).
     */
    static void upgrade(StorageEngine storage) {
        try (Transaction t = storage.begin()) {
            if (t.findTable(SCHEMA, AUTHID) == null) {
                return;
            }
            boolean changed = false;
            if (!PublicationCatalog.installed(t)) {
                PublicationCatalog.bootstrap(t);
                changed = true;
            }
            if (!SubscriptionCatalog.installed(t)) {
                SubscriptionCatalog.bootstrap(t);
                changed = true;
            }
            if (!OriginRegistry.installed(t)) {
                OriginRegistry.bootstrap(t);
                changed = true;
            }
            if (changed) {
                t.commit();
            }
        }
    }

    /**
     * Creates the system tables and the bootstrap superuser (with {@code passwordVerifier} as
     * its rolpassword: a SCRAM-SHA-256 or md5 verifier, or null for none).
     */
    static void bootstrap(StorageEngine storage, String superuser, String passwordVerifier) {
        try (Transaction t = storage.begin()) {
            TableDef authid = t.createTable(SCHEMA, AUTHID, List.of(
                    ColumnDef.of("oid", PgType.OID).notNullColumn(),
                    ColumnDef.of("rolname", PgType.NAME).notNullColumn(),
                    ColumnDef.of("rolsuper", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("rolinherit", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("rolcreaterole", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("rolcreatedb", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("rolcanlogin", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("rolreplication", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("rolbypassrls", PgType.BOOL).notNullColumn(),
                    ColumnDef.of("rolconnlimit", PgType.INT4).notNullColumn(),
                    ColumnDef.of("rolpassword", PgType.TEXT),
                    ColumnDef.of("rolvaliduntil", PgType.TIMESTAMPTZ)), List.of("oid"));
            t.createSequence(new SequenceDef(0, 0, SCHEMA, AUTHID_OID_SEQ, 16384, 1, 16384, Integer.MAX_VALUE, false, 1, 0, 0));
            PublicationCatalog.bootstrap(t);
            SubscriptionCatalog.bootstrap(t);
            OriginRegistry.bootstrap(t);
            t.nextCommand();
            t.insert(authid, new Object[] {BOOTSTRAP_SUPERUSER_OID, superuser, true, true, true, true, true, true, true, -1,
                    passwordVerifier, null});
            t.commit();
        }
    }
}
