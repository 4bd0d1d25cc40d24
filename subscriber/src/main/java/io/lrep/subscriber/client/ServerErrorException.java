package io.lrep.subscriber.client;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.BackendMessage.ErrorResponse;
import io.lrep.core.protocol.BackendMessage.Fields;
import io.lrep.core.protocol.BackendMessage.NoticeField;
import java.util.List;

/**
 * An ErrorResponse from the server, with every field it sent. {@link #sqlStateCode()} is the
 * server's SQLSTATE as sent; {@link #sqlState()} is the same code when lrep knows it, else
 * {@link SqlState#INTERNAL_ERROR}. The message, detail, hint and position are the server's.
 */
public class ServerErrorException extends LrepException {

    private final String sqlStateCode;
    private final String serverSeverity;
    private final List<NoticeField> fields;

    public ServerErrorException(ErrorResponse error) {
        super(known(error.sqlState()), severity(error.severity()), nonNull(error.message()), error.field(Fields.DETAIL),
                error.field(Fields.HINT), position(error.field(Fields.POSITION)), null);
        this.sqlStateCode = error.sqlState() == null ? SqlState.INTERNAL_ERROR.code() : error.sqlState();
        this.serverSeverity = error.severity();
        this.fields = error.fields();
    }

    /** The five-character SQLSTATE the server sent. */
    public String sqlStateCode() {
        return sqlStateCode;
    }

    /** ERROR, FATAL or PANIC as the server sent it (localized when the server localizes). */
    public String serverSeverity() {
        return serverSeverity;
    }

    /** Any field of the ErrorResponse (see {@link Fields}), or null. */
    public String field(char code) {
        for (NoticeField f : fields) {
            if (f.code() == code) {
                return f.value();
            }
        }
        return null;
    }

    /** Every field, in the order the server sent them. */
    public List<NoticeField> fields() {
        return fields;
    }

    /** The lrep SQLSTATE with this code, or INTERNAL_ERROR. */
    static SqlState known(String code) {
        if (code != null) {
            for (SqlState s : SqlState.values()) {
                if (s.code().equals(code)) {
                    return s;
                }
            }
        }
        return SqlState.INTERNAL_ERROR;
    }

    private static Severity severity(String s) {
        if ("FATAL".equals(s)) {
            return Severity.FATAL;
        }
        return "PANIC".equals(s) ? Severity.PANIC : Severity.ERROR;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static int position(String p) {
        try {
            return p == null ? 0 : Integer.parseInt(p);
        } catch (NumberFormatException e) {
            return 0; // a malformed position only loses the pointer, not the error
        }
    }
}
