package io.lrep.core.worker;

/**
 * The body of a background worker, run by the supervisor on a thread of its own, in
 * PostgreSQL's background-worker model. All three methods are called on that one thread:
 * {@link #onStart()} once, then {@link #doWork()} repeatedly until the worker is stopped,
 * returns a negative number (finished normally) or throws, then {@link #onClose()} once.
 *
 * <p>{@code doWork} does one bounded step. It may block, but only briefly (a few
 * milliseconds) so that a stop request is seen promptly; returning 0 means "idle", and the
 * runner then parks until its idle interval passes or someone wakes the worker.
 */
public interface BackgroundWorker {

    /** Returned by {@link #doWork()} when the worker has finished its job (it is not restarted). */
    int DONE = -1;

    default void onStart() throws Exception {}

    /** One bounded step: the amount of work done, 0 when idle, {@link #DONE} when finished. */
    int doWork() throws Exception;

    default void onClose() throws Exception {}

    /** Role plus key, e.g. {@code walwriter} or {@code walsender-sub1}; also the thread name. */
    String roleName();
}
