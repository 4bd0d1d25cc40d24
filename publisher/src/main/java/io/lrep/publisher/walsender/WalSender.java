package io.lrep.publisher.walsender;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.protocol.ProtocolViolation;
import io.lrep.core.protocol.replication.HotStandbyFeedback;
import io.lrep.core.protocol.replication.PgTimestamp;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationDescriptor;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.StandbyStatusUpdate;
import io.lrep.core.protocol.replication.XLogData;
import io.lrep.core.storage.TableDef;
import io.lrep.core.wal.WalLog;
import io.lrep.publisher.decoding.DecodedTxn;
import io.lrep.publisher.decoding.DecodingListener;
import io.lrep.publisher.decoding.DecodingStats;
import io.lrep.publisher.decoding.HistoricCatalog;
import io.lrep.publisher.decoding.LogicalDecoder;
import io.lrep.publisher.decoding.RestartPoint;
import io.lrep.publisher.decoding.RowChange;
import io.lrep.publisher.slot.ReplicationSlot;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.walsender.WalSenderTransport.ClientMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one logical slot's committed changes to one client, as PostgreSQL 15's walsender runs
 * {@code START_REPLICATION SLOT s LOGICAL} (walsender.c WalSndLoop, WalSndWaitForWal,
 * ProcessRepliesIfAny, ProcessStandbyReplyMessage, WalSndKeepaliveIfNecessary,
 * WalSndCheckTimeOut).
 *
 * <h2>Use</h2>
 * The caller (the node's connection, on its own thread) acquires the slot
 * ({@link SlotManager#acquireForDecoding}), constructs the walsender (which builds the decoder and
 * opens the plugin: errors here come before CopyBothResponse), sends CopyBothResponse, calls
 * {@link #run()} and acts on its {@link Outcome}; then {@link #close()}s it and releases the slot.
 *
 * <h2>The loop</h2>
 * In bounded steps: read what the client sent (without waiting), decode up to
 * {@code recordsPerStep} flushed WAL records, each pgoutput message going out as one XLogData
 * (send time filled in just before it is queued), flush the socket once per step, check
 * {@code wal_sender_timeout}, send keepalives; when caught up with flushed WAL, wait for new WAL
 * (a flush listener wakes the transport) or a client message, at most until the next keepalive
 * or timeout is due.
 *
 * <ul>
 *   <li>'r' standby status update: write/flush/apply and the reply time are stored, the lags
 *       measured ({@link LagTracker}); a non-zero flush advances the slot's confirmed_flush (never
 *       backwards, never past what was sent) and, when the decoder has a restart point the flush
 *       passed, its restart_lsn, after saving the catalog state for it ({@link CatalogStateStore});
 *       replyRequested is answered with a keepalive at once.</li>
 *   <li>'h' hot standby feedback: accepted and ignored (a logical slot has no xmin to hold).</li>
 *   <li>CopyDone: answered with CopyDone, then {@link Outcome#COPY_DONE}.</li>
 *   <li>Anything else: 08P01 (FATAL).</li>
 *   <li>Keepalive with replyRequested after {@code wal_sender_timeout / 2} without a client
 *       message; without it when caught up and the client's write and flush are both behind
 *       the sent position. No client message for {@code wal_sender_timeout} (0 disables) ends the
 *       stream with {@link Outcome#TIMEOUT}.</li>
 *   <li>The slot invalidated while streaming (max_slot_wal_keep_size): PostgreSQL 15 terminates
 *       the slot's process; here {@link #run()} throws FATAL 57P01 "terminating connection due to
 *       administrator command".</li>
 * </ul>
 *
 * <p>Threads: everything runs on the connection's thread, which alone touches the walsender's
 * state; {@link #status()} (a volatile immutable snapshot) and {@link #requestStop()} may be
 * called from any thread.
 */
public final class WalSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalSender.class);

    /** PostgreSQL's WALSND_LOGICAL_LAG_TRACK_INTERVAL_MS: at most one lag sample per second. */
    static final long LAG_TRACK_INTERVAL_MICROS = 1_000_000;

    /** pg_stat_replication's {@code state}. */
    public enum State {
        STARTUP, CATCHUP, STREAMING, STOPPING;

        /** The name pg_stat_replication shows. */
        public String sqlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a stream ended (an error ends it with an exception instead). */
    public enum Outcome {
        /**
         * The client sent CopyDone and was answered with CopyDone: send CommandComplete
         * {@code "COPY 0"}, CommandComplete {@code "START_REPLICATION"} and ReadyForQuery; the
         * session goes on.
         */
        COPY_DONE,
        /** The client sent Terminate or the connection closed. */
        CLIENT_GONE,
        /**
         * No client message for wal_sender_timeout; already logged. Close the connection without
         * a message, as PostgreSQL does.
         */
        TIMEOUT,
        /**
         * {@link #requestStop()}: everything flushed was sent and the client confirmed it. Send
         * CommandComplete {@code "COPY 0"} and close the connection (PostgreSQL's WalSndDone).
         */
        STOPPED
    }

    /**
     * How to stream.
     *
     * @param walSenderTimeoutMs {@code wal_sender_timeout} in milliseconds; 0 disables it
     * @param workMemBytes {@code logical_decoding_work_mem} in bytes
     * @param recordsPerStep WAL records decoded per step, between looks at the client
     * @param clockMicros the time as a PostgreSQL timestamp (microseconds since 2000-01-01 UTC)
     */
    public record Settings(long walSenderTimeoutMs, long workMemBytes, int recordsPerStep, LongSupplier clockMicros) {

        public Settings {
            if (walSenderTimeoutMs < 0 || workMemBytes <= 0 || recordsPerStep <= 0) {
                throw new IllegalArgumentException("wal_sender_timeout " + walSenderTimeoutMs + " ms, work mem " + workMemBytes
                        + " bytes, records per step " + recordsPerStep + " (expected: >= 0, > 0, > 0)");
            }
        }

        /** The system clock, 4096 records per step. */
        public static Settings of(long walSenderTimeoutMs, long workMemBytes) {
            Clock clock = Clock.systemUTC();
            return new Settings(walSenderTimeoutMs, workMemBytes, 4096, () -> PgTimestamp.now(clock));
        }
    }

    private final SlotManager slots;
    private final String slotName;
    private final int pid;
    private final WalLog wal;
    private final WalSenderTransport transport;
    private final Settings settings;
    private final LagTracker lagTracker = new LagTracker();
    private final ByteBuf message = Unpooled.buffer(256);
    private final ByteBuf control = Unpooled.buffer(64);
    private final LogicalDecoder decoder;

    private State state = State.STARTUP;
    private long sentPtr;
    private long restartLsn;
    private long writeLsn;
    private long flushLsn;
    private long applyLsn;
    private long writeLag = LagTracker.NO_LAG;
    private long flushLag = LagTracker.NO_LAG;
    private long applyLag = LagTracker.NO_LAG;
    private Long replyTime;
    private long lastReplyMicros;
    private long lastLagSampleMicros;
    private boolean waitingForPingResponse;
    private boolean fullyAppliedLastTime;
    private boolean messageOpen;
    private boolean closed;
    private volatile boolean stopRequested;
    private volatile WalSenderStatus status;

    /**
     * Prepares to stream slot {@code slotName}, which backend {@code pid} has acquired: the start
     * point is {@code max(requestedLsn, confirmed_flush)} (0 = confirmed_flush), the decoder reads
     * from the slot's restart_lsn with the catalog saved for it ({@link CatalogStateStore}), or
     * {@code catalogIfUnsaved} when none was saved, and the plugin is opened on this walsender's
     * sink.
     *
     * @param catalogIfUnsaved the catalog valid at the slot's restart_lsn when none was saved;
     *     may be null (then a missing state is an error)
     * @throws LrepException what the plugin throws; 55000 if the slot is not this backend's or
     *     is invalidated; XX000 when no catalog state can be found
     */
    public WalSender(SlotManager slots, String slotName, int pid, long requestedLsn, WalLog wal, OutputPlugin plugin,
            WalSenderTransport transport, Settings settings, Supplier<HistoricCatalog> catalogIfUnsaved) {
        this.slots = slots;
        this.slotName = slotName;
        this.pid = pid;
        this.wal = wal;
        this.transport = transport;
        this.settings = settings;
        ReplicationSlot slot = slots.slot(slotName);
        if (slot.activePid() != pid) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "replication slot \"" + slotName
                    + "\" is not acquired by PID " + pid);
        }
        if (slot.invalidated()) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "can no longer get changes from replication slot \""
                    + slotName + "\"").withDetail("This slot has been invalidated because it exceeded the maximum reserved size.");
        }
        long confirmed = slot.confirmedFlushLsn();
        long start = confirmed;
        if (requestedLsn != 0 && requestedLsn < confirmed) {
            LOG.info("{} has already been streamed, forwarding to {}", Lsn.format(requestedLsn), Lsn.format(confirmed));
        } else if (requestedLsn > confirmed) {
            start = requestedLsn;
        }
        this.restartLsn = slot.restartLsn();
        Optional<HistoricCatalog> saved = CatalogStateStore.load(slots, slotName, restartLsn);
        HistoricCatalog catalog;
        if (saved.isPresent()) {
            catalog = saved.get();
        } else {
            catalog = catalogIfUnsaved == null ? null : catalogIfUnsaved.get();
            if (catalog == null) {
                throw new LrepException(SqlState.INTERNAL_ERROR, "replication slot \"" + slotName
                        + "\" has no saved catalog state for its restart_lsn " + Lsn.format(restartLsn));
            }
            CatalogStateStore.save(slots, slotName, restartLsn, catalog.serialize(restartLsn));
        }
        DecodingListener listener = new ProgressListener(plugin.open(new Sink()));
        this.decoder = new LogicalDecoder(wal, restartLsn, start, catalog, listener,
                new LogicalDecoder.Options(settings.workMemBytes(), slots.directory(slotName), plugin.streaming()));
        this.sentPtr = decoder.position();
        publish();
    }

    public String slotName() {
        return slotName;
    }

    /** The decoder's start point: where the client's stream starts. */
    public long startPoint() {
        return decoder.startPoint();
    }

    /** The walsender as pg_stat_replication shows it; callable from any thread. */
    public WalSenderStatus status() {
        return status;
    }

    /**
     * Asks the walsender to finish (node shutdown): state {@code stopping}, send what is flushed,
     * wait for the client to confirm it, end with {@link Outcome#STOPPED}. Callable from any thread.
     */
    public void requestStop() {
        stopRequested = true;
        transport.wakeup();
    }

    /**
     * Streams until the client ends the stream, leaves, times out, or a stop was requested.
     *
     * @throws LrepException 08P01 (FATAL) for a message the protocol does not allow; FATAL 57P01
     *     when the slot was invalidated; what decoding or the plugin throws
     */
    public Outcome run() {
        if (closed) {
            throw new IllegalStateException("walsender for slot \"" + slotName + "\" is closed");
        }
        Runnable removeListener = wal.addFlushListener(lsn -> transport.wakeup());
        try {
            lastReplyMicros = now();
            waitingForPingResponse = false;
            state = State.CATCHUP;
            LOG.info("Streaming slot={} from lsn={}", slotName, Lsn.format(decoder.startPoint()));
            publish();
            return loop();
        } finally {
            removeListener.run();
            publish();
        }
    }

    private Outcome loop() {
        while (true) {
            Outcome end = processClientMessages();
            if (end != null) {
                return end;
            }
            checkSlotValid();
            boolean caughtUp = decodeStep();
            transport.flush();
            long now = now();
            if (timedOut(now)) {
                LOG.info("terminating walsender process due to replication timeout");
                return Outcome.TIMEOUT;
            }
            if (stopRequested) {
                state = State.STOPPING;
                long replicated = flushLsn != 0 ? flushLsn : writeLsn;
                if (caughtUp && replicated == sentPtr) {
                    publish();
                    return Outcome.STOPPED;
                }
                if (!waitingForPingResponse) {
                    keepalive(true, now);
                }
            }
            keepaliveIfNecessary(now);
            if (!caughtUp) {
                transport.flush();
                publish();
                continue;
            }
            if (state == State.CATCHUP) {
                state = State.STREAMING;
            }
            // Before sleeping, tell an idle client how far WAL went, so it can confirm filtered
            // or empty WAL (WalSndWaitForWal).
            if (flushLsn < sentPtr && writeLsn < sentPtr && !waitingForPingResponse) {
                keepalive(false, now);
            }
            transport.flush();
            publish();
            ClientMessage m = transport.receive(sleepNanos(now));
            if (m != null) {
                end = handle(m);
                if (end != null) {
                    return end;
                }
            }
        }
    }

    /** Handles what the client has sent, without waiting; an outcome if the stream ends. */
    private Outcome processClientMessages() {
        ClientMessage m;
        while ((m = transport.receive(0)) != null) {
            Outcome end = handle(m);
            if (end != null) {
                return end;
            }
        }
        return null;
    }

    private Outcome handle(ClientMessage m) {
        if (m instanceof WalSenderTransport.Closed) {
            return Outcome.CLIENT_GONE;
        }
        lastReplyMicros = now();
        waitingForPingResponse = false;
        if (m instanceof WalSenderTransport.CopyDone) {
            LOG.trace("=> CopyDone");
            transport.sendCopyDone();
            transport.flush();
            return Outcome.COPY_DONE;
        }
        if (m instanceof WalSenderTransport.Other o) {
            throw new ProtocolViolation("invalid standby message type \"" + o.type() + "\"");
        }
        byte[] payload = ((WalSenderTransport.CopyData) m).payload();
        ReplicationMessage r = ReplicationMessage.decode(payload);
        if (r instanceof StandbyStatusUpdate u) {
            processReply(u);
        } else if (r instanceof HotStandbyFeedback h) {
            LOG.trace("=> HotStandbyFeedback(xmin={}, catalog_xmin={}), ignored on a logical slot", h.xmin(), h.catalogXmin());
        } else {
            throw new ProtocolViolation("unexpected message type \"" + (char) r.typeByte() + "\"");
        }
        return null;
    }

    private void processReply(StandbyStatusUpdate u) {
        long now = now();
        if (LOG.isTraceEnabled()) {
            LOG.trace("=> StandbyStatus(write={}, flush={}, apply={}, reply={})", Lsn.format(u.writeLsn()), Lsn.format(u.flushLsn()),
                    Lsn.format(u.applyLsn()), u.replyRequested());
        }
        long wl = lagTracker.read(LagTracker.Head.WRITE, u.writeLsn(), now);
        long fl = lagTracker.read(LagTracker.Head.FLUSH, u.flushLsn(), now);
        long al = lagTracker.read(LagTracker.Head.APPLY, u.applyLsn(), now);
        // Two replies in a row with everything applied: the second came from the client's status
        // interval, so forget the lags rather than show stale ones until more WAL comes.
        boolean clearLagTimes = false;
        if (u.applyLsn() == sentPtr) {
            clearLagTimes = fullyAppliedLastTime;
            fullyAppliedLastTime = true;
        } else {
            fullyAppliedLastTime = false;
        }
        if (u.replyRequested()) {
            keepalive(false, now);
        }
        writeLsn = u.writeLsn();
        flushLsn = u.flushLsn();
        applyLsn = u.applyLsn();
        if (wl != LagTracker.NO_LAG || clearLagTimes) {
            writeLag = wl;
        }
        if (fl != LagTracker.NO_LAG || clearLagTimes) {
            flushLag = fl;
        }
        if (al != LagTracker.NO_LAG || clearLagTimes) {
            applyLag = al;
        }
        replyTime = u.sendTimeMicros();
        if (u.flushLsn() != 0) {
            confirm(u.flushLsn());
        }
        publish();
    }

    /** LogicalConfirmReceivedLocation: the client flushed up to {@code flush}. */
    private void confirm(long flush) {
        long confirmed = Math.min(flush, sentPtr);
        checkSlotValid();
        RestartPoint rp = decoder.confirm(confirmed);
        if (rp == null || rp.restartLsn() <= restartLsn) {
            slots.advance(slotName, confirmed, 0);
            return;
        }
        CatalogStateStore.save(slots, slotName, rp.restartLsn(), rp.catalogState());
        ReplicationSlot s = slots.advance(slotName, confirmed, rp.restartLsn());
        if (s.restartLsn() == rp.restartLsn()) {
            restartLsn = s.restartLsn();
            CatalogStateStore.removeAllBut(slots, slotName, restartLsn);
            LOG.debug("slot {} restart_lsn now {}", slotName, Lsn.format(restartLsn));
        }
    }

    /** One decoding step; true if it read everything flushed (caught up). */
    private boolean decodeStep() {
        int n;
        try {
            n = decoder.decode(settings.recordsPerStep());
        } catch (RuntimeException e) {
            checkSlotValid(e); // WAL the invalidated slot needed may be gone: say so instead
            throw e;
        }
        sentPtr = decoder.position();
        return n < settings.recordsPerStep();
    }

    private boolean timedOut(long now) {
        long timeout = settings.walSenderTimeoutMs();
        return timeout > 0 && lastReplyMicros > 0 && now >= lastReplyMicros + timeout * 1000;
    }

    /** WalSndKeepaliveIfNecessary: ask for a reply once half the timeout passed in silence. */
    private void keepaliveIfNecessary(long now) {
        long timeout = settings.walSenderTimeoutMs();
        if (timeout <= 0 || lastReplyMicros <= 0 || waitingForPingResponse) {
            return;
        }
        if (now >= lastReplyMicros + timeout / 2 * 1000) {
            keepalive(true, now);
            transport.flush();
        }
    }

    /** WalSndComputeSleepTime: until the next keepalive or timeout is due; -1 when none is. */
    private long sleepNanos(long now) {
        long timeout = settings.walSenderTimeoutMs();
        if (timeout <= 0 || lastReplyMicros <= 0) {
            return -1; // nothing due: wait for WAL or the client
        }
        long wakeAt = lastReplyMicros + (waitingForPingResponse ? timeout : timeout / 2) * 1000;
        return TimeUnit.MICROSECONDS.toNanos(Math.max(wakeAt - now, 1000));
    }

    private void keepalive(boolean requestReply, long now) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("<= PrimaryKeepalive(walEnd={}, reply={})", Lsn.format(sentPtr), requestReply);
        }
        control.clear();
        new PrimaryKeepalive(sentPtr, now, requestReply).encode(control);
        transport.sendCopyData(control);
        if (requestReply) {
            waitingForPingResponse = true;
        }
    }

    private void checkSlotValid() {
        checkSlotValid(null);
    }

    private void checkSlotValid(Throwable cause) {
        Optional<ReplicationSlot> s = slots.get(slotName);
        if (s.isPresent() && !s.get().invalidated()) {
            return;
        }
        LOG.info("terminating process {} to release replication slot \"{}\"", pid, slotName);
        throw new LrepException(SqlState.ADMIN_SHUTDOWN, LrepException.Severity.FATAL,
                "terminating connection due to administrator command", null, null, cause);
    }

    private long now() {
        return settings.clockMicros().getAsLong();
    }

    private void onTransactionEnd(long endLsn) {
        long now = now();
        if (now - lastLagSampleMicros >= LAG_TRACK_INTERVAL_MICROS) {
            lagTracker.write(endLsn, now);
            lastLagSampleMicros = now;
        }
    }

    private void publish() {
        DecodingStats stats = decoder == null ? DecodingStats.ZERO : decoder.stats();
        status = new WalSenderStatus(pid, slotName, state, sentPtr, writeLsn, flushLsn, applyLsn, lag(writeLag), lag(flushLag),
                lag(applyLag), replyTime, stats);
    }

    private static Long lag(long micros) {
        return micros == LagTracker.NO_LAG ? null : micros;
    }

    /**
     * Closes the decoder (its spill files go). The slot stays acquired: the caller releases it,
     * which saves a confirmed_flush not yet written. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            decoder.close();
        } finally {
            message.release();
            control.release();
        }
    }

    /** The plugin's writes, each sent as one XLogData. */
    private final class Sink implements PgOutputSink {

        @Override
        public ByteBuf begin(long dataStart, long walEnd) {
            if (messageOpen) {
                throw new IllegalStateException("pgoutput message begun twice without end()");
            }
            messageOpen = true;
            message.clear();
            XLogData.writeHeader(message, dataStart, walEnd, 0);
            return message;
        }

        @Override
        public void end() {
            if (!messageOpen) {
                throw new IllegalStateException("pgoutput message ended without begin()");
            }
            messageOpen = false;
            message.setLong(message.readerIndex() + ReplicationDescriptor.XLOG_DATA_SEND_TIME_OFFSET, now());
            transport.sendCopyData(message);
        }
    }

    /** The plugin's callbacks, plus the lag sample at each transaction's end (WalSndUpdateProgress). */
    private final class ProgressListener implements DecodingListener {

        private final DecodingListener plugin;

        ProgressListener(DecodingListener plugin) {
            this.plugin = plugin;
        }

        @Override
        public void onBegin(DecodedTxn txn) {
            plugin.onBegin(txn);
        }

        @Override
        public void onChange(DecodedTxn txn, RowChange change) {
            plugin.onChange(txn, change);
        }

        @Override
        public void onTruncate(DecodedTxn txn, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
            plugin.onTruncate(txn, lsn, relations, cascade, restartIdentity);
        }

        @Override
        public void onMessage(DecodedTxn txn, long lsn, boolean transactional, String prefix, byte[] content) {
            plugin.onMessage(txn, lsn, transactional, prefix, content);
        }

        @Override
        public void onCommit(DecodedTxn txn) {
            plugin.onCommit(txn);
            onTransactionEnd(txn.endLsn());
        }

        @Override
        public void onStreamStart(int xid, boolean firstSegment) {
            plugin.onStreamStart(xid, firstSegment);
        }

        @Override
        public void onStreamStop(int xid) {
            plugin.onStreamStop(xid);
        }

        @Override
        public void onStreamChange(int xid, RowChange change) {
            plugin.onStreamChange(xid, change);
        }

        @Override
        public void onStreamTruncate(int xid, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
            plugin.onStreamTruncate(xid, lsn, relations, cascade, restartIdentity);
        }

        @Override
        public void onStreamMessage(int xid, long lsn, String prefix, byte[] content) {
            plugin.onStreamMessage(xid, lsn, prefix, content);
        }

        @Override
        public void onStreamAbort(int xid, long abortLsn) {
            plugin.onStreamAbort(xid, abortLsn);
        }

        @Override
        public void onStreamCommit(DecodedTxn txn) {
            plugin.onStreamCommit(txn);
            onTransactionEnd(txn.endLsn());
        }
    }
}
