package io.lrep.publisher.publication;

import java.util.List;

/**
 * One pg_publication_rel row: a table named in a publication's FOR TABLE list.
 *
 * @param rowFilter prqual: the WHERE expression's text in parentheses, or null for none
 * @param columns   prattrs: the column list's attnums in ascending order, or null for all columns
 */
public record PublicationRel(long oid, long pubOid, long relOid, String rowFilter, List<Integer> columns) {

    public PublicationRel {
        columns = columns == null ? null : List.copyOf(columns);
    }
}
