package io.lrep.publisher.decoding;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.wal.WalEntry;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * One transaction's changes written out of memory, in LSN order (PostgreSQL's
 * {@code xid-<xid>-lsn-<X>-<Y>.spill}; here one file per xid, {@code xid-<xid>.spill}).
 *
 * <pre>
 *   per change:  i64 start LSN   i64 end LSN   i32 frame length   WAL frame (WalRecordCodec.encodeFrame at the start LSN)
 * </pre>
 * The frame's CRC and LSN are checked when read back. Appends go to the end; reads start at a
 * byte offset a previous append returned. Not thread-safe.
 */
final class SpillFile {

    static final String PREFIX = "xid-";
    static final String SUFFIX = ".spill";

    private final Path path;
    private long size;

    SpillFile(Path dir, int xid) {
        this.path = dir.resolve(PREFIX + Integer.toUnsignedString(xid) + SUFFIX);
    }

    Path path() {
        return path;
    }

    /** The bytes written so far: the offset the next append starts at. */
    long size() {
        return size;
    }

    /** Appends the changes; returns the bytes written. */
    long append(List<WalEntry> entries) {
        long before = size;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(path,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND), 64 * 1024))) {
            ByteBuffer buf = ByteBuffer.allocate(256);
            for (WalEntry e : entries) {
                int n = WalRecordCodec.frameSize(e.record());
                if (buf.capacity() < n) {
                    buf = ByteBuffer.allocate(Integer.highestOneBit(n) * 2);
                }
                buf.clear();
                WalRecordCodec.encodeFrame(e.record(), e.startLsn(), buf);
                out.writeLong(e.startLsn());
                out.writeLong(e.endLsn());
                out.writeInt(n);
                out.write(buf.array(), 0, n);
                size += 20 + n;
            }
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not write to file \"" + path + "\": " + e.getMessage(), e);
        }
        return size - before;
    }

    /** Reads every change from byte offset {@code from} to the end, in order. */
    void read(long from, Consumer<WalEntry> sink) {
        if (from >= size) {
            return;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.position(from);
            InputStream raw = Channels.newInputStream(ch);
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024));
            long pos = from;
            byte[] frame = new byte[256];
            while (pos < size) {
                long start = in.readLong();
                long end = in.readLong();
                int n = in.readInt();
                if (n <= 0 || n > 1 << 30) {
                    throw new LrepException(SqlState.DATA_CORRUPTED, "invalid spill file \"" + path + "\": frame of " + n
                            + " bytes at offset " + pos);
                }
                if (frame.length < n) {
                    frame = new byte[Integer.highestOneBit(n) * 2];
                }
                in.readFully(frame, 0, n);
                WalRecord r = WalRecordCodec.decodeFrame(ByteBuffer.wrap(frame, 0, n), start);
                pos += 20 + n;
                sink.accept(new WalEntry(start, end, r));
            }
        } catch (EOFException e) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "could not read from file \"" + path + "\": unexpected end of file", e);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not read from file \"" + path + "\": " + e.getMessage(), e);
        }
    }

    /** Removes the file (gone already is fine). */
    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not remove file \"" + path + "\": " + e.getMessage(), e);
        }
        size = 0;
    }

    /** Removes every spill file in {@code dir} (left by an earlier run); returns how many. */
    static int deleteAll(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : files) {
                Files.deleteIfExists(p);
                n++;
            }
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not remove spill files in \"" + dir + "\": " + e.getMessage(), e);
        }
        return n;
    }
}
