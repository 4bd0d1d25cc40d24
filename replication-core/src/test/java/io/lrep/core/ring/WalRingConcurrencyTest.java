package io.lrep.core.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalReader;
import io.lrep.core.wal.WalRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several writers and readers on a 64 KiB ring that laps hundreds of times: every reader sees
 * every record exactly once, in LSN order, intact; lagging readers fall back to segment files.
 */
class WalRingConcurrencyTest {

    private static final int RING = 64 * 1024;
    private static final int WRITERS = 4;
    private static final int PER_WRITER = 3000;

    @TempDir
    Path root;

    @Test
    void shouldDeliverEveryRecordOnceInOrderWhileTheRingLaps() throws Exception {
        String fixed = System.getProperty("walring.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        System.out.println("walring.seed = " + seed + " (rerun with -Dwalring.seed=" + seed + ")");

        WalConfig config = WalConfig.of(root.resolve("pg_wal")).withRingFile(root.resolve("wal_buffers")).withRingCapacity(RING)
                .withSegmentSize(1 << 20).withFsync(false);
        try (Wal wal = Wal.open(config)) {
            wal.startWriterThread();
            long start = wal.insertLsn();
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 3);
            AtomicBoolean writersDone = new AtomicBoolean();
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Random rnd = new Random(seed + w);
                int id = w;
                writers.add(pool.submit(() -> {
                    long end = 0;
                    for (int seq = 0; seq < PER_WRITER; seq++) {
                        end = wal.append(message(id, seq, rnd));
                        if (seq % 500 == 0) {
                            wal.waitForFlush(end);
                        }
                    }
                    return end;
                }));
            }
            List<Future<Integer>> readers = new ArrayList<>();
            readers.add(pool.submit(() -> readAll(wal, start, false, writersDone)));
            readers.add(pool.submit(() -> readAll(wal, start, false, writersDone)));
            readers.add(pool.submit(() -> readAll(wal, start, true, writersDone))); // lags behind on purpose
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
            writersDone.set(true);
            wal.waitForFlush(wal.insertLsn());
            assertThat(wal.flushedLsn() - start).isGreaterThan(20L * RING);
            // A reader that starts now finds most records lapped: they come from segment files.
            assertThat(readAll(wal, start, false, writersDone)).isEqualTo(WRITERS * PER_WRITER);
            for (Future<Integer> f : readers) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(WRITERS * PER_WRITER);
            }
            pool.shutdown();
            System.out.printf("ringReads=%d fallbacks=%d flushes=%d%n", wal.stats().ringReads(), wal.stats().readerFallbacks(),
                    wal.stats().flushes());
            assertThat(wal.stats().readerFallbacks()).isGreaterThan(0);
            assertThat(wal.stats().ringReads()).isGreaterThan(0);
        }
    }

    private static WalRecord message(int writer, int seq, Random rnd) {
        byte[] payload = new byte[50 + rnd.nextInt(1500)];
        rnd.nextBytes(payload);
        CRC32 crc = new CRC32();
        crc.update(payload);
        ByteBuffer content = ByteBuffer.allocate(12 + payload.length);
        content.putInt(seq).putLong(crc.getValue()).put(payload);
        return new WalRecord.LogicalMessage(writer, false, "w" + writer, content.array());
    }

    private static int readAll(Wal wal, long start, boolean lag, AtomicBoolean writersDone) {
        int total = WRITERS * PER_WRITER;
        int[] nextSeq = new int[WRITERS];
        int count = 0;
        long expectedStart = start;
        try (WalReader reader = wal.openReader(start)) {
            while (count < total) {
                WalEntry e = reader.next();
                if (e == null) {
                    wal.awaitFlushedBeyond(reader.position(), TimeUnit.MILLISECONDS.toNanos(5));
                    continue;
                }
                assertThat(e.startLsn()).isEqualTo(expectedStart);
                assertThat(e.endLsn()).isGreaterThan(e.startLsn());
                expectedStart = e.endLsn();
                WalRecord.LogicalMessage m = (WalRecord.LogicalMessage) e.record();
                int writer = m.xid();
                assertThat(m.prefix()).isEqualTo("w" + writer);
                ByteBuffer content = ByteBuffer.wrap(m.content());
                int seq = content.getInt();
                long sum = content.getLong();
                CRC32 crc = new CRC32();
                crc.update(content);
                assertThat(crc.getValue()).as("payload of writer %d seq %d", writer, seq).isEqualTo(sum);
                assertThat(seq).as("sequence of writer %d", writer).isEqualTo(nextSeq[writer]);
                nextSeq[writer]++;
                count++;
                if (lag && count % 1000 == 0) {
                    // Fall behind by more than the ring so that the next records are lapped.
                    long here = reader.position();
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> writersDone.get() || wal.flushedLsn() > here + 2L * RING);
                }
            }
            assertThat(reader.next()).isNull();
        }
        return count;
    }
}
