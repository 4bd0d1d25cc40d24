package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.WalRecordCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary definitions carried by {@code WalRecord.CatalogChange}: each is self-contained (a
 * decoder needs nothing but the record to know the object's whole new shape), so replaying the
 * CatalogChange records in WAL order rebuilds every table's definition at any LSN.
 *
 * <pre>
 * every definition:  u8 format version (1)  u8 object type (1 schema, 2 table, 3 sequence)
 * schema:    i32 oid, str name
 * table:     i32 oid, i32 schemaOid, str schema, str name, u8 relreplident,
 *            i32 ncols, per column: i32 attnum, str name, i32 typoid, i32 typmod, bool notNull,
 *                                   str default (-1 = none), u8 attidentity, i32 identity seq oid,
 *                                   bool dropped, value missingValue
 *            i32 npk, npk x i32 attnum
 * sequence:  i32 oid, i32 schemaOid, str schema, str name, i64 start, i64 increment, i64 min,
 *            i64 max, bool cycle, i64 cache, i32 owned-by table, i32 owned-by attnum
 * str = i32 byte length (-1 = null) + UTF-8;  value = WalRecordCodec's value encoding
 *       (u8 class tag + fixed or length-prefixed bytes), big-endian like everything here
 * </pre>
 * Drop kinds carry an empty definition.
 */
public final class CatalogCodec {

    public static final int SCHEMA_CREATE = 1;
    public static final int SCHEMA_DROP = 2;
    public static final int TABLE_CREATE = 3;
    public static final int TABLE_ALTER = 4;
    public static final int TABLE_DROP = 5;
    public static final int SEQUENCE_CREATE = 6;
    public static final int SEQUENCE_ALTER = 7;
    public static final int SEQUENCE_DROP = 8;

    private static final int FORMAT = 1;
    private static final int SCHEMA = 1;
    private static final int TABLE = 2;
    private static final int SEQUENCE = 3;

    private CatalogCodec() {}

    public static byte[] encodeSchema(SchemaDef s) {
        return encode(out -> {
            out.writeByte(SCHEMA);
            out.writeInt(s.oid());
            writeString(out, s.name());
        });
    }

    public static byte[] encodeTable(TableDef t) {
        return encode(out -> {
            out.writeByte(TABLE);
            out.writeInt(t.oid());
            out.writeInt(t.schemaOid());
            writeString(out, t.schemaName());
            writeString(out, t.name());
            out.writeByte(t.replicaIdentity().code());
            out.writeInt(t.columns().size());
            for (ColumnDef c : t.columns()) {
                out.writeInt(c.attnum());
                writeString(out, c.name());
                out.writeInt(c.type().oid());
                out.writeInt(c.typmod());
                out.writeBoolean(c.notNull());
                writeString(out, c.defaultExpr());
                out.writeByte(c.identity());
                out.writeInt(c.identitySequenceOid());
                out.writeBoolean(c.dropped());
                out.write(WalRecordCodec.encodeValue(c.missingValue()));
            }
            out.writeInt(t.primaryKey().size());
            for (int a : t.primaryKey()) {
                out.writeInt(a);
            }
        });
    }

    public static byte[] encodeSequence(SequenceDef s) {
        return encode(out -> {
            out.writeByte(SEQUENCE);
            out.writeInt(s.oid());
            out.writeInt(s.schemaOid());
            writeString(out, s.schemaName());
            writeString(out, s.name());
            out.writeLong(s.start());
            out.writeLong(s.increment());
            out.writeLong(s.min());
            out.writeLong(s.max());
            out.writeBoolean(s.cycle());
            out.writeLong(s.cache());
            out.writeInt(s.ownedByTable());
            out.writeInt(s.ownedByAttnum());
        });
    }

    /**
     * Decodes a non-empty definition into a {@link SchemaDef}, {@link TableDef} or {@link SequenceDef}.
     *
     * @throws LrepException XX001 if the bytes are not a definition
     */
    public static Object decode(byte[] definition) {
        ByteBuffer in = ByteBuffer.wrap(definition);
        try {
            int format = in.get() & 0xFF;
            if (format != FORMAT) {
                throw corrupt("unknown format " + format);
            }
            int type = in.get() & 0xFF;
            Object def = switch (type) {
                case SCHEMA -> new SchemaDef(in.getInt(), readString(in));
                case TABLE -> decodeTable(in);
                case SEQUENCE -> new SequenceDef(in.getInt(), in.getInt(), readString(in), readString(in),
                        in.getLong(), in.getLong(), in.getLong(), in.getLong(), readBoolean(in), in.getLong(),
                        in.getInt(), in.getInt());
                default -> throw corrupt("unknown object type " + type);
            };
            if (in.hasRemaining()) {
                throw corrupt(in.remaining() + " bytes after the definition");
            }
            return def;
        } catch (BufferUnderflowException e) {
            throw new LrepException(SqlState.DATA_CORRUPTED, "invalid catalog definition: truncated", e);
        } catch (LrepException e) {
            if (e.sqlState() == SqlState.DATA_CORRUPTED && !e.getMessage().startsWith("invalid catalog definition")) {
                throw new LrepException(SqlState.DATA_CORRUPTED, "invalid catalog definition: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static LrepException corrupt(String what) {
        return new LrepException(SqlState.DATA_CORRUPTED, "invalid catalog definition: " + what);
    }

    private static boolean readBoolean(ByteBuffer in) {
        return in.get() != 0;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(ByteBuffer in) {
        int n = in.getInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.remaining()) {
            throw corrupt("string of " + n + " bytes with " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** {@link #decode(byte[])} for a table definition. */
    public static TableDef decodeTable(byte[] definition) {
        return (TableDef) decode(definition);
    }

    /** Whether a CatalogChange kind is about a table. */
    public static boolean isTableKind(int kind) {
        return kind == TABLE_CREATE || kind == TABLE_ALTER || kind == TABLE_DROP;
    }

    private static TableDef decodeTable(ByteBuffer in) {
        int oid = in.getInt();
        int schemaOid = in.getInt();
        String schema = readString(in);
        String name = readString(in);
        ReplicaIdentity ri = ReplicaIdentity.of((char) (in.get() & 0xFF));
        int ncols = in.getInt();
        if (ncols < 0 || ncols > in.remaining()) {
            throw corrupt(ncols + " columns with " + in.remaining() + " bytes left");
        }
        List<ColumnDef> cols = new ArrayList<>(ncols);
        for (int i = 0; i < ncols; i++) {
            int attnum = in.getInt();
            String cname = readString(in);
            int typoid = in.getInt();
            PgType type = PgType.byOid(typoid);
            if (type == null) {
                throw corrupt("unknown type oid " + typoid + " of column " + cname);
            }
            cols.add(new ColumnDef(attnum, cname, type, in.getInt(), readBoolean(in), readString(in),
                    (char) (in.get() & 0xFF), in.getInt(), readBoolean(in), WalRecordCodec.readValue(in)));
        }
        int npk = in.getInt();
        if (npk < 0 || npk > in.remaining()) {
            throw corrupt(npk + " key columns with " + in.remaining() + " bytes left");
        }
        List<Integer> pk = new ArrayList<>(npk);
        for (int i = 0; i < npk; i++) {
            pk.add(in.getInt());
        }
        return new TableDef(oid, schemaOid, schema, name, cols, pk, ri);
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] encode(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            body.write(out);
        } catch (IOException e) {
            throw new LrepException(SqlState.INTERNAL_ERROR, "cannot encode catalog definition", e);
        }
        return bytes.toByteArray();
    }
}
