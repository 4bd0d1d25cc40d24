package io.lrep.publisher.publication;

/**
 * One pg_publication row.
 *
 * @param oid       the publication's oid
 * @param ownerOid  pubowner: the owning role's oid
 * @param allTables puballtables: FOR ALL TABLES
 * @param viaRoot   pubviaroot: publish_via_partition_root (kept and shown; lrep has no partitions)
 */
public record Publication(long oid, String name, long ownerOid, boolean allTables, PublishActions actions, boolean viaRoot) {

    public Publication withName(String newName) {
        return new Publication(oid, newName, ownerOid, allTables, actions, viaRoot);
    }

    public Publication withOwner(long newOwner) {
        return new Publication(oid, name, newOwner, allTables, actions, viaRoot);
    }

    public Publication withActions(PublishActions newActions) {
        return new Publication(oid, name, ownerOid, allTables, newActions, viaRoot);
    }

    public Publication withViaRoot(boolean newViaRoot) {
        return new Publication(oid, name, ownerOid, allTables, actions, newViaRoot);
    }
}
