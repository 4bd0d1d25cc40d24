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

    public LrepException(SqlState sqlState, String message) {
        this(sqlState, Severity.ERROR, message, null, null, null);
    }

    public LrepException(SqlState sqlState, String message, Throwable cause) {
        this(sqlState, Severity.ERROR, message, null, null, cause);
    }

    public LrepException(SqlState sqlState, Severity severity, String message, String detail, String hint, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
        this.severity = severity;
        this.detail = detail;
        this.hint = hint;
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

    /** A copy with a detail line. */
    public LrepException withDetail(String newDetail) {
        return new LrepException(sqlState, severity, getMessage(), newDetail, hint, getCause());
    }

    /** A copy with a hint line. */
    public LrepException withHint(String newHint) {
        return new LrepException(sqlState, severity, getMessage(), detail, newHint, getCause());
    }
}
