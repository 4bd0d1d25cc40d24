package io.lrep.publisher.walsender;

import io.lrep.publisher.decoding.DecodingListener;

/**
 * The output plugin a {@link WalSender} streams with (pgoutput, bound by the node with the
 * START_REPLICATION options already parsed and checked).
 */
public interface OutputPlugin {

    /**
     * Makes the decoding callbacks that write this walsender's stream to {@code sink}. Called
     * once, on the walsender's thread, before CopyBothResponse is sent, so an
     * {@link io.lrep.core.error.LrepException} thrown here (a bad option, an unknown publication)
     * reaches the client as an ordinary error.
     */
    DecodingListener open(PgOutputSink sink);

    /**
     * Whether in-progress transactions are to be streamed (pgoutput's {@code streaming} option,
     * proto_version 2+): the decoder then calls the listener's stream callbacks.
     */
    default boolean streaming() {
        return false;
    }
}
