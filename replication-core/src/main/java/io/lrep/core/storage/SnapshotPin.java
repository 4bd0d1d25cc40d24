package io.lrep.core.storage;

/**
 * Keeps the row versions visible at one snapshot LSN from vacuum until closed. Closing twice is
 * harmless.
 */
public interface SnapshotPin extends AutoCloseable {

    /** The pinned snapshot LSN. */
    long lsn();

    @Override
    void close();
}
