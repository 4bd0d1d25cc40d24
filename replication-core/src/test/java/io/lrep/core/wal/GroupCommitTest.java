package io.lrep.core.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {

    @TempDir
    Path root;

    @Test
    void shouldCoverConcurrentCommitsWithFewerFlushes() throws Exception {
        int threads = 8;
        int commitsPerThread = 150;
        // fsync on: committers queue up behind real fsyncs, which is what grouping is for.
        WalConfig config = WalTestSupport.small(root, 1 << 16, 1 << 20).withFsync(true);
        try (Wal wal = Wal.open(config)) {
            wal.startWriterThread();
            long start = wal.insertLsn();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < commitsPerThread; i++) {
                        int xid = id * 100_000 + i;
                        wal.append(new WalRecord.Insert(xid, 16384, new Object[] {i, "row " + i}));
                        long end = wal.append(new WalRecord.Commit(xid, System.nanoTime() / 1000, 0, 0L));
                        wal.waitForFlush(end);
                        assertThat(wal.flushedLsn()).isGreaterThanOrEqualTo(end);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            int commits = threads * commitsPerThread;
            WalStats stats = wal.stats();
            System.out.printf("commits=%d flushes=%d avgGroup=%.1f maxGroup=%d fsyncMs=%d%n", commits, stats.flushes(),
                    stats.averageGroupSize(), stats.maxGroupSize(), stats.fsyncNanosTotal() / 1_000_000);
            assertThat(stats.flushes()).isLessThan(commits);
            assertThat(stats.fsyncs()).isEqualTo(stats.flushes());
            assertThat(stats.recordsWritten()).isEqualTo(2L * commits);
            assertThat(stats.bytesWritten()).isEqualTo(wal.flushedLsn() - start);

            Set<Integer> committed = new HashSet<>();
            try (WalReader r = wal.openReader(start)) {
                for (WalEntry e = r.next(); e != null; e = r.next()) {
                    if (e.record() instanceof WalRecord.Commit c) {
                        assertThat(committed.add(c.xid())).isTrue();
                    }
                }
            }
            assertThat(committed).hasSize(commits);
        }
    }
}
