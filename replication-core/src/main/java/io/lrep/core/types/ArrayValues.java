package io.lrep.core.types;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.nio.ByteBuffer;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Arrays ({@code _int4}, {@code _text}, ...) and the vectors {@code int2vector} and {@code
 * oidvector}: text and binary I/O, ordering and hashing, as PostgreSQL 15's {@code array_in},
 * {@code array_out}, {@code array_send}, {@code array_recv}, {@code array_cmp} and {@code
 * btoidvectorcmp}.
 *
 * <p>A value is an {@code Object[]} of the element type's Java class, {@code null} for a NULL
 * element. A multidimensional array nests: its elements are {@code Object[]} sub-arrays of equal
 * shape. Lower bounds are always 1 (0 for the vectors, as PostgreSQL stores them); input with
 * another lower bound is rejected (0A000) rather than silently renumbered.
 *
 * <pre>
 * binary (array_send):  int32 ndim | int32 hasnull (0/1) | int32 element oid
 *                       | ndim x (int32 length, int32 lower bound)
 *                       | each element in row-major order: int32 length (-1 = NULL), bytes
 * </pre>
 */
final class ArrayValues {

    /** MAXDIM */
    static final int MAX_DIMENSIONS = 6;

    /** FUNC_MAX_ARGS: the most elements an int2vector or oidvector holds. */
    static final int MAX_VECTOR_ELEMENTS = 100;

    private ArrayValues() {
    }

    static boolean isVector(PgType type) {
        return type == PgType.INT2VECTOR || type == PgType.OIDVECTOR;
    }

    // ---------------------------------------------------------------- text output

    static String format(PgType type, Object[] value, ZoneId zone) {
        PgType elem = type.elementType();
        if (isVector(type)) {
            StringBuilder sb = new StringBuilder();
            for (Object e : value) {
                if (e == null) {
                    throw new LrepException(SqlState.NULL_VALUE_NOT_ALLOWED, "null value in " + type.typname());
                }
                sb.append(sb.length() > 0 ? " " : "").append(TextCodec.format(elem, e, zone));
            }
            return sb.toString();
        }
        shape(type, value);
        StringBuilder sb = new StringBuilder();
        formatLevel(sb, elem, value, zone);
        return sb.toString();
    }

    private static void formatLevel(StringBuilder sb, PgType elem, Object[] level, ZoneId zone) {
        sb.append('{');
        for (int i = 0; i < level.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object e = level[i];
            if (e instanceof Object[]) {
                formatLevel(sb, elem, (Object[]) e, zone);
            } else if (e == null) {
                sb.append("NULL");
            } else {
                appendElement(sb, TextCodec.format(elem, e, zone));
            }
        }
        sb.append('}');
    }

    /** array_out's quoting: empty, NULL, or holding a brace, quote, backslash, comma or space. */
    private static void appendElement(StringBuilder sb, String s) {
        boolean quote = s.isEmpty() || s.equalsIgnoreCase("NULL");
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == '{' || c == '}' || c == '"' || c == '\\' || c == ',' || isSpace(c);
        }
        if (!quote) {
            sb.append(s);
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    /** array_isspace: the C locale's isspace. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    // ---------------------------------------------------------------- text input

    static Object[] parse(PgType type, int typmod, String text, ZoneId zone) {
        PgType elem = type.elementType();
        if (isVector(type)) {
            List<Object> out = new ArrayList<>();
            int i = 0;
            int n = text.length();
            while (true) {
                while (i < n && isSpace(text.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                int start = i;
                while (i < n && !isSpace(text.charAt(i))) {
                    i++;
                }
                if (out.size() >= MAX_VECTOR_ELEMENTS) {
                    throw new LrepException(SqlState.INVALID_PARAMETER_VALUE, type.typname() + " has too many elements");
                }
                out.add(TextCodec.parse(elem, TypMod.NONE, text.substring(start, i), zone));
            }
            return out.toArray();
        }
        return new TextParser(text, elem, typmod, zone).parse();
    }

    /** array_in: optional {@code [lo:hi]...=} decoration, then nested braces. */
    private static final class TextParser {
        private final String text;
        private final PgType elem;
        private final int typmod;
        private final ZoneId zone;
        private int pos;

        TextParser(String text, PgType elem, int typmod, ZoneId zone) {
            this.text = text;
            this.elem = elem;
            this.typmod = typmod;
            this.zone = zone;
        }

        Object[] parse() {
            skipSpace();
            List<Integer> declared = null;
            if (peek() == '[') {
                declared = dimensions();
            }
            if (peek() != '{') {
                throw malformed("Array value must start with \"{\" or dimension information.");
            }
            Object[] result = level(1);
            skipSpace();
            if (pos < text.length()) {
                throw malformed("Junk after closing right brace.");
            }
            int[] dims = shapeOf(result);
            if (declared != null) {
                if (declared.size() != dims.length) {
                    throw malformed("Specified array dimensions do not match array contents.");
                }
                for (int d = 0; d < dims.length; d++) {
                    if (declared.get(d) != dims[d]) {
                        throw malformed("Specified array dimensions do not match array contents.");
                    }
                }
            }
            return result;
        }

        private List<Integer> dimensions() {
            List<Integer> dims = new ArrayList<>();
            while (peek() == '[') {
                pos++;
                int lower = 1;
                int first = integer();
                skipSpace();
                int upper = first;
                if (peek() == ':') {
                    pos++;
                    lower = first;
                    upper = integer();
                }
                skipSpace();
                if (peek() != ']') {
                    throw malformed("Missing \"]\" after array dimensions.");
                }
                pos++;
                if (upper < lower) {
                    throw new LrepException(SqlState.INVALID_TEXT_REPRESENTATION,
                            "upper bound cannot be less than lower bound");
                }
                if (lower != 1) {
                    throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED,
                            "array lower bounds other than 1 are not supported: \"" + text + "\"");
                }
                dims.add(upper - lower + 1);
                skipSpace();
            }
            if (dims.size() > MAX_DIMENSIONS) {
                throw tooManyDimensions(dims.size());
            }
            if (peek() != '=') {
                throw malformed("Missing \"=\" after array dimensions.");
            }
            pos++;
            skipSpace();
            return dims;
        }

        private int integer() {
            skipSpace();
            int start = pos;
            if (peek() == '-' || peek() == '+') {
                pos++;
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 0x80) {
                pos++;
            }
            if (pos == start || !Character.isDigit(text.charAt(pos - 1))) {
                throw malformed("\"[\" must introduce explicitly-specified array dimensions.");
            }
            try {
                return Integer.parseInt(text.substring(start, pos));
            } catch (NumberFormatException e) {
                throw new LrepException(SqlState.NUMERIC_VALUE_OUT_OF_RANGE, "array bound is out of integer range", e);
            }
        }

        /** One brace level; {@code pos} is at its '{'. */
        private Object[] level(int depth) {
            if (depth > MAX_DIMENSIONS) {
                throw tooManyDimensions(depth);
            }
            pos++;
            List<Object> items = new ArrayList<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                if (depth > 1) {
                    throw malformed("Unexpected \"}\" character.");
                }
                return items.toArray();
            }
            Boolean nested = null;
            while (true) {
                skipSpace();
                if (pos >= text.length()) {
                    throw malformed("Unexpected end of input.");
                }
                char c = text.charAt(pos);
                if (c == '{') {
                    if (Boolean.FALSE.equals(nested)) {
                        throw malformed("Unexpected \"{\" character.");
                    }
                    nested = true;
                    items.add(level(depth + 1));
                } else {
                    if (Boolean.TRUE.equals(nested)) {
                        throw malformed("Unexpected array element.");
                    }
                    if (c == '}' || c == ',') {
                        throw malformed("Unexpected \"" + c + "\" character.");
                    }
                    nested = false;
                    items.add(element());
                }
                skipSpace();
                if (pos >= text.length()) {
                    throw malformed("Unexpected end of input.");
                }
                c = text.charAt(pos++);
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw malformed("Unexpected \"" + c + "\" character.");
                }
            }
            if (Boolean.TRUE.equals(nested)) {
                int[] first = shapeOf((Object[]) items.get(0));
                for (Object sub : items) {
                    if (!java.util.Arrays.equals(shapeOf((Object[]) sub), first)) {
                        throw malformed("Multidimensional arrays must have sub-arrays with matching dimensions.");
                    }
                }
            }
            return items.toArray();
        }

        /** One element: quoted, or unquoted up to ',' or '}' with trailing space cut. */
        private Object element() {
            StringBuilder sb = new StringBuilder();
            boolean quoted = false;
            boolean escaped = false;
            int keep = 0;
            boolean inQuotes = false;
            while (true) {
                if (pos >= text.length()) {
                    throw malformed("Unexpected end of input.");
                }
                char c = text.charAt(pos);
                if (c == '\\') {
                    pos++;
                    if (pos >= text.length()) {
                        throw malformed("Unexpected end of input.");
                    }
                    sb.append(text.charAt(pos++));
                    escaped = true;
                    keep = sb.length();
                } else if (c == '"') {
                    if (!inQuotes && (quoted || sb.length() > 0)) {
                        throw malformed("Incorrectly quoted array element.");
                    }
                    inQuotes = !inQuotes;
                    quoted = true;
                    pos++;
                    keep = sb.length();
                } else if (inQuotes) {
                    sb.append(c);
                    pos++;
                    keep = sb.length();
                } else if (c == ',' || c == '}') {
                    break;
                } else if (c == '{') {
                    throw malformed("Unexpected \"{\" character.");
                } else if (quoted && !isSpace(c)) {
                    throw malformed("Incorrectly quoted array element.");
                } else {
                    sb.append(c);
                    pos++;
                    if (!isSpace(c)) {
                        keep = sb.length();
                    }
                }
            }
            String s = sb.substring(0, keep);
            if (!quoted && !escaped && s.equalsIgnoreCase("NULL")) {
                return null;
            }
            return TextCodec.parse(elem, typmod, s, zone);
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void skipSpace() {
            while (pos < text.length() && isSpace(text.charAt(pos))) {
                pos++;
            }
        }

        private LrepException malformed(String detail) {
            return new LrepException(SqlState.INVALID_TEXT_REPRESENTATION, "malformed array literal: \"" + text + "\"")
                    .withDetail(detail);
        }
    }

    private static LrepException tooManyDimensions(int n) {
        return new LrepException(SqlState.PROGRAM_LIMIT_EXCEEDED,
                "number of array dimensions (" + n + ") exceeds the maximum allowed (" + MAX_DIMENSIONS + ")");
    }

    // ---------------------------------------------------------------- shape

    /** The lengths of each dimension of a rectangular nested array; {} for an empty array. */
    static int[] shapeOf(Object[] value) {
        if (value.length == 0) {
            return new int[0];
        }
        if (value[0] instanceof Object[]) {
            int[] inner = shapeOf((Object[]) value[0]);
            int[] dims = new int[inner.length + 1];
            dims[0] = value.length;
            System.arraycopy(inner, 0, dims, 1, inner.length);
            return dims;
        }
        return new int[] {value.length};
    }

    /** {@link #shapeOf}, checking that the array is rectangular and not too deep. */
    static int[] shape(PgType type, Object[] value) {
        int[] dims = shapeOf(value);
        if (dims.length > MAX_DIMENSIONS) {
            throw tooManyDimensions(dims.length);
        }
        checkShape(type, value, dims, 0);
        return dims;
    }

    private static void checkShape(PgType type, Object[] level, int[] dims, int depth) {
        if (dims.length > 0 && level.length != dims[depth]) {
            throw ragged(type);
        }
        for (Object e : level) {
            boolean sub = e instanceof Object[];
            if (sub != (depth + 1 < dims.length)) {
                throw ragged(type);
            }
            if (sub) {
                checkShape(type, (Object[]) e, dims, depth + 1);
            }
        }
    }

    private static LrepException ragged(PgType type) {
        return new LrepException(SqlState.INVALID_TEXT_REPRESENTATION,
                "multidimensional " + type.typname() + " value must have sub-arrays with matching dimensions");
    }

    /** The elements in row-major order. */
    static List<Object> flatten(Object[] value) {
        List<Object> out = new ArrayList<>();
        flatten(value, out);
        return out;
    }

    private static void flatten(Object[] level, List<Object> out) {
        for (Object e : level) {
            if (e instanceof Object[]) {
                flatten((Object[]) e, out);
            } else {
                out.add(e);
            }
        }
    }

    // ---------------------------------------------------------------- binary

    static byte[] send(PgType type, Object[] value) {
        PgType elem = type.elementType();
        int[] dims = isVector(type) ? new int[] {value.length} : shape(type, value);
        List<Object> items = flatten(value);
        byte[][] parts = new byte[items.size()][];
        boolean hasNull = false;
        int size = 12 + 8 * dims.length;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = BinaryCodec.send(elem, items.get(i));
            hasNull |= parts[i] == null;
            size += 4 + (parts[i] == null ? 0 : parts[i].length);
        }
        if (hasNull && isVector(type)) {
            throw new LrepException(SqlState.NULL_VALUE_NOT_ALLOWED, "null value in " + type.typname());
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(dims.length).putInt(hasNull ? 1 : 0).putInt(elem.oid());
        int lower = isVector(type) ? 0 : 1;
        for (int d : dims) {
            out.putInt(d).putInt(lower);
        }
        for (byte[] p : parts) {
            if (p == null) {
                out.putInt(-1);
            } else {
                out.putInt(p.length).put(p);
            }
        }
        return out.array();
    }

    static Object[] receive(PgType type, int typmod, ByteBuffer buf) {
        PgType elem = type.elementType();
        need(buf, 12);
        int ndim = buf.getInt();
        int flags = buf.getInt();
        int elemOid = buf.getInt();
        if (ndim < 0) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid number of dimensions: " + ndim);
        }
        if (ndim > MAX_DIMENSIONS) {
            throw tooManyDimensions(ndim);
        }
        if (flags != 0 && flags != 1) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid array flags");
        }
        if (elemOid != elem.oid()) {
            PgType actual = PgType.byOid(elemOid);
            throw new LrepException(SqlState.DATATYPE_MISMATCH, "binary data has array element type " + Integer.toUnsignedString(elemOid)
                    + " (" + (actual == null ? "unknown" : actual.typname()) + ") instead of expected " + elem.oid()
                    + " (" + elem.typname() + ")");
        }
        int[] dims = new int[ndim];
        long total = ndim == 0 ? 0 : 1;
        need(buf, 8L * ndim);
        for (int d = 0; d < ndim; d++) {
            dims[d] = buf.getInt();
            int lower = buf.getInt();
            if (dims[d] < 0) {
                throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid array dimension: " + dims[d]);
            }
            int expectedLower = isVector(type) ? 0 : 1;
            if (lower != expectedLower) {
                if (isVector(type)) {
                    throw invalidVector(type);
                }
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, "array lower bounds other than 1 are not supported");
            }
            total *= dims[d];
            if (total > Integer.MAX_VALUE / 8) {
                throw new LrepException(SqlState.PROGRAM_LIMIT_EXCEEDED, "array size exceeds the maximum allowed");
            }
        }
        if (isVector(type) && (ndim > 1 || flags != 0 || total > MAX_VECTOR_ELEMENTS)) {
            throw invalidVector(type);
        }
        Object[] flat = new Object[(int) total];
        for (int i = 0; i < flat.length; i++) {
            need(buf, 4);
            int len = buf.getInt();
            if (len < -1 || len > buf.remaining()) {
                throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "insufficient data left in message");
            }
            if (len == -1) {
                if (flags == 0) {
                    throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid array flags");
                }
                continue;
            }
            ByteBuffer slice = buf.slice();
            slice.limit(len);
            buf.position(buf.position() + len);
            flat[i] = BinaryCodec.receive(elem, typmod, slice);
        }
        if (buf.hasRemaining()) {
            throw TypeErrors.binary(type, buf.remaining() + " bytes after the last element");
        }
        if (ndim <= 1) {
            return flat;
        }
        int[] next = {0};
        return nest(flat, dims, 0, next);
    }

    private static Object[] nest(Object[] flat, int[] dims, int depth, int[] next) {
        Object[] level = new Object[dims[depth]];
        for (int i = 0; i < level.length; i++) {
            level[i] = depth + 1 == dims.length ? flat[next[0]++] : nest(flat, dims, depth + 1, next);
        }
        return level;
    }

    private static void need(ByteBuffer buf, long n) {
        if (buf.remaining() < n) {
            throw new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "insufficient data left in message");
        }
    }

    private static LrepException invalidVector(PgType type) {
        return new LrepException(SqlState.INVALID_BINARY_REPRESENTATION, "invalid " + type.typname() + " data");
    }

    // ---------------------------------------------------------------- ordering

    /**
     * array_cmp: element by element (a NULL element after every value), then the shorter array
     * first, then fewer dimensions, then smaller dimensions. The vectors (btoidvectorcmp) sort by
     * length first.
     */
    static int compare(PgType type, Object[] a, Object[] b) {
        PgType elem = type.elementType();
        if (isVector(type) && a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        List<Object> x = flatten(a);
        List<Object> y = flatten(b);
        int n = Math.min(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            int c = Values.compare(elem, x.get(i), y.get(i));
            if (c != 0) {
                return c;
            }
        }
        if (x.size() != y.size()) {
            return Integer.compare(x.size(), y.size());
        }
        int[] da = shapeOf(a);
        int[] db = shapeOf(b);
        if (da.length != db.length) {
            return Integer.compare(da.length, db.length);
        }
        for (int d = 0; d < da.length; d++) {
            if (da[d] != db[d]) {
                return Integer.compare(da[d], db[d]);
            }
        }
        return 0;
    }

    static int hash(PgType type, Object[] value) {
        PgType elem = type.elementType();
        int h = 1;
        for (Object e : flatten(value)) {
            h = 31 * h + Values.hash(elem, e);
        }
        return 31 * h + java.util.Arrays.hashCode(shapeOf(value));
    }
}
