package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A node's data directory, laid out as PostgreSQL's:
 * <pre>
 * LREP_VERSION       data-directory format version (start-up refuses any other)
 * lrep.conf          settings, PostgreSQL's names (written by init)
 * lrep.pid           lock file: held (OS file lock) while a node has the directory open
 * global/pg_control  control file: system identifier, state, latest checkpoint
 * pg_wal/            WAL segment files
 * pg_checkpoint/     checkpoint images
 * pg_shmem/          the memory-mapped WAL ring
 * pg_replslot/       replication slots
 * </pre>
 * {@link #open(Path)} checks the version and takes the lock; {@link #close()} releases it.
 */
public final class DataDirectory implements AutoCloseable {

    /** The data-directory format this build reads and writes. */
    public static final int FORMAT_VERSION = 1;

    public static final String VERSION_FILE = "LREP_VERSION";
    public static final String CONFIG_FILE = "lrep.conf";
    public static final String LOCK_FILE = "lrep.pid";
    private static final List<String> SUBDIRS = List.of("global", "pg_wal", "pg_checkpoint", "pg_shmem", "pg_replslot");

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** True if {@code dir} looks like an initialised data directory. */
    public static boolean isInitialized(Path dir) {
        return Files.isRegularFile(dir.resolve(VERSION_FILE));
    }

    /**
     * Creates the directory layout, the version file and the default configuration. The control
     * file is the caller's (it needs a system identifier). Refuses a directory that exists and
     * is not empty, as initdb does.
     */
    public static void createLayout(Path dir, String defaultConfig) {
        try {
            if (Files.exists(dir)) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new LrepException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                                "directory \"" + dir + "\" exists but is not empty")
                                .withHint("Remove or empty the directory \"" + dir + "\", or run init with another directory.");
                    }
                }
            }
            Files.createDirectories(dir);
            for (String sub : SUBDIRS) {
                Files.createDirectories(dir.resolve(sub));
            }
            Files.writeString(dir.resolve(CONFIG_FILE), defaultConfig, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(VERSION_FILE), FORMAT_VERSION + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not create data directory \"" + dir + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an initialised directory: checks its format version and takes the lock file.
     *
     * @throws LrepException naming the file: not a data directory, another version, or in use
     */
    public static DataDirectory open(Path dir) {
        Path versionFile = dir.resolve(VERSION_FILE);
        if (!Files.isDirectory(dir)) {
            throw new LrepException(SqlState.UNDEFINED_FILE, "data directory \"" + dir + "\" does not exist")
                    .withHint("Create it with \"lrep init -D " + dir + "\".");
        }
        if (!Files.isRegularFile(versionFile)) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR,
                    "\"" + dir + "\" is not a valid data directory: file \"" + versionFile + "\" is missing")
                    .withHint("Create a data directory with \"lrep init\".");
        }
        String found;
        try {
            found = Files.readString(versionFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not read file \"" + versionFile + "\": " + e.getMessage(), e);
        }
        if (!found.equals(Integer.toString(FORMAT_VERSION))) {
            throw new LrepException(SqlState.CONFIG_FILE_ERROR,
                    "database files are incompatible with server: file \"" + versionFile + "\" says version \"" + found
                            + "\", this server reads version " + FORMAT_VERSION);
        }
        for (String sub : SUBDIRS) {
            if (!Files.isDirectory(dir.resolve(sub))) {
                throw new LrepException(SqlState.CONFIG_FILE_ERROR,
                        "\"" + dir + "\" is not a valid data directory: directory \"" + dir.resolve(sub) + "\" is missing");
            }
        }
        return new DataDirectory(dir, null, null).lock();
    }

    private DataDirectory lock() {
        Path lockFile = root.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock fileLock;
            try {
                fileLock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                fileLock = null; // held by another node in this JVM: the same answer as another process
            }
            if (fileLock == null) {
                String holder = readHolder(channel);
                channel.close();
                throw new LrepException(SqlState.LOCK_FILE_EXISTS, "lock file \"" + lockFile + "\" already exists")
                        .withHint("Is another lrep node (PID " + holder + ") running in data directory \"" + root + "\"?");
            }
            channel.truncate(0);
            String content = ProcessHandle.current().pid() + "\n" + root.toAbsolutePath() + "\n";
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new DataDirectory(root, channel, fileLock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new LrepException(SqlState.IO_ERROR, "could not create lock file \"" + lockFile + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Records in the lock file that the node is ready and where it listens, as PostgreSQL's
     * postmaster.pid does, so that {@code lrep status} and {@code lrep stop} can find it.
     * Lines: pid, data directory, port, status ("ready").
     */
    public void markReady(int port) {
        String content = ProcessHandle.current().pid() + "\n" + root.toAbsolutePath() + "\n" + port + "\nready\n";
        try {
            lockChannel.truncate(0);
            lockChannel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
            lockChannel.force(true);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not write lock file \"" + root.resolve(LOCK_FILE) + "\": " + e.getMessage(), e);
        }
    }

    /** What the lock file of a running node says, or null when no node holds the directory. */
    public static LockInfo readLock(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return null;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                probe = null; // held within this JVM
            }
            if (probe != null) {
                probe.release();
                return null; // stale: nobody holds it
            }
            String[] lines = Files.readString(lockFile, StandardCharsets.UTF_8).split("\n");
            long pid = lines.length > 0 && !lines[0].isBlank() ? Long.parseLong(lines[0].trim()) : -1;
            int port = lines.length > 2 && !lines[2].isBlank() ? Integer.parseInt(lines[2].trim()) : -1;
            boolean ready = lines.length > 3 && lines[3].trim().equals("ready");
            return new LockInfo(pid, port, ready);
        } catch (IOException | NumberFormatException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not read lock file \"" + lockFile + "\": " + e.getMessage(), e);
        }
    }

    /** A running node as its lock file describes it. */
    public record LockInfo(long pid, int port, boolean ready) {}

    private static String readHolder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64);
        channel.read(buf, 0);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        return nl > 0 ? text.substring(0, nl) : "unknown";
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                // the lock attempt already failed; that error is the one to report
            }
        }
    }

    public Path root() {
        return root;
    }

    public Path configFile() {
        return root.resolve(CONFIG_FILE);
    }

    public Path walDir() {
        return root.resolve("pg_wal");
    }

    public Path ringFile() {
        return root.resolve("pg_shmem").resolve("wal_ring");
    }

    public Path checkpointDir() {
        return root.resolve("pg_checkpoint");
    }

    public Path slotDir() {
        return root.resolve("pg_replslot");
    }

    /** Releases the lock and removes the lock file. Idempotent. */
    @Override
    public void close() {
        if (lockChannel == null || !lockChannel.isOpen()) {
            return;
        }
        try {
            Files.deleteIfExists(root.resolve(LOCK_FILE));
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not remove lock file \"" + root.resolve(LOCK_FILE) + "\": " + e.getMessage(), e);
        }
    }
}
