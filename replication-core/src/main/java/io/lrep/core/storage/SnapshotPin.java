package io.lrep.core.storage;

/** Keeps the row versions of one snapshot LSN from vacuum until closed. Closing twice is harmless. */
public interface SnapshotPin extends AutoCloseable {
    @Override
    void close();
}
