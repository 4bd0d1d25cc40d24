package io.lrep.publisher.pgoutput;

import io.lrep.core.protocol.pgoutput.PgOutputMessage;

/**
 * Where {@link PgOutputPlugin} writes: one pgoutput message per call, each to go out as one
 * XLogData (reference §4.3 "One pgoutput message per XLogData"), in call order, on the
 * decoder's thread.
 *
 * <p>{@code walPosition} is what the XLogData header carries as both {@code dataStart} and
 * {@code walEnd} (PostgreSQL's {@code ctx->write_location} for the last message a callback
 * writes, 0 for the messages it writes before that):
 * <ul>
 *   <li>Begin, Origin, Insert/Update/Delete, Truncate, Message: the LSN of the change the
 *       callback handles (under lazy Begin, Begin goes out in the first published change's
 *       callback and carries its LSN; 0 when an Origin follows it). A non-transactional
 *       Message: its own LSN;</li>
 *   <li>Relation (and Type) written before a change: 0;</li>
 *   <li>Commit and Stream Commit: the end of the commit record ({@code DecodedTxn.endLsn});</li>
 *   <li>Stream Start: the LSN of the block's first change (PostgreSQL: the transaction's first
 *       LSN, which the decoder does not report); Stream Stop: the block's last change's LSN;
 *       Stream Abort: the abort's LSN.</li>
 * </ul>
 * The message objects are not reused: a sink may keep them.
 */
@FunctionalInterface
public interface PgOutputSink {

    /**
     * Takes the next message. An exception ends the decoding call that made it (the decoder is
     * then unusable, see {@code LogicalDecoder#decode}).
     */
    void send(PgOutputMessage message, long walPosition);
}
