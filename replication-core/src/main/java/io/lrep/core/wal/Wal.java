package io.lrep.core.wal;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.ring.WalRing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's write-ahead log: a {@link WalRing} in front of segment files ({@link WalSegment}),
 * flushed by a {@link WalWriter}.
 *
 * <p>{@link #open(WalConfig)} finds the end of valid WAL by reading every segment from the
 * oldest: the first record with a zero header, bad length, wrong LSN or bad CRC ends it. The
 * bytes after the end are zeroed (so a stale record past a torn tail can never be read later)
 * and appending continues there. Open starts no thread: the node's supervisor runs
 * {@link #writer()}; {@link #startWriterThread()} runs it on an internal thread instead (tests,
 * tools, benchmarks). Until a writer runs, nothing becomes durable and
 * {@link #waitForFlush(long)} blocks.
 *
 * <p>Thread-safe: any number of appenders, committers and readers (one thread per reader).
 * {@link #close()} must come after the supervisor has stopped the writer it runs.
 */
public final class Wal implements WalLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Wal.class);
    private static final String ZERO_HEADER = "record header is zero";
    private static final String END_OF_FILES = "end of the last segment file";

    private final WalConfig config;
    private final WalRing ring;
    private final WalWriter writer;
    private final WalStats stats = new WalStats();
    private final Map<String, Long> holders = new ConcurrentHashMap<>();
    private final Object retentionLock = new Object();
    private final Object lifecycleLock = new Object();

    private volatile long oldestSegno;
    private volatile boolean closed;
    private Thread writerThread; // guarded by lifecycleLock
    private volatile boolean stopWriterThread;

    private Wal(WalConfig config, long oldestSegno, long endLsn) {
        this.config = config;
        this.oldestSegno = oldestSegno;
        WalWriter[] w = new WalWriter[1];
        this.ring = new WalRing(config.ringFile(), config.ringCapacityBytes(), endLsn, () -> w[0].wake());
        this.writer = new WalWriter(ring, config, stats, endLsn);
        w[0] = writer;
    }

    /**
     * Opens (or creates) the WAL in {@code config.walDir()}, finding the end of valid WAL.
     *
     * @throws LrepException DATA_CORRUPTED or IO_ERROR naming the file for a segment of the wrong
     *     size, an unreadable segment or a gap in the segment sequence; nothing stays open then
     */
    public static Wal open(WalConfig config) {
        Path dir = config.walDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not create WAL directory \"" + dir + "\": " + e.getMessage(), e);
        }
        List<Long> segnos = listSegments(config);
        long oldest;
        long end;
        if (segnos.isEmpty()) {
            end = config.initialLsn();
            oldest = end / config.segmentSizeBytes();
            WalSegment.create(dir, config.timeline(), oldest, config.segmentSizeBytes(), config.fsync()).close();
            log.info("Created WAL in {} starting at {}", dir, Lsn.format(end));
        } else {
            oldest = segnos.get(0);
            end = recover(config, segnos);
        }
        return new Wal(config, oldest, end);
    }

    // ------------------------------------------------------------------ open: scan and repair

    private static List<Long> listSegments(WalConfig config) {
        Path dir = config.walDir();
        List<Long> segnos = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (WalSegment.isSegmentName(name) && WalSegment.timeline(name) == config.timeline()) {
                    segnos.add(WalSegment.segmentNumber(name, config.segmentSizeBytes()));
                }
            }
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not read WAL directory \"" + dir + "\": " + e.getMessage(), e);
        }
        Collections.sort(segnos);
        for (int i = 0; i < segnos.size(); i++) {
            Path path = segmentPath(config, segnos.get(i));
            if (i > 0 && segnos.get(i) != segnos.get(i - 1) + 1) {
                throw new LrepException(SqlState.DATA_CORRUPTED, "WAL segment file \""
                        + segmentPath(config, segnos.get(i - 1) + 1) + "\" is missing (found \""
                        + segmentPath(config, segnos.get(i - 1)).getFileName() + "\" and \"" + path.getFileName() + "\")");
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size != config.segmentSizeBytes()) {
                    throw new LrepException(SqlState.DATA_CORRUPTED, "WAL segment file \"" + path + "\" has size " + size
                            + " (expected: " + config.segmentSizeBytes() + ")");
                }
                ch.read(ByteBuffer.allocate(1), 0);
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not read WAL segment file \"" + path + "\": " + e.getMessage(), e);
            }
        }
        return segnos;
    }

    private static Path segmentPath(WalConfig config, long segno) {
        return config.walDir().resolve(WalSegment.fileName(config.timeline(), segno, config.segmentSizeBytes()));
    }

    /** Finds the end of valid WAL in the listed segments and zeroes everything after it. */
    private static long recover(WalConfig config, List<Long> segnos) {
        int segSize = config.segmentSizeBytes();
        long first = segnos.get(0) * segSize;
        long filesEnd = (segnos.get(segnos.size() - 1) + 1) * segSize;
        try (SegmentFileReader files = new SegmentFileReader(config.walDir(), config.timeline(), segSize)) {
            Scan scan = new Scan(files, filesEnd);
            long pos = first;
            String problem = scan.check(pos);
            if (problem != null && first != config.initialLsn()) {
                // After removals the oldest segment may begin inside a record that started in a
                // removed segment (its bytes may even look like a zero header): resynchronise on
                // the first 8-aligned position that holds a valid record for itself.
                for (long p = first + WalRecordDescriptor.ALIGNMENT; p + WalRecordDescriptor.HEADER_LENGTH <= filesEnd;
                        p += WalRecordDescriptor.ALIGNMENT) {
                    if (scan.lsnAt(p) == p && scan.check(p) == null) {
                        log.info("First record of oldest WAL segment {} is at {}", segmentPath(config, segnos.get(0)).getFileName(),
                                Lsn.format(p));
                        pos = p;
                        problem = null;
                        break;
                    }
                }
            }
            long records = 0;
            while (problem == null) {
                pos += WalRecordDescriptor.align(scan.lastLength);
                records++;
                problem = scan.check(pos);
            }
            if (problem.equals(ZERO_HEADER) || problem.equals(END_OF_FILES)) {
                log.info("WAL ends at {} after {} records ({})", Lsn.format(pos), records, problem);
            } else {
                log.warn("invalid record at {}: {}; WAL ends at {}", Lsn.format(pos), problem, Lsn.format(pos));
            }
            zeroAfter(config, segnos, pos);
            return pos;
        }
    }

    /** Reads frames for the open scan; remembers the length of the last valid one. */
    private static final class Scan {
        private final SegmentFileReader files;
        private final long filesEnd;
        private ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        int lastLength;

        Scan(SegmentFileReader files, long filesEnd) {
            this.files = files;
            this.filesEnd = filesEnd;
        }

        long lsnAt(long pos) {
            if (files.read(pos, buf, WalRecordDescriptor.HEADER_LENGTH, filesEnd) < WalRecordDescriptor.HEADER_LENGTH) {
                return -1;
            }
            return WalRecordDescriptor.lsn(buf, 0);
        }

        /** Null if a valid record starts at {@code pos}, else why not. */
        String check(long pos) {
            if (pos >= filesEnd) {
                return END_OF_FILES;
            }
            int n = files.read(pos, buf, WalRecordDescriptor.HEADER_LENGTH, filesEnd);
            if (n < WalRecordDescriptor.HEADER_LENGTH) {
                return WalRecordDescriptor.validate(buf, 0, n, pos);
            }
            if (WalRecordDescriptor.isZeroHeader(buf, 0)) {
                return ZERO_HEADER;
            }
            int length = WalRecordDescriptor.length(buf, 0);
            if (WalRecordDescriptor.lsn(buf, 0) == pos && length >= WalRecordDescriptor.MIN_LENGTH
                    && length <= WalRecordDescriptor.MAX_LENGTH) {
                if (buf.capacity() < length) {
                    buf = ByteBuffer.allocate(Integer.highestOneBit(length) * 2).order(ByteOrder.LITTLE_ENDIAN);
                }
                n = files.read(pos, buf, length, filesEnd);
            }
            String problem = WalRecordDescriptor.validate(buf, 0, n, pos);
            if (problem == null) {
                lastLength = length;
            }
            return problem;
        }
    }

    /** Zeroes every non-zero byte after {@code end}: the rest of its segment and all later ones. */
    private static void zeroAfter(WalConfig config, List<Long> segnos, long end) {
        int segSize = config.segmentSizeBytes();
        long endSegno = end / segSize;
        for (long segno : segnos) {
            if (segno < endSegno) {
                continue;
            }
            long from = segno == endSegno ? end % segSize : 0;
            Path path = segmentPath(config, segno);
            boolean dirty = false;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
                for (long pos = from; pos < segSize; pos += chunk.limit()) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), segSize - pos));
                    while (chunk.hasRemaining() && ch.read(chunk, pos + chunk.position()) >= 0) {
                        // read the whole chunk
                    }
                    if (!isZero(chunk.array(), chunk.position())) {
                        zeros.clear().limit(chunk.position());
                        while (zeros.hasRemaining()) {
                            ch.write(zeros, pos + zeros.position());
                        }
                        dirty = true;
                    }
                }
                if (dirty && config.fsync()) {
                    ch.force(false);
                }
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not zero the end of WAL segment file \"" + path + "\": "
                        + e.getMessage(), e);
            }
            if (dirty) {
                log.info("Zeroed WAL segment file {} from offset {}", path.getFileName(), from);
            }
        }
    }

    private static boolean isZero(byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ WalLog

    @Override
    public long append(WalRecord record) {
        return ring.append(record);
    }

    @Override
    public void waitForFlush(long lsn) {
        long target = Math.min(lsn, ring.getInsertPositionAcquire());
        if (ring.getFlushedUpToAcquire() >= target) {
            return;
        }
        writer.wake();
        ring.awaitFlushed(target, Long.MAX_VALUE / 2);
    }

    @Override
    public void requestFlush() {
        writer.wake();
    }

    @Override
    public boolean awaitFlushedBeyond(long lsn, long timeoutNanos) {
        if (ring.getFlushedUpToAcquire() > lsn) {
            return true;
        }
        return ring.awaitFlushed(lsn + 1, timeoutNanos);
    }

    @Override
    public Runnable addFlushListener(LongConsumer listener) {
        return writer.addFlushListener(listener);
    }

    @Override
    public long insertLsn() {
        return ring.getInsertPositionAcquire();
    }

    @Override
    public long flushedLsn() {
        return ring.getFlushedUpToAcquire();
    }

    @Override
    public long oldestLsn() {
        return oldestSegno * config.segmentSizeBytes();
    }

    /**
     * A reader at {@code fromLsn}.
     *
     * @throws LrepException UNDEFINED_FILE if the segment holding {@code fromLsn} was removed
     */
    @Override
    public WalReader openReader(long fromLsn) {
        checkNotRemoved(fromLsn);
        return new WalLogReader(this, fromLsn);
    }

    void checkNotRemoved(long lsn) {
        if (lsn < oldestLsn()) {
            throw new LrepException(SqlState.UNDEFINED_FILE, "requested WAL segment "
                    + WalSegment.fileName(config.timeline(), lsn / config.segmentSizeBytes(), config.segmentSizeBytes())
                    + " has already been removed");
        }
    }

    @Override
    public void holdFrom(String holder, long lsn) {
        holders.put(holder, lsn);
    }

    @Override
    public void release(String holder) {
        holders.remove(holder);
    }

    /**
     * Removes the segment files wholly below both the flushed position and every holder's LSN,
     * never the segment being written.
     */
    @Override
    public int removeOldSegments() {
        synchronized (retentionLock) {
            long flushed = ring.getFlushedUpToAcquire();
            long horizon = flushed;
            for (long h : holders.values()) {
                horizon = Math.min(horizon, h);
            }
            int segSize = config.segmentSizeBytes();
            // Keep the segment holding the last flushed byte even when flushed sits on a segment
            // boundary: the next segment may not exist yet, and open() needs one to find the end.
            long limit = Math.min(horizon / segSize, (flushed - 1) / segSize);
            int removed = 0;
            for (long segno = oldestSegno; segno < limit; segno++) {
                oldestSegno = segno + 1; // readers see the removal before the file goes
                Path path = segmentPath(config, segno);
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new LrepException(SqlState.IO_ERROR, "could not remove WAL segment file \"" + path + "\": "
                            + e.getMessage(), e);
                }
                removed++;
            }
            if (removed > 0) {
                log.info("Removed {} WAL segment files below {}", removed, Lsn.format(oldestLsn()));
            }
            return removed;
        }
    }

    // ------------------------------------------------------------------ lifecycle

    public WalConfig config() {
        return config;
    }

    public WalStats stats() {
        return stats;
    }

    WalRing ring() {
        return ring;
    }

    /** The WAL writer, for the node's supervisor to run (do not also call {@link #startWriterThread()}). */
    public WalWriter writer() {
        return writer;
    }

    /** Runs the writer on an internal thread named {@code walwriter} until {@link #close()}. */
    public void startWriterThread() {
        synchronized (lifecycleLock) {
            if (closed) {
                throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "WAL in \"" + config.walDir() + "\" is closed");
            }
            if (writerThread != null) {
                return;
            }
            Thread t = new Thread(this::runWriter, writer.roleName());
            t.setDaemon(true);
            writerThread = t;
            t.start();
        }
    }

    private void runWriter() {
        writer.onStart();
        try {
            while (!stopWriterThread) {
                try {
                    writer.doWork();
                } catch (RuntimeException e) {
                    // Handled here once: the round is retried, as the supervisor would restart the worker.
                    log.error("WAL writer failed; retrying", e);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        } finally {
            writer.onClose();
        }
    }

    /**
     * Flushes everything published, stops the internal writer thread if any and closes the
     * files. Waiters whose LSN was not reached fail with ADMIN_SHUTDOWN. Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            t = writerThread;
            stopWriterThread = true;
        }
        if (t != null) {
            LockSupport.unpark(t);
            writer.wake();
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                log.warn("WAL writer thread did not stop within 10 s");
            }
        }
        try {
            while (writer.flush() > 0) {
                // flush until nothing more is published
            }
        } finally {
            ring.close();
            writer.closeSegments();
            log.info("Closed WAL in {} at {}", config.walDir(), Lsn.format(ring.getFlushedUpToAcquire()));
        }
    }
}
