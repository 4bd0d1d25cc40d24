package io.lrep.core.protocol;

import io.lrep.core.error.LrepException;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message from server to client (protocol 3.0). Each record writes itself with
 * {@link #encode}; {@link BackendCodec} reads them. Every message is
 * {@code byte1 type, int32 length (counts itself), body}:
 * <pre>
 *   'R' Authentication   int32 code: 0 Ok | 3 CleartextPassword | 5 MD5Password byte[4] salt
 *                        | 10 SASL (String mechanism)* NUL | 11 SASLContinue byte[] | 12 SASLFinal byte[]
 *   'S' ParameterStatus  String name, String value
 *   'K' BackendKeyData   int32 pid, int32 secret key
 *   'Z' ReadyForQuery    byte 'I' idle | 'T' in transaction | 'E' failed transaction
 *   'T' RowDescription   int16 n, (String name, int32 table oid, int16 column, int32 type oid,
 *                        int16 type size, int32 type modifier, int16 format)[n]
 *   'D' DataRow          int16 n, (int32 len (-1 = NULL), byte[len])[n]
 *   'C' CommandComplete  String tag
 *   'I' EmptyQueryResponse, '1' ParseComplete, '2' BindComplete, '3' CloseComplete,
 *   'n' NoData, 's' PortalSuspended, 'c' CopyDone          (empty)
 *   'E' ErrorResponse / 'N' NoticeResponse   (byte1 field code, String value)* NUL
 *   't' ParameterDescription  int16 n, int32 type oid[n]
 *   'G' CopyInResponse / 'H' CopyOutResponse / 'W' CopyBothResponse
 *                        int8 overall format, int16 n, int16 column format[n]
 *   'd' CopyData         byte[] data
 *   'v' NegotiateProtocolVersion  int32 newest minor version, int32 n, String option[n]
 *   'A' NotificationResponse      int32 pid, String channel, String payload
 * </pre>
 */
public interface BackendMessage {

    /** Writes the whole message, type byte and length included. */
    void encode(ByteBuf out);

    private static void writeAuth(ByteBuf out, int code, byte[] data) {
        out.writeByte('R').writeInt(8 + data.length).writeInt(code).writeBytes(data);
    }

    /** 'R' 0: authentication succeeded. */
    record AuthenticationOk() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            writeAuth(out, 0, new byte[0]);
        }
    }

    /** 'R' 3: send the password in clear text. */
    record AuthenticationCleartextPassword() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            writeAuth(out, 3, new byte[0]);
        }
    }

    /** 'R' 5: send md5(md5(password + user) + salt) with this 4-byte salt. */
    record AuthenticationMD5Password(byte[] salt) implements BackendMessage {
        public AuthenticationMD5Password {
            if (salt.length != 4) {
                throw new IllegalArgumentException("MD5 salt must be 4 bytes, not " + salt.length);
            }
            salt = salt.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public void encode(ByteBuf out) {
            writeAuth(out, 5, salt);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AuthenticationMD5Password m && Arrays.equals(m.salt, salt);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(salt);
        }

        @Override
        public String toString() {
            return "AuthenticationMD5Password[salt=" + Arrays.toString(salt) + "]";
        }
    }

    /** 'R' 10: start SASL with one of these mechanisms. */
    record AuthenticationSASL(List<String> mechanisms) implements BackendMessage {
        public AuthenticationSASL {
            mechanisms = List.copyOf(mechanisms);
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'R');
            out.writeInt(10);
            for (String m : mechanisms) {
                Wire.writeString(out, m);
            }
            out.writeByte(0);
            Wire.endMessage(out, at);
        }
    }

    /** 'R' 11: a SASL challenge (server-first-message for SCRAM). */
    record AuthenticationSASLContinue(byte[] data) implements BackendMessage {
        public AuthenticationSASLContinue {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public void encode(ByteBuf out) {
            writeAuth(out, 11, data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AuthenticationSASLContinue c && Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "AuthenticationSASLContinue[" + data.length + " bytes]";
        }
    }

    /** 'R' 12: SASL outcome data (server-final-message for SCRAM). */
    record AuthenticationSASLFinal(byte[] data) implements BackendMessage {
        public AuthenticationSASLFinal {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public void encode(ByteBuf out) {
            writeAuth(out, 12, data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AuthenticationSASLFinal c && Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "AuthenticationSASLFinal[" + data.length + " bytes]";
        }
    }

    /** 'R' with a method lrep does not implement (Kerberos 2, SCM 6, GSS 7/8, SSPI 9). */
    record AuthenticationOther(int code, byte[] data) implements BackendMessage {
        public AuthenticationOther {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public void encode(ByteBuf out) {
            writeAuth(out, code, data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AuthenticationOther c && c.code == code && Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * code + Arrays.hashCode(data);
        }
    }

    /** 'S': a run-time parameter's current value (server_version, client_encoding, ...). */
    record ParameterStatus(String name, String value) implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'S');
            Wire.writeString(out, name);
            Wire.writeString(out, value);
            Wire.endMessage(out, at);
        }
    }

    /** 'K': the key a client needs to send CancelRequest for this session. */
    record BackendKeyData(int processId, int secretKey) implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('K').writeInt(12).writeInt(processId).writeInt(secretKey);
        }
    }

    /** Transaction status in ReadyForQuery. */
    enum TransactionStatus {
        IDLE('I'), IN_TRANSACTION('T'), FAILED('E');

        private final char code;

        TransactionStatus(char code) {
            this.code = code;
        }

        public char code() {
            return code;
        }

        /** The status for a wire byte; null when unknown. */
        public static TransactionStatus of(int code) {
            for (TransactionStatus s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            return null;
        }
    }

    /** 'Z': the server is ready for a new query cycle. */
    record ReadyForQuery(TransactionStatus status) implements BackendMessage {
        public ReadyForQuery {
            Objects.requireNonNull(status, "status");
        }

        @Override
        public void encode(ByteBuf out) {
            out.writeByte('Z').writeInt(5).writeByte(status.code());
        }
    }

    /** One column of a RowDescription; tableOid/columnNumber are 0 when not a table column. */
    record Field(String name, int tableOid, int columnNumber, int typeOid, int typeSize, int typeModifier, int format) {
    }

    /** 'T': the shape of the rows that follow. */
    record RowDescription(List<Field> fields) implements BackendMessage {
        public RowDescription {
            fields = List.copyOf(fields);
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'T');
            out.writeShort(fields.size());
            for (Field f : fields) {
                Wire.writeString(out, f.name());
                out.writeInt(f.tableOid()).writeShort(f.columnNumber()).writeInt(f.typeOid()).writeShort(f.typeSize())
                        .writeInt(f.typeModifier()).writeShort(f.format());
            }
            Wire.endMessage(out, at);
        }
    }

    /**
     * 'D': one row of already-encoded column values (null = NULL). Holds the arrays without
     * copying: whoever makes a DataRow gives them up. To write values straight into the output
     * buffer use {@link StreamedDataRow} or {@link DataRowWriter}.
     */
    record DataRow(byte[][] values) implements BackendMessage {
        public DataRow {
            Objects.requireNonNull(values, "values");
        }

        /** Column {@code i} (null = NULL). */
        public byte[] value(int i) {
            return values[i];
        }

        public int columnCount() {
            return values.length;
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'D');
            Wire.writeValues(out, values);
            Wire.endMessage(out, at);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DataRow r && Wire.equal(r.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(values);
        }

        @Override
        public String toString() {
            return "DataRow" + Wire.describe(values);
        }
    }

    /** Writes a row's columns through a {@link DataRowWriter}, in column order. */
    @FunctionalInterface
    interface RowWriter {
        void writeColumns(DataRowWriter out);
    }

    /**
     * 'D' encoded by a callback that writes each column straight into the output buffer (no
     * intermediate arrays). Encode-only: decoders produce {@link DataRow}.
     */
    record StreamedDataRow(int columnCount, RowWriter writer) implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            DataRowWriter w = DataRowWriter.begin(out, columnCount);
            writer.writeColumns(w);
            w.end();
        }
    }

    /** 'C': a statement finished; the tag is e.g. "SELECT 3", "INSERT 0 1". */
    record CommandComplete(String tag) implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'C');
            Wire.writeString(out, tag);
            Wire.endMessage(out, at);
        }
    }

    /** 'I': the query string was empty. */
    record EmptyQueryResponse() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('I').writeInt(4);
        }
    }

    /** One field of an ErrorResponse or NoticeResponse: a code byte and its text. */
    record NoticeField(char code, String value) {
        public NoticeField {
            Objects.requireNonNull(value, "value");
        }
    }

    /** ErrorResponse/NoticeResponse field codes. */
    final class Fields {
        public static final char SEVERITY = 'S';
        public static final char SEVERITY_NONLOCALIZED = 'V';
        public static final char CODE = 'C';
        public static final char MESSAGE = 'M';
        public static final char DETAIL = 'D';
        public static final char HINT = 'H';
        public static final char POSITION = 'P';
        public static final char INTERNAL_POSITION = 'p';
        public static final char INTERNAL_QUERY = 'q';
        public static final char WHERE = 'W';
        public static final char SCHEMA = 's';
        public static final char TABLE = 't';
        public static final char COLUMN = 'c';
        public static final char DATA_TYPE = 'd';
        public static final char CONSTRAINT = 'n';
        public static final char FILE = 'F';
        public static final char LINE = 'L';
        public static final char ROUTINE = 'R';

        private Fields() {
        }

        static String get(List<NoticeField> fields, char code) {
            for (NoticeField f : fields) {
                if (f.code() == code) {
                    return f.value();
                }
            }
            return null;
        }

        static void write(ByteBuf out, char type, List<NoticeField> fields) {
            int at = Wire.beginMessage(out, type);
            for (NoticeField f : fields) {
                out.writeByte(f.code());
                Wire.writeString(out, f.value());
            }
            out.writeByte(0);
            Wire.endMessage(out, at);
        }

        static List<NoticeField> of(String severity, String code, String message, String detail, String hint,
                int position) {
            List<NoticeField> fields = new ArrayList<>(7);
            fields.add(new NoticeField(SEVERITY, severity));
            fields.add(new NoticeField(SEVERITY_NONLOCALIZED, severity));
            fields.add(new NoticeField(CODE, code));
            fields.add(new NoticeField(MESSAGE, message == null ? "" : message));
            if (detail != null) {
                fields.add(new NoticeField(DETAIL, detail));
            }
            if (hint != null) {
                fields.add(new NoticeField(HINT, hint));
            }
            if (position > 0) {
                fields.add(new NoticeField(POSITION, Integer.toString(position)));
            }
            return fields;
        }
    }

    /** 'E': an error; the statement (or with FATAL, the session) failed. */
    record ErrorResponse(List<NoticeField> fields) implements BackendMessage {
        public ErrorResponse {
            fields = List.copyOf(fields);
        }

        /** S, V, C, M and, when present, D, H and P from the exception, as PostgreSQL sends them. */
        public static ErrorResponse of(LrepException e) {
            return new ErrorResponse(Fields.of(e.severity().name(), e.sqlState().code(), e.getMessage(), e.detail(),
                    e.hint(), e.position()));
        }

        /** The value of a field, or null. */
        public String field(char code) {
            return Fields.get(fields, code);
        }

        public String severity() {
            return field(Fields.SEVERITY);
        }

        public String sqlState() {
            return field(Fields.CODE);
        }

        public String message() {
            return field(Fields.MESSAGE);
        }

        @Override
        public void encode(ByteBuf out) {
            Fields.write(out, 'E', fields);
        }
    }

    /** 'N': a notice (WARNING, NOTICE, INFO, ...). */
    record NoticeResponse(List<NoticeField> fields) implements BackendMessage {
        public NoticeResponse {
            fields = List.copyOf(fields);
        }

        /** A notice with S, V, C, M and optional detail and hint. */
        public static NoticeResponse of(String severity, String sqlState, String message, String detail, String hint) {
            return new NoticeResponse(Fields.of(severity, sqlState, message, detail, hint, 0));
        }

        /** The value of a field, or null. */
        public String field(char code) {
            return Fields.get(fields, code);
        }

        public String severity() {
            return field(Fields.SEVERITY);
        }

        public String sqlState() {
            return field(Fields.CODE);
        }

        public String message() {
            return field(Fields.MESSAGE);
        }

        @Override
        public void encode(ByteBuf out) {
            Fields.write(out, 'N', fields);
        }
    }

    /** '1'. */
    record ParseComplete() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('1').writeInt(4);
        }
    }

    /** '2'. */
    record BindComplete() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('2').writeInt(4);
        }
    }

    /** '3'. */
    record CloseComplete() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('3').writeInt(4);
        }
    }

    /** 'n': the statement or portal returns no rows. */
    record NoData() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('n').writeInt(4);
        }
    }

    /** 's': Execute stopped at its row limit; the portal can be executed again. */
    record PortalSuspended() implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('s').writeInt(4);
        }
    }

    /** 't': the parameter types of a described statement. */
    record ParameterDescription(List<Integer> typeOids) implements BackendMessage {
        public ParameterDescription {
            typeOids = List.copyOf(typeOids);
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 't');
            out.writeShort(typeOids.size());
            for (int oid : typeOids) {
                out.writeInt(oid);
            }
            Wire.endMessage(out, at);
        }
    }

    private static void writeCopyResponse(ByteBuf out, char type, int format, List<Integer> columnFormats) {
        int at = Wire.beginMessage(out, type);
        out.writeByte(format);
        Wire.writeInt16List(out, columnFormats);
        Wire.endMessage(out, at);
    }

    /** 'G': send COPY FROM STDIN data; format 0 text, 1 binary. */
    record CopyInResponse(int format, List<Integer> columnFormats) implements BackendMessage {
        public CopyInResponse {
            columnFormats = List.copyOf(columnFormats);
        }

        @Override
        public void encode(ByteBuf out) {
            writeCopyResponse(out, 'G', format, columnFormats);
        }
    }

    /** 'H': COPY TO STDOUT data follows. */
    record CopyOutResponse(int format, List<Integer> columnFormats) implements BackendMessage {
        public CopyOutResponse {
            columnFormats = List.copyOf(columnFormats);
        }

        @Override
        public void encode(ByteBuf out) {
            writeCopyResponse(out, 'H', format, columnFormats);
        }
    }

    /** 'W': copy in both directions (streaming replication). */
    record CopyBothResponse(int format, List<Integer> columnFormats) implements BackendMessage {
        public CopyBothResponse {
            columnFormats = List.copyOf(columnFormats);
        }

        @Override
        public void encode(ByteBuf out) {
            writeCopyResponse(out, 'W', format, columnFormats);
        }
    }

    /** 'v': the server supports an older minor version and not these protocol options. */
    record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognizedOptions) implements BackendMessage {
        public NegotiateProtocolVersion {
            unrecognizedOptions = List.copyOf(unrecognizedOptions);
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'v');
            out.writeInt(newestMinorVersion).writeInt(unrecognizedOptions.size());
            for (String o : unrecognizedOptions) {
                Wire.writeString(out, o);
            }
            Wire.endMessage(out, at);
        }
    }

    /** 'A': a NOTIFY on a channel this session listens to. */
    record NotificationResponse(int processId, String channel, String payload) implements BackendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'A');
            out.writeInt(processId);
            Wire.writeString(out, channel);
            Wire.writeString(out, payload);
            Wire.endMessage(out, at);
        }
    }
}
