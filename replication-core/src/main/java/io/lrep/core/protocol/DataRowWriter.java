package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Writes one DataRow ('D') straight into an output buffer: the header first, then each column
 * as it is produced, back-patching the length fields, so no column is first built in an array.
 * <pre>
 *   DataRowWriter w = DataRowWriter.begin(out, 3);
 *   w.writeText("42"); w.writeNull(); w.writeBytes(encoded);
 *   w.end();
 * </pre>
 */
public final class DataRowWriter {

    private final ByteBuf out;
    private final int messageStart;
    private final int columnCount;
    private int written;
    private int valueStart = -1;

    private DataRowWriter(ByteBuf out, int messageStart, int columnCount) {
        this.out = out;
        this.messageStart = messageStart;
        this.columnCount = columnCount;
    }

    /** Writes the message header and the column count. */
    public static DataRowWriter begin(ByteBuf out, int columnCount) {
        if (columnCount < 0 || columnCount > 0xFFFF) {
            throw new IllegalArgumentException("column count out of range: " + columnCount);
        }
        int at = Wire.beginMessage(out, 'D');
        out.writeShort(columnCount);
        return new DataRowWriter(out, at, columnCount);
    }

    /** The next column is NULL. */
    public DataRowWriter writeNull() {
        next();
        out.writeInt(-1);
        return this;
    }

    /** The next column's encoded bytes. */
    public DataRowWriter writeBytes(byte[] value) {
        if (value == null) {
            return writeNull();
        }
        next();
        out.writeInt(value.length).writeBytes(value);
        return this;
    }

    /** The next column as UTF-8 text, encoded straight into the buffer. */
    public DataRowWriter writeText(CharSequence value) {
        if (value == null) {
            return writeNull();
        }
        ByteBuf buf = beginValue();
        ByteBufUtil.writeUtf8(buf, value);
        return endValue();
    }

    /**
     * Starts the next column and returns the buffer to write its bytes into; finish with
     * {@link #endValue()}.
     */
    public ByteBuf beginValue() {
        next();
        valueStart = out.writerIndex();
        out.writeInt(0);
        return out;
    }

    /** Back-patches the length of the column started by {@link #beginValue()}. */
    public DataRowWriter endValue() {
        if (valueStart < 0) {
            throw new IllegalStateException("endValue without beginValue");
        }
        out.setInt(valueStart, out.writerIndex() - valueStart - 4);
        valueStart = -1;
        return this;
    }

    /** Back-patches the message length; every column must have been written. */
    public void end() {
        if (valueStart >= 0 || written != columnCount) {
            throw new IllegalStateException("DataRow has " + columnCount + " columns but " + written + " were written"
                    + (valueStart >= 0 ? " (one still open)" : ""));
        }
        Wire.endMessage(out, messageStart);
    }

    private void next() {
        if (valueStart >= 0) {
            throw new IllegalStateException("column " + written + " is still open");
        }
        if (written == columnCount) {
            throw new IllegalStateException("DataRow has only " + columnCount + " columns");
        }
        written++;
    }
}
