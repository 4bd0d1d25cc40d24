package io.lrep.core.worker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link ErrorHandler} that keeps every error it is given. */
final class RecordingErrorHandler implements ErrorHandler {
    record Reported(String source, Throwable error) {}

    final List<Reported> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onError(String source, Throwable error) {
        errors.add(new Reported(source, error));
    }

    long countFor(String workerName) {
        return errors.stream().filter(r -> r.source().contains("\"" + workerName + "\"")).count();
    }
}
