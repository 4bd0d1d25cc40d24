package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.ByteBuffer;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Anonymous records ({@code record}, e.g. {@code ROW(1, 'a')}): an {@code Object[]} of field
 * values, each field of the type {@link Values#typeOf} assigns to its Java class (a nested
 * {@code Object[]} is a record). Output and binary send are PostgreSQL's {@code record_out} and
 * {@code record_send}.
 *
 * <p>Input differs from PostgreSQL, which cannot read anonymous records at all: text input reads
 * each field as text (String, an unquoted empty field is NULL); binary input reads each field by
 * the type oid the data carries.
 *
 * <pre>
 * binary (record_send): int32 nfields | nfields x (int32 type oid, int32 length (-1 = NULL), bytes)
 * </pre>
 */
final class RecordValues {

    private RecordValues() {
    }

    static PgType fieldType(Object v) {
        return v instanceof Object[] ? PgType.RECORD : Values.typeOf(v);
    }

    static String format(Object[] value, ZoneId zone) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < value.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object v = value[i];
            if (v == null) {
                continue;
            }
            String s = TextCodec.format(fieldType(v), v, zone);
            boolean quote = s.isEmpty();
            for (int k = 0; k < s.length() && !quote; k++) {
                char c = s.charAt(k);
                quote = c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || ArrayValues.isSpace(c);
            }
            if (!quote) {
                sb.append(s);
                continue;
            }
            sb.append('"');
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c == '"' || c == '\\') {
                    sb.append(c);
                }
                sb.append(c);
            }
            sb.append('"');
        }
        return sb.append(')').toString();
    }

    /** record_in's syntax, every field read as text. */
    static Object[] parse(String text) {
        int pos = 0;
        int n = text.length();
        while (pos < n && ArrayValues.isSpace(text.charAt(pos))) {
            pos++;
        }
        if (pos >= n || text.charAt(pos) != '(') {
            throw malformed(text, "Missing left parenthesis.");
        }
        pos++;
        List<Object> fields = new ArrayList<>();
        // "()" is a record without columns (one NULL column prints the same: read as none).
        boolean done = pos < n && text.charAt(pos) == ')';
        if (done) {
            pos++;
        }
        while (!done) {
            if (pos < n && (text.charAt(pos) == ',' || text.charAt(pos) == ')')) {
                fields.add(null);
            } else {
                StringBuilder sb = new StringBuilder();
                boolean inQuote = false;
                while (inQuote || pos >= n || (text.charAt(pos) != ',' && text.charAt(pos) != ')')) {
                    if (pos >= n) {
                        throw malformed(text, "Unexpected end of input.");
                    }
                    char c = text.charAt(pos++);
                    if (c == '\\') {
                        if (pos >= n) {
                            throw malformed(text, "Unexpected end of input.");
                        }
                        sb.append(text.charAt(pos++));
                    } else if (c == '"') {
                        if (!inQuote) {
                            inQuote = true;
                        } else if (pos < n && text.charAt(pos) == '"') {
                            sb.append('"');
                            pos++;
                        } else {
                            inQuote = false;
                        }
                    } else {
                        sb.append(c);
                    }
                }
                fields.add(sb.toString());
            }
            done = text.charAt(pos++) == ')';
        }
        while (pos < n && ArrayValues.isSpace(text.charAt(pos))) {
            pos++;
        }
        if (pos < n) {
            throw malformed(text, "Junk after right parenthesis.");
        }
        return fields.toArray();
    }

    private static LrepException malformed(String text, String detail) {
        return new LrepException(SqlState.INVALID_TEXT_REPRESENTATION, "malformed record literal: \"" + text + "\"")
                .withDetail(detail);
    }

    static byte[] send(Object[] value) {
        byte[][] parts = new byte[value.length][];
        int[] oids = new int[value.length];
        int size = 4;
        for (int i = 0; i < value.length; i++) {
            Object v = value[i];
            PgType t = v == null ? PgType.UNKNOWN : fieldType(v);
            oids[i] = t.oid();
            parts[i] = BinaryCodec.send(t, v);
            size += 8 + (parts[i] == null ? 0 : parts[i].length);
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(value.length);
        for (int i = 0; i < value.length; i++) {
            out.putInt(oids[i]);
            if (parts[i] == null) {
                out.putInt(-1);
            } else {
                out.putInt(parts[i].length).put(parts[i]);
            }
        }
        return out.array();
    }

    static Object[] receive(ByteBuffer buf) {
        need(buf, 4);
        int n = buf.getInt();
        if (n < 0 || n > 1664) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid number of columns: " + n);
        }
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            need(buf, 8);
            int oid = buf.getInt();
            int len = buf.getInt();
            if (len < -1 || len > buf.remaining()) {
                throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "insufficient data left in message");
            }
            if (len == -1) {
                continue;
            }
            PgType t = PgType.byOid(oid);
            if (t == null) {
                throw new LrepException(SqlState.DATATYPE_MISMATCH, "no binary input function for type with oid "
                        + Integer.toUnsignedString(oid) + " in record column " + (i + 1));
            }
            ByteBuffer slice = buf.slice();
            slice.limit(len);
            buf.position(buf.position() + len);
            out[i] = BinaryCodec.receive(t, TypMod.NONE, slice);
        }
        if (buf.hasRemaining()) {
            throw TypeErrors.binary(PgType.RECORD, buf.remaining() + " bytes after the last column");
        }
        return out;
    }

    private static void need(ByteBuffer buf, int n) {
        if (buf.remaining() < n) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "insufficient data left in message");
        }
    }

    /** record_cmp: column by column (NULL after every value); columns must be of like types. */
    static int compare(Object[] a, Object[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            Object x = a[i];
            Object y = b[i];
            if (x == null || y == null) {
                if (x != y) {
                    return x == null ? 1 : -1;
                }
                continue;
            }
            PgType tx = fieldType(x);
            PgType ty = fieldType(y);
            if (tx != ty) {
                throw new LrepException(SqlState.DATATYPE_MISMATCH, "cannot compare dissimilar column types "
                        + TypeNames.sqlName(tx) + " and " + TypeNames.sqlName(ty) + " at record column " + (i + 1));
            }
            int c = Values.compare(tx, x, y);
            if (c != 0) {
                return c;
            }
        }
        if (a.length != b.length) {
            throw new LrepException(SqlState.DATATYPE_MISMATCH, "cannot compare record types with different numbers of columns");
        }
        return 0;
    }

    static int hash(Object[] value) {
        int h = 1;
        for (Object v : value) {
            h = 31 * h + (v == null ? 0 : Values.hash(fieldType(v), v));
        }
        return h;
    }
}
