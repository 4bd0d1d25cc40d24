package io.lrep.core.storage;

/**
 * A sequence's definition (pg_class + pg_sequence row). {@code ownedByTable}/{@code ownedByAttnum}
 * name the identity column that owns it (0 / 0 when free-standing); an owned sequence is dropped
 * with its table. Its state (last value, is_called) is not part of the definition: it is
 * non-transactional and logged as {@code SequenceAdvance}.
 */
public record SequenceDef(
        int oid,
        int schemaOid,
        String schemaName,
        String name,
        long start,
        long increment,
        long min,
        long max,
        boolean cycle,
        long cache,
        int ownedByTable,
        int ownedByAttnum) {

    /** PostgreSQL's defaults for a bigint sequence: START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 2^63-1. */
    public static SequenceDef defaults(String schemaName, String name) {
        return new SequenceDef(0, 0, schemaName, name, 1, 1, 1, Long.MAX_VALUE, false, 1, 0, 0);
    }

    String displayName() {
        return "public".equals(schemaName) ? name : schemaName + "." + name;
    }

    SequenceDef withIdentity(int oidValue, int schemaOidValue) {
        return new SequenceDef(oidValue, schemaOidValue, schemaName, name, start, increment, min, max, cycle, cache,
                ownedByTable, ownedByAttnum);
    }
}
