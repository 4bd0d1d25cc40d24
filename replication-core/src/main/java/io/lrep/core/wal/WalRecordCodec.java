package io.lrep.core.wal;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.types.PgInterval;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.UUID;

/**
 * Binary encoding of {@link WalRecord}s: the record <em>body</em> (a type byte and the record's
 * fields) and the full <em>frame</em> that the ring and the segment files hold (see
 * {@link WalRecordDescriptor} for the frame layout).
 *
 * <p>Body layout, big-endian whatever the order of the buffer passed in (it is restored):
 * <pre>
 *   type (byte)  then per type:
 *   INSERT          xid int, relOid int, newRow
 *   UPDATE          xid int, relOid int, oldRow, oldIsFullRow bool, newRow
 *   DELETE          xid int, relOid int, oldRow, oldIsFullRow bool
 *   TRUNCATE        xid int, count int, relOid int * count, cascade bool, restartIdentity bool
 *   COMMIT          xid int, commitTimeMicros long, originId int, originLsn long
 *   ABORT           xid int
 *   SUBXACT_ABORT   xid int, fromLsn long
 *   CATALOG_CHANGE  xid int, kind int, oid int, definition bytes
 *   MESSAGE         xid int, transactional bool, prefix string, content bytes
 *   SEQUENCE        xid int, seqOid int, lastValue long, isCalled bool
 *   CHECKPOINT      xid int, redoLsn long, snapshotLsn long, nextXid int, nextOid int,
 *                   timeline int, timeMicros long
 *   row    = count int (-1: no row), then count values
 *   value  = tag byte, then: NULL -, BOOL byte, INT2 short, INT4 int, INT8 long,
 *            FLOAT4 int bits, FLOAT8 long bits, NUMERIC scale int + bytes (unscaled two's
 *            complement), TEXT string, BYTEA bytes, DATE epochDay long, TIMESTAMP epochDay long +
 *            nanoOfDay long, TIMESTAMPTZ epochSecond long + nano int (Instant.MIN/MAX, the
 *            -infinity/infinity of timestamptz, round-trip as they are), UUID msb long + lsb
 *            long, LSN long, ARRAY (Object[]: arrays, vectors, records) count int + count values,
 *            INTERVAL micros long + days int + months int
 *   bytes  = length int, then the bytes;  string = bytes of its UTF-8
 * </pre>
 * A row is self-describing, so decoding needs no catalog. The value encoding is public ({@link
 * #valueSize}, {@link #writeValue}, {@link #readValue}): catalog definitions use it too. Any unknown type or tag, negative
 * length or truncated body is {@link SqlState#DATA_CORRUPTED}.
 *
 * <p>Stateless and thread-safe.
 */
public final class WalRecordCodec {

    static final byte TYPE_INSERT = 1;
    static final byte TYPE_UPDATE = 2;
    static final byte TYPE_DELETE = 3;
    static final byte TYPE_TRUNCATE = 4;
    static final byte TYPE_COMMIT = 5;
    static final byte TYPE_ABORT = 6;
    static final byte TYPE_CATALOG_CHANGE = 7;
    static final byte TYPE_MESSAGE = 8;
    static final byte TYPE_SEQUENCE = 9;
    static final byte TYPE_CHECKPOINT = 10;
    static final byte TYPE_SUBXACT_ABORT = 11;

    static final byte TAG_NULL = 0;
    static final byte TAG_BOOL = 1;
    static final byte TAG_INT2 = 2;
    static final byte TAG_INT4 = 3;
    static final byte TAG_INT8 = 4;
    static final byte TAG_FLOAT4 = 5;
    static final byte TAG_FLOAT8 = 6;
    static final byte TAG_NUMERIC = 7;
    static final byte TAG_TEXT = 8;
    static final byte TAG_BYTEA = 9;
    static final byte TAG_DATE = 10;
    static final byte TAG_TIMESTAMP = 11;
    static final byte TAG_TIMESTAMPTZ = 12;
    static final byte TAG_UUID = 13;
    static final byte TAG_LSN = 14;
    static final byte TAG_ARRAY = 15;
    static final byte TAG_INTERVAL = 16;

    private WalRecordCodec() {}

    // ------------------------------------------------------------------ body

    /** The number of bytes {@link #encode} writes for {@code r}. */
    public static int encodedSize(WalRecord r) {
        int n = 1 + 4; // type + xid
        if (r instanceof WalRecord.Insert i) {
            n += 4 + rowSize(i.newRow(), i.encodedNewRow());
        } else if (r instanceof WalRecord.Update u) {
            n += 4 + rowSize(u.oldRow()) + 1 + rowSize(u.newRow(), u.encodedNewRow());
        } else if (r instanceof WalRecord.Delete d) {
            n += 4 + rowSize(d.oldRow()) + 1;
        } else if (r instanceof WalRecord.Truncate t) {
            n += 4 + 4 * t.relOids().length + 2;
        } else if (r instanceof WalRecord.Commit) {
            n += 8 + 4 + 8;
        } else if (r instanceof WalRecord.Abort) {
            n += 0;
        } else if (r instanceof WalRecord.SubxactAbort) {
            n += 8;
        } else if (r instanceof WalRecord.CatalogChange c) {
            n += 4 + 4 + 4 + c.definition().length;
        } else if (r instanceof WalRecord.LogicalMessage m) {
            n += 1 + 4 + utf8Length(m.prefix()) + 4 + m.content().length;
        } else if (r instanceof WalRecord.SequenceAdvance) {
            n += 4 + 8 + 1;
        } else if (r instanceof WalRecord.Checkpoint) {
            n += 8 + 8 + 4 + 4 + 4 + 8;
        } else {
            throw unknownRecord(r);
        }
        return n;
    }

    /**
     * Writes the body of {@code r} (type byte and fields) at {@code dst}'s position, advancing it
     * by {@link #encodedSize(WalRecord)} bytes.
     *
     * @throws java.nio.BufferOverflowException if {@code dst} has too little room
     * @throws LrepException DATA_EXCEPTION if a row holds a value of a class WAL cannot carry
     */
    public static void encode(WalRecord r, ByteBuffer dst) {
        ByteOrder saved = dst.order();
        dst.order(ByteOrder.BIG_ENDIAN);
        try {
            encodeBody(r, dst);
        } finally {
            dst.order(saved);
        }
    }

    /**
     * Reads one record body at {@code src}'s position, advancing it past the body.
     *
     * @throws LrepException DATA_CORRUPTED on an unknown type or tag, a bad length or a truncated body
     */
    public static WalRecord decode(ByteBuffer src) {
        ByteOrder saved = src.order();
        src.order(ByteOrder.BIG_ENDIAN);
        try {
            return decodeBody(src);
        } catch (BufferUnderflowException e) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "WAL record body is truncated", e);
        } finally {
            src.order(saved);
        }
    }

    private static void encodeBody(WalRecord r, ByteBuffer dst) {
        if (r instanceof WalRecord.Insert i) {
            dst.put(TYPE_INSERT).putInt(i.xid()).putInt(i.relOid());
            putRow(dst, i.newRow(), i.encodedNewRow());
        } else if (r instanceof WalRecord.Update u) {
            dst.put(TYPE_UPDATE).putInt(u.xid()).putInt(u.relOid());
            putRow(dst, u.oldRow());
            putBool(dst, u.oldIsFullRow());
            putRow(dst, u.newRow(), u.encodedNewRow());
        } else if (r instanceof WalRecord.Delete d) {
            dst.put(TYPE_DELETE).putInt(d.xid()).putInt(d.relOid());
            putRow(dst, d.oldRow());
            putBool(dst, d.oldIsFullRow());
        } else if (r instanceof WalRecord.Truncate t) {
            dst.put(TYPE_TRUNCATE).putInt(t.xid()).putInt(t.relOids().length);
            for (int oid : t.relOids()) {
                dst.putInt(oid);
            }
            putBool(dst, t.cascade());
            putBool(dst, t.restartIdentity());
        } else if (r instanceof WalRecord.Commit c) {
            dst.put(TYPE_COMMIT).putInt(c.xid()).putLong(c.commitTimeMicros()).putInt(c.originId()).putLong(c.originLsn());
        } else if (r instanceof WalRecord.Abort a) {
            dst.put(TYPE_ABORT).putInt(a.xid());
        } else if (r instanceof WalRecord.SubxactAbort a) {
            dst.put(TYPE_SUBXACT_ABORT).putInt(a.xid()).putLong(a.fromLsn());
        } else if (r instanceof WalRecord.CatalogChange c) {
            dst.put(TYPE_CATALOG_CHANGE).putInt(c.xid()).putInt(c.kind()).putInt(c.oid());
            putBytes(dst, c.definition());
        } else if (r instanceof WalRecord.LogicalMessage m) {
            dst.put(TYPE_MESSAGE).putInt(m.xid());
            putBool(dst, m.transactional());
            putString(dst, m.prefix());
            putBytes(dst, m.content());
        } else if (r instanceof WalRecord.SequenceAdvance s) {
            dst.put(TYPE_SEQUENCE).putInt(s.xid()).putInt(s.seqOid()).putLong(s.lastValue());
            putBool(dst, s.isCalled());
        } else if (r instanceof WalRecord.Checkpoint c) {
            dst.put(TYPE_CHECKPOINT).putInt(c.xid()).putLong(c.redoLsn()).putLong(c.snapshotLsn()).putInt(c.nextXid())
                    .putInt(c.nextOid()).putInt(c.timeline()).putLong(c.timeMicros());
        } else {
            throw unknownRecord(r);
        }
    }

    private static WalRecord decodeBody(ByteBuffer src) {
        byte type = src.get();
        int xid = src.getInt();
        switch (type) {
            case TYPE_INSERT: {
                int rel = src.getInt();
                return new WalRecord.Insert(xid, rel, getRow(src));
            }
            case TYPE_UPDATE: {
                int rel = src.getInt();
                Object[] oldRow = getRow(src);
                boolean full = getBool(src);
                return new WalRecord.Update(xid, rel, oldRow, full, getRow(src));
            }
            case TYPE_DELETE: {
                int rel = src.getInt();
                Object[] oldRow = getRow(src);
                return new WalRecord.Delete(xid, rel, oldRow, getBool(src));
            }
            case TYPE_TRUNCATE: {
                int count = getLength(src, 4);
                int[] oids = new int[count];
                for (int i = 0; i < count; i++) {
                    oids[i] = src.getInt();
                }
                boolean cascade = getBool(src);
                return new WalRecord.Truncate(xid, oids, cascade, getBool(src));
            }
            case TYPE_COMMIT:
                return new WalRecord.Commit(xid, src.getLong(), src.getInt(), src.getLong());
            case TYPE_ABORT:
                return new WalRecord.Abort(xid);
            case TYPE_SUBXACT_ABORT:
                return new WalRecord.SubxactAbort(xid, src.getLong());
            case TYPE_CATALOG_CHANGE: {
                int kind = src.getInt();
                int oid = src.getInt();
                return new WalRecord.CatalogChange(xid, kind, oid, getBytes(src));
            }
            case TYPE_MESSAGE: {
                boolean transactional = getBool(src);
                String prefix = new String(getBytes(src), StandardCharsets.UTF_8);
                return new WalRecord.LogicalMessage(xid, transactional, prefix, getBytes(src));
            }
            case TYPE_SEQUENCE: {
                int seq = src.getInt();
                long last = src.getLong();
                return new WalRecord.SequenceAdvance(xid, seq, last, getBool(src));
            }
            case TYPE_CHECKPOINT:
                return new WalRecord.Checkpoint(xid, src.getLong(), src.getLong(), src.getInt(), src.getInt(), src.getInt(),
                        src.getLong());
            default:
                throw new LrepException(SqlState.DATA_CORRUPTED, "unknown WAL record type " + type);
        }
    }

    // ------------------------------------------------------------------ rows

    private static int rowSize(Object[] row, byte[] encoded) {
        return encoded != null ? encoded.length : rowSize(row);
    }

    private static void putRow(ByteBuffer dst, Object[] row, byte[] encoded) {
        if (encoded != null) {
            dst.put(encoded);
        } else {
            putRow(dst, row);
        }
    }

    private static int rowSize(Object[] row) {
        if (row == null) {
            return 4;
        }
        int n = 4;
        for (Object v : row) {
            n += valueSize(v);
        }
        return n;
    }

    /** The bytes {@link #writeValue} writes for {@code v}: its tag and its data. */
    public static int valueSize(Object v) {
        return 1 + dataSize(v);
    }

    /**
     * Writes one nullable value (tag byte, then data) at {@code dst}'s position, big-endian.
     *
     * @throws LrepException DATA_EXCEPTION for a value of a class WAL cannot carry
     */
    public static void writeValue(ByteBuffer dst, Object v) {
        ByteOrder saved = dst.order();
        dst.order(ByteOrder.BIG_ENDIAN);
        try {
            putValue(dst, v);
        } finally {
            dst.order(saved);
        }
    }

    /** {@link #writeValue} into a new array. */
    public static byte[] encodeValue(Object v) {
        ByteBuffer b = ByteBuffer.allocate(valueSize(v));
        putValue(b, v);
        return b.array();
    }

    /**
     * Reads one value {@link #writeValue} wrote, at {@code src}'s position, advancing past it.
     *
     * @throws LrepException DATA_CORRUPTED on an unknown tag, a bad length or truncated data
     */
    public static Object readValue(ByteBuffer src) {
        ByteOrder saved = src.order();
        src.order(ByteOrder.BIG_ENDIAN);
        try {
            return getValue(src);
        } catch (BufferUnderflowException e) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "value is truncated", e);
        } finally {
            src.order(saved);
        }
    }

    /**
     * A row as one array, in the encoding WAL records carry rows in (a column count, then each
     * value as {@link #writeValue} writes it). The storage engine keeps row versions so: an
     * object per row instead of one per value.
     *
     * @throws LrepException DATA_EXCEPTION for a value of a class WAL cannot carry
     */
    public static byte[] encodeRow(Object[] row) {
        ByteBuffer b = ByteBuffer.allocate(rowSize(row));
        putRow(b, row);
        return b.array();
    }

    /** The values {@link #encodeRow} encoded, in a new array. */
    public static Object[] decodeRow(byte[] data) {
        return getRow(ByteBuffer.wrap(data));
    }

    private static int dataSize(Object v) {
        if (v == null) {
            return 0;
        } else if (v instanceof Boolean) {
            return 1;
        } else if (v instanceof Short) {
            return 2;
        } else if (v instanceof Integer || v instanceof Float) {
            return 4;
        } else if (v instanceof Long || v instanceof Double || v instanceof LocalDate || v instanceof Lsn) {
            return 8;
        } else if (v instanceof BigDecimal d) {
            return 4 + 4 + d.unscaledValue().bitLength() / 8 + 1;
        } else if (v instanceof String s) {
            return 4 + utf8Length(s);
        } else if (v instanceof byte[] b) {
            return 4 + b.length;
        } else if (v instanceof LocalDateTime) {
            return 16;
        } else if (v instanceof Instant) {
            return 12;
        } else if (v instanceof UUID || v instanceof PgInterval) {
            return 16;
        } else if (v instanceof Object[] a) {
            int n = 4;
            for (Object e : a) {
                n += valueSize(e);
            }
            return n;
        }
        throw unknownValue(v);
    }

    private static void putRow(ByteBuffer dst, Object[] row) {
        if (row == null) {
            dst.putInt(-1);
            return;
        }
        dst.putInt(row.length);
        for (Object v : row) {
            putValue(dst, v);
        }
    }

    private static void putValue(ByteBuffer dst, Object v) {
        if (v == null) {
            dst.put(TAG_NULL);
        } else if (v instanceof Boolean b) {
            dst.put(TAG_BOOL);
            putBool(dst, b);
        } else if (v instanceof Short s) {
            dst.put(TAG_INT2).putShort(s);
        } else if (v instanceof Integer i) {
            dst.put(TAG_INT4).putInt(i);
        } else if (v instanceof Long l) {
            dst.put(TAG_INT8).putLong(l);
        } else if (v instanceof Float f) {
            dst.put(TAG_FLOAT4).putInt(Float.floatToRawIntBits(f));
        } else if (v instanceof Double d) {
            dst.put(TAG_FLOAT8).putLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof BigDecimal d) {
            dst.put(TAG_NUMERIC).putInt(d.scale());
            putBytes(dst, d.unscaledValue().toByteArray());
        } else if (v instanceof String s) {
            dst.put(TAG_TEXT);
            putString(dst, s);
        } else if (v instanceof byte[] b) {
            dst.put(TAG_BYTEA);
            putBytes(dst, b);
        } else if (v instanceof LocalDate d) {
            dst.put(TAG_DATE).putLong(d.toEpochDay());
        } else if (v instanceof LocalDateTime t) {
            dst.put(TAG_TIMESTAMP).putLong(t.toLocalDate().toEpochDay()).putLong(t.toLocalTime().toNanoOfDay());
        } else if (v instanceof Instant t) {
            dst.put(TAG_TIMESTAMPTZ).putLong(t.getEpochSecond()).putInt(t.getNano());
        } else if (v instanceof UUID u) {
            dst.put(TAG_UUID).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        } else if (v instanceof Lsn l) {
            dst.put(TAG_LSN).putLong(l.value());
        } else if (v instanceof PgInterval iv) {
            dst.put(TAG_INTERVAL).putLong(iv.micros()).putInt(iv.days()).putInt(iv.months());
        } else if (v instanceof Object[] a) {
            dst.put(TAG_ARRAY).putInt(a.length);
            for (Object e : a) {
                putValue(dst, e);
            }
        } else {
            throw unknownValue(v);
        }
    }

    private static Object[] getRow(ByteBuffer src) {
        int count = src.getInt();
        if (count == -1) {
            return null;
        }
        if (count < 0 || count > src.remaining()) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "WAL record has a row of " + count + " columns with "
                    + src.remaining() + " bytes left");
        }
        Object[] row = new Object[count];
        for (int i = 0; i < count; i++) {
            row[i] = getValue(src);
        }
        return row;
    }

    private static Object getValue(ByteBuffer src) {
        byte tag = src.get();
        try {
            switch (tag) {
                case TAG_NULL:
                    return null;
                case TAG_BOOL:
                    return getBool(src);
                case TAG_INT2:
                    return src.getShort();
                case TAG_INT4:
                    return src.getInt();
                case TAG_INT8:
                    return src.getLong();
                case TAG_FLOAT4:
                    return Float.intBitsToFloat(src.getInt());
                case TAG_FLOAT8:
                    return Double.longBitsToDouble(src.getLong());
                case TAG_NUMERIC: {
                    int scale = src.getInt();
                    byte[] unscaled = getBytes(src);
                    if (unscaled.length == 0) {
                        throw new LrepException(SqlState.DATA_CORRUPTED, "WAL numeric value has no digits");
                    }
                    return new BigDecimal(new BigInteger(unscaled), scale);
                }
                case TAG_TEXT:
                    return new String(getBytes(src), StandardCharsets.UTF_8);
                case TAG_BYTEA:
                    return getBytes(src);
                case TAG_DATE:
                    return LocalDate.ofEpochDay(src.getLong());
                case TAG_TIMESTAMP: {
                    LocalDate day = LocalDate.ofEpochDay(src.getLong());
                    return LocalDateTime.of(day, LocalTime.ofNanoOfDay(src.getLong()));
                }
                case TAG_TIMESTAMPTZ: {
                    long seconds = src.getLong();
                    return Instant.ofEpochSecond(seconds, src.getInt());
                }
                case TAG_UUID:
                    return new UUID(src.getLong(), src.getLong());
                case TAG_LSN:
                    return Lsn.of(src.getLong());
                case TAG_INTERVAL: {
                    long micros = src.getLong();
                    int days = src.getInt();
                    return new PgInterval(src.getInt(), days, micros);
                }
                case TAG_ARRAY: {
                    Object[] a = new Object[getLength(src, 1)];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = getValue(src);
                    }
                    return a;
                }
                default:
                    throw new LrepException(SqlState.DATA_CORRUPTED, "unknown WAL value tag " + tag);
            }
        } catch (java.time.DateTimeException e) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "WAL value with tag " + tag + " is out of range", e);
        }
    }

    // ------------------------------------------------------------------ primitives

    private static void putBool(ByteBuffer dst, boolean b) {
        dst.put(b ? (byte) 1 : (byte) 0);
    }

    private static boolean getBool(ByteBuffer src) {
        byte b = src.get();
        if (b != 0 && b != 1) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "WAL boolean has value " + b);
        }
        return b == 1;
    }

    private static void putBytes(ByteBuffer dst, byte[] b) {
        dst.putInt(b.length).put(b);
    }

    /**
     * Writes {@code s} as {@code bytes} of its UTF-8: ASCII-only strings byte by byte, without
     * allocating, others through {@link String#getBytes}.
     */
    private static void putString(ByteBuffer dst, String s) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) >= 0x80) {
                putBytes(dst, s.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        dst.putInt(len);
        for (int i = 0; i < len; i++) {
            dst.put((byte) s.charAt(i));
        }
    }

    private static byte[] getBytes(ByteBuffer src) {
        byte[] b = new byte[getLength(src, 1)];
        src.get(b);
        return b;
    }

    /** A count of items of {@code unit} bytes each that must fit in what is left of the body. */
    private static int getLength(ByteBuffer src, int unit) {
        int n = src.getInt();
        if (n < 0 || (long) n * unit > src.remaining()) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "WAL record has a length of " + n + " with "
                    + src.remaining() + " bytes left");
        }
        return n;
    }

    /** The length of {@code s.getBytes(UTF_8)} without encoding it (lone surrogates become '?'). */
    static int utf8Length(String s) {
        int n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static LrepException unknownRecord(WalRecord r) {
        return new LrepException(SqlState.INTERNAL_ERROR, "unknown WAL record class " + r.getClass().getName());
    }

    private static LrepException unknownValue(Object v) {
        return new LrepException(SqlState.DATA_EXCEPTION, "WAL cannot carry a value of class " + v.getClass().getName()
                + " (expected: one of the classes PgType names)");
    }

    // ------------------------------------------------------------------ frames

    /** The framed size of {@code r}: header plus body, padded to {@link WalRecordDescriptor#ALIGNMENT}. */
    public static int frameSize(WalRecord r) {
        return WalRecordDescriptor.align(WalRecordDescriptor.HEADER_LENGTH + encodedSize(r));
    }

    /**
     * Writes the full frame of {@code r} starting at {@code lsn} at {@code dst}'s position: header
     * (length, CRC, LSN), body and zero padding; advances {@code dst} by {@link #frameSize} bytes
     * and returns that size. The header is little-endian, as {@link WalRecordDescriptor} shows.
     */
    public static int encodeFrame(WalRecord r, long lsn, ByteBuffer dst) {
        int start = dst.position();
        int bodyLength = encodedSize(r);
        int length = WalRecordDescriptor.HEADER_LENGTH + bodyLength;
        int framed = WalRecordDescriptor.align(length);
        ByteOrder saved = dst.order();
        dst.order(ByteOrder.LITTLE_ENDIAN);
        try {
            dst.putInt(start + WalRecordDescriptor.LENGTH_OFFSET, length);
            dst.putLong(start + WalRecordDescriptor.LSN_OFFSET, lsn);
            dst.position(start + WalRecordDescriptor.BODY_OFFSET);
            encode(r, dst);
            for (int i = length; i < framed; i++) {
                dst.put((byte) 0);
            }
            dst.putInt(start + WalRecordDescriptor.CRC_OFFSET, WalRecordDescriptor.crc(dst, start, length));
        } finally {
            dst.order(saved);
        }
        return framed;
    }

    /**
     * Decodes the frame at {@code src}'s position, which must be the record starting at
     * {@code expectedLsn}, and advances {@code src} past the frame (and its padding, as far as {@code src} holds it). Checks the
     * length, the LSN, the CRC and that the body fills the frame exactly.
     *
     * @throws LrepException DATA_CORRUPTED naming the LSN and what is wrong
     */
    public static WalRecord decodeFrame(ByteBuffer src, long expectedLsn) {
        int start = src.position();
        String problem = WalRecordDescriptor.validate(src, start, src.remaining(), expectedLsn);
        if (problem != null) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "invalid WAL record at " + Lsn.format(expectedLsn) + ": " + problem);
        }
        int length = WalRecordDescriptor.length(src, start);
        ByteBuffer body = src.duplicate();
        body.position(start + WalRecordDescriptor.BODY_OFFSET).limit(start + length);
        WalRecord r;
        try {
            r = decode(body);
        } catch (LrepException e) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "invalid WAL record at " + Lsn.format(expectedLsn) + ": "
                    + e.getMessage(), e);
        }
        if (body.hasRemaining()) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "invalid WAL record at " + Lsn.format(expectedLsn) + ": "
                    + body.remaining() + " bytes after the body");
        }
        src.position(Math.min(src.limit(), start + WalRecordDescriptor.align(length)));
        return r;
    }
}
