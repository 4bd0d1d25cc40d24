package io.lrep.core.storage;

/** The versions of one key, newest first. {@code head} changes only under the engine lock. */
final class Chain {
    volatile RowVersion head;

    Chain(RowVersion head) {
        this.head = head;
    }
}
