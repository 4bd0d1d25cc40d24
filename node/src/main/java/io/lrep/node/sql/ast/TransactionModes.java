package io.lrep.node.sql.ast;

/**
 * The modes of BEGIN / START TRANSACTION / SET TRANSACTION; each null when not written.
 *
 * @param isolation "read uncommitted", "read committed", "repeatable read" or "serializable"
 */
public record TransactionModes(String isolation, Boolean readOnly, Boolean deferrable) {

    public static final TransactionModes NONE = new TransactionModes(null, null, null);
}
