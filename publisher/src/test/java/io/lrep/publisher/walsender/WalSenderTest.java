package io.lrep.publisher.walsender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.replication.HotStandbyFeedback;
import io.lrep.core.protocol.replication.PrimaryKeepalive;
import io.lrep.core.protocol.replication.ReplicationMessage;
import io.lrep.core.protocol.replication.StandbyStatusUpdate;
import io.lrep.core.protocol.replication.XLogData;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import io.lrep.publisher.decoding.HistoricCatalog;
import io.lrep.publisher.slot.ReplicationSlot;
import io.lrep.publisher.slot.SlotConfig;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.slot.SlotManager.SlotSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalSenderTest {

    private static final int PID = 4242;
    private static final long T0 = 700_000_000_000_000L;
    private static final TableDef T = new TableDef(16384, 2200, "public", "t",
            List.of(new ColumnDef(1, "id", PgType.INT4, -1, false, null, ColumnDef.NO_IDENTITY, 0, false, null),
                    new ColumnDef(2, "v", PgType.TEXT, -1, false, null, ColumnDef.NO_IDENTITY, 0, false, null)),
            List.of(1), ReplicaIdentity.DEFAULT);

    @TempDir
    Path dir;

    private final MemoryWalLog wal = new MemoryWalLog();
    private final AtomicLong clock = new AtomicLong(T0);
    private SlotManager slots;

    /** A committed transaction's LSNs: its insert's start, its commit's end. */
    private record Txn(long insert, long end) {}

    @BeforeEach
    void createSlot() {
        slots = SlotManager.open(dir.resolve("pg_replslot"), SlotConfig.of(10, -1, 1024, false), wal, () -> Long.MAX_VALUE, () -> 0);
        slots.create(SlotSpec.logical("s", SlotManager.PGOUTPUT, "db", false), PID);
        slots.acquireForDecoding("s", PID, "db");
    }

    @AfterEach
    void closeSlots() {
        slots.close();
    }

    private Txn txn(int xid) {
        long start = wal.insertLsn();
        wal.append(new WalRecord.Insert(xid, T.oid(), new Object[] {xid, "v" + xid}));
        long end = wal.append(new WalRecord.Commit(xid, T0, 0, 0));
        wal.waitForFlush(end);
        return new Txn(start, end);
    }

    private WalSender walSender(FakeTransport transport, long timeoutMs, long requestedLsn) {
        return new WalSender(slots, "s", PID, requestedLsn, wal, new FakePlugin(), transport,
                new WalSender.Settings(timeoutMs, 1 << 20, 4096, clock::get), () -> HistoricCatalog.of(List.of(T)));
    }

    private static String text(XLogData x) {
        return new String(x.payload(), StandardCharsets.UTF_8);
    }

    private static List<XLogData> xlog(List<ReplicationMessage> sent) {
        return sent.stream().filter(m -> m instanceof XLogData).map(m -> (XLogData) m).toList();
    }

    private static List<PrimaryKeepalive> keepalives(List<ReplicationMessage> sent) {
        return sent.stream().filter(m -> m instanceof PrimaryKeepalive).map(m -> (PrimaryKeepalive) m).toList();
    }

    private static boolean isCommit(ReplicationMessage m, int xid) {
        return m instanceof XLogData x && text(x).equals("C " + xid);
    }

    @Test
    void shouldSendEachPluginMessageAsXLogDataWithItsLsns() {
        Txn a = txn(1);
        Txn b = txn(2);
        FakeTransport tr = new FakeTransport(clock);
        tr.onSend(m -> {
            if (isCommit(m, 2)) {
                tr.client(new WalSenderTransport.CopyDone());
            }
        });
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.COPY_DONE);
            assertThat(ws.status().sentLsn()).isEqualTo(b.end());
        }
        List<XLogData> xs = xlog(tr.sent());
        assertThat(xs).extracting(WalSenderTest::text).containsExactly("B 1", "I 1", "C 1", "B 2", "I 2", "C 2");
        assertThat(xs).extracting(XLogData::walStart).containsExactly(0L, a.insert(), a.end(), 0L, b.insert(), b.end());
        assertThat(xs).extracting(XLogData::walEnd).containsExactly(0L, a.insert(), a.end(), 0L, b.insert(), b.end());
        assertThat(xs).extracting(XLogData::sendTimeMicros).containsOnly(T0);
        assertThat(tr.sent()).last().isNull(); // CopyDone answered
        assertThat(tr.sent().stream().filter(m -> m == null).count()).isEqualTo(1);
        assertThat(tr.flushesWithData()).as("flushed per batch, not per message").isLessThanOrEqualTo(3);
    }

    @Test
    void shouldStartAtTheLaterOfRequestedLsnAndConfirmedFlush() {
        Txn a = txn(1);
        txn(2);
        FakeTransport tr = new FakeTransport(clock);
        tr.onSend(m -> {
            if (isCommit(m, 2)) {
                tr.client(new WalSenderTransport.CopyDone());
            }
        });
        try (WalSender ws = walSender(tr, 60_000, a.end())) {
            assertThat(ws.startPoint()).isEqualTo(a.end());
            ws.run();
        }
        assertThat(xlog(tr.sent())).extracting(WalSenderTest::text).containsExactly("B 2", "I 2", "C 2");
    }

    @Test
    void shouldAdvanceConfirmedFlushAndRestartLsnOnlyFromTheFlushField() {
        txn(1);
        Txn b = txn(2);
        long created = slots.slot("s").restartLsn();
        FakeTransport tr = new FakeTransport(clock);
        List<ReplicationSlot> atKeepalive = new ArrayList<>();
        AtomicInteger step = new AtomicInteger();
        tr.onSend(m -> {
            if (!(m instanceof PrimaryKeepalive)) {
                return;
            }
            atKeepalive.add(slots.slot("s"));
            switch (step.getAndIncrement()) {
                case 0 -> tr.clientSends(new StandbyStatusUpdate(b.end(), 0, b.end(), T0, true));
                case 1 -> tr.clientSends(new StandbyStatusUpdate(b.end(), b.end() + 500, b.end(), T0, true));
                default -> tr.client(new WalSenderTransport.CopyDone());
            }
        });
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.COPY_DONE);
        }
        assertThat(step.get()).isEqualTo(3);
        // the reply to the write-only report came after it was processed: nothing moved
        assertThat(atKeepalive.get(2).confirmedFlushLsn()).isEqualTo(created);
        ReplicationSlot s = slots.slot("s");
        assertThat(s.confirmedFlushLsn()).as("never beyond what was sent").isEqualTo(b.end());
        assertThat(s.restartLsn()).isEqualTo(b.end());
        assertThat(CatalogStateStore.load(slots, "s", b.end())).isPresent();
        assertThat(CatalogStateStore.load(slots, "s", created)).isEmpty();

        // a new walsender restarts from the saved catalog and confirmed_flush
        slots.release("s", PID);
        slots.acquireForDecoding("s", PID, "db");
        txn(3);
        FakeTransport tr2 = new FakeTransport(clock);
        tr2.onSend(m -> {
            if (isCommit(m, 3)) {
                tr2.client(new WalSenderTransport.CopyDone());
            }
        });
        try (WalSender ws = new WalSender(slots, "s", PID, 0, wal, new FakePlugin(), tr2,
                new WalSender.Settings(60_000, 1 << 20, 4096, clock::get), null)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.COPY_DONE);
        }
        assertThat(xlog(tr2.sent())).extracting(WalSenderTest::text).containsExactly("B 3", "I 3", "C 3");
    }

    @Test
    void shouldAnswerReplyRequestedAndTrackLagUntilTheClientIsFullyApplied() {
        Txn a = txn(1);
        FakeTransport tr = new FakeTransport(clock);
        AtomicReference<WalSender> sender = new AtomicReference<>();
        List<WalSenderStatus> seen = new ArrayList<>();
        AtomicInteger step = new AtomicInteger();
        tr.onSend(m -> {
            if (!(m instanceof PrimaryKeepalive k)) {
                return;
            }
            assertThat(k.walEnd()).isEqualTo(a.end());
            switch (step.getAndIncrement()) {
                case 0 -> {
                    clock.addAndGet(5_000);
                    tr.clientSends(new StandbyStatusUpdate(a.end(), a.end(), 0, T0 + 1, true));
                }
                case 1 -> tr.clientSends(new StandbyStatusUpdate(a.end(), a.end(), a.end(), T0 + 2, true));
                case 2 -> {
                    seen.add(sender.get().status());
                    tr.clientSends(new StandbyStatusUpdate(a.end(), a.end(), a.end(), T0 + 3, true));
                }
                default -> {
                    seen.add(sender.get().status());
                    tr.client(new WalSenderTransport.CopyDone());
                }
            }
        });
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            sender.set(ws);
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.COPY_DONE);
            WalSenderStatus end = ws.status();
            assertThat(end.writeLagMicros()).isNull();
            assertThat(end.flushLagMicros()).isNull();
            assertThat(end.replayLagMicros()).isNull();
            assertThat(end.replyTimeMicros()).isEqualTo(T0 + 3);
            assertThat(end.replayLsn()).isEqualTo(a.end());
            assertThat(end.state()).isEqualTo(WalSender.State.STREAMING);
            assertThat(end.decodingStats().totalTxns()).isEqualTo(1);
        }
        // three replies answered at once, each with a keepalive without replyRequested
        assertThat(keepalives(tr.sent())).hasSize(4).noneMatch(PrimaryKeepalive::replyRequested);
        WalSenderStatus afterFirst = seen.get(0);
        assertThat(afterFirst.writeLsn()).isEqualTo(a.end());
        assertThat(afterFirst.flushLsn()).isEqualTo(a.end());
        assertThat(afterFirst.replayLsn()).isZero();
        assertThat(afterFirst.writeLagMicros()).isEqualTo(5_000);
        assertThat(afterFirst.flushLagMicros()).isEqualTo(5_000);
        assertThat(afterFirst.replayLagMicros()).as("hypothetical lag of the sample not yet reached").isEqualTo(5_000);
        WalSenderStatus afterSecond = seen.get(1);
        assertThat(afterSecond.replayLagMicros()).isEqualTo(5_000);
        assertThat(afterSecond.writeLagMicros()).as("kept: nothing new to measure").isEqualTo(5_000);
    }

    @Test
    void shouldPingAfterHalfTheTimeoutAndEndASilentClient() {
        long start = wal.insertLsn();
        FakeTransport tr = new FakeTransport(clock);
        List<Long> sentAt = new ArrayList<>();
        tr.onSend(m -> sentAt.add(clock.get()));
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.TIMEOUT);
        }
        assertThat(keepalives(tr.sent())).extracting(PrimaryKeepalive::replyRequested).containsExactly(false, true);
        assertThat(keepalives(tr.sent())).extracting(PrimaryKeepalive::walEnd).containsOnly(start);
        assertThat(sentAt).containsExactly(T0, T0 + 30_000_000);
        assertThat(clock.get()).isEqualTo(T0 + 60_000_000);
    }

    @Test
    void shouldKeepStreamingWhileTheClientAnswersPings() {
        FakeTransport tr = new FakeTransport(clock);
        AtomicInteger pings = new AtomicInteger();
        tr.onSend(m -> {
            if (m instanceof PrimaryKeepalive k && k.replyRequested()) {
                if (pings.incrementAndGet() == 4) {
                    tr.client(new WalSenderTransport.CopyDone());
                } else {
                    tr.clientSends(new StandbyStatusUpdate(0, 0, 0, clock.get(), false));
                }
            }
        });
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.COPY_DONE);
        }
        assertThat(clock.get() - T0).isGreaterThanOrEqualTo(120_000_000L);
    }

    @Test
    void shouldNeitherPingNorTimeOutWhenTheTimeoutIsDisabled() {
        FakeTransport tr = new FakeTransport(clock);
        AtomicInteger keepalives = new AtomicInteger();
        tr.onSend(m -> {
            if (m instanceof PrimaryKeepalive && keepalives.incrementAndGet() == 20) {
                tr.client(new WalSenderTransport.CopyDone());
            }
        });
        try (WalSender ws = walSender(tr, 0, 0)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.COPY_DONE);
        }
        assertThat(keepalives(tr.sent())).noneMatch(PrimaryKeepalive::replyRequested);
        assertThat(clock.get() - T0).isGreaterThan(120_000_000L);
    }

    @Test
    void shouldIgnoreHotStandbyFeedbackAndEndOnCopyDone() {
        FakeTransport tr = new FakeTransport(clock);
        tr.clientSends(new HotStandbyFeedback(T0, 0, 0, 0, 0));
        tr.client(new WalSenderTransport.CopyDone());
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.COPY_DONE);
        }
        assertThat(tr.sent()).containsExactly((ReplicationMessage) null);
    }

    @Test
    void shouldEndWhenTheClientLeaves() {
        FakeTransport tr = new FakeTransport(clock);
        tr.client(new WalSenderTransport.Closed());
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.CLIENT_GONE);
        }
    }

    @Test
    void shouldRejectOtherMessagesAsProtocolViolations() {
        FakeTransport tr = new FakeTransport(clock);
        tr.client(new WalSenderTransport.Other('Q'));
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            assertThatThrownBy(ws::run).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
                assertThat(e.severity()).isEqualTo(LrepException.Severity.FATAL);
                assertThat(e.getMessage()).isEqualTo("invalid standby message type \"Q\"");
            });
        }
        FakeTransport tr2 = new FakeTransport(clock);
        tr2.clientSends(new XLogData(0, 0, 0, new byte[1]));
        try (WalSender ws = walSender(tr2, 60_000, 0)) {
            assertThatThrownBy(ws::run).isInstanceOf(LrepException.class).hasMessage("unexpected message type \"w\"");
        }
        FakeTransport tr3 = new FakeTransport(clock);
        tr3.client(new WalSenderTransport.CopyData(new byte[] {'r', 0, 1}));
        try (WalSender ws = walSender(tr3, 60_000, 0)) {
            assertThatThrownBy(ws::run).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION));
        }
    }

    @Test
    void shouldEndWithPostgresErrorWhenTheSlotIsInvalidated() {
        slots.close();
        slots = SlotManager.open(dir.resolve("pg_replslot"), SlotConfig.of(10, 0, 1024, false), wal, () -> Long.MAX_VALUE, () -> 0);
        slots.acquireForDecoding("s", PID, "db");
        FakeTransport tr = new FakeTransport(clock);
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            for (int i = 0; i < 20; i++) {
                txn(100 + i);
            }
            assertThat(slots.onCheckpoint(wal.insertLsn(), wal.insertLsn())).containsExactly("s");
            assertThatThrownBy(ws::run).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.ADMIN_SHUTDOWN);
                assertThat(e.severity()).isEqualTo(LrepException.Severity.FATAL);
                assertThat(e.getMessage()).isEqualTo("terminating connection due to administrator command");
            });
        }
    }

    @Test
    void shouldWakeAWaitingWalSenderWhenWalIsFlushed() throws Exception {
        FakeTransport tr = new FakeTransport(null); // real time: waits up to 10 s without a wake-up
        WalSender ws = new WalSender(slots, "s", PID, 0, wal, new FakePlugin(), tr, WalSender.Settings.of(0, 1 << 20),
                () -> HistoricCatalog.of(List.of(T)));
        CompletableFuture<WalSender.Outcome> outcome = CompletableFuture.supplyAsync(ws::run);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> ws.status().state() == WalSender.State.STREAMING
                    && !keepalives(tr.sent()).isEmpty());
            long before = System.nanoTime();
            txn(7);
            await().atMost(Duration.ofSeconds(2)).until(() -> tr.sent().stream().anyMatch(m -> isCommit(m, 7)));
            assertThat(System.nanoTime() - before).isLessThan(TimeUnit.SECONDS.toNanos(2));
            tr.client(new WalSenderTransport.CopyDone());
            assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(WalSender.Outcome.COPY_DONE);
        } finally {
            ws.requestStop();
            tr.client(new WalSenderTransport.Closed());
            outcome.handle((o, e) -> o).get(5, TimeUnit.SECONDS);
            ws.close();
        }
    }

    @Test
    void shouldStopOnRequestOnceTheClientConfirmedEverything() {
        Txn a = txn(1);
        FakeTransport tr = new FakeTransport(clock);
        AtomicReference<WalSender> sender = new AtomicReference<>();
        tr.onSend(m -> {
            if (isCommit(m, 1)) {
                sender.get().requestStop();
            } else if (m instanceof PrimaryKeepalive k && k.replyRequested()) {
                tr.clientSends(new StandbyStatusUpdate(a.end(), a.end(), a.end(), T0, false));
            }
        });
        try (WalSender ws = walSender(tr, 60_000, 0)) {
            sender.set(ws);
            assertThat(ws.run()).isEqualTo(WalSender.Outcome.STOPPED);
            assertThat(ws.status().state()).isEqualTo(WalSender.State.STOPPING);
        }
        assertThat(slots.slot("s").confirmedFlushLsn()).isEqualTo(a.end());
    }
}
