package io.lrep.core.protocol;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads frontend messages from a frame body (see {@link FrontendMessage} for the layouts). A
 * body must be used up exactly: fields that do not add up to the length are a
 * {@link ProtocolViolation}.
 */
public final class FrontendCodec {

    private FrontendCodec() {
    }

    /** True for the type bytes of typed frontend messages. */
    public static boolean isKnownType(int type) {
        return switch (type) {
            case 'Q', 'P', 'B', 'D', 'E', 'S', 'H', 'C', 'X', 'd', 'c', 'f', 'F', 'p' -> true;
            default -> false;
        };
    }

    /**
     * Reads a startup packet's body: everything after its int32 length, starting with the
     * int32 code. Protocol versions other than 3.x are refused as PostgreSQL refuses them.
     */
    public static FrontendMessage decodeStartupPacket(ByteBuf body) {
        return parse(body, b -> {
            int code = b.readInt();
            switch (code) {
                case FrontendMessage.SSL_REQUEST_CODE:
                    return new FrontendMessage.SSLRequest();
                case FrontendMessage.GSSENC_REQUEST_CODE:
                    return new FrontendMessage.GSSENCRequest();
                case FrontendMessage.CANCEL_REQUEST_CODE:
                    return new FrontendMessage.CancelRequest(b.readInt(), b.readInt());
                default:
                    break;
            }
            if (code >>> 16 != 3) {
                throw new LrepException(SqlState.FEATURE_NOT_SUPPORTED, LrepException.Severity.FATAL,
                        "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xFFFF)
                                + ": server supports 3.0 to 3.0", null, null, null);
            }
            if (!b.isReadable() || b.getByte(b.writerIndex() - 1) != 0) {
                throw new ProtocolViolation("invalid startup packet layout: expected terminator as last byte");
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            while (true) {
                if (!b.isReadable()) {
                    throw new ProtocolViolation("invalid startup packet layout: expected terminator as last byte");
                }
                if (b.getByte(b.readerIndex()) == 0) {
                    b.skipBytes(1);
                    if (b.isReadable()) {
                        throw new ProtocolViolation("invalid startup packet layout: expected terminator as last byte");
                    }
                    break;
                }
                String name = Wire.readString(b);
                if (!b.isReadable()) {
                    throw new ProtocolViolation("invalid startup packet layout: expected terminator as last byte");
                }
                parameters.put(name, Wire.readString(b));
            }
            return new FrontendMessage.StartupMessage(code, parameters);
        });
    }

    /** Reads a typed message's body (everything after its int32 length). */
    public static FrontendMessage decode(int type, ByteBuf body) {
        return parse(body, b -> switch (type) {
            case 'Q' -> new FrontendMessage.Query(Wire.readString(b));
            case 'P' -> {
                String name = Wire.readString(b);
                String query = Wire.readString(b);
                int n = b.readUnsignedShort();
                List<Integer> oids = new ArrayList<>(Math.min(n, b.readableBytes() / 4 + 1));
                for (int i = 0; i < n; i++) {
                    oids.add(b.readInt());
                }
                yield new FrontendMessage.Parse(name, query, oids);
            }
            case 'B' -> new FrontendMessage.Bind(Wire.readString(b), Wire.readString(b), Wire.readInt16List(b),
                    Wire.readValues(b), Wire.readInt16List(b));
            case 'D' -> new FrontendMessage.Describe((char) b.readUnsignedByte(), Wire.readString(b));
            case 'E' -> new FrontendMessage.Execute(Wire.readString(b), b.readInt());
            case 'S' -> new FrontendMessage.Sync();
            case 'H' -> new FrontendMessage.Flush();
            case 'X' -> new FrontendMessage.Terminate();
            case 'C' -> new FrontendMessage.Close((char) b.readUnsignedByte(), Wire.readString(b));
            case 'd' -> new CopyData(Wire.readRest(b));
            case 'c' -> new CopyDone();
            case 'f' -> new FrontendMessage.CopyFail(Wire.readString(b));
            case 'F' -> new FrontendMessage.FunctionCall(b.readInt(), Wire.readInt16List(b), Wire.readValues(b),
                    b.readShort());
            case 'p' -> new FrontendMessage.AuthenticationResponse(Wire.readRest(b));
            default -> throw new ProtocolViolation("invalid frontend message type " + type);
        });
    }

    static <T> T parseBody(byte[] body, Function<ByteBuf, T> parser) {
        return parse(Unpooled.wrappedBuffer(body), parser);
    }

    /** Applies a parser that must use up the whole body. */
    static <T> T parse(ByteBuf body, Function<ByteBuf, T> parser) {
        T result;
        try {
            result = parser.apply(body);
        } catch (IndexOutOfBoundsException e) {
            // a fixed-size field ran past the end of the frame: the peer's lengths are inconsistent
            throw new ProtocolViolation("invalid message format", "Message ended before all its fields were read.");
        }
        if (body.isReadable()) {
            throw new ProtocolViolation("invalid message format",
                    body.readableBytes() + " bytes left over after the last field.");
        }
        return result;
    }
}
