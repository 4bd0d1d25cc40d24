package io.lrep.subscriber.client;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;

/**
 * A failure on the client's side of a connection (08006 connection_failure): the server could
 * not be reached, the connection broke, a timeout passed, or the server answered something the
 * client cannot handle. The message is libpq's where libpq has one. Errors the server reports
 * are {@link ServerErrorException}s instead.
 */
public class ClientException extends LrepException {

    public ClientException(String message) {
        super(SqlState.CONNECTION_FAILURE, message);
    }

    public ClientException(String message, Throwable cause) {
        super(SqlState.CONNECTION_FAILURE, message, cause);
    }

    public ClientException(SqlState sqlState, String message) {
        super(sqlState, message);
    }
}
