package io.lrep.core.storage;

/**
 * The versions of one key, newest first, and the table's next chain in the order keys were
 * inserted ({@link Table}). {@code head} and {@code next} change only under the engine lock;
 * a chain whose {@code head} is null has no versions left and is no longer in the key index.
 */
final class Chain {
    final RowKey key;
    volatile RowVersion head;
    volatile Chain next;

    Chain(RowVersion head) {
        this.key = head.key;
        this.head = head;
    }

    /** The list head of a table: no key, never in the index. */
    Chain() {
        this.key = null;
    }
}
