package io.lrep.core.storage;

import io.lrep.core.worker.BackgroundWorker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autovacuum background worker (role {@code autovacuum launcher}), a simple form of
 * PostgreSQL's: every {@code autovacuum_naptime} it looks at how many row versions updates,
 * deletes and truncates have ended since its last vacuum ({@link StorageEngine#versionsEnded()})
 * and, from {@code autovacuum_vacuum_threshold} of them on, vacuums the store, so that dead
 * versions do not wait for the vacuum after the next timed checkpoint.
 */
public final class Autovacuum implements BackgroundWorker {

    private static final Logger LOG = LoggerFactory.getLogger(Autovacuum.class);

    private final StorageEngine storage;
    private final long naptimeNanos;
    private final long threshold;
    private final LongSupplier nanoClock;
    private final AtomicLong removed = new AtomicLong();
    private long endedAtLastVacuum;
    private long lastLookNanos;

    /**
     * @param naptime   {@code autovacuum_naptime}: how often it looks
     * @param threshold {@code autovacuum_vacuum_threshold}: ended versions that make it vacuum
     */
    public Autovacuum(StorageEngine storage, Duration naptime, long threshold) {
        this(storage, naptime, threshold, System::nanoTime);
    }

    Autovacuum(StorageEngine storage, Duration naptime, long threshold, LongSupplier nanoClock) {
        this.storage = storage;
        this.naptimeNanos = naptime.toNanos();
        this.threshold = threshold;
        this.nanoClock = nanoClock;
    }

    @Override
    public void onStart() {
        lastLookNanos = nanoClock.getAsLong();
        endedAtLastVacuum = storage.versionsEnded();
    }

    @Override
    public int doWork() {
        long now = nanoClock.getAsLong();
        if (now - lastLookNanos < naptimeNanos) {
            return 0;
        }
        lastLookNanos = now;
        long ended = storage.versionsEnded();
        if (ended - endedAtLastVacuum < threshold) {
            return 0;
        }
        endedAtLastVacuum = ended;
        int n = storage.vacuum();
        removed.addAndGet(n);
        LOG.debug("automatic vacuum removed {} row versions ({} ended since the last one)", n, ended - endedAtLastVacuum);
        return 1;
    }

    /** Row versions the automatic vacuums removed since the worker started (any thread). */
    public long versionsRemoved() {
        return removed.get();
    }

    @Override
    public String roleName() {
        return "autovacuum launcher";
    }
}
