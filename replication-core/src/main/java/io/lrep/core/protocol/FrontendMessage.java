package io.lrep.core.protocol;

import io.lrep.core.protocol.auth.ScramSha256;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message from client to server (protocol 3.0). Each record writes itself with
 * {@link #encode}; {@link FrontendCodec} reads them. Layouts (int32/int16 big-endian, String =
 * UTF-8 + NUL; the length counts itself but not the type byte):
 * <pre>
 * startup packets (no type byte):
 *   +--------------+----------------+-----------------------------------+
 *   | int32 length | int32 code     | body                              |
 *   +--------------+----------------+-----------------------------------+
 *   StartupMessage  code 196608 (3.0)    (String name, String value)* NUL
 *   CancelRequest   code 80877102        int32 pid, int32 secret key
 *   SSLRequest      code 80877103        -
 *   GSSENCRequest   code 80877104        -
 * typed messages:
 *   +--------+--------------+------------------------------------------+
 *   | byte1  | int32 length | body                                     |
 *   +--------+--------------+------------------------------------------+
 *   'Q' Query           String sql
 *   'P' Parse           String statement, String query, int16 n, int32 type oid[n]
 *   'B' Bind            String portal, String statement, int16 nf, int16 format[nf],
 *                       int16 nv, (int32 len (-1 = NULL), byte[len])[nv], int16 nr, int16 result format[nr]
 *   'D' Describe        byte 'S'|'P', String name
 *   'E' Execute         String portal, int32 max rows (0 = all)
 *   'S' Sync   'H' Flush   'X' Terminate   'c' CopyDone      (empty)
 *   'C' Close           byte 'S'|'P', String name
 *   'd' CopyData        byte[] data
 *   'f' CopyFail        String message
 *   'F' FunctionCall    int32 oid, int16 nf, int16 format[nf], int16 na, (int32 len, byte[len])[na], int16 result format
 *   'p' PasswordMessage String password
 *       SASLInitialResponse  String mechanism, int32 len (-1 = none), byte[len]
 *       SASLResponse         byte[] data
 * </pre>
 * The three 'p' forms cannot be told apart without the authentication state, so the decoder
 * yields {@link AuthenticationResponse} and the server reads it as the form it asked for.
 */
public interface FrontendMessage {

    /** Protocol version 3.0 as sent in StartupMessage. */
    int PROTOCOL_3_0 = 3 << 16;
    int CANCEL_REQUEST_CODE = 80877102;
    int SSL_REQUEST_CODE = 80877103;
    int GSSENC_REQUEST_CODE = 80877104;

    /** Writes the whole message, type byte and length included. */
    void encode(ByteBuf out);

    /** Startup packet: protocol version and connection parameters (user, database, options...). */
    record StartupMessage(int protocolVersion, Map<String, String> parameters) implements FrontendMessage {
        public StartupMessage {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }

        /** A protocol 3.0 startup message. */
        public static StartupMessage of(Map<String, String> parameters) {
            return new StartupMessage(PROTOCOL_3_0, parameters);
        }

        public int majorVersion() {
            return protocolVersion >>> 16;
        }

        public int minorVersion() {
            return protocolVersion & 0xFFFF;
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginPacket(out);
            out.writeInt(protocolVersion);
            parameters.forEach((k, v) -> {
                Wire.writeString(out, k);
                Wire.writeString(out, v);
            });
            out.writeByte(0);
            Wire.endMessage(out, at);
        }
    }

    /** Asks whether the server does TLS; the answer is one byte, 'S' or 'N'. */
    record SSLRequest() implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeInt(8).writeInt(SSL_REQUEST_CODE);
        }
    }

    /** Asks whether the server does GSSAPI encryption; the answer is one byte, 'G' or 'N'. */
    record GSSENCRequest() implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeInt(8).writeInt(GSSENC_REQUEST_CODE);
        }
    }

    /** Sent on a new connection to cancel the query of the backend with this key data. */
    record CancelRequest(int processId, int secretKey) implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeInt(16).writeInt(CANCEL_REQUEST_CODE).writeInt(processId).writeInt(secretKey);
        }
    }

    /** 'p' with a cleartext or md5-hashed password. */
    record PasswordMessage(String password) implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'p');
            Wire.writeString(out, password);
            Wire.endMessage(out, at);
        }
    }

    /** 'p' opening a SASL exchange: chosen mechanism and client-first-message (null = none). */
    record SASLInitialResponse(String mechanism, byte[] data) implements FrontendMessage {
        public SASLInitialResponse {
            data = data == null ? null : data.clone();
        }

        @Override
        public byte[] data() {
            return data == null ? null : data.clone();
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'p');
            Wire.writeString(out, mechanism);
            if (data == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(data.length).writeBytes(data);
            }
            Wire.endMessage(out, at);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SASLInitialResponse r && r.mechanism.equals(mechanism) && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * mechanism.hashCode() + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "SASLInitialResponse[mechanism=" + mechanism + ", " + (data == null ? "no data" : data.length + " bytes") + "]";
        }
    }

    /** 'p' continuing a SASL exchange (client-final-message for SCRAM). */
    record SASLResponse(byte[] data) implements FrontendMessage {
        public SASLResponse {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'p');
            out.writeBytes(data);
            Wire.endMessage(out, at);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SASLResponse r && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "SASLResponse[" + data.length + " bytes]";
        }
    }

    /**
     * A decoded 'p' message, read as PasswordMessage, SASLInitialResponse or SASLResponse
     * according to what the server asked for.
     */
    record AuthenticationResponse(byte[] body) implements FrontendMessage {
        public AuthenticationResponse {
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        /** As PasswordMessage: one NUL-terminated string filling the message. */
        public PasswordMessage toPasswordMessage() {
            return FrontendCodec.parseBody(body, b -> new PasswordMessage(Wire.readString(b)));
        }

        /** As SASLInitialResponse: mechanism, int32 length (-1 = none), data filling the message. */
        public SASLInitialResponse toSaslInitialResponse() {
            return FrontendCodec.parseBody(body, b -> {
                String mechanism = Wire.readString(b);
                int len = b.readInt();
                return new SASLInitialResponse(mechanism, len == -1 ? null : Wire.readBytes(b, len));
            });
        }

        /** As SASLResponse: the whole body is data. */
        public SASLResponse toSaslResponse() {
            return new SASLResponse(body);
        }

        /** True when read as SASLInitialResponse it names SCRAM-SHA-256. */
        public boolean isScramSha256Initial() {
            return toSaslInitialResponse().mechanism().equals(ScramSha256.MECHANISM);
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'p');
            out.writeBytes(body);
            Wire.endMessage(out, at);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AuthenticationResponse r && Arrays.equals(r.body, body);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(body);
        }

        @Override
        public String toString() {
            return "AuthenticationResponse[" + body.length + " bytes]";
        }
    }

    /** 'Q': a simple query, possibly several statements. */
    record Query(String sql) implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'Q');
            Wire.writeString(out, sql);
            Wire.endMessage(out, at);
        }
    }

    /** 'P': prepare a statement ("" = unnamed) with parameter type oids (0 = unspecified). */
    record Parse(String statementName, String query, List<Integer> parameterTypes) implements FrontendMessage {
        public Parse {
            parameterTypes = List.copyOf(parameterTypes);
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'P');
            Wire.writeString(out, statementName);
            Wire.writeString(out, query);
            out.writeShort(parameterTypes.size());
            for (int oid : parameterTypes) {
                out.writeInt(oid);
            }
            Wire.endMessage(out, at);
        }
    }

    /**
     * 'B': bind parameters to a prepared statement, making a portal. Parameter formats: none =
     * all text, one = for all, else one per parameter (0 text, 1 binary); a null value is NULL.
     */
    record Bind(String portalName, String statementName, List<Integer> parameterFormats, byte[][] parameters,
            List<Integer> resultFormats) implements FrontendMessage {
        public Bind {
            parameterFormats = List.copyOf(parameterFormats);
            parameters = Wire.copy(parameters);
            resultFormats = List.copyOf(resultFormats);
        }

        @Override
        public byte[][] parameters() {
            return Wire.copy(parameters);
        }

        /** Parameter {@code i} without copying (null = NULL); do not modify it. */
        public byte[] parameter(int i) {
            return parameters[i];
        }

        public int parameterCount() {
            return parameters.length;
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'B');
            Wire.writeString(out, portalName);
            Wire.writeString(out, statementName);
            Wire.writeInt16List(out, parameterFormats);
            Wire.writeValues(out, parameters);
            Wire.writeInt16List(out, resultFormats);
            Wire.endMessage(out, at);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bind b && b.portalName.equals(portalName) && b.statementName.equals(statementName)
                    && b.parameterFormats.equals(parameterFormats) && Wire.equal(b.parameters, parameters)
                    && b.resultFormats.equals(resultFormats);
        }

        @Override
        public int hashCode() {
            return Objects.hash(portalName, statementName, parameterFormats, Arrays.deepHashCode(parameters), resultFormats);
        }

        @Override
        public String toString() {
            return "Bind[portal=" + portalName + ", statement=" + statementName + ", parameterFormats=" + parameterFormats
                    + ", parameters=" + Wire.describe(parameters) + ", resultFormats=" + resultFormats + "]";
        }
    }

    /** 'D': describe a statement ('S') or portal ('P'); other kinds are the server's to reject. */
    record Describe(char kind, String name) implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'D');
            out.writeByte(kind);
            Wire.writeString(out, name);
            Wire.endMessage(out, at);
        }
    }

    /** 'E': run a portal, returning at most {@code maxRows} rows (0 = no limit). */
    record Execute(String portalName, int maxRows) implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'E');
            Wire.writeString(out, portalName);
            out.writeInt(maxRows);
            Wire.endMessage(out, at);
        }
    }

    /** 'S': end of an extended-query cycle. */
    record Sync() implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('S').writeInt(4);
        }
    }

    /** 'H': send what is pending. */
    record Flush() implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('H').writeInt(4);
        }
    }

    /** 'X': the client is leaving. */
    record Terminate() implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            out.writeByte('X').writeInt(4);
        }
    }

    /** 'C': close a statement ('S') or portal ('P'). */
    record Close(char kind, String name) implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'C');
            out.writeByte(kind);
            Wire.writeString(out, name);
            Wire.endMessage(out, at);
        }
    }

    /** 'f': abort COPY FROM STDIN with this message. */
    record CopyFail(String message) implements FrontendMessage {
        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'f');
            Wire.writeString(out, message);
            Wire.endMessage(out, at);
        }
    }

    /** 'F': the legacy fast-path function call, decoded only so the server can reject it. */
    record FunctionCall(int functionOid, List<Integer> argumentFormats, byte[][] arguments, int resultFormat)
            implements FrontendMessage {
        public FunctionCall {
            argumentFormats = List.copyOf(argumentFormats);
            arguments = Wire.copy(arguments);
        }

        @Override
        public byte[][] arguments() {
            return Wire.copy(arguments);
        }

        @Override
        public void encode(ByteBuf out) {
            int at = Wire.beginMessage(out, 'F');
            out.writeInt(functionOid);
            Wire.writeInt16List(out, argumentFormats);
            Wire.writeValues(out, arguments);
            out.writeShort(resultFormat);
            Wire.endMessage(out, at);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FunctionCall f && f.functionOid == functionOid && f.argumentFormats.equals(argumentFormats)
                    && Wire.equal(f.arguments, arguments) && f.resultFormat == resultFormat;
        }

        @Override
        public int hashCode() {
            return Objects.hash(functionOid, argumentFormats, Arrays.deepHashCode(arguments), resultFormat);
        }

        @Override
        public String toString() {
            return "FunctionCall[oid=" + functionOid + ", arguments=" + Wire.describe(arguments) + "]";
        }
    }
}
