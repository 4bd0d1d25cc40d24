package io.lrep.core.error;

/**
 * The one exception type that carries a PostgreSQL SQLSTATE. The protocol layer turns it into
 * an {@code ErrorResponse} as it is; the message names the object it is about.
 */
public class LrepException extends RuntimeException {

    /** PostgreSQL's severities, as sent in ErrorResponse field {@code S}. */
    public enum Severity { ERROR, FATAL, PANIC }

    private final SqlState sqlState;
    private final Severity severity;
    private final String detail;
    private final String hint;
    private final int position;

    public LrepException(SqlState sqlState, String message) {
        this(sqlState, Severity.ERROR, message, null, null, null);
    }

    public LrepException(SqlState sqlState, String message, Throwable cause) {
        this(sqlState, Severity.ERROR, message, null, null, cause);
    }

    public LrepException(SqlState sqlState, Severity severity, String message, String detail, String hint, Throwable cause) {
        this(sqlState, severity, message, detail, hint, 0, cause);
    }

    public LrepException(SqlState sqlState, Severity severity, String message, String detail, String hint, int position,
            Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
        this.severity = severity;
        this.detail = detail;
        this.hint = hint;
        this.position = position;
    }

    public SqlState sqlState() {
        return sqlState;
    }

    public Severity severity() {
        return severity;
    }

    /** ErrorResponse field {@code D}, or null. */
    public String detail() {
        return detail;
    }

    /** ErrorResponse field {@code H}, or null. */
    public String hint() {
        return hint;
    }

    /**
     * ErrorResponse field {@code P}: the 1-based character position in the query text that the
     * error is about ("syntax error at or near ..."), or 0.
     */
    public int position() {
        return position;
    }

    /** A copy with a detail line. */
    public LrepException withDetail(String newDetail) {
        return new LrepException(sqlState, severity, getMessage(), newDetail, hint, position, getCause());
    }

    /** A copy with a hint line. */
    public LrepException withHint(String newHint) {
        return new LrepException(sqlState, severity, getMessage(), detail, newHint, position, getCause());
    }

    /** A copy that points at a character of the query text (1-based). */
    public LrepException withPosition(int newPosition) {
        return new LrepException(sqlState, severity, getMessage(), detail, hint, newPosition, getCause());
    }
}
