package io.lrep.core.storage;

import io.lrep.core.types.PgType;

/**
 * One column of a table (pg_attribute row). {@code attnum} counts from 1; a dropped column keeps
 * its slot ({@code dropped == true}, renamed as PostgreSQL does) and always reads as null.
 * {@code identity} is 'a' (ALWAYS), 'd' (BY DEFAULT) or {@link #NO_IDENTITY}, with the owned
 * sequence's oid in {@code identitySequenceOid} (0 until the catalog creates it).
 * {@code missingValue} is PostgreSQL's attmissingval: what rows written before an
 * {@code ADD COLUMN} read in this column (null unless the column was added with a default).
 * {@code typmod} is -1 when the type has no modifier.
 */
public record ColumnDef(
        int attnum,
        String name,
        PgType type,
        int typmod,
        boolean notNull,
        String defaultExpr,
        char identity,
        int identitySequenceOid,
        boolean dropped,
        Object missingValue) {

    /** attidentity of a column that is not an identity column. */
    public static final char NO_IDENTITY = '\0';

    /** A nullable column without default, attnum to be assigned by the catalog. */
    public static ColumnDef of(String name, PgType type) {
        return new ColumnDef(0, name, type, -1, false, null, NO_IDENTITY, 0, false, null);
    }

    public ColumnDef notNullColumn() {
        return new ColumnDef(attnum, name, type, typmod, true, defaultExpr, identity, identitySequenceOid, dropped, missingValue);
    }

    public ColumnDef withDefault(String expr) {
        return new ColumnDef(attnum, name, type, typmod, notNull, expr, identity, identitySequenceOid, dropped, missingValue);
    }

    public ColumnDef withTypmod(int mod) {
        return new ColumnDef(attnum, name, type, mod, notNull, defaultExpr, identity, identitySequenceOid, dropped, missingValue);
    }

    /** An identity column, 'a' (GENERATED ALWAYS) or 'd' (BY DEFAULT); implies NOT NULL. */
    public ColumnDef withIdentity(char kind) {
        if (kind != 'a' && kind != 'd') {
            throw new IllegalArgumentException("identity: " + kind + " (expected: 'a' or 'd')");
        }
        return new ColumnDef(attnum, name, type, typmod, true, defaultExpr, kind, identitySequenceOid, dropped, missingValue);
    }

    public ColumnDef withMissingValue(Object value) {
        return new ColumnDef(attnum, name, type, typmod, notNull, defaultExpr, identity, identitySequenceOid, dropped, value);
    }

    ColumnDef withAttnum(int n) {
        return new ColumnDef(n, name, type, typmod, notNull, defaultExpr, identity, identitySequenceOid, dropped, missingValue);
    }

    ColumnDef withIdentitySequence(int seqOid) {
        return new ColumnDef(attnum, name, type, typmod, notNull, defaultExpr, identity, seqOid, dropped, missingValue);
    }

    ColumnDef asDropped() {
        return new ColumnDef(attnum, "........pg.dropped." + attnum + "........", type, typmod, false, null, NO_IDENTITY, 0, true, null);
    }

    public boolean isIdentity() {
        return identity != NO_IDENTITY;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnDef c
                && attnum == c.attnum
                && name.equals(c.name)
                && type == c.type
                && typmod == c.typmod
                && notNull == c.notNull
                && java.util.Objects.equals(defaultExpr, c.defaultExpr)
                && identity == c.identity
                && identitySequenceOid == c.identitySequenceOid
                && dropped == c.dropped
                && Table.sameValue(type, missingValue, c.missingValue);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(attnum, name, type, typmod, notNull, defaultExpr, identity, identitySequenceOid, dropped)
                * 31 + Table.valueHash(type, missingValue);
    }
}
