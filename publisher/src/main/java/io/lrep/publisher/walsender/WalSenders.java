package io.lrep.publisher.walsender;

import io.lrep.publisher.decoding.DecodingStats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The node's running walsenders, for pg_stat_replication (one row each) and for asking them all
 * to stop at shutdown. Thread-safe.
 */
public final class WalSenders {

    private final List<WalSender> running = new CopyOnWriteArrayList<>();
    /** Decoding counters of the walsenders that finished, per slot (pg_stat_replication_slots adds the running ones). */
    private final Map<String, DecodingStats> finished = new ConcurrentHashMap<>();

    /**
     * Adds a walsender about to stream; returns a handle that removes it (idempotent) and adds
     * its decoding counters to its slot's.
     */
    public Runnable register(WalSender walSender) {
        running.add(walSender);
        return () -> {
            if (running.remove(walSender)) {
                finished.merge(walSender.slotName(), walSender.status().decodingStats(), DecodingStats::plus);
            }
        };
    }

    /**
     * The decoding counters of {@code slotName} since the node started (pg_stat_replication_slots):
     * those of the walsenders that streamed from it and of the one streaming now.
     */
    public DecodingStats slotStats(String slotName) {
        DecodingStats total = finished.getOrDefault(slotName, DecodingStats.ZERO);
        for (WalSender w : running) {
            if (w.slotName().equals(slotName)) {
                total = total.plus(w.status().decodingStats());
            }
        }
        return total;
    }

    /** Forgets a dropped slot's counters. */
    public void forgetSlot(String slotName) {
        finished.remove(slotName);
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
