package io.lrep.publisher.slot;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.wal.WalLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's replication slots, kept as PostgreSQL's slot.c keeps them: created, acquired by
 * one backend at a time, advanced, dropped; persisted under {@code pg_replslot/<name>/state};
 * each holding WAL from its {@code restart_lsn}; invalidated at a checkpoint when it falls
 * further behind than {@code max_slot_wal_keep_size}.
 *
 * <p>Persistence: a new slot's directory is written as {@code <name>.tmp} (state file fsynced,
 * directory fsynced) and renamed into place, then {@code pg_replslot} is fsynced; a state update
 * writes {@code state.tmp}, fsyncs it, renames it over {@code state} and fsyncs the directory;
 * a drop renames the directory to {@code <name>.tmp} before removing it. {@link #open} removes
 * {@code *.tmp} leftovers of a crash, verifies every state file (magic, version, length, CRC32C;
 * see {@link SlotStateDescriptor}) and drops temporary slots. A moved {@code restart_lsn} is
 * saved before the WAL hold moves with it, so WAL a persisted slot points at is never removed;
 * a moved {@code confirmed_flush} alone only marks the slot dirty, saved at the next checkpoint,
 * release or close (or {@link #save}), as in PostgreSQL.
 *
 * <p>Temporary slots: a temporary slot stays acquired by the backend that created it and is
 * dropped by {@link #onSessionEnd(int)} for that backend, and at the next start.
 *
 * <p>Thread-safe: one lock guards every slot (PostgreSQL's ReplicationSlotControlLock); file
 * writes happen under it. {@link #drop} with wait blocks on a condition of that lock until the
 * holder releases the slot.
 */
public final class SlotManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotManager.class);

    /** The only output plugin lrep has. */
    public static final String PGOUTPUT = "pgoutput";
    /** The state file in each slot's directory. */
    public static final String STATE_FILE = "state";
    /** PostgreSQL's NAMEDATALEN: a slot name has at most 63 bytes. */
    public static final int NAMEDATALEN = 64;

    private static final String TMP_SUFFIX = ".tmp";
    private static final Pattern AUX_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    /**
     * What to create.
     *
     * @param plugin the output plugin (logical slots; only {@link #PGOUTPUT})
     * @param database the database a logical slot is bound to
     * @param reserveWal physical slots: reserve WAL now (from the last checkpoint's redo LSN, as
     *     {@code immediately_reserve}); logical slots always reserve
     */
    public record SlotSpec(String name, SlotType type, String plugin, String database, boolean temporary, boolean twoPhase,
            boolean reserveWal, boolean failover) {

        public SlotSpec(String name, SlotType type, String plugin, String database, boolean temporary, boolean twoPhase,
                boolean reserveWal) {
            this(name, type, plugin, database, temporary, twoPhase, reserveWal, false);
        }

        public static SlotSpec logical(String name, String plugin, String database, boolean temporary) {
            return new SlotSpec(name, SlotType.LOGICAL, plugin, database, temporary, false, true);
        }

        public static SlotSpec physical(String name, boolean reserveWal, boolean temporary) {
            return new SlotSpec(name, SlotType.PHYSICAL, null, null, temporary, false, reserveWal);
        }

        /** The same with PostgreSQL 17's failover flag set to {@code on} (logical slots only). */
        public SlotSpec withFailover(boolean on) {
            return new SlotSpec(name, type, plugin, database, temporary, twoPhase, reserveWal, on);
        }
    }

    /**
     * A created slot.
     *
     * @param consistentPoint a logical slot's consistent point: the WAL insert LSN at creation,
     *     its confirmed_flush; every transaction whose commit ends after it is decoded, every one
     *     that ends at or before it is in the storage snapshot at it. A physical slot's reserved
     *     restart LSN, or 0
     * @param attachment what the caller's {@code atConsistentPoint} returned (e.g. a pinned
     *     snapshot), or null
     */
    public record Created<T>(ReplicationSlot slot, long consistentPoint, T attachment) {}

    /**
     * A slot with its WAL availability, for {@code pg_replication_slots}.
     *
     * @param walStatus null when the slot reserves no WAL
     * @param safeWalSizeBytes bytes of WAL that can still be written before the slot is lost;
     *     null when lost, not reserving, or {@code max_slot_wal_keep_size} is -1
     */
    public record SlotStatus(ReplicationSlot slot, WalStatus walStatus, Long safeWalSizeBytes) {}

    private final Path dir;
    private final SlotConfig config;
    private final WalLog wal;
    private final LongSupplier oldestActiveTxnStartLsn;
    private final LongSupplier redoLsn;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final Map<String, ReplicationSlot> slots = new TreeMap<>(); // guarded by lock
    private final Set<String> dirty = new HashSet<>(); // guarded by lock
    private boolean closed; // guarded by lock

    private SlotManager(Path dir, SlotConfig config, WalLog wal, LongSupplier oldestActiveTxnStartLsn, LongSupplier redoLsn) {
        this.dir = dir;
        this.config = config;
        this.wal = wal;
        this.oldestActiveTxnStartLsn = oldestActiveTxnStartLsn;
        this.redoLsn = redoLsn;
    }

    /**
     * Loads the slots persisted in {@code slotDir} ({@code pg_replslot}) and holds WAL for them.
     * Call after recovery and before the first checkpoint can remove WAL.
     *
     * @param oldestActiveTxnStartLsn the first LSN of the oldest transaction still running
     *     (Long.MAX_VALUE if none): a new logical slot's restart_lsn is no later, so decoding sees
     *     every record of a transaction that commits after the consistent point
     * @param redoLsn the last checkpoint's redo LSN, where a physical slot reserves WAL from
     * @throws LrepException naming the file: a corrupt or unreadable state file (XX001 / 58030),
     *     or more slots than {@code max_replication_slots} (53400)
     */
    public static SlotManager open(Path slotDir, SlotConfig config, WalLog wal, LongSupplier oldestActiveTxnStartLsn,
            LongSupplier redoLsn) {
        SlotManager m = new SlotManager(slotDir, config, wal, oldestActiveTxnStartLsn, redoLsn);
        m.load();
        return m;
    }

    private void load() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ioError("could not create directory \"" + dir + "\"", e);
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(entries::add);
        } catch (IOException e) {
            throw ioError("could not read directory \"" + dir + "\"", e);
        }
        entries.sort(Comparator.naturalOrder());
        for (Path p : entries) {
            String entry = p.getFileName().toString();
            if (!Files.isDirectory(p)) {
                LOG.warn("ignoring file \"{}\" in the replication slot directory", p);
                continue;
            }
            if (entry.endsWith(TMP_SUFFIX)) {
                deleteTree(p);
                LOG.warn("removed leftover replication slot directory \"{}\"", p);
                continue;
            }
            Path stateFile = p.resolve(STATE_FILE);
            byte[] data;
            try {
                Files.deleteIfExists(p.resolve(STATE_FILE + TMP_SUFFIX));
                data = Files.readAllBytes(stateFile);
            } catch (NoSuchFileException e) {
                throw new LrepException(SqlState.UNDEFINED_FILE, "could not open file \"" + stateFile + "\": No such file or directory", e);
            } catch (IOException e) {
                throw ioError("could not read file \"" + stateFile + "\"", e);
            }
            ReplicationSlot s = SlotStateDescriptor.decode(data, stateFile);
            if (!s.name().equals(entry)) {
                throw new LrepException(SqlState.DATA_CORRUPTED, "replication slot file \"" + stateFile + "\" belongs to slot \""
                        + s.name() + "\", not \"" + entry + "\"");
            }
            if (s.temporary()) {
                deleteTree(p);
                LOG.info("dropped temporary replication slot \"{}\" left by the previous run", entry);
                continue;
            }
            if (slots.size() >= config.maxReplicationSlots()) {
                throw new LrepException(SqlState.CONFIGURATION_LIMIT_EXCEEDED, "too many replication slots active before shutdown")
                        .withHint("Increase max_replication_slots and try again.");
            }
            slots.put(s.name(), s);
            if (s.restartLsn() != 0) {
                wal.holdFrom(holder(s.name()), s.restartLsn());
            }
            LOG.info("restored replication slot \"{}\" ({}, restart_lsn {}, confirmed_flush {}{})", s.name(), s.type().sqlName(),
                    Lsn.format(s.restartLsn()), Lsn.format(s.confirmedFlushLsn()), s.invalidated() ? ", invalidated" : "");
        }
    }

    // ------------------------------------------------------------------ create and drop

    /** Creates a slot; see {@link #create(SlotSpec, int, LongFunction)}. */
    public ReplicationSlot create(SlotSpec spec, int pid) {
        return create(spec, pid, null).slot();
    }

    /**
     * Creates a slot, as ReplicationSlotCreate does. A persistent slot is left released; a
     * temporary one stays acquired by {@code pid} until that backend ends ({@link #onSessionEnd}).
     *
     * <p>A logical slot's consistent point S is the WAL insert LSN, read after the oldest running
     * transaction's start O and an earlier insert LSN I0: restart_lsn = min(O, I0) (= S when no
     * transaction is running), confirmed_flush = S; creation waits until S is flushed.
     * {@code atConsistentPoint}, if not null, is called with S before the slot becomes visible and
     * before anything else can create one (to pin a storage snapshot at exactly S); if it
     * throws, the slot is not created.
     *
     * @param pid the creating backend (must be positive for a temporary slot)
     * @throws LrepException 42602/42622 bad name, 42710 exists, 53400 too many slots, 55000
     *     max_replication_slots = 0, 58P01 unknown output plugin
     */
    public <T> Created<T> create(SlotSpec spec, int pid, LongFunction<T> atConsistentPoint) {
        if (config.maxReplicationSlots() == 0) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "replication slots can only be used if max_replication_slots > 0");
        }
        validateName(spec.name());
        if (spec.temporary() && pid <= 0) {
            throw new IllegalArgumentException("a temporary slot needs its creating backend's pid, got " + pid);
        }
        boolean logical = spec.type() == SlotType.LOGICAL;
        if (logical && spec.failover() && spec.temporary()) {
            throw temporaryFailover();
        }
        lock.lock();
        try {
            checkOpen();
            if (slots.containsKey(spec.name())) {
                throw new LrepException(SqlState.DUPLICATE_OBJECT, "replication slot \"" + spec.name() + "\" already exists");
            }
            if (slots.size() >= config.maxReplicationSlots()) {
                throw new LrepException(SqlState.CONFIGURATION_LIMIT_EXCEEDED, "all replication slots are in use")
                        .withHint("Free one or increase max_replication_slots.");
            }
            if (logical && !PGOUTPUT.equals(spec.plugin())) {
                throw new LrepException(SqlState.UNDEFINED_FILE, "could not access file \"" + spec.plugin()
                        + "\": No such file or directory");
            }
            long restart;
            long consistent;
            if (logical) {
                long insertBefore = wal.insertLsn();
                long oldestActive = oldestActiveTxnStartLsn.getAsLong();
                consistent = wal.insertLsn();
                wal.waitForFlush(consistent);
                restart = Math.min(oldestActive, insertBefore);
            } else if (spec.reserveWal()) {
                long redo = redoLsn.getAsLong();
                restart = redo != 0 && redo >= wal.oldestLsn() ? redo : wal.insertLsn();
                consistent = restart;
            } else {
                restart = 0;
                consistent = 0;
            }
            ReplicationSlot slot = new ReplicationSlot(spec.name(), spec.type(), logical ? spec.plugin() : null,
                    logical ? spec.database() : null, spec.temporary(), spec.temporary() ? pid : 0, restart, logical ? consistent : 0, 0,
                    logical && spec.twoPhase(), logical && spec.failover());
            if (restart != 0) {
                wal.holdFrom(holder(slot.name()), restart);
            }
            T attachment;
            try {
                createOnDisk(slot);
                try {
                    attachment = atConsistentPoint == null ? null : atConsistentPoint.apply(consistent);
                } catch (RuntimeException e) {
                    removeOnDisk(slot.name());
                    throw e;
                }
            } catch (RuntimeException e) {
                wal.release(holder(slot.name()));
                throw e;
            }
            slots.put(slot.name(), slot);
            LOG.info("created {}{} replication slot \"{}\" with restart_lsn {}{}", spec.temporary() ? "temporary " : "",
                    spec.type().sqlName(), slot.name(), Lsn.format(restart),
                    logical ? ", consistent point " + Lsn.format(consistent) : "");
            return new Created<>(slot, consistent, attachment);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops a slot, as pg_drop_replication_slot and DROP_REPLICATION_SLOT do. A slot active for
     * another backend fails with 55006, or with {@code waitIfActive} is waited for until released.
     *
     * @param pid the dropping backend (it may drop a slot it has acquired itself)
     * @throws LrepException 42704 no such slot, 55006 active, 57014 interrupted while waiting
     */
    public void drop(String name, int pid, boolean waitIfActive) {
        lock.lock();
        try {
            while (true) {
                checkOpen();
                ReplicationSlot s = require(name);
                if (!s.active() || s.activePid() == pid) {
                    dropLocked(s);
                    return;
                }
                if (!waitIfActive) {
                    throw activeError(s);
                }
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LrepException(SqlState.QUERY_CANCELED, "canceling statement due to user request", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void dropLocked(ReplicationSlot s) {
        removeOnDisk(s.name());
        slots.remove(s.name());
        dirty.remove(s.name());
        wal.release(holder(s.name()));
        released.signalAll();
        LOG.info("dropped replication slot \"{}\"", s.name());
    }

    // ------------------------------------------------------------------ acquire and release

    /**
     * Sets a logical slot's failover flag, as PostgreSQL 17's ReplicationSlotAlter
     * (ALTER_REPLICATION_SLOT): the change is saved with the slot's state before this returns.
     *
     * @param pid the altering backend (it may alter a slot it has acquired itself)
     * @throws LrepException 42704 no such slot, 55006 active for another backend, 0A000 for a
     *     physical slot or to enable failover on a temporary one
     */
    public ReplicationSlot alter(String name, boolean failover, int pid) {
        lock.lock();
        try {
            checkOpen();
            ReplicationSlot s = require(name);
            if (s.active() && s.activePid() != pid) {
                throw activeError(s);
            }
            if (!s.logical()) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                        "cannot use ALTER_REPLICATION_SLOT with a physical replication slot");
            }
            if (failover && s.temporary()) {
                throw temporaryFailover();
            }
            if (s.failover() == failover) {
                return s;
            }
            ReplicationSlot a = new ReplicationSlot(s.name(), s.type(), s.plugin(), s.database(), s.temporary(), s.activePid(),
                    s.restartLsn(), s.confirmedFlushLsn(), s.invalidatedAt(), s.twoPhase(), failover);
            writeState(a);
            dirty.remove(name);
            slots.put(name, a);
            LOG.info("altered replication slot \"{}\": failover = {}", name, failover);
            return a;
        } finally {
            lock.unlock();
        }
    }

    private static LrepException temporaryFailover() {
        return new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "cannot enable failover for a temporary replication slot");
    }

    /**
     * Marks the slot in use by backend {@code pid}, as ReplicationSlotAcquire does; the same
     * backend may acquire it again.
     *
     * @throws LrepException 42704 no such slot, 55006 active for another backend
     */
    public ReplicationSlot acquire(String name, int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        lock.lock();
        try {
            checkOpen();
            ReplicationSlot s = require(name);
            if (s.active() && s.activePid() != pid) {
                throw activeError(s);
            }
            ReplicationSlot a = withActivePid(s, pid);
            slots.put(name, a);
            return a;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Acquires a slot to decode from it (START_REPLICATION ... LOGICAL): besides
     * {@link #acquire}, the slot must be logical, of {@code database} (null: any) and not
     * invalidated. On failure the slot is left as it was.
     *
     * @throws LrepException 42704, 55006, or 55000 with PostgreSQL's message and detail
     */
    public ReplicationSlot acquireForDecoding(String name, int pid, String database) {
        lock.lock();
        try {
            boolean wasOurs = slots.containsKey(name) && slots.get(name).activePid() == pid;
            ReplicationSlot s = acquire(name, pid);
            try {
                checkDecodable(s, database);
            } catch (LrepException e) {
                if (!wasOurs) {
                    release(name, pid);
                }
                throw e;
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    private static void checkDecodable(ReplicationSlot s, String database) {
        if (!s.logical()) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "cannot use physical replication slot for logical decoding");
        }
        if (database != null && !database.equals(s.database())) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "replication slot \"" + s.name() + "\" was not created in this database");
        }
        if (s.invalidated()) {
            throw invalidatedError(s.name());
        }
    }

    /**
     * Releases a slot {@code pid} holds, as ReplicationSlotRelease does: a persistent slot
     * becomes inactive (and its dirty state is saved); a temporary one stays with its creator.
     * Nothing happens when the slot is gone or held by another backend.
     */
    public void release(String name, int pid) {
        lock.lock();
        try {
            ReplicationSlot s = slots.get(name);
            if (s == null || s.activePid() != pid || s.temporary()) {
                return;
            }
            slots.put(name, withActivePid(s, 0));
            if (!closed && dirty.remove(name)) {
                writeState(slots.get(name));
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A backend ended (ReplicationSlotCleanup): its temporary slots are dropped and every other
     * slot it held is released.
     */
    public void onSessionEnd(int pid) {
        if (pid <= 0) {
            return;
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            for (ReplicationSlot s : List.copyOf(slots.values())) {
                if (s.activePid() != pid) {
                    continue;
                }
                if (s.temporary()) {
                    dropLocked(s);
                } else {
                    release(s.name(), pid);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ progress

    /**
     * Moves a slot's confirmed_flush and restart_lsn forward (a consumer's flush report, or the
     * decoder's new restart point). Neither goes backwards; neither passes the WAL's flushed
     * LSN; restart_lsn does not pass confirmed_flush of a logical slot. A moved restart_lsn is
     * saved at once and then the slot's WAL hold moves with it; a moved confirmed_flush alone is
     * saved at the next checkpoint, release or {@link #save}. Either argument may be 0 (no change).
     *
     * @return the slot as it is now
     * @throws LrepException 42704 no such slot; 55000 the slot is invalidated
     */
    public ReplicationSlot advance(String name, long confirmedFlushLsn, long restartLsn) {
        lock.lock();
        try {
            checkOpen();
            ReplicationSlot s = require(name);
            if (s.invalidated()) {
                throw invalidatedError(name);
            }
            long flushed = wal.flushedLsn();
            long confirmed = s.confirmedFlushLsn();
            if (s.logical() && confirmedFlushLsn > confirmed) {
                confirmed = Math.max(confirmed, Math.min(confirmedFlushLsn, flushed));
            }
            long restart = s.restartLsn();
            long limit = s.logical() ? Math.min(flushed, confirmed) : flushed;
            long candidate = Math.min(restartLsn, limit);
            if (candidate > restart) {
                restart = candidate;
            }
            if (restart == s.restartLsn() && confirmed == s.confirmedFlushLsn()) {
                return s;
            }
            ReplicationSlot a = new ReplicationSlot(s.name(), s.type(), s.plugin(), s.database(), s.temporary(), s.activePid(), restart,
                    confirmed, s.invalidatedAt(), s.twoPhase(), s.failover());
            slots.put(name, a);
            if (restart != s.restartLsn()) {
                writeState(a);
                dirty.remove(name);
                wal.holdFrom(holder(name), restart);
            } else {
                dirty.add(name);
            }
            return a;
        } finally {
            lock.unlock();
        }
    }

    /** Writes a slot's state now if it changed since it was last saved. */
    public void save(String name) {
        lock.lock();
        try {
            checkOpen();
            require(name);
            if (dirty.remove(name)) {
                writeState(slots.get(name));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes every slot whose state changed since it was last saved (CheckPointReplicationSlots). */
    public void saveAll() {
        lock.lock();
        try {
            for (String name : List.copyOf(dirty)) {
                writeState(slots.get(name));
                dirty.remove(name);
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ WAL retention

    /**
     * A checkpoint's part, just before it removes old WAL segments: saves dirty slots, then
     * invalidates those that fell behind {@code max_slot_wal_keep_size}.
     *
     * @param checkpointLsn the end of the checkpoint's record
     * @param keptFromLsn the LSN from which the checkpoint keeps WAL for itself
     * @return the names of the slots invalidated
     */
    public List<String> onCheckpoint(long checkpointLsn, long keptFromLsn) {
        lock.lock();
        try {
            if (closed) {
                return List.of();
            }
            saveAll();
            return invalidateObsolete(checkpointLsn, keptFromLsn);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Invalidates every slot whose restart_lsn lies in a segment the checkpoint would keep only
     * for slots beyond {@code max_slot_wal_keep_size}, as InvalidateObsoleteReplicationSlots
     * after KeepLogSeg does: the slot's restart_lsn becomes 0 (its old value is kept as
     * invalidated_at), its WAL hold is released and its state saved.
     */
    List<String> invalidateObsolete(long currentLsn, long keptFromLsn) {
        long keep = config.maxSlotWalKeepSizeBytes();
        if (keep < 0) {
            return List.of();
        }
        int seg = config.walSegmentSizeBytes();
        long limitSeg = Math.min(keptFromLsn / seg, currentLsn / seg - keep / seg);
        long threshold = limitSeg * seg;
        List<String> out = new ArrayList<>();
        for (ReplicationSlot s : List.copyOf(slots.values())) {
            if (s.restartLsn() == 0 || s.restartLsn() >= threshold) {
                continue;
            }
            ReplicationSlot inv = new ReplicationSlot(s.name(), s.type(), s.plugin(), s.database(), s.temporary(), s.activePid(), 0,
                    s.confirmedFlushLsn(), s.restartLsn(), s.twoPhase(), s.failover());
            writeState(inv);
            dirty.remove(s.name());
            slots.put(s.name(), inv);
            wal.release(holder(s.name()));
            LOG.info("invalidating slot \"{}\" because its restart_lsn {} exceeds max_slot_wal_keep_size{}", s.name(),
                    Lsn.format(s.restartLsn()), s.active() ? " (its consumer, PID " + s.activePid() + ", will fail)" : "");
            out.add(s.name());
        }
        return out;
    }

    // ------------------------------------------------------------------ reading

    /** The slot, or empty. */
    public Optional<ReplicationSlot> get(String name) {
        lock.lock();
        try {
            return Optional.ofNullable(slots.get(name));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The slot.
     *
     * @throws LrepException 42704 {@code replication slot "name" does not exist}
     */
    public ReplicationSlot slot(String name) {
        lock.lock();
        try {
            return require(name);
        } finally {
            lock.unlock();
        }
    }

    /** Every slot, by name. */
    public List<ReplicationSlot> list() {
        lock.lock();
        try {
            return List.copyOf(slots.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every slot with its wal_status and safe_wal_size, computed as PostgreSQL 15's
     * pg_get_replication_slots and GetWALAvailability do (no wal_keep_size; the current
     * position is the WAL's flushed LSN).
     */
    public List<SlotStatus> statuses() {
        lock.lock();
        try {
            long seg = config.walSegmentSizeBytes();
            long keep = config.maxSlotWalKeepSizeBytes();
            long keepSegs = keep < 0 ? -1 : keep / seg;
            long currpos = wal.flushedLsn();
            long currSeg = currpos / seg;
            long oldestSlotSeg = currSeg;
            long minRestart = Long.MAX_VALUE;
            for (ReplicationSlot s : slots.values()) {
                if (s.restartLsn() != 0) {
                    minRestart = Math.min(minRestart, s.restartLsn());
                }
            }
            if (minRestart != Long.MAX_VALUE && minRestart < currpos) {
                long segno = minRestart / seg;
                if (keepSegs >= 0 && currSeg - segno > keepSegs) {
                    segno = currSeg - keepSegs;
                }
                oldestSlotSeg = Math.min(oldestSlotSeg, segno);
            }
            long oldestSeg = wal.oldestLsn() / seg;
            long maxWalSegs = config.maxWalSizeBytes() / seg + 1;
            long oldestSegMaxWalSize = currSeg > maxWalSegs ? currSeg - maxWalSegs : 1;
            List<SlotStatus> out = new ArrayList<>();
            for (ReplicationSlot s : slots.values()) {
                WalStatus status;
                if (s.invalidated()) {
                    status = WalStatus.LOST;
                } else if (s.restartLsn() == 0) {
                    out.add(new SlotStatus(s, null, null));
                    continue;
                } else {
                    long targetSeg = s.restartLsn() / seg;
                    if (targetSeg >= oldestSlotSeg) {
                        status = targetSeg >= oldestSegMaxWalSize ? WalStatus.RESERVED : WalStatus.EXTENDED;
                    } else if (targetSeg >= oldestSeg) {
                        status = WalStatus.UNRESERVED;
                    } else {
                        status = s.active() ? WalStatus.UNRESERVED : WalStatus.LOST;
                    }
                }
                Long safe = null;
                if (status != WalStatus.LOST && keepSegs >= 0) {
                    long failSeg = s.restartLsn() / seg + keepSegs + 1;
                    safe = failSeg * seg - currpos;
                }
                out.add(new SlotStatus(s, status, safe));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    public SlotConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ the slot's directory

    /**
     * The slot's directory, {@code pg_replslot/<name>}: other parts may keep files there (the
     * decoder's spill files); it goes when the slot is dropped. Names ending in {@code .tmp}
     * and {@code state} are the manager's.
     *
     * @throws LrepException 42704 no such slot
     */
    public Path directory(String name) {
        lock.lock();
        try {
            require(name);
            return dir.resolve(name);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stores a file in the slot's directory durably and atomically (temporary file, fsync,
     * rename, directory fsync): after a crash, either the old or the new content is there.
     *
     * @param fileName letters, digits, {@code _ . -}; not {@code state}, not ending in {@code .tmp}
     * @throws LrepException 42704 no such slot, 58030 on an I/O error
     */
    public void saveAux(String name, String fileName, byte[] content) {
        checkAuxName(fileName);
        lock.lock();
        try {
            checkOpen();
            require(name);
            Path d = dir.resolve(name);
            writeDurably(d.resolve(fileName), content);
        } finally {
            lock.unlock();
        }
    }

    /** A file stored with {@link #saveAux}, or empty when there is none. */
    public Optional<byte[]> loadAux(String name, String fileName) {
        checkAuxName(fileName);
        lock.lock();
        try {
            require(name);
            Path f = dir.resolve(name).resolve(fileName);
            try {
                return Optional.of(Files.readAllBytes(f));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw ioError("could not read file \"" + f + "\"", e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes a file stored with {@link #saveAux}; nothing if there is none. */
    public void deleteAux(String name, String fileName) {
        checkAuxName(fileName);
        lock.lock();
        try {
            require(name);
            Path f = dir.resolve(name).resolve(fileName);
            try {
                if (Files.deleteIfExists(f)) {
                    fsyncDir(f.getParent());
                }
            } catch (IOException e) {
                throw ioError("could not remove file \"" + f + "\"", e);
            }
        } finally {
            lock.unlock();
        }
    }

    private static void checkAuxName(String fileName) {
        if (fileName == null || !AUX_NAME.matcher(fileName).matches() || fileName.equals(STATE_FILE) || fileName.endsWith(TMP_SUFFIX)) {
            throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, "slot file name: \"" + fileName
                    + "\" (expected: letters, digits, _ . -, not \"" + STATE_FILE + "\", not ending in \"" + TMP_SUFFIX + "\")");
        }
    }

    /**
     * Stops as a crash would: nothing more is saved (a confirmed_flush advanced since the last
     * save is lost, and a restart resumes from the saved one, as PostgreSQL's does after a
     * crash); later calls fail with 55000. Idempotent.
     */
    public void halt() {
        lock.lock();
        try {
            closed = true;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Saves dirty slots; later calls fail with 55000. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            saveAll();
            closed = true;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ names and errors

    /**
     * Checks a slot name as ReplicationSlotValidateName does.
     *
     * @throws LrepException 42602 empty or an invalid character (with PostgreSQL's hint), 42622 too long
     */
    public static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new LrepException(SqlState.INVALID_NAME, "replication slot name \"" + (name == null ? "" : name) + "\" is too short");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length >= NAMEDATALEN) {
            throw new LrepException(SqlState.NAME_TOO_LONG, "replication slot name \"" + name + "\" is too long");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                throw new LrepException(SqlState.INVALID_NAME, "replication slot name \"" + name + "\" contains invalid character")
                        .withHint("Replication slot names may only contain lower case letters, numbers, and the underscore character.");
            }
        }
    }

    /** The name under which a slot holds WAL ({@link WalLog#holdFrom}). */
    public static String holder(String slotName) {
        return "replication slot " + slotName;
    }

    private static LrepException activeError(ReplicationSlot s) {
        return new LrepException(SqlState.OBJECT_IN_USE, "replication slot \"" + s.name() + "\" is active for PID " + s.activePid());
    }

    private static LrepException invalidatedError(String name) {
        return new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "can no longer get changes from replication slot \""
                + name + "\"").withDetail("This slot has been invalidated because it exceeded the maximum reserved size.");
    }

    private ReplicationSlot require(String name) {
        ReplicationSlot s = slots.get(name);
        if (s == null) {
            throw new LrepException(SqlState.UNDEFINED_OBJECT, "replication slot \"" + name + "\" does not exist");
        }
        return s;
    }

    private void checkOpen() {
        if (closed) {
            throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "replication slots in \"" + dir + "\" are closed");
        }
    }

    private static ReplicationSlot withActivePid(ReplicationSlot s, int pid) {
        return new ReplicationSlot(s.name(), s.type(), s.plugin(), s.database(), s.temporary(), pid, s.restartLsn(),
                s.confirmedFlushLsn(), s.invalidatedAt(), s.twoPhase(), s.failover());
    }

    // ------------------------------------------------------------------ files

    private void createOnDisk(ReplicationSlot s) {
        Path tmp = dir.resolve(s.name() + TMP_SUFFIX);
        Path target = dir.resolve(s.name());
        try {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
            Files.createDirectory(tmp);
            writeFile(tmp.resolve(STATE_FILE), SlotStateDescriptor.encode(s));
            fsyncDir(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDir(dir);
        } catch (IOException e) {
            deleteTree(tmp);
            throw ioError("could not create replication slot directory \"" + target + "\"", e);
        }
    }

    private void removeOnDisk(String name) {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(name + TMP_SUFFIX);
        try {
            Files.move(target, tmp, StandardCopyOption.ATOMIC_MOVE);
            fsyncDir(dir);
        } catch (IOException e) {
            throw ioError("could not rename file \"" + target + "\" to \"" + tmp + "\"", e);
        }
        deleteTree(tmp);
    }

    private void writeState(ReplicationSlot s) {
        writeDurably(dir.resolve(s.name()).resolve(STATE_FILE), SlotStateDescriptor.encode(s));
    }

    private void writeDurably(Path file, byte[] content) {
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        try {
            writeFile(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDir(file.getParent());
        } catch (IOException e) {
            throw ioError("could not write to file \"" + file + "\"", e);
        }
    }

    private void writeFile(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (config.fsync()) {
                ch.force(true);
            }
        }
    }

    private void fsyncDir(Path d) throws IOException {
        if (!config.fsync()) {
            return;
        }
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Removes a directory tree; a failure is logged, as PostgreSQL warns, since the slot is gone either way. */
    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // already gone: nothing to remove
        } catch (IOException e) {
            LOG.warn("could not remove directory \"{}\": {}", root, e.toString());
        }
    }

    private static LrepException ioError(String what, IOException e) {
        return new LrepException(SqlState.IO_ERROR, what + ": " + e.getMessage(), e);
    }
}
