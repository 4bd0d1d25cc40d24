package io.lrep.node.sql;

/**
 * The data side of a COPY in text or CSV format. For COPY FROM STDIN the server feeds
 * {@link #write(byte[], int, int)} with each CopyData payload (rows may span messages) and then
 * calls {@link #finish()} on CopyDone or {@link #fail(String)} on CopyFail. For COPY TO STDOUT
 * the server drains {@link #read()} until it returns null.
 */
public interface CopyStream {

    /** Number of columns, for CopyInResponse/CopyOutResponse. */
    int columnCount();

    /** True for CSV, false for text format. */
    boolean csv();

    /** COPY FROM: more data. @throws io.lrep.core.error.LrepException on a bad row (22P02, 22P04, ...) */
    void write(byte[] data, int offset, int length);

    /** COPY FROM: all data sent; returns the command tag ("COPY n"). */
    String finish();

    /** COPY FROM: the client gave up with this message (57014 follows). */
    void fail(String message);

    /** COPY TO: the next chunk of output (one or more whole lines), or null at the end. */
    byte[] read();

    /** COPY TO: the command tag once read() returned null ("COPY n"). */
    String commandTag();
}
