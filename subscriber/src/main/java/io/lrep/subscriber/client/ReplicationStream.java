package io.lrep.subscriber.client;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.BackendMessage.CommandComplete;
import io.lrep.core.protocol.BackendMessage.DataRow;
import io.lrep.core.protocol.BackendMessage.ErrorResponse;
import io.lrep.core.protocol.BackendMessage.ReadyForQuery;
import io.lrep.core.protocol.BackendMessage.RowDescription;
import io.lrep.core.protocol.CopyData;
import io.lrep.core.protocol.CopyDone;
import io.lrep.core.protocol.replication.PgTimestamp;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.StandbyStatusUpdate;
import io.lrep.core.protocol.replication.XLogData;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CopyBoth stream after START_REPLICATION (reference §4.3, §4.4): {@link #receive} gives the
 * server's XLogData and keepalives, {@link #sendStatus} sends standby status updates, and
 * {@link #end} sends CopyDone and reads the command's closing results, after which the
 * connection runs commands again.
 *
 * <p>The server ends the stream ({@link #serverEnded()}) in one of these ways:
 * <ul>
 *   <li>CopyDone: the client still sends CopyDone in {@link #end}, then reads the results;</li>
 *   <li>CommandComplete without CopyDone (a PostgreSQL walsender at a fast shutdown sends
 *       {@code COPY 0} and exits): the COPY is over on both sides, so {@link #end} sends nothing
 *       and reads on to ReadyForQuery, or to the server closing the connection, which then is
 *       no error (as libpqrcv_receive, which accepts CONNECTION_BAD after the command's end);</li>
 *   <li>ErrorResponse, or the connection closing, during the stream: {@link #receive} throws
 *       (as PostgreSQL's "could not receive data from WAL stream") and {@link #end} then only
 *       marks the stream ended, sending nothing.</li>
 * </ul>
 *
 * <p>Same threading contract as its {@link ReplicationConnection}: one worker thread.
 */
public final class ReplicationStream {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationStream.class);

    private final ReplicationConnection connection;
    private final Clock clock = Clock.systemUTC();
    private long lastReceivedLsn;
    private boolean serverEnded;
    /** The server sent CommandComplete without CopyDone: the COPY is over in both directions. */
    private boolean commandEnded;
    /** The server's error or close ended the stream and the connection: nothing more to read. */
    private boolean connectionEnded;
    private boolean clientEnded;
    private boolean finished;
    /** The command's results the server sent while streaming (CommandComplete without CopyDone). */
    private final List<QueryResult> results = new ArrayList<>();

    ReplicationStream(ReplicationConnection connection) {
        this.connection = connection;
    }

    /**
     * The next {@link XLogData} or {@link PrimaryKeepalive}, waiting at most {@code timeout};
     * null when the timeout passed or the server ended the stream with CopyDone or
     * CommandComplete (then {@link #serverEnded()} is true and {@link #end} finishes the command).
     *
     * @throws ServerErrorException when the server reports an error (the connection is then
     *         unusable and {@link #serverEnded()} true)
     * @throws ClientException when the connection breaks ({@link #serverEnded()} is then true) or
     *         the server sends something else
     */
    public ReplicationMessage receive(Duration timeout) {
        if (serverEnded || finished) {
            return null;
        }
        while (true) {
            Object m;
            try {
                m = connection.next(ReplicationConnection.deadline(timeout));
            } catch (ClientException | ServerErrorException e) {
                // the connection closed or failed (after a FATAL error, that error): the stream is over
                serverEnded = true;
                connectionEnded = true;
                throw e;
            }
            if (m == null) {
                return null;
            }
            if (m instanceof CopyData data) {
                ReplicationMessage msg = ReplicationMessage.decode(data);
                if (msg instanceof XLogData x) {
                    lastReceivedLsn = Math.max(lastReceivedLsn, Math.max(x.walStart(), x.walEnd()));
                } else if (msg instanceof PrimaryKeepalive k) {
                    lastReceivedLsn = Math.max(lastReceivedLsn, k.walEnd());
                } else {
                    connection.markBroken();
                    throw new ClientException("unexpected streaming message from the server: " + msg);
                }
                return msg;
            }
            if (m instanceof CopyDone) {
                serverEnded = true;
                return null;
            }
            if (m instanceof CommandComplete cc) {
                LOG.debug("Server ended the replication stream at {} with {} and no CopyDone", Lsn.format(lastReceivedLsn), cc.tag());
                results.add(new QueryResult(List.of(), List.of(), cc.tag()));
                serverEnded = true;
                commandEnded = true;
                return null;
            }
            if (m instanceof ErrorResponse e) {
                ServerErrorException error = connection.serverError(e);
                connection.markBroken();
                serverEnded = true;
                connectionEnded = true;
                throw error;
            }
            connection.markBroken();
            throw ReplicationConnection.unexpected(m, "in the replication stream");
        }
    }

    /** The highest LSN seen: max of XLogData start and end, and keepalive end (libpq walreceiver's last_received). */
    public long lastReceivedLsn() {
        return lastReceivedLsn;
    }

    /** True once the server has ended the stream: CopyDone, CommandComplete, an error or the connection closing. */
    public boolean serverEnded() {
        return serverEnded;
    }

    /** Sends a standby status update stamped with the current time. */
    public void sendStatus(long writeLsn, long flushLsn, long applyLsn, boolean replyRequested) {
        send(new StandbyStatusUpdate(writeLsn, flushLsn, applyLsn, PgTimestamp.now(clock), replyRequested));
    }

    /** Sends a streaming-protocol message to the server inside CopyData. */
    public void send(ReplicationMessage message) {
        if (clientEnded || finished || commandEnded || connectionEnded) {
            throw new ClientException("the replication stream is ended; no more status updates");
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("=> {}", message);
        }
        connection.send(message.toCopyData());
    }

    /**
     * Ends the stream as libpqrcv_endstreaming: sends CopyDone (once, and not when the server
     * has ended the COPY already), skips data still in flight, waits for the server's CopyDone
     * and reads the results up to ReadyForQuery (a CommandComplete such as
     * {@code START_REPLICATION}, or a timeline-switch row set on a physical stream). Then the
     * connection runs commands again. After the server ended the stream with CommandComplete,
     * its closing the connection instead of sending ReadyForQuery ends the stream too (the
     * connection is then unusable); after an error or a close that {@link #receive} reported,
     * this only marks the stream ended.
     *
     * @throws ClientException when {@code timeout} passes first (the connection is then closed)
     */
    public List<QueryResult> end(Duration timeout) {
        if (finished) {
            throw new ClientException("the replication stream is already ended");
        }
        if (connectionEnded) {
            finished = true;
            return List.copyOf(results);
        }
        long deadline = ReplicationConnection.deadline(timeout);
        if (!clientEnded && !commandEnded) {
            clientEnded = true;
            LOG.trace("=> CopyDone");
            connection.send(new CopyDone());
        }
        List<QueryResult.Column> columns = List.of();
        List<List<String>> rows = new ArrayList<>();
        ServerErrorException error = null;
        while (true) {
            Object m;
            try {
                m = connection.next(deadline);
            } catch (ClientException e) {
                if (!commandEnded) {
                    finished = true;
                    throw e;
                }
                // libpqrcv_receive: after the command's end, the server closing the connection is no error
                finished = true;
                LOG.debug("Server closed the connection after ending the replication stream{}",
                        error == null ? "" : " (it said: " + error.getMessage() + ")");
                return List.copyOf(results);
            }
            if (m == null) {
                connection.markBroken();
                finished = true;
                throw new ClientException("timeout expired while ending the replication stream");
            }
            if (m instanceof CopyData && !commandEnded) {
                continue; // data the server sent before it saw our CopyDone: nobody wants it now
            } else if (m instanceof CopyDone) {
                serverEnded = true;
            } else if (m instanceof RowDescription rd) {
                columns = ReplicationConnection.columnsOf(rd);
                rows = new ArrayList<>();
            } else if (m instanceof DataRow row) {
                rows.add(ReplicationConnection.text(row));
            } else if (m instanceof CommandComplete cc) {
                results.add(new QueryResult(columns, rows, cc.tag()));
                columns = List.of();
                rows = new ArrayList<>();
            } else if (m instanceof ErrorResponse e) {
                // after the command's end, a FATAL error and a close end the stream (libpqrcv_receive
                // accepts CONNECTION_BAD); so it is not made the connection's pending error
                error = commandEnded ? new ServerErrorException(e) : connection.serverError(e);
            } else if (m instanceof ReadyForQuery rfq) {
                finished = true;
                connection.streamEnded(rfq);
                if (error != null) {
                    throw error;
                }
                LOG.debug("Replication stream ended at {}", Lsn.format(lastReceivedLsn));
                return List.copyOf(results);
            } else {
                connection.markBroken();
                finished = true;
                throw ReplicationConnection.unexpected(m, "while ending the replication stream");
            }
        }
    }
}
