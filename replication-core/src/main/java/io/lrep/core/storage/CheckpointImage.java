package io.lrep.core.storage;

import static io.lrep.core.storage.CheckpointImageDescriptor.FRAME_HEADER_SIZE;
import static io.lrep.core.storage.CheckpointImageDescriptor.HEADER_MAGIC;
import static io.lrep.core.storage.CheckpointImageDescriptor.HEADER_SIZE;
import static io.lrep.core.storage.CheckpointImageDescriptor.MAX_BODY_SIZE;
import static io.lrep.core.storage.CheckpointImageDescriptor.OFF_HEADER_CRC;
import static io.lrep.core.storage.CheckpointImageDescriptor.TRAILER_MAGIC;
import static io.lrep.core.storage.CheckpointImageDescriptor.TRAILER_SIZE;
import static io.lrep.core.storage.CheckpointImageDescriptor.VERSION;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.wal.WalRecord;
import io.lrep.core.wal.WalRecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * A checkpoint image: a file holding every committed row, sequence and catalog object as of
 * {@link #snapshotLsn()}, as the WAL records {@link DurableState#exportImage} emits, plus where
 * WAL replay must start ({@link #redoLsn()}) and the counters to resume from. This record is
 * the image's header; the static methods write and read image files (layout in
 * {@link CheckpointImageDescriptor}).
 *
 * <p>Writing goes to {@code <name>.tmp}, which is fsynced and atomically renamed, then the
 * directory is fsynced: an image file that exists under its final name is complete. Reading
 * verifies every CRC and the record count; {@link #verify(Path)} reads the whole file without
 * handing out records, so a caller can make sure an image is sound before it changes any state.
 *
 * <p>Stateless static methods; safe to call from any thread, but one writer per file.
 *
 * @param file the image file
 * @param snapshotLsn the image holds every transaction that committed at or before this LSN
 * @param redoLsn WAL replay starts here (the first record of the oldest transaction that was in
 *     progress at the snapshot)
 * @param nextXid the next transaction id at the snapshot
 * @param nextOid the next object id at the snapshot
 * @param timeline the timeline the checkpoint was taken on
 * @param timeMicros when the image was written, microseconds since the Unix epoch
 * @param recordCount how many records the image holds
 */
public record CheckpointImage(Path file, long snapshotLsn, long redoLsn, int nextXid, int nextOid, int timeline,
        long timeMicros, long recordCount) {

    private static final int IO_BUFFER_SIZE = 64 * 1024;

    /** The image file for {@code snapshotLsn} in {@code dataDir}. */
    public static Path path(Path dataDir, long snapshotLsn) {
        return dataDir.resolve(CheckpointImageDescriptor.imageName(snapshotLsn));
    }

    /**
     * Writes the image of a snapshot: {@code exporter} is handed a sink and must emit every
     * record of the image into it before returning (typically
     * {@code out -> state.exportImage(snapshotLsn, out)}). Creates {@code pg_checkpoint/} if
     * needed. On failure no file is left under the final name.
     *
     * @throws LrepException 58030 on an I/O failure; whatever the exporter or codec throws
     */
    public static CheckpointImage write(Path dataDir, long snapshotLsn, long redoLsn, int nextXid, int nextOid,
            int timeline, Consumer<Consumer<WalRecord>> exporter) {
        Path file = path(dataDir, snapshotLsn);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new LrepException(SqlState.IO_ERROR, "could not create directory \"" + file.getParent() + "\": " + e, e);
        }
        long timeMicros = ControlFile.nowMicros();
        CheckpointImage image = null;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                FrameWriter writer = new FrameWriter(ch, tmp);
                writer.buf.position(HEADER_SIZE); // the header is written last
                exporter.accept(writer::add);
                writer.finish();
                CheckpointImage written = new CheckpointImage(file, snapshotLsn, redoLsn, nextXid, nextOid, timeline,
                        timeMicros, writer.count);
                ByteBuffer header = written.encodeHeader();
                while (header.hasRemaining()) {
                    ch.write(header, header.position()); // the header is at offset 0: file offset = buffer position
                }
                ch.force(true);
                image = written;
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not write checkpoint image \"" + tmp + "\": " + e, e);
            }
            ControlFile.renameDurably(tmp, file);
            return image;
        } finally {
            if (image == null) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Reads just the header, checking its magic, version and CRC. */
    public static CheckpointImage readHeader(Path file) {
        try (FrameReader reader = new FrameReader(file)) {
            return reader.header;
        }
    }

    /**
     * Reads and checks the whole file, decoding every record without keeping any.
     *
     * @throws LrepException 58P01 if the file is missing; XX001 naming the file if it is
     *     truncated or corrupt
     */
    public static CheckpointImage verify(Path file) {
        return load(file, 1024, chunk -> {});
    }

    /**
     * Reads the image, handing its records to {@code sink} in chunks of at most
     * {@code chunkRecords}, in file order. Each chunk has passed its CRCs before it is handed
     * out, but a later chunk may still turn out corrupt: call {@link #verify(Path)} first when a
     * partial load must not happen.
     *
     * @throws LrepException 58P01 if the file is missing; XX001 naming the file if it is
     *     truncated or corrupt
     */
    public static CheckpointImage load(Path file, int chunkRecords, Consumer<List<WalRecord>> sink) {
        if (chunkRecords < 1) {
            throw new IllegalArgumentException("chunkRecords: " + chunkRecords + " (expected: at least 1)");
        }
        try (FrameReader reader = new FrameReader(file)) {
            CheckpointImage header = reader.header;
            List<WalRecord> chunk = new ArrayList<>(Math.min(chunkRecords, 4096));
            for (long i = 0; i < header.recordCount(); i++) {
                chunk.add(reader.nextRecord(i));
                if (chunk.size() == chunkRecords) {
                    sink.accept(chunk);
                    chunk = new ArrayList<>(Math.min(chunkRecords, 4096));
                }
            }
            reader.checkTrailer();
            if (!chunk.isEmpty()) {
                sink.accept(chunk);
            }
            return header;
        }
    }

    private ByteBuffer encodeHeader() {
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(CheckpointImageDescriptor.OFF_MAGIC, HEADER_MAGIC);
        h.putInt(CheckpointImageDescriptor.OFF_VERSION, VERSION);
        h.putLong(CheckpointImageDescriptor.OFF_SNAPSHOT_LSN, snapshotLsn);
        h.putLong(CheckpointImageDescriptor.OFF_REDO_LSN, redoLsn);
        h.putInt(CheckpointImageDescriptor.OFF_NEXT_XID, nextXid);
        h.putInt(CheckpointImageDescriptor.OFF_NEXT_OID, nextOid);
        h.putInt(CheckpointImageDescriptor.OFF_TIMELINE, timeline);
        h.putLong(CheckpointImageDescriptor.OFF_TIME, timeMicros);
        h.putLong(CheckpointImageDescriptor.OFF_RECORD_COUNT, recordCount);
        h.putInt(OFF_HEADER_CRC, ControlFile.crc(h.array(), 0, OFF_HEADER_CRC));
        return h;
    }

    @Override
    public String toString() {
        return "CheckpointImage[" + file + ", snapshot " + Lsn.format(snapshotLsn) + ", redo " + Lsn.format(redoLsn)
                + ", " + recordCount + " records]";
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // Dropping is safe: the failure that brought us here is what the caller sees, and a
            // leftover temporary file is removed by the next checkpoint's cleanup.
        }
    }

    private static LrepException corrupt(Path file, String what) {
        return new LrepException(SqlState.DATA_CORRUPTED, "checkpoint image \"" + file + "\" is corrupt: " + what);
    }

    /** Buffers frames and writes them out, keeping the running CRC of every frame byte. */
    private static final class FrameWriter {
        final FileChannel ch;
        final Path tmp;
        final CRC32C sectionCrc = new CRC32C();
        final CRC32C frameCrc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(IO_BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long count;
        boolean headerSkipped;

        FrameWriter(FileChannel ch, Path tmp) {
            this.ch = ch;
            this.tmp = tmp;
        }

        void add(WalRecord r) {
            int size = WalRecordCodec.encodedSize(r);
            if (size > MAX_BODY_SIZE) {
                throw new LrepException(SqlState.PROGRAM_LIMIT_EXCEEDED,
                        "checkpoint image \"" + tmp + "\": record of " + size + " bytes is too large");
            }
            int need = FRAME_HEADER_SIZE + size;
            if (buf.remaining() < need) {
                drain();
                if (buf.capacity() < need) {
                    buf = ByteBuffer.allocate(need).order(ByteOrder.LITTLE_ENDIAN);
                }
            }
            int start = buf.position();
            buf.putInt(size);
            buf.putInt(0);
            WalRecordCodec.encode(r, buf);
            if (buf.position() != start + need) {
                throw new LrepException(SqlState.INTERNAL_ERROR, "checkpoint image \"" + tmp + "\": record encoded to "
                        + (buf.position() - start - FRAME_HEADER_SIZE) + " bytes, expected " + size);
            }
            frameCrc.reset();
            frameCrc.update(buf.array(), start, 4);
            frameCrc.update(buf.array(), start + FRAME_HEADER_SIZE, size);
            buf.putInt(start + 4, (int) frameCrc.getValue());
            count++;
        }

        void finish() {
            if (buf.remaining() < TRAILER_SIZE) {
                drain();
            }
            int start = buf.position();
            buf.putInt(TRAILER_MAGIC);
            buf.putLong(count);
            sectionCrc.update(buf.array(), headerSkipped ? 0 : HEADER_SIZE, start + 12 - (headerSkipped ? 0 : HEADER_SIZE));
            buf.putInt((int) sectionCrc.getValue());
            writeOut();
        }

        /** Writes the buffered frames, adding them to the section CRC. */
        private void drain() {
            int from = headerSkipped ? 0 : HEADER_SIZE;
            sectionCrc.update(buf.array(), from, buf.position() - from);
            writeOut();
        }

        private void writeOut() {
            buf.flip();
            try {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not write checkpoint image \"" + tmp + "\": " + e, e);
            }
            buf.clear();
            headerSkipped = true;
        }
    }

    /** Reads frames with bounds checks; every problem is reported naming the file. */
    private static final class FrameReader implements AutoCloseable {
        final Path file;
        final FileChannel ch;
        final CRC32C sectionCrc = new CRC32C();
        final CRC32C frameCrc = new CRC32C();
        final CheckpointImage header;
        ByteBuffer buf = ByteBuffer.allocate(IO_BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long offset;

        FrameReader(Path file) {
            this.file = file;
            try {
                this.ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new LrepException(SqlState.UNDEFINED_FILE, "could not open checkpoint image \"" + file
                        + "\": no such file", e);
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not open checkpoint image \"" + file + "\": " + e, e);
            }
            buf.limit(0);
            try {
                this.header = readHeaderFields();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private CheckpointImage readHeaderFields() {
            ensure(HEADER_SIZE, "header");
            byte[] h = new byte[HEADER_SIZE];
            buf.get(h);
            offset += HEADER_SIZE;
            ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
            int magic = hb.getInt(CheckpointImageDescriptor.OFF_MAGIC);
            if (magic != HEADER_MAGIC) {
                throw corrupt(file, "wrong magic number 0x" + Integer.toHexString(magic));
            }
            int version = hb.getInt(CheckpointImageDescriptor.OFF_VERSION);
            if (version != VERSION) {
                throw corrupt(file, "image version " + version + ", but the server reads version " + VERSION);
            }
            int stored = hb.getInt(OFF_HEADER_CRC);
            int computed = ControlFile.crc(h, 0, OFF_HEADER_CRC);
            if (stored != computed) {
                throw corrupt(file, "incorrect header checksum");
            }
            long count = hb.getLong(CheckpointImageDescriptor.OFF_RECORD_COUNT);
            if (count < 0) {
                throw corrupt(file, "negative record count " + count);
            }
            return new CheckpointImage(file, hb.getLong(CheckpointImageDescriptor.OFF_SNAPSHOT_LSN),
                    hb.getLong(CheckpointImageDescriptor.OFF_REDO_LSN), hb.getInt(CheckpointImageDescriptor.OFF_NEXT_XID),
                    hb.getInt(CheckpointImageDescriptor.OFF_NEXT_OID), hb.getInt(CheckpointImageDescriptor.OFF_TIMELINE),
                    hb.getLong(CheckpointImageDescriptor.OFF_TIME), count);
        }

        WalRecord nextRecord(long index) {
            long frameOffset = offset;
            ensure(FRAME_HEADER_SIZE, "record " + index + " of " + header.recordCount());
            int start = buf.position();
            int length = buf.getInt(start);
            int storedCrc = buf.getInt(start + 4);
            if (length < 0 || length > MAX_BODY_SIZE) {
                throw corrupt(file, "record " + index + " at offset " + frameOffset + " has invalid length " + length);
            }
            ensure(FRAME_HEADER_SIZE + length, "record " + index + " of " + header.recordCount());
            start = buf.position();
            frameCrc.reset();
            frameCrc.update(buf.array(), start, 4);
            frameCrc.update(buf.array(), start + FRAME_HEADER_SIZE, length);
            if ((int) frameCrc.getValue() != storedCrc) {
                throw corrupt(file, "incorrect checksum of record " + index + " at offset " + frameOffset);
            }
            sectionCrc.update(buf.array(), start, FRAME_HEADER_SIZE + length);
            ByteBuffer body = buf.slice(start + FRAME_HEADER_SIZE, length);
            WalRecord r;
            try {
                r = WalRecordCodec.decode(body);
            } catch (RuntimeException e) {
                throw new LrepException(SqlState.DATA_CORRUPTED, "checkpoint image \"" + file + "\" is corrupt: record "
                        + index + " at offset " + frameOffset + " does not decode: " + e.getMessage(), e);
            }
            if (body.hasRemaining()) {
                throw corrupt(file, "record " + index + " at offset " + frameOffset + " has " + body.remaining()
                        + " bytes after its body");
            }
            buf.position(start + FRAME_HEADER_SIZE + length);
            offset += FRAME_HEADER_SIZE + length;
            return r;
        }

        void checkTrailer() {
            ensure(TRAILER_SIZE, "trailer");
            int start = buf.position();
            int magic = buf.getInt(start);
            long count = buf.getLong(start + 4);
            int stored = buf.getInt(start + 12);
            if (magic != TRAILER_MAGIC) {
                throw corrupt(file, "no trailer after " + header.recordCount() + " records (at offset " + offset + ")");
            }
            if (count != header.recordCount()) {
                throw corrupt(file, "trailer counts " + count + " records, header " + header.recordCount());
            }
            sectionCrc.update(buf.array(), start, 12);
            if ((int) sectionCrc.getValue() != stored) {
                throw corrupt(file, "incorrect checksum over the records");
            }
            buf.position(start + TRAILER_SIZE);
            offset += TRAILER_SIZE;
            if (buf.hasRemaining() || fill() > 0) {
                throw corrupt(file, "unexpected bytes after the trailer at offset " + offset);
            }
        }

        /** Makes {@code n} bytes available at the buffer's position, or fails as truncated. */
        private void ensure(int n, String what) {
            if (buf.remaining() >= n) {
                return;
            }
            if (buf.capacity() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
                bigger.put(buf);
                bigger.flip();
                buf = bigger;
            }
            while (buf.remaining() < n) {
                if (fill() < 0) {
                    throw corrupt(file, "file is truncated in " + what + " at offset " + offset);
                }
            }
        }

        /** Reads more bytes behind the unread ones; returns what read returned. */
        private int fill() {
            buf.compact();
            try {
                return ch.read(buf);
            } catch (IOException e) {
                throw new LrepException(SqlState.IO_ERROR, "could not read checkpoint image \"" + file + "\": " + e, e);
            } finally {
                buf.flip();
            }
        }

        @Override
        public void close() {
            try {
                ch.close();
            } catch (IOException e) {
                // Dropping is safe: the file was only read, and every byte used was checked.
            }
        }
    }
}
