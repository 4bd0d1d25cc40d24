package io.lrep.core.wal;

/**
 * Reads durable WAL records in LSN order from a start position, out of the shared-memory ring
 * while the bytes are still there and from segment files otherwise. Not thread-safe: one
 * reader per consumer.
 */
public interface WalReader extends AutoCloseable {

    /** The next durable record, or null when the reader has caught up with the flushed end. */
    WalEntry next();

    /** Where the next record starts. */
    long position();

    @Override
    void close();
}
