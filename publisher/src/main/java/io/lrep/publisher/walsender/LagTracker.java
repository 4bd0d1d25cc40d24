package io.lrep.publisher.walsender;

/**
 * PostgreSQL's walsender lag tracker (walsender.c LagTrackerWrite / LagTrackerRead): a ring of
 * (LSN, time) samples taken when WAL was sent, with one read head per kind of client report
 * (write, flush, apply). A report of LSN L moves its head over every sample at or below L; the
 * lag is the report's time minus the time of the last sample crossed, interpolated between the
 * samples around L when none was crossed, so a stalled client shows growing lag.
 *
 * <p>Times are PostgreSQL timestamps in microseconds; a lag is in microseconds, or
 * {@link #NO_LAG} (-1, PostgreSQL's "not found") when there is nothing new to measure.
 *
 * <p>Not thread-safe: the walsender's thread writes and reads it.
 */
public final class LagTracker {

    /** PostgreSQL's LAG_TRACKER_BUFFER_SIZE. */
    public static final int DEFAULT_CAPACITY = 8192;
    /** Returned when no lag could be measured. */
    public static final long NO_LAG = -1;

    /** The three kinds of report, PostgreSQL's SYNC_REP_WAIT_WRITE, _FLUSH and _APPLY. */
    public enum Head {
        WRITE, FLUSH, APPLY
    }

    private final int capacity;
    private final long[] lsns;
    private final long[] times;
    private long lastLsn;
    private int writeHead;
    private final int[] readHeads = new int[Head.values().length];
    private final long[] lastReadLsn = new long[Head.values().length];
    private final long[] lastReadTime = new long[Head.values().length];

    public LagTracker() {
        this(DEFAULT_CAPACITY);
    }

    /** A tracker holding at most {@code capacity - 1} unread samples (at least 2). */
    public LagTracker(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("lag tracker capacity: " + capacity + " (expected: 2 or more)");
        }
        this.capacity = capacity;
        this.lsns = new long[capacity];
        this.times = new long[capacity];
    }

    /**
     * Records that WAL up to {@code lsn} was sent at {@code timeMicros} (LagTrackerWrite). Nothing
     * happens when the LSN did not move since the last sample. When the ring is full (the write
     * head would reach the slowest read head) the newest sample is overwritten, which lowers the
     * sampling rate.
     */
    public void write(long lsn, long timeMicros) {
        if (lastLsn == lsn) {
            return;
        }
        lastLsn = lsn;
        int newWriteHead = (writeHead + 1) % capacity;
        boolean full = false;
        for (int h : readHeads) {
            if (newWriteHead == h) {
                full = true;
            }
        }
        if (full) {
            newWriteHead = writeHead;
            writeHead = writeHead > 0 ? writeHead - 1 : capacity - 1;
        }
        lsns[writeHead] = lsn;
        times[writeHead] = timeMicros;
        writeHead = newWriteHead;
    }

    /**
     * A client reported {@code lsn} for {@code head} at {@code nowMicros} (LagTrackerRead):
     * returns the lag in microseconds, or {@link #NO_LAG} when no sample was crossed and none can
     * be interpolated, or the clock went backwards.
     */
    public long read(Head head, long lsn, long nowMicros) {
        int h = head.ordinal();
        long time = 0;
        while (readHeads[h] != writeHead && lsns[readHeads[h]] <= lsn) {
            time = times[readHeads[h]];
            lastReadLsn[h] = lsns[readHeads[h]];
            lastReadTime[h] = time;
            readHeads[h] = (readHeads[h] + 1) % capacity;
        }
        // Empty: the client has everything ever sent. Forget the last sample, so a burst after a
        // quiet spell is not interpolated against a stale one.
        if (readHeads[h] == writeHead) {
            lastReadTime[h] = 0;
        }
        if (time > nowMicros) {
            return NO_LAG;
        }
        if (time == 0) {
            if (readHeads[h] == writeHead) {
                return NO_LAG; // no future sample to interpolate towards
            }
            long nextLsn = lsns[readHeads[h]];
            long nextTime = times[readHeads[h]];
            if (lastReadTime[h] != 0) {
                long prevLsn = lastReadLsn[h];
                long prevTime = lastReadTime[h];
                if (lsn < prevLsn || prevTime > nextTime) {
                    return NO_LAG; // the report went backwards, or the clock did
                }
                double fraction = (double) (lsn - prevLsn) / (double) (nextLsn - prevLsn);
                time = (long) ((double) prevTime + (nextTime - prevTime) * fraction);
            } else {
                // Only a future sample: the client was caught up and has not reached the first
                // sample of a new burst; report the lag as if it reached it now.
                time = nextTime;
            }
        }
        return nowMicros - time;
    }
}
