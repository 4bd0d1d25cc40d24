package io.lrep.core.worker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives every exception a background worker throws, once, on the worker's own thread. The
 * default logs it at ERROR; a node wraps it to count errors too. An implementation must not
 * block, and must not throw (anything it throws is logged and dropped).
 */
@FunctionalInterface
public interface ErrorHandler {

    /**
     * @param source names the worker, e.g. {@code background worker "walwriter" (walwriter)}
     * @param error  what it threw
     */
    void onError(String source, Throwable error);

    /** Logs each error once at ERROR, with its stack trace. */
    static ErrorHandler logging() {
        return LoggingErrorHandler.INSTANCE;
    }
}

/** The default {@link ErrorHandler}. */
final class LoggingErrorHandler implements ErrorHandler {
    static final ErrorHandler INSTANCE = new LoggingErrorHandler();
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);

    private LoggingErrorHandler() {}

    @Override
    public void onError(String source, Throwable error) {
        LOG.error("{} failed: {}", source, String.valueOf(error), error);
    }
}
