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
