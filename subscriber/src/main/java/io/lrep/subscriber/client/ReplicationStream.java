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
 * <p>Same threading contract as its {@link ReplicationConnection}: one worker thread.
 */
public final class ReplicationStream {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationStream.class);

    private final ReplicationConnection connection;
    private final Clock clock = Clock.systemUTC();
    private long lastReceivedLsn;
    private boolean serverEnded;
    private boolean clientEnded;
    private boolean finished;

    ReplicationStream(ReplicationConnection connection) {
        this.connection = connection;
    }

    /**
     * The next {@link XLogData} or {@link PrimaryKeepalive}, waiting at most {@code timeout};
     * null when the timeout passed or the server ended the stream (then {@link #serverEnded()}
     * is true and {@link #end} finishes the command).
     *
     * @throws ServerErrorException when the server reports an error (the connection is then unusable)
     * @throws ClientException when the connection breaks or the server sends something else
     */
    public ReplicationMessage receive(Duration timeout) {
        if (serverEnded || finished) {
            return null;
        }
        while (true) {
            Object m = connection.next(ReplicationConnection.deadline(timeout));
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
            if (m instanceof ErrorResponse e) {
                ServerErrorException error = connection.serverError(e);
                connection.markBroken();
                finished = true;
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

    /** True once the server has sent CopyDone. */
    public boolean serverEnded() {
        return serverEnded;
    }

    /** Sends a standby status update stamped with the current time. */
    public void sendStatus(long writeLsn, long flushLsn, long applyLsn, boolean replyRequested) {
        send(new StandbyStatusUpdate(writeLsn, flushLsn, applyLsn, PgTimestamp.now(clock), replyRequested));
    }

    /** Sends a streaming-protocol message to the server inside CopyData. */
    public void send(ReplicationMessage message) {
        if (clientEnded || finished) {
            throw new ClientException("the replication stream is ended; no more status updates");
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("=> {}", message);
        }
        connection.send(message.toCopyData());
    }

    /**
     * Ends the stream as libpqrcv_endstreaming: sends CopyDone (once), skips data still in
     * flight, waits for the server's CopyDone and reads the results up to ReadyForQuery (a
     * CommandComplete such as {@code START_REPLICATION}, or a timeline-switch row set on a
     * physical stream). Then the connection runs commands again.
     *
     * @throws ClientException when {@code timeout} passes first (the connection is then closed)
     */
    public List<QueryResult> end(Duration timeout) {
        if (finished) {
            throw new ClientException("the replication stream is already ended");
        }
        long deadline = ReplicationConnection.deadline(timeout);
        if (!clientEnded) {
            clientEnded = true;
            LOG.trace("=> CopyDone");
            connection.send(new CopyDone());
        }
        List<QueryResult> results = new ArrayList<>();
        List<QueryResult.Column> columns = List.of();
        List<List<String>> rows = new ArrayList<>();
        ServerErrorException error = null;
        while (true) {
            Object m = connection.next(deadline);
            if (m == null) {
                connection.markBroken();
                finished = true;
                throw new ClientException("timeout expired while ending the replication stream");
            }
            if (m instanceof CopyData) {
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
                error = connection.serverError(e);
            } else if (m instanceof ReadyForQuery rfq) {
                finished = true;
                connection.streamEnded(rfq);
                if (error != null) {
                    throw error;
                }
                LOG.debug("Replication stream ended at {}", Lsn.format(lastReceivedLsn));
                return results;
            } else {
                connection.markBroken();
                finished = true;
                throw ReplicationConnection.unexpected(m, "while ending the replication stream");
            }
        }
    }
}
