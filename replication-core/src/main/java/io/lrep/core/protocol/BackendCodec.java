package io.lrep.core.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads backend messages from a frame body (see {@link BackendMessage} for the layouts); the
 * client side of the protocol. A body must be used up exactly.
 */
public final class BackendCodec {

    private BackendCodec() {
    }

    /** True for the type bytes of backend messages. */
    public static boolean isKnownType(int type) {
        return switch (type) {
            case 'R', 'S', 'K', 'Z', 'T', 'D', 'C', 'I', 'E', 'N', '1', '2', '3', 'n', 's', 't', 'G', 'H', 'W', 'd',
                    'c', 'v', 'A' -> true;
            default -> false;
        };
    }

    /** Reads a message's body (everything after its int32 length). */
    public static BackendMessage decode(int type, ByteBuf body) {
        return FrontendCodec.parse(body, b -> switch (type) {
            case 'R' -> authentication(b);
            case 'S' -> new BackendMessage.ParameterStatus(Wire.readString(b), Wire.readString(b));
            case 'K' -> new BackendMessage.BackendKeyData(b.readInt(), b.readInt());
            case 'Z' -> {
                int code = b.readUnsignedByte();
                BackendMessage.TransactionStatus status = BackendMessage.TransactionStatus.of(code);
                if (status == null) {
                    throw new ProtocolViolation("invalid transaction status in ReadyForQuery: " + code);
                }
                yield new BackendMessage.ReadyForQuery(status);
            }
            case 'T' -> {
                int n = b.readUnsignedShort();
                List<BackendMessage.Field> fields = new ArrayList<>(Math.min(n, b.readableBytes() / 19 + 1));
                for (int i = 0; i < n; i++) {
                    fields.add(new BackendMessage.Field(Wire.readString(b), b.readInt(), b.readShort(), b.readInt(),
                            b.readShort(), b.readInt(), b.readShort()));
                }
                yield new BackendMessage.RowDescription(fields);
            }
            case 'D' -> new BackendMessage.DataRow(Wire.readValues(b));
            case 'C' -> new BackendMessage.CommandComplete(Wire.readString(b));
            case 'I' -> new BackendMessage.EmptyQueryResponse();
            case 'E' -> new BackendMessage.ErrorResponse(noticeFields(b));
            case 'N' -> new BackendMessage.NoticeResponse(noticeFields(b));
            case '1' -> new BackendMessage.ParseComplete();
            case '2' -> new BackendMessage.BindComplete();
            case '3' -> new BackendMessage.CloseComplete();
            case 'n' -> new BackendMessage.NoData();
            case 's' -> new BackendMessage.PortalSuspended();
            case 't' -> {
                int n = b.readUnsignedShort();
                List<Integer> oids = new ArrayList<>(Math.min(n, b.readableBytes() / 4 + 1));
                for (int i = 0; i < n; i++) {
                    oids.add(b.readInt());
                }
                yield new BackendMessage.ParameterDescription(oids);
            }
            case 'G' -> new BackendMessage.CopyInResponse(b.readByte(), Wire.readInt16List(b));
            case 'H' -> new BackendMessage.CopyOutResponse(b.readByte(), Wire.readInt16List(b));
            case 'W' -> new BackendMessage.CopyBothResponse(b.readByte(), Wire.readInt16List(b));
            case 'd' -> new CopyData(Wire.readRest(b));
            case 'c' -> new CopyDone();
            case 'v' -> {
                int minor = b.readInt();
                int n = b.readInt();
                if (n < 0 || n > b.readableBytes()) {
                    throw new ProtocolViolation("invalid message format", "Option count " + n + " out of range.");
                }
                List<String> options = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    options.add(Wire.readString(b));
                }
                yield new BackendMessage.NegotiateProtocolVersion(minor, options);
            }
            case 'A' -> new BackendMessage.NotificationResponse(b.readInt(), Wire.readString(b), Wire.readString(b));
            default -> throw new ProtocolViolation("invalid backend message type " + type);
        });
    }

    private static BackendMessage authentication(ByteBuf b) {
        int code = b.readInt();
        return switch (code) {
            case 0 -> new BackendMessage.AuthenticationOk();
            case 3 -> new BackendMessage.AuthenticationCleartextPassword();
            case 5 -> new BackendMessage.AuthenticationMD5Password(Wire.readBytes(b, 4));
            case 10 -> {
                List<String> mechanisms = new ArrayList<>();
                while (true) {
                    String m = Wire.readString(b);
                    if (m.isEmpty()) {
                        break;
                    }
                    mechanisms.add(m);
                }
                yield new BackendMessage.AuthenticationSASL(mechanisms);
            }
            case 11 -> new BackendMessage.AuthenticationSASLContinue(Wire.readRest(b));
            case 12 -> new BackendMessage.AuthenticationSASLFinal(Wire.readRest(b));
            default -> new BackendMessage.AuthenticationOther(code, Wire.readRest(b));
        };
    }

    private static List<BackendMessage.NoticeField> noticeFields(ByteBuf b) {
        List<BackendMessage.NoticeField> fields = new ArrayList<>();
        while (true) {
            int code = b.readUnsignedByte();
            if (code == 0) {
                return fields;
            }
            fields.add(new BackendMessage.NoticeField((char) code, Wire.readString(b)));
        }
    }
}
