package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.zip.CRC32C;

/**
 * The node's control file, {@code global/pg_control} in the data directory, as PostgreSQL keeps
 * it: who the cluster is (system identifier), in what state it was left, and where recovery
 * starts (the latest checkpoint, and the one before it as a fallback).
 *
 * <p>Layout (little-endian, {@value #FILE_SIZE} bytes on disk; the payload stays below one
 * 512-byte sector, as PostgreSQL's does, and the rest is zero padding):
 * <pre>
 *  offset  0        4        8                 16
 *        0 +--------+--------+-----------------+
 *          | magic  | version| system id       |   magic 'LRPC', control version
 *       16 +--------+--------+-----------------+
 *          | state  |timeline| update time µs  |   state = PostgreSQL DBState code
 *       32 +--------+--------+-----------------+
 *          | latest: checkpoint LSN  | redo LSN|
 *       48 +-----------------+-----------------+
 *          | latest: snapshot| prev: ckpt LSN  |
 *       64 +-----------------+-----------------+
 *          | prev: redo LSN  | prev: snapshot  |
 *       80 +-----------------+-----------------+
 *          | latest image name, 64 B ASCII NUL |
 *          | padded                            |
 *      144 +-----------------------------------+
 *          | previous image name, 64 B ASCII   |
 *          | NUL padded                        |
 *      208 +--------+--------------------------+
 *          | CRC32C | zero padding up to 512   |   CRC32C over bytes 0..207
 *          +--------+--------------------------+
 * </pre>
 * A checkpoint's "checkpoint LSN" is the end of its {@code Checkpoint} WAL record; an absent
 * checkpoint has LSNs 0 and an empty image name. Image names are relative to the data directory
 * (e.g. {@code pg_checkpoint/0000000001000400.img}).
 *
 * <p>Thread safety: an instance is mutated and written under its own monitor; the checkpointer
 * and recovery are its only writers, one at a time. {@link #write()} is crash-safe: the bytes
 * go to a temporary file that is fsynced and atomically renamed over the old file, then the
 * directory is fsynced, so a crash leaves either the old or the new control file, never a mix.
 */
public final class ControlFile {

    /** Where the file lives, relative to the data directory. */
    public static final String RELATIVE_PATH = "global/pg_control";

    /** 'LRPC' as a little-endian int. */
    public static final int MAGIC = 0x4350524C;

    /** The layout version this build reads and writes. */
    public static final int CONTROL_VERSION = 1;

    /** The size of the file on disk. */
    public static final int FILE_SIZE = 512;

    static final int IMAGE_NAME_BYTES = 64;
    static final int OFF_MAGIC = 0;
    static final int OFF_VERSION = 4;
    static final int OFF_SYSTEM_ID = 8;
    static final int OFF_STATE = 16;
    static final int OFF_TIMELINE = 20;
    static final int OFF_TIME = 24;
    static final int OFF_LATEST = 32;
    static final int OFF_PREVIOUS = 56;
    static final int OFF_LATEST_NAME = 80;
    static final int OFF_PREVIOUS_NAME = 144;
    static final int OFF_CRC = 208;

    /** PostgreSQL's {@code DBState}, with its codes, as pg_controldata prints it. */
    public enum State {
        STARTING_UP(0, "starting up"),
        SHUT_DOWN(1, "shut down"),
        SHUTTING_DOWN(3, "shutting down"),
        IN_CRASH_RECOVERY(4, "in crash recovery"),
        IN_PRODUCTION(6, "in production");

        private final int code;
        private final String label;

        State(int code, String label) {
            this.code = code;
            this.label = label;
        }

        /** The code stored in the file. */
        public int code() {
            return code;
        }

        /** pg_controldata's "Database cluster state" text. */
        public String label() {
            return label;
        }

        static State ofCode(int code) {
            for (State s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            return null;
        }
    }

    /**
     * Where one checkpoint is: its image file (relative to the data directory), the end of its
     * WAL record, the LSN replay starts at and the LSN its image is consistent at.
     */
    public record CheckpointLocation(String imageName, long checkpointLsn, long redoLsn, long snapshotLsn) {

        /** No checkpoint. */
        public static final CheckpointLocation NONE = new CheckpointLocation("", 0, 0, 0);

        public CheckpointLocation {
            if (imageName == null) {
                throw new IllegalArgumentException("imageName: null");
            }
            if (imageName.getBytes(StandardCharsets.US_ASCII).length > IMAGE_NAME_BYTES
                    || !StandardCharsets.US_ASCII.newEncoder().canEncode(imageName)) {
                throw new IllegalArgumentException("imageName: " + imageName + " (expected: at most " + IMAGE_NAME_BYTES
                        + " ASCII characters)");
            }
        }

        /** True when this is a real checkpoint (not {@link #NONE}). */
        public boolean exists() {
            return !imageName.isEmpty();
        }

        @Override
        public String toString() {
            return exists()
                    ? imageName + " (checkpoint " + Lsn.format(checkpointLsn) + ", redo " + Lsn.format(redoLsn)
                            + ", snapshot " + Lsn.format(snapshotLsn) + ")"
                    : "none";
        }
    }

    private final Path dataDir;
    private final long systemId;
    private State state;
    private int timeline;
    private long updateTimeMicros;
    private CheckpointLocation latest;
    private CheckpointLocation previous;

    private ControlFile(Path dataDir, long systemId, State state, int timeline, long updateTimeMicros,
            CheckpointLocation latest, CheckpointLocation previous) {
        this.dataDir = dataDir;
        this.systemId = systemId;
        this.state = state;
        this.timeline = timeline;
        this.updateTimeMicros = updateTimeMicros;
        this.latest = latest;
        this.previous = previous;
    }

    /**
     * Creates the control file of a new data directory (as initdb does): state SHUT_DOWN,
     * timeline 1, no checkpoint yet. Creates {@code global/} if needed.
     *
     * @throws LrepException F0000 if a control file already exists, 58030 on an I/O failure
     */
    public static ControlFile create(Path dataDir, long systemId) {
        Path file = dataDir.resolve(RELATIVE_PATH);
        if (Files.exists(file)) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR,
                    "control file \"" + file + "\" already exists: the data directory is initialized already");
        }
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not create directory \"" + file.getParent() + "\": " + e, e);
        }
        ControlFile cf = new ControlFile(dataDir, systemId, State.SHUT_DOWN, 1, nowMicros(), CheckpointLocation.NONE,
                CheckpointLocation.NONE);
        cf.write();
        return cf;
    }

    /**
     * Reads and verifies the control file of {@code dataDir}.
     *
     * @throws LrepException 58P01 if it is missing; F0000 (FATAL) if it was written by an
     *     incompatible layout version; XX001 if it is truncated, has a wrong magic number, a
     *     wrong CRC or an unknown state; 58030 on an I/O failure
     */
    public static ControlFile read(Path dataDir) {
        Path file = dataDir.resolve(RELATIVE_PATH);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new LrepException(SqlState.UNDEFINED_FILE,
                    "could not open control file \"" + file + "\": no such file", e)
                    .withHint("Is \"" + dataDir + "\" an initialized data directory?");
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not read control file \"" + file + "\": " + e, e);
        }
        if (bytes.length < OFF_VERSION + 4) {
            throw corrupted(file, "file is " + bytes.length + " bytes long, expected " + FILE_SIZE);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buf.getInt(OFF_MAGIC);
        if (magic != MAGIC) {
            throw corrupted(file, "wrong magic number 0x" + Integer.toHexString(magic) + " (expected 0x"
                    + Integer.toHexString(MAGIC) + ")");
        }
        int version = buf.getInt(OFF_VERSION);
        if (version != CONTROL_VERSION) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR, LrepException.Severity.FATAL,
                    "database files are incompatible with server: control file \"" + file
                            + "\" was initialized with control version " + version
                            + ", but the server was compiled with control version " + CONTROL_VERSION,
                    null, "It looks like you need to initdb.", null);
        }
        if (bytes.length != FILE_SIZE) {
            throw corrupted(file, "file is " + bytes.length + " bytes long, expected " + FILE_SIZE);
        }
        int stored = buf.getInt(OFF_CRC);
        int computed = crc(bytes, 0, OFF_CRC);
        if (stored != computed) {
            throw corrupted(file, "incorrect checksum: stored 0x" + Integer.toHexString(stored) + ", computed 0x"
                    + Integer.toHexString(computed));
        }
        State state = State.ofCode(buf.getInt(OFF_STATE));
        if (state == null) {
            throw corrupted(file, "unknown state code " + buf.getInt(OFF_STATE));
        }
        return new ControlFile(dataDir, buf.getLong(OFF_SYSTEM_ID), state, buf.getInt(OFF_TIMELINE),
                buf.getLong(OFF_TIME), readLocation(buf, OFF_LATEST, OFF_LATEST_NAME),
                readLocation(buf, OFF_PREVIOUS, OFF_PREVIOUS_NAME));
    }

    /** True if {@code dataDir} has a control file (initialized). */
    public static boolean exists(Path dataDir) {
        return Files.exists(dataDir.resolve(RELATIVE_PATH));
    }

    /**
     * A new system identifier as PostgreSQL makes one: seconds since the epoch in the upper 32
     * bits, microseconds in the next 20, the low 12 bits of the process id at the bottom.
     */
    public static long newSystemIdentifier() {
        Instant now = Instant.now();
        long seconds = now.getEpochSecond();
        long micros = now.getNano() / 1000L;
        long pid = ProcessHandle.current().pid();
        return (seconds << 32) | (micros << 12) | (pid & 0xFFF);
    }

    /** Writes the current contents crash-safely, stamping the update time. */
    public synchronized void write() {
        updateTimeMicros = nowMicros();
        ByteBuffer buf = ByteBuffer.allocate(FILE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(OFF_MAGIC, MAGIC);
        buf.putInt(OFF_VERSION, CONTROL_VERSION);
        buf.putLong(OFF_SYSTEM_ID, systemId);
        buf.putInt(OFF_STATE, state.code());
        buf.putInt(OFF_TIMELINE, timeline);
        buf.putLong(OFF_TIME, updateTimeMicros);
        putLocation(buf, latest, OFF_LATEST, OFF_LATEST_NAME);
        putLocation(buf, previous, OFF_PREVIOUS, OFF_PREVIOUS_NAME);
        buf.putInt(OFF_CRC, crc(buf.array(), 0, OFF_CRC));
        writeDurably(file(), buf.array());
    }

    /**
     * Makes {@code checkpoint} the latest checkpoint and the old latest the previous one (not
     * written until {@link #write()}).
     */
    public synchronized void recordCheckpoint(CheckpointLocation checkpoint) {
        if (!checkpoint.exists()) {
            throw new IllegalArgumentException("checkpoint: " + checkpoint + " (expected: a checkpoint with an image)");
        }
        if (latest.exists() && !latest.imageName().equals(checkpoint.imageName())) {
            previous = latest;
        }
        latest = checkpoint;
    }

    /**
     * Replaces both checkpoints, e.g. after recovery had to fall back to the previous one (not
     * written until {@link #write()}).
     */
    public synchronized void setCheckpoints(CheckpointLocation newLatest, CheckpointLocation newPrevious) {
        this.latest = newLatest;
        this.previous = newPrevious;
    }

    /** Sets the cluster state (not written until {@link #write()}). */
    public synchronized void setState(State newState) {
        this.state = newState;
    }

    /** Sets the timeline (not written until {@link #write()}). */
    public synchronized void setTimeline(int newTimeline) {
        this.timeline = newTimeline;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The control file itself. */
    public Path file() {
        return dataDir.resolve(RELATIVE_PATH);
    }

    public long systemId() {
        return systemId;
    }

    public synchronized State state() {
        return state;
    }

    public synchronized int timeline() {
        return timeline;
    }

    /** When the file was last written, in microseconds since the Unix epoch. */
    public synchronized long updateTimeMicros() {
        return updateTimeMicros;
    }

    /** The latest checkpoint, or {@link CheckpointLocation#NONE}. */
    public synchronized CheckpointLocation latestCheckpoint() {
        return latest;
    }

    /** The checkpoint before the latest, or {@link CheckpointLocation#NONE}. */
    public synchronized CheckpointLocation previousCheckpoint() {
        return previous;
    }

    @Override
    public synchronized String toString() {
        return "ControlFile[" + file() + ", system identifier " + Long.toUnsignedString(systemId) + ", state "
                + state.label() + ", timeline " + timeline + ", latest checkpoint " + latest
                + ", prior checkpoint " + previous + "]";
    }

    // ---- helpers shared with CheckpointImage ----------------------------------------------

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000L;
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, offset, length);
        return (int) c.getValue();
    }

    /** Writes {@code bytes} to {@code target} via a fsynced temporary file and an atomic rename. */
    static void writeDurably(Path target, byte[] bytes) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not write file \"" + tmp + "\": " + e, e);
        }
        renameDurably(tmp, target);
    }

    /** Atomically renames {@code from} to {@code to} and fsyncs the directory. */
    static void renameDurably(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not rename file \"" + from + "\" to \"" + to + "\": " + e, e);
        }
        fsyncDirectory(to.toAbsolutePath().getParent());
    }

    /** Fsyncs a directory so that a rename or unlink in it is durable. */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory for fsync; there the rename is
            // as durable as the file system makes it, and failing the caller would gain nothing.
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw new LrepException(SqlState.IO_ERROR, "could not fsync directory \"" + dir + "\": " + e, e);
            }
        }
    }

    private static LrepException corrupted(Path file, String what) {
        return new LrepException(SqlState.DATA_CORRUPTED, LrepException.Severity.FATAL,
                "control file \"" + file + "\" is corrupt: " + what, null, null, null);
    }

    private static CheckpointLocation readLocation(ByteBuffer buf, int lsnOffset, int nameOffset) {
        byte[] name = new byte[IMAGE_NAME_BYTES];
        buf.get(nameOffset, name);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new CheckpointLocation(new String(name, 0, len, StandardCharsets.US_ASCII), buf.getLong(lsnOffset),
                buf.getLong(lsnOffset + 8), buf.getLong(lsnOffset + 16));
    }

    private static void putLocation(ByteBuffer buf, CheckpointLocation loc, int lsnOffset, int nameOffset) {
        buf.putLong(lsnOffset, loc.checkpointLsn());
        buf.putLong(lsnOffset + 8, loc.redoLsn());
        buf.putLong(lsnOffset + 16, loc.snapshotLsn());
        buf.put(nameOffset, loc.imageName().getBytes(StandardCharsets.US_ASCII));
    }
}
