package io.lrep.core.ring;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordCodec;
import io.lrep.core.wal.WalRecordDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The WAL buffers: a power-of-two ring of framed records ({@link WalRecordDescriptor}) in a
 * memory-mapped file. The stream byte at LSN {@code L} lives at ring offset
 * {@code L & (capacity - 1)}; a record that runs past the ring's end continues at offset 0
 * (byte-wise wrap; header words are 8-aligned and never straddle the end).
 *
 * <p>Memory-ordering protocol:
 * <pre>
 * Many writers reserve space with getAndAdd on insertPosition; one flusher (the WAL writer);
 *               many readers.
 * reservation:  getAndAdd(insertPosition, frameLength) gives the record its start LSN. No lock.
 *               The writer then waits until flushedUpTo >= end - capacity, so it never
 *               overwrites bytes that are not yet in a segment file.
 * available:    an int per 8-byte ring slot, beside the ring (on the heap). After copying its
 *               whole frame (plain stores) a writer stores lap(start) + 1 into the slot of its
 *               start (setRelease); the flusher takes the record at lsn as published iff that slot
 *               holds lap(lsn) + 1 (getAcquire), and then sees the whole frame. A slot is written
 *               only where a record starts and is zero when the ring opens, so whatever stale
 *               bytes the ring holds at lsn, they are never taken for a record; the flusher does
 *               not re-check the CRC. lap(lsn) = (lsn - lapOrigin) / capacity, as an int: a slot
 *               could only be mistaken after 2^32 laps without a record starting in it, and the
 *               flusher also checks the header's LSN word.
 * flushedUpTo:  the flusher writes it after write+fsync (putLongVolatile: release for readers
 *               and writers, and ordered before its scan of the waiter queue so that a waiter
 *               that enqueued itself and then read an old flushedUpTo is always unparked).
 *               Writers wait on it before reusing ring space; readers acquire it as their
 *               visibility bound, which makes the flushed frames' bytes visible to them
 *               (writer release -> flusher acquire -> flusher release -> reader acquire).
 * reuseUpTo:    stream bytes below it may be being overwritten in the ring. After its wait for
 *               space and before its first ring store, a writer makes sure reuseUpTo >= its
 *               end - capacity: it reads reuseUpTo (getAcquire) and, only if that is lower,
 *               raises it (CAS max) to min(end - capacity + reuseStep, flushedUpTo as it saw it),
 *               a reuseStep (capacity / 64) ahead, so that one CAS covers many records. Then
 *               releaseFence(). A writer that skips the CAS read a value some writer stored
 *               before it, which the acquire read orders before its own ring stores too. Raising
 *               it early is conservative only: readers read those oldest records from segments;
 *               capping it at flushedUpTo keeps it off records a reader cannot have yet.
 * lap check:    a reader copies a flushed record, then acquireFence() (orders the copy's loads
 *               before the next load; pairs with the writer's releaseFence) and re-reads
 *               reuseUpTo (getLongAcquire): if it passed the record's start, a writer may have
 *               overwritten the record's bytes, so the copy is discarded and the record is read
 *               from its segment file. A copy that saw any overwritten byte also sees the raised
 *               reuseUpTo (seqlock with fences), so a torn copy is never accepted.
 * </pre>
 *
 * <p>The ring is zeroed when it is opened: a record published but not flushed by an earlier run
 * must never be taken for one of this run.
 *
 * <p>Records whose frame exceeds a quarter of the ring are refused with
 * {@link SqlState#PROGRAM_LIMIT_EXCEEDED}; this bound also guarantees progress: the lowest
 * unpublished reservation can always be written once everything before it is flushed.
 */
public final class WalRing {

    /**
     * Spins before a waiter parks: a few, since a commit's flush waits for an fsync (about a
     * millisecond) and a longer spin only takes CPU from the threads that would do the work.
     */
    private static final int SPIN_TRIES = 16;
    /** Longest single park of a waiter; a backstop, wake-ups normally come by unpark. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final VarHandle AVAILABLE = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle INSERT_POSITION;
    private static final VarHandle FLUSHED_UP_TO;
    private static final VarHandle REUSE_UP_TO;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            INSERT_POSITION = lookup.findVarHandle(WalRing.class, "insertPosition", long.class);
            FLUSHED_UP_TO = lookup.findVarHandle(WalRing.class, "flushedUpTo", long.class);
            REUSE_UP_TO = lookup.findVarHandle(WalRing.class, "reuseUpTo", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Path file;
    private final int capacity;
    private final long mask;
    private final int maxFrameLength;
    /** How far past its own need a writer raises reuseUpTo (see the protocol). */
    private final long reuseStep;
    private final long baseLsn;
    private final MappedByteBuffer ring;
    /** Per 8-byte slot: lap + 1 of the last record published starting there (see the protocol). */
    private final int[] available;
    private final long lapOrigin;
    private final int lapShift;
    private final Runnable flushRequest;
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    // Accessed only through INSERT_POSITION / FLUSHED_UP_TO.
    @SuppressWarnings("unused")
    private volatile long insertPosition;
    @SuppressWarnings("unused")
    private volatile long flushedUpTo;
    @SuppressWarnings("unused")
    private volatile long reuseUpTo;

    private volatile boolean closed;

    /**
     * Maps (creating or truncating) {@code file} as a zeroed ring of {@code capacity} bytes whose
     * stream starts at {@code startLsn} (insert and flush position; must be 8-aligned).
     * {@code flushRequest} is run, from any thread, when a thread needs the flusher to run.
     *
     * @throws LrepException INVALID_PARAMETER_VALUE for a bad capacity, IO_ERROR naming the file
     */
    public WalRing(Path file, int capacity, long startLsn, Runnable flushRequest) {
        if (capacity < 4096 || Integer.bitCount(capacity) != 1) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "wal_buffers: " + capacity
                    + " bytes (expected: a power of two of at least 4096)");
        }
        if ((startLsn & (WalRecordDescriptor.ALIGNMENT - 1)) != 0) {
            throw new LrepException(SqlState.INTERNAL_ERROR, "WAL ring start " + Lsn.format(startLsn) + " is not 8-aligned");
        }
        this.file = file;
        this.capacity = capacity;
        this.mask = capacity - 1L;
        this.maxFrameLength = capacity / 4;
        this.reuseStep = capacity / 64;
        this.baseLsn = startLsn;
        this.available = new int[capacity / WalRecordDescriptor.ALIGNMENT];
        this.lapOrigin = startLsn & ~mask;
        this.lapShift = Integer.numberOfTrailingZeros(capacity);
        this.flushRequest = flushRequest;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0); // drop every byte of an earlier run: the ring starts zeroed
            raf.setLength(capacity);
            this.ring = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, capacity);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not map WAL buffers file \"" + file + "\": " + e.getMessage(), e);
        }
        ring.order(ByteOrder.LITTLE_ENDIAN);
        INSERT_POSITION.setRelease(this, startLsn);
        REUSE_UP_TO.setRelease(this, startLsn - capacity);
        FLUSHED_UP_TO.setVolatile(this, startLsn);
    }

    public Path file() {
        return file;
    }

    public int capacity() {
        return capacity;
    }

    /** The largest frame the ring takes (a quarter of its capacity). */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** The first LSN this ring ever held; older records are only in segment files. */
    public long baseLsn() {
        return baseLsn;
    }

    /** The end of all space reserved so far (acquire). */
    public long getInsertPositionAcquire() {
        return (long) INSERT_POSITION.getAcquire(this);
    }

    /** Everything before this is durable (acquire). */
    public long getFlushedUpToAcquire() {
        return (long) FLUSHED_UP_TO.getAcquire(this);
    }

    // ------------------------------------------------------------------ writers

    /**
     * Appends {@code record}: encodes it, reserves space, waits for the ring to have flushed the
     * bytes it will reuse, copies the frame and publishes it. Returns the record's end LSN.
     *
     * @throws LrepException PROGRAM_LIMIT_EXCEEDED if the record does not fit, OBJECT_NOT_IN_PREREQUISITE_STATE when closed
     */
    public long append(WalRecord record) {
        if (closed) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "WAL buffers \"" + file + "\" are closed");
        }
        int bodyLength = WalRecordCodec.encodedSize(record);
        long unpadded = (long) WalRecordDescriptor.HEADER_LENGTH + bodyLength;
        if (unpadded > maxFrameLength) {
            throw new LrepException(SqlState.PROGRAM_LIMIT_EXCEEDED, "WAL record of " + unpadded + " bytes exceeds the maximum of "
                    + maxFrameLength + " bytes (a quarter of wal_buffers = " + capacity + " bytes)");
        }
        int frameLength = WalRecordDescriptor.align((int) unpadded);
        Scratch own = scratch.get();
        ByteBuffer frame = own.frame(frameLength);
        // Encode before reserving: a failure here leaves no hole in the stream.
        frame.clear();
        frame.position(WalRecordDescriptor.BODY_OFFSET);
        WalRecordCodec.encode(record, frame);
        for (int i = (int) unpadded; i < frameLength; i++) {
            frame.put(i, (byte) 0);
        }
        frame.order(ByteOrder.LITTLE_ENDIAN).putInt(WalRecordDescriptor.LENGTH_OFFSET, (int) unpadded);

        // From here until the release store below nothing may throw: the flusher stops at this hole.
        long start = (long) INSERT_POSITION.getAndAdd(this, (long) frameLength);
        long end = start + frameLength;
        frame.putLong(WalRecordDescriptor.LSN_OFFSET, start);
        frame.putInt(WalRecordDescriptor.CRC_OFFSET, own.frameCrc((int) unpadded));
        long flushed = awaitSpace(end);
        long reuse = end - capacity;
        if ((long) REUSE_UP_TO.getAcquire(this) < reuse) {
            advanceReuseUpTo(Math.min(reuse + reuseStep, flushed));
        }
        // Orders the reuseUpTo store (or load) above before the ring stores below; pairs with the
        // acquireFence() in lapped(), so a reader that copied any byte stored below sees reuseUpTo.
        VarHandle.releaseFence();
        copyIn(start, frame, 0, frameLength);
        publish(start);
        return end;
    }

    /** Waits until the ring bytes up to {@code end} may be reused; returns the flushedUpTo it saw (at least end - capacity). */
    private long awaitSpace(long end) {
        long needed = end - capacity;
        long flushed = getFlushedUpToAcquire();
        if (flushed >= needed) {
            return flushed;
        }
        awaitFlushedUninterruptibly(needed);
        return Math.max(needed, getFlushedUpToAcquire());
    }

    /** Raises reuseUpTo to at least {@code lsn}: ring slots of stream bytes below it may be rewritten now. */
    private void advanceReuseUpTo(long lsn) {
        long current = (long) REUSE_UP_TO.getVolatile(this);
        while (current < lsn) {
            long witness = (long) REUSE_UP_TO.compareAndExchange(this, current, lsn);
            if (witness == current) {
                return;
            }
            current = witness;
        }
    }

    private void copyIn(long lsn, ByteBuffer src, int srcOffset, int length) {
        int off = (int) (lsn & mask);
        int first = Math.min(length, capacity - off);
        ring.put(off, src, srcOffset, first);
        if (first < length) {
            ring.put(0, src, srcOffset + first, length - first);
        }
    }

    private int slot(long lsn) {
        return (int) ((lsn & mask) >>> 3);
    }

    /** The availability mark of a record starting at {@code lsn}: its lap + 1 (never 0, the value of a fresh slot). */
    private int lapMark(long lsn) {
        return (int) ((lsn - lapOrigin) >>> lapShift) + 1;
    }

    /** Publishes the frame at {@code start}, all of whose bytes this thread has stored. */
    private void publish(long start) {
        // Orders the frame's stores before it; pairs with the getAcquire in publishedFrameLength().
        AVAILABLE.setRelease(available, slot(start), lapMark(start));
    }

    // ------------------------------------------------------------------ flusher

    /**
     * For the flusher: the frame length (unpadded) of the record starting at {@code lsn} if it
     * is published, else -1. {@code lsn} must be a record boundary at or after the flushed
     * position and below the insert position.
     */
    public int publishedFrameLength(long lsn) {
        // Pairs with the writer's setRelease in publish(): the whole frame is visible after it.
        if ((int) AVAILABLE.getAcquire(available, slot(lsn)) != lapMark(lsn)) {
            return -1;
        }
        // The LSN word may sit at offset 0 when the header's first word ends the ring.
        if (ring.getLong((int) ((lsn + WalRecordDescriptor.LSN_OFFSET) & mask)) != lsn) {
            return -1; // only after 2^32 laps without a record starting in this slot: not published yet
        }
        return ring.getInt((int) (lsn & mask));
    }

    /**
     * One thread's reusable encode buffer and CRC32C for appends. Confined to its thread, so it
     * needs no ordering of its own.
     */
    private final class Scratch {
        private ByteBuffer frame = ByteBuffer.allocate(256);
        final CRC32C crc = new CRC32C();

        /** The encode buffer, grown to at least {@code length} bytes. */
        ByteBuffer frame(int length) {
            if (frame.capacity() < length) {
                frame = ByteBuffer.allocate(Math.max(length, frame.capacity() * 2));
            }
            return frame;
        }

        /** CRC32C of the encoded frame of {@code length} bytes, as {@link WalRecordDescriptor#crc} defines it. */
        int frameCrc(int length) {
            byte[] b = frame.array();
            crc.reset();
            crc.update(b, WalRecordDescriptor.LENGTH_OFFSET, WalRecordDescriptor.CRC_OFFSET - WalRecordDescriptor.LENGTH_OFFSET);
            crc.update(b, WalRecordDescriptor.LSN_OFFSET, length - WalRecordDescriptor.LSN_OFFSET);
            return (int) crc.getValue();
        }
    }

    /**
     * Read-only views of the ring bytes of stream range {@code [from, to)} in order (two when it
     * wraps). The range must be at most the capacity.
     */
    public ByteBuffer[] regions(long from, long to) {
        int length = (int) (to - from);
        int off = (int) (from & mask);
        int first = Math.min(length, capacity - off);
        ByteBuffer a = ring.asReadOnlyBuffer().limit(off + first).position(off);
        if (first == length) {
            return new ByteBuffer[] {a};
        }
        ByteBuffer b = ring.asReadOnlyBuffer().limit(length - first).position(0);
        return new ByteBuffer[] {a, b};
    }

    /**
     * For the flusher, after write and fsync: publishes {@code lsn} as durable and unparks every
     * waiter.
     */
    public void publishFlushed(long lsn) {
        // Pairs with getFlushedUpToAcquire() of writers and readers; volatile so that it is
        // ordered before the scan of waiters below (each waiter enqueues, then re-reads it).
        FLUSHED_UP_TO.setVolatile(this, lsn);
        wakeWaiters((long) FLUSHED_UP_TO.getVolatile(this));
    }

    /**
     * Unparks the waiters whose LSN is at or below {@code reached}; the others would only wake
     * to park again (a waiter whose LSN a later flush reaches is unparked by that flush).
     */
    private void wakeWaiters(long reached) {
        for (Waiter w : waiters) {
            if (w.lsn <= reached) {
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** A thread parked in {@link #awaitFlushed} and the LSN it waits for. */
    private record Waiter(Thread thread, long lsn) {}

    // ------------------------------------------------------------------ waiting

    /**
     * Waits until flushedUpTo is at least {@code lsn} or {@code timeoutNanos} pass: spins
     * briefly, then requests a flush and parks until the flusher unparks it.
     *
     * @return true if reached, false on timeout
     * @throws LrepException QUERY_CANCELED if interrupted (the flag stays set), ADMIN_SHUTDOWN if the ring closes
     */
    public boolean awaitFlushed(long lsn, long timeoutNanos) {
        for (int i = 0; i < SPIN_TRIES; i++) {
            if (getFlushedUpToAcquire() >= lsn) {
                return true;
            }
            Thread.onSpinWait();
        }
        long deadline = System.nanoTime() + timeoutNanos;
        Waiter me = new Waiter(Thread.currentThread(), lsn);
        waiters.add(me);
        try {
            while (true) {
                // Volatile read: pairs with the volatile store in publishFlushed (Dekker with the queue).
                if ((long) FLUSHED_UP_TO.getVolatile(this) >= lsn) {
                    return true;
                }
                if (closed) {
                    throw new LrepException(SqlState.ADMIN_SHUTDOWN, "WAL buffers \"" + file + "\" closed while waiting for flush to "
                            + Lsn.format(lsn));
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new LrepException(SqlState.QUERY_CANCELED, "canceled while waiting for WAL flush to " + Lsn.format(lsn));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                flushRequest.run();
                LockSupport.parkNanos(this, Math.min(left, MAX_PARK_NANOS));
            }
        } finally {
            waiters.remove(me);
        }
    }

    /** As {@link #awaitFlushed} without timeout, ignoring interrupts (restored on return). */
    private void awaitFlushedUninterruptibly(long lsn) {
        boolean interrupted = false;
        while (true) {
            try {
                if (awaitFlushed(lsn, Long.MAX_VALUE / 2)) {
                    break;
                }
            } catch (LrepException e) {
                if (e.sqlState() != SqlState.QUERY_CANCELED) {
                    throw e; // closed: the reservation is abandoned with the ring
                }
                interrupted = Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ readers

    /**
     * For readers: copies the frame of the flushed record starting at {@code lsn} into
     * {@code dst} (from index 0 up to its limit; growing is the caller's job: returns the needed
     * length negated if {@code dst} is too small) and checks that the ring has not lapped it meanwhile.
     *
     * @return the frame's unpadded length if the copy is intact (the caller still checks its
     *     CRC), 0 if the record is not (or no longer) in the ring, or {@code -needed} when
     *     {@code dst} is too small
     */
    public int copyOut(long lsn, ByteBuffer dst) {
        if (lsn < baseLsn) {
            return 0;
        }
        int length = ring.getInt((int) (lsn & mask));
        if (length < WalRecordDescriptor.MIN_LENGTH || length > maxFrameLength) {
            return 0; // lapped while we looked, or damaged: the segment read decides which
        }
        if (dst.limit() < length) {
            return lapped(lsn) ? 0 : -length;
        }
        int off = (int) (lsn & mask);
        int first = Math.min(length, capacity - off);
        dst.put(0, ring, off, first);
        if (first < length) {
            dst.put(first, ring, 0, length - first);
        }
        return lapped(lsn) ? 0 : length;
    }

    private boolean lapped(long lsn) {
        // Orders the loads of the copy before the load below; pairs with the releaseFence() in
        // append() between a writer's raising of reuseUpTo and its stores into the ring.
        VarHandle.acquireFence();
        return getReuseUpToAcquire() > lsn;
    }

    /** Stream bytes below this may be being overwritten in the ring (acquire). */
    public long getReuseUpToAcquire() {
        return (long) REUSE_UP_TO.getAcquire(this);
    }

    /**
     * Refuses further appends and wakes every waiter, which then fails with ADMIN_SHUTDOWN unless
     * its LSN was reached. Java 17 has no public unmap: the mapping is released when the buffer
     * is garbage-collected (the file's channel was closed right after mapping).
     */
    public void close() {
        closed = true;
        wakeWaiters(Long.MAX_VALUE);
    }
}
