package io.lrep.publisher.walsender;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The node's running walsenders, for pg_stat_replication (one row each) and for asking them all
 * to stop at shutdown. Thread-safe.
 */
public final class WalSenders {

    private final List<WalSender> running = new CopyOnWriteArrayList<>();

    /** Adds a walsender about to stream; returns a handle that removes it (idempotent). */
    public Runnable register(WalSender walSender) {
        running.add(walSender);
        return () -> running.remove(walSender);
    }

    /** Every running walsender's status, by pid. */
    public List<WalSenderStatus> statuses() {
        List<WalSenderStatus> out = new ArrayList<>();
        for (WalSender w : running) {
            out.add(w.status());
        }
        out.sort(Comparator.comparingInt(WalSenderStatus::pid));
        return out;
    }

    /** How many are running. */
    public int count() {
        return running.size();
    }

    /** Asks every running walsender to finish ({@link WalSender#requestStop()}). */
    public void requestStopAll() {
        for (WalSender w : running) {
            w.requestStop();
        }
    }
}
