package io.lrep.apply;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.pgoutput.PgOutputDecoder;
import io.lrep.core.protocol.pgoutput.PgOutputEncoder;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The changes of streamed (in-progress) remote transactions, spooled to one file per top-level
 * xid until their Stream Commit or Stream Abort, as PostgreSQL's apply worker does with its
 * stream files: a large transaction never sits in memory. A file holds the pgoutput messages of
 * every stream block of its transaction, each as a 4-byte big-endian length and the message as
 * encoded on the wire (with its xid). The offset of each subtransaction's first change is
 * remembered, so aborting a subtransaction truncates the file there.
 *
 * <p>Files live in one directory owned by one apply worker; {@link #clear()} removes them all
 * (a restarted worker starts over: the publisher streams the transaction again from its start).
 */
final class StreamSpool implements AutoCloseable {

    private static final int PROTOCOL = 4;
    private static final String SUFFIX = ".changes";

    private final Path dir;
    private final PgOutputEncoder encoder = new PgOutputEncoder(PROTOCOL);
    /** Per top-level xid, its subxacts' first offsets, in order of appearance. */
    private final Map<Integer, LinkedHashMap<Integer, Long>> subxacts = new HashMap<>();
    private FileChannel open;
    private int openXid;
    /** Messages of the open stream block not yet written to its file. */
    private final ByteBuffer pending = ByteBuffer.allocate(1 << 16);
    /** The open file's size once {@link #pending} is written: the offset of the next message. */
    private long position;

    StreamSpool(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ioError("could not create directory \"" + dir + "\"", e);
        }
    }

    /** Stream Start: opens the xid's file, anew for its first segment. */
    void start(int xid, boolean first) {
        if (open != null) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "duplicate STREAM START message");
        }
        Path file = file(xid);
        try {
            if (first) {
                subxacts.put(xid, new LinkedHashMap<>());
                open = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } else {
                if (!Files.exists(file)) {
                    throw new LrepException(SqlState.PROTOCOL_VIOLATION, "no stream file for streamed transaction "
                            + Integer.toUnsignedString(xid));
                }
                subxacts.computeIfAbsent(xid, x -> new LinkedHashMap<>());
                open = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            openXid = xid;
            position = open.size();
        } catch (IOException e) {
            throw ioError("could not open stream file \"" + file + "\"", e);
        }
    }

    boolean inStream() {
        return open != null;
    }

    int streamXid() {
        return openXid;
    }

    /** Appends one message of the open stream block (buffered until the block ends); {@code subXid} is the change's own xid. */
    void write(PgOutputMessage m, int subXid) {
        if (subXid != openXid && subXid != 0) {
            subxacts.get(openXid).putIfAbsent(subXid, position);
        }
        byte[] payload = encoder.encode(m);
        if (pending.remaining() < 4 + payload.length) {
            drain();
        }
        if (pending.remaining() < 4 + payload.length) {
            writeFully(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).flip());
        } else {
            pending.putInt(payload.length).put(payload);
        }
        position += 4 + payload.length;
    }

    private void drain() {
        writeFully(pending.flip());
        pending.clear();
    }

    private void writeFully(ByteBuffer buf) {
        try {
            while (buf.hasRemaining()) {
                open.write(buf);
            }
        } catch (IOException e) {
            throw ioError("could not write to stream file \"" + file(openXid) + "\"", e);
        }
    }

    /** Stream Stop: closes the file (not synced: a crash restarts the stream from its start). */
    void stop() {
        if (open == null) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "STREAM STOP message without STREAM START");
        }
        closeOpen(true);
    }

    /** Stream Abort of {@code subXid} (== xid: the whole transaction). */
    void abort(int xid, int subXid) {
        if (xid == subXid) {
            discard(xid);
            return;
        }
        LinkedHashMap<Integer, Long> subs = subxacts.get(xid);
        Long offset = subs == null ? null : subs.get(subXid);
        if (offset == null) {
            return; // the subtransaction sent no changes: nothing to drop
        }
        boolean drop = false;
        for (Iterator<Map.Entry<Integer, Long>> it = subs.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Integer, Long> e = it.next();
            drop |= e.getKey() == subXid;
            if (drop) {
                it.remove();
            }
        }
        if (open != null && openXid == xid) {
            drain(); // inside its stream block: what is buffered goes first, then the cut
            position = offset;
        }
        try (FileChannel ch = FileChannel.open(file(xid), StandardOpenOption.WRITE)) {
            ch.truncate(offset);
            if (open != null && openXid == xid) {
                open.position(offset);
            }
        } catch (IOException e) {
            throw ioError("could not truncate stream file \"" + file(xid) + "\"", e);
        }
    }

    /** The spooled messages of {@code xid}, in order; close the iterator's owner with {@link #discard}. */
    Iterator<PgOutputMessage> read(int xid) {
        Path file = file(xid);
        if (!Files.exists(file)) {
            throw new LrepException(SqlState.PROTOCOL_VIOLATION, "no stream file for streamed transaction "
                    + Integer.toUnsignedString(xid));
        }
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            PgOutputDecoder decoder = new PgOutputDecoder(PROTOCOL);
            return new Iterator<>() {
                private PgOutputMessage next = advance();

                private PgOutputMessage advance() {
                    try {
                        int length;
                        try {
                            length = in.readInt();
                        } catch (EOFException eof) {
                            in.close();
                            return null;
                        }
                        byte[] payload = new byte[length];
                        in.readFully(payload);
                        return decoder.decode(payload, true);
                    } catch (IOException e) {
                        throw ioError("could not read from stream file \"" + file + "\"", e);
                    }
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public PgOutputMessage next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    PgOutputMessage m = next;
                    next = advance();
                    return m;
                }
            };
        } catch (IOException e) {
            throw ioError("could not open stream file \"" + file + "\"", e);
        }
    }

    /** Deletes the xid's file. */
    void discard(int xid) {
        if (open != null && openXid == xid) {
            closeOpen(false);
        }
        subxacts.remove(xid);
        try {
            Files.deleteIfExists(file(xid));
        } catch (IOException e) {
            throw ioError("could not remove stream file \"" + file(xid) + "\"", e);
        }
    }

    /** Deletes every stream file (at worker start and after an error). */
    void clear() {
        closeOpen(false);
        subxacts.clear();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw ioError("could not clean stream directory \"" + dir + "\"", e);
        }
    }

    /** How many transactions have spooled files. */
    int spooledTransactions() {
        return subxacts.size();
    }

    Path file(int xid) {
        return dir.resolve(Integer.toUnsignedString(xid) + SUFFIX);
    }

    /** Closes the open file, first writing what is buffered when {@code keep} (else it is dropped with the file). */
    private void closeOpen(boolean keep) {
        if (open != null) {
            try {
                if (keep) {
                    drain();
                }
                open.close();
            } catch (IOException e) {
                throw ioError("could not close stream file \"" + file(openXid) + "\"", e);
            } finally {
                open = null;
                pending.clear();
            }
        }
    }

    @Override
    public void close() {
        clear();
    }

    private static LrepException ioError(String message, IOException e) {
        return new LrepException(SqlState.IO_ERROR, message + ": " + e.getMessage(), new UncheckedIOException(e));
    }
}
