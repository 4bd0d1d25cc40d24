package io.lrep.publisher.decoding;

import io.lrep.core.lsn.Lsn;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalReader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes one slot's WAL: reads records from the slot's restart LSN (out of the shared-memory
 * ring, from segment files when behind), feeds a {@link ReorderBuffer} and so calls the
 * {@link DecodingListener} for every transaction that commits at or after the start point.
 *
 * <p>Work is done in bounded steps ({@link #decode(int)}), which return as soon as the reader has
 * nothing more, so a walsender can interleave keepalives and replies; {@link #awaitWal(long)}
 * waits, with a timeout, for more WAL to be flushed.
 *
 * <h2>Start point and restart</h2>
 * Every transaction whose Commit record starts before the start point
 * ({@code max(requested LSN, confirmed_flush)}) is decoded but not emitted; its catalog changes
 * still apply. While decoding, the decoder collects candidate {@link RestartPoint}s (the first
 * LSN of the oldest transaction in progress, or the read position if none, with the read
 * position it was taken at). {@link #confirm(long)} hands the slot the newest one the client's
 * flush position has passed, with the catalog state for it, so the slot can move its
 * restart_lsn as PostgreSQL's LogicalConfirmReceivedLocation does. A decoder started at
 * {@code restartLsn} with that state and a start point at or past {@code validAtLsn} emits
 * exactly what an uninterrupted one would from there.
 *
 * <p>Not thread-safe: one thread (the walsender's) calls everything.
 */
public final class LogicalDecoder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogicalDecoder.class);
    /** Candidate restart points kept at most; when full the newest is replaced, which is safe (only later). */
    private static final int MAX_CANDIDATES = 1024;

    /**
     * How to decode.
     *
     * @param workMemBytes logical_decoding_work_mem in bytes
     * @param spillDir     where large transactions spill (the slot's directory)
     * @param streaming    stream large in-progress transactions instead of spilling them
     */
    public record Options(long workMemBytes, Path spillDir, boolean streaming) {}

    private final WalLog wal;
    private final WalReader reader;
    private final HistoricCatalog catalog;
    private final ReorderBuffer buffer;
    /** {restartLsn, validAtLsn}, both increasing from first to last. */
    private final ArrayDeque<long[]> candidates = new ArrayDeque<>();
    private long lastCandidateRestart = -1;
    private boolean closed;

    /**
     * A decoder reading {@code wal} from {@code restartLsn} (a record boundary: the slot's
     * restart_lsn) with {@code catalog} the table definitions valid there (the slot's saved state,
     * or the live catalog when the slot is created), emitting what commits at or after
     * {@code startPoint}.
     */
    public LogicalDecoder(WalLog wal, long restartLsn, long startPoint, HistoricCatalog catalog, DecodingListener listener,
            Options options) {
        this(wal, wal.openReader(restartLsn), startPoint, catalog, listener, options);
    }

    /** As above, over a reader already positioned at the restart LSN. */
    public LogicalDecoder(WalLog wal, WalReader reader, long startPoint, HistoricCatalog catalog, DecodingListener listener,
            Options options) {
        this.wal = wal;
        this.reader = reader;
        this.catalog = catalog;
        this.buffer = new ReorderBuffer(catalog, listener, options.workMemBytes(), options.spillDir(), options.streaming());
        buffer.setStartPoint(startPoint);
        log.info("Decoding from lsn={} (start point {}, streaming {})", Lsn.format(reader.position()), Lsn.format(startPoint),
                options.streaming() ? "on" : "off");
    }

    /**
     * Decodes up to {@code maxRecords} WAL records, calling the listener for whatever they
     * complete; returns how many were read (0 when the reader had nothing flushed to give).
     * Never waits for WAL. If it throws (a listener's exception, unreadable WAL, an unknown
     * relation), the decoder is unusable: close it and start a new one from the slot's restart
     * point.
     */
    public int decode(int maxRecords) {
        int n = 0;
        while (n < maxRecords) {
            WalEntry e = reader.next();
            if (e == null) {
                break;
            }
            buffer.add(e);
            n++;
            noteCandidate();
        }
        return n;
    }

    /** Waits up to {@code timeoutNanos} for WAL past {@link #position()} to be flushed; true if there is some. */
    public boolean awaitWal(long timeoutNanos) {
        return wal.awaitFlushedBeyond(position(), timeoutNanos);
    }

    /** Where the next record to decode starts: everything before it has been decoded. */
    public long position() {
        return reader.position();
    }

    public long startPoint() {
        return buffer.startPoint();
    }

    /** Moves the start point forward (e.g. to a newer confirmed_flush); never backwards. */
    public void advanceStartPoint(long lsn) {
        if (lsn > buffer.startPoint()) {
            buffer.setStartPoint(lsn);
        }
    }

    /** Transactions in progress at {@link #position()}. */
    public int inProgressCount() {
        return buffer.inProgressCount();
    }

    public DecodingStats stats() {
        return buffer.stats();
    }

    private void noteCandidate() {
        long pos = reader.position();
        long oldest = buffer.oldestInProgressLsn();
        long restart = oldest < 0 ? pos : oldest;
        if (restart <= lastCandidateRestart) {
            return;
        }
        if (candidates.size() >= MAX_CANDIDATES) {
            candidates.pollLast();
        }
        candidates.addLast(new long[] {restart, pos});
        lastCandidateRestart = restart;
    }

    /**
     * The restart point at the current position: good only once the client confirms
     * {@link #position()} (see {@link RestartPoint}); for a slot just created, whose
     * confirmed_flush is this position.
     */
    public RestartPoint restartPoint() {
        long pos = reader.position();
        long oldest = buffer.oldestInProgressLsn();
        long restart = oldest < 0 ? pos : oldest;
        return new RestartPoint(restart, pos, catalog.serialize(restart));
    }

    /**
     * The client has flushed everything up to {@code flushLsn}: returns the newest restart point
     * that became safe with it (its {@code validAtLsn <= flushLsn}), or null if none became safe
     * since the last call. The slot saves it (restart_lsn and catalog state) and may then let WAL
     * before its {@code restartLsn} go. Catalog versions older than it are forgotten.
     */
    public RestartPoint confirm(long flushLsn) {
        long[] best = null;
        while (!candidates.isEmpty() && candidates.peekFirst()[1] <= flushLsn) {
            best = candidates.pollFirst();
        }
        if (best == null) {
            return null;
        }
        byte[] state = catalog.serialize(best[0]);
        catalog.prune(best[0]);
        return new RestartPoint(best[0], best[1], state);
    }

    /** Closes the reader and removes the spill files. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            buffer.close();
        } finally {
            reader.close();
        }
    }
}
