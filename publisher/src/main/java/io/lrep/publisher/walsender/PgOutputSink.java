package io.lrep.publisher.walsender;

import io.netty.buffer.ByteBuf;

/**
 * Where an output plugin writes its messages (PostgreSQL's OutputPluginPrepareWrite /
 * OutputPluginWrite): one pgoutput message per {@link #begin}/{@link #end} pair, sent by the
 * walsender as one XLogData with the given LSNs.
 *
 * <p>LSNs as PostgreSQL's pgoutput sets them (reference §4.3): for the last write of a
 * callback {@code dataStart = walEnd = } the callback's write location (a begin's first LSN, a
 * change's LSN, a commit's end LSN, ...), for intermediate writes (a Relation or Type before a
 * change, a Begin before an Origin) 0.
 *
 * <p>Called on the walsender's thread only, from inside the plugin's decoding callbacks.
 */
public interface PgOutputSink {

    /**
     * Starts a message: returns the buffer to write the pgoutput message into (at its writer
     * index). The buffer is the walsender's: use it only until {@link #end()}.
     */
    ByteBuf begin(long dataStart, long walEnd);

    /** The message written since {@link #begin} is complete: send it. */
    void end();

    /** One whole message at once. */
    default void write(long dataStart, long walEnd, byte[] message) {
        begin(dataStart, walEnd).writeBytes(message);
        end();
    }
}
