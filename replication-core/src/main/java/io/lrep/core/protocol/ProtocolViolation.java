package io.lrep.core.protocol;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;

/**
 * A peer broke the wire protocol (SQLSTATE 08P01): bad framing, an unknown message type, or a
 * message whose fields do not add up to its length. The connection cannot be trusted after it,
 * so the severity is FATAL and the decoder that raised it discards all further input.
 */
public final class ProtocolViolation extends LrepException {

    public ProtocolViolation(String message) {
        super(SqlState.PROTOCOL_VIOLATION, Severity.FATAL, message, null, null, null);
    }

    public ProtocolViolation(String message, String detail) {
        super(SqlState.PROTOCOL_VIOLATION, Severity.FATAL, message, detail, null, null);
    }
}
