package io.lrep.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordCodec;
import io.lrep.core.wal.WalRecordDescriptor;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalRingTest {

    private static final long BASE = 0x1000000L;
    private static final int CAP = 4096;

    @TempDir
    Path dir;

    private final AtomicInteger flushRequests = new AtomicInteger();

    private WalRing ring() {
        return new WalRing(dir.resolve("wal_buffers"), CAP, BASE, flushRequests::incrementAndGet);
    }

    /** A record whose frame is exactly 256 bytes. */
    private static WalRecord record256(int xid) {
        WalRecord r = new WalRecord.LogicalMessage(xid, false, "", new byte[256 - 16 - 14]);
        assertThat(WalRecordCodec.frameSize(r)).isEqualTo(256);
        return r;
    }

    @Test
    void shouldPublishRecordUnderItsOwnLsn() {
        WalRing ring = ring();
        assertThat(ring.publishedFrameLength(BASE)).isEqualTo(-1);
        long end = ring.append(record256(1));
        assertThat(end).isEqualTo(BASE + 256);
        assertThat(ring.getInsertPositionAcquire()).isEqualTo(end);
        assertThat(ring.publishedFrameLength(BASE)).isEqualTo(256);
        assertThat(ring.publishedFrameLength(end)).isEqualTo(-1);
    }

    @Test
    void shouldNotTakeHeaderOfEarlierLapAsPublished() {
        WalRing ring = ring();
        for (int i = 0; i < CAP / 256; i++) {
            ring.append(record256(i));
        }
        ring.publishFlushed(BASE + CAP);
        // The slot of BASE + CAP still holds the valid header of the record at BASE.
        assertThat(ring.publishedFrameLength(BASE + CAP)).isEqualTo(-1);
        assertThat(ring.publishedFrameLength(BASE)).isEqualTo(256);
    }

    /**
     * Stale ring bytes that form a complete, valid frame for the expected LSN (length, CRC and
     * LSN all right) are not taken as published while that LSN's writer has only reserved it.
     */
    @Test
    void shouldNotTakeForgedStaleFrameWithExpectedLsnAsPublished() {
        WalRing ring = ring();
        long forgedLsn = BASE + CAP + 64;
        ByteBuffer forged = ByteBuffer.allocate(64);
        int forgedLength = WalRecordCodec.encodeFrame(new WalRecord.LogicalMessage(7, false, "", new byte[34]), forgedLsn, forged);
        assertThat(forgedLength).isEqualTo(64);
        // Lap 0: a 256-byte record whose content puts the forged frame at stream offset 64 (the
        // content starts at offset 30 of the frame), then fillers up to the end of the ring.
        byte[] content = new byte[256 - 30];
        System.arraycopy(forged.array(), 0, content, 64 - 30, 64);
        assertThat(ring.append(new WalRecord.LogicalMessage(1, false, "", content))).isEqualTo(BASE + 256);
        for (int i = 1; i < CAP / 256; i++) {
            ring.append(record256(i));
        }
        ring.publishFlushed(BASE + 256);
        // Lap 1: a 64-byte record, then a 512-byte one that reserves forgedLsn and waits for the
        // flush of BASE + 576, so its bytes are not written yet.
        assertThat(ring.append(new WalRecord.LogicalMessage(2, false, "", new byte[34]))).isEqualTo(forgedLsn);
        CompletableFuture<Long> blocked = CompletableFuture.supplyAsync(
                () -> ring.append(new WalRecord.LogicalMessage(3, false, "", new byte[512 - 30])));
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.getInsertPositionAcquire() == forgedLsn + 512);
        assertThat(blocked).isNotDone();
        ByteBuffer[] stale = ring.regions(forgedLsn, forgedLsn + 64);
        assertThat(stale).hasSize(1);
        assertThat(WalRecordDescriptor.validate(stale[0], stale[0].position(), 64, forgedLsn)).as("the stale bytes are a valid frame").isNull();

        assertThat(ring.publishedFrameLength(forgedLsn)).isEqualTo(-1);

        ring.publishFlushed(BASE + CAP);
        assertThat(blocked).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(forgedLsn + 512);
        assertThat(ring.publishedFrameLength(forgedLsn)).isEqualTo(512);
    }

    @Test
    void shouldMakeWriterWaitForFlushBeforeReusingSpace() {
        WalRing ring = ring();
        for (int i = 0; i < CAP / 256; i++) {
            ring.append(record256(i));
        }
        // The ring is full of unflushed bytes: the next writer reserves, then waits.
        CompletableFuture<Long> blocked = CompletableFuture.supplyAsync(() -> ring.append(record256(99)));
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.getInsertPositionAcquire() == BASE + CAP + 256);
        await().atMost(Duration.ofSeconds(10)).until(() -> flushRequests.get() > 0);
        assertThat(blocked).isNotDone();
        assertThat(ring.publishedFrameLength(BASE + CAP)).isEqualTo(-1);
        // Still readable: nothing was overwritten.
        ByteBuffer buf = ByteBuffer.allocate(512);
        assertThat(ring.copyOut(BASE, buf)).isEqualTo(256);

        ring.publishFlushed(BASE + 256);
        assertThat(blocked).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(BASE + CAP + 256);
        assertThat(ring.publishedFrameLength(BASE + CAP)).isEqualTo(256);
        // The first record's bytes were reused: a reader copy of it is refused.
        assertThat(ring.copyOut(BASE, buf.clear())).isZero();
        assertThat(ring.copyOut(BASE + 256, buf.clear())).isEqualTo(256);
    }

    @Test
    void shouldWrapRecordsAroundTheRingEnd() {
        WalRing ring = ring();
        long pos = BASE;
        for (int i = 0; i < 40; i++) {
            WalRecord r = new WalRecord.LogicalMessage(i, true, "p", new byte[100 + i * 13]);
            long end = ring.append(r);
            int length = ring.publishedFrameLength(pos);
            assertThat(length).isPositive();
            ByteBuffer buf = ByteBuffer.allocate(length);
            assertThat(ring.copyOut(pos, buf)).isEqualTo(length);
            WalRecord back = WalRecordCodec.decodeFrame(buf, pos);
            assertThat(((WalRecord.LogicalMessage) back).content()).hasSize(100 + i * 13);
            ring.publishFlushed(end);
            pos = end;
            assertThat(pos % WalRecordDescriptor.ALIGNMENT).isZero();
        }
        assertThat(pos - BASE).isGreaterThan(2L * CAP);
    }

    @Test
    void shouldAskForTooSmallBufferSize() {
        WalRing ring = ring();
        ring.append(record256(1));
        assertThat(ring.copyOut(BASE, ByteBuffer.allocate(16))).isEqualTo(-(256));
    }

    @Test
    void shouldTimeOutAndFailWaitersOnClose() {
        WalRing ring = ring();
        assertThat(ring.awaitFlushed(BASE + 8, TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> ring.awaitFlushed(BASE + 8, Long.MAX_VALUE / 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> flushRequests.get() > 1);
        ring.close();
        assertThat(waiter).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("closed while waiting for flush to 0/1000008");
    }
}
