package io.lrep.core.protocol.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The column values of one row in an Insert, Update or Delete: one {@link Value} per published
 * column, in the order of the relation's Relation message.
 */
public record TupleData(List<Value> values) {

    public TupleData {
        values = List.copyOf(values);
        if (values.size() > 0xFFFF) {
            throw new IllegalArgumentException("a tuple has at most 65535 columns, not " + values.size());
        }
    }

    public static TupleData of(Value... values) {
        return new TupleData(List.of(values));
    }

    /** The number of columns. */
    public int size() {
        return values.size();
    }

    /** Column {@code i} (0-based). */
    public Value get(int i) {
        return values.get(i);
    }

    /** How a column's value is sent: its kind byte, then for text and binary its bytes. */
    public enum Kind {
        /** 'n': SQL NULL. */
        NULL('n'),
        /** 'u': an unchanged TOASTed value, not sent; the subscriber keeps its own. */
        UNCHANGED_TOAST('u'),
        /** 't': the type output function's text. */
        TEXT('t'),
        /** 'b': the type send function's binary form (binary = true). */
        BINARY('b');

        private final byte code;

        Kind(char code) {
            this.code = (byte) code;
        }

        /** The kind byte on the wire. */
        public byte code() {
            return code;
        }

        /** The kind for a wire byte, or null if none. */
        public static Kind of(byte code) {
            return switch (code) {
                case 'n' -> NULL;
                case 'u' -> UNCHANGED_TOAST;
                case 't' -> TEXT;
                case 'b' -> BINARY;
                default -> null;
            };
        }
    }

    /**
     * One column: a kind, and for {@link Kind#TEXT} / {@link Kind#BINARY} its bytes (null for the
     * others). The array is held and returned without copying; equality compares content.
     */
    public record Value(Kind kind, byte[] bytes) {

        /** The one NULL value. */
        public static final Value NULL = new Value(Kind.NULL, null);
        /** The one unchanged-TOAST value. */
        public static final Value UNCHANGED_TOAST = new Value(Kind.UNCHANGED_TOAST, null);

        public Value {
            Objects.requireNonNull(kind, "kind");
            boolean hasBytes = kind == Kind.TEXT || kind == Kind.BINARY;
            if (hasBytes != (bytes != null)) {
                throw new IllegalArgumentException(kind + " value " + (hasBytes ? "needs" : "has no") + " bytes");
            }
        }

        /** A text value of the given bytes (client encoding, no NUL terminator). */
        public static Value text(byte[] bytes) {
            return new Value(Kind.TEXT, bytes);
        }

        /** A text value, UTF-8 encoded. */
        public static Value text(String s) {
            return new Value(Kind.TEXT, s.getBytes(StandardCharsets.UTF_8));
        }

        /** A binary value (type send function output). */
        public static Value binary(byte[] bytes) {
            return new Value(Kind.BINARY, bytes);
        }

        /** A text value's bytes as a UTF-8 string; null for NULL and unchanged TOAST. */
        public String textValue() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Value v && v.kind == kind && Arrays.equals(v.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return kind.hashCode() * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case NULL -> "null";
                case UNCHANGED_TOAST -> "unchanged-toast";
                case TEXT -> "'" + textValue() + "'";
                case BINARY -> "binary[" + bytes.length + " bytes]";
            };
        }
    }
}
