package io.lrep.publisher.metrics;

import io.lrep.core.metrics.KeyedMeters;
import io.lrep.publisher.slot.ReplicationSlot;
import io.lrep.publisher.slot.SlotManager;
import io.lrep.publisher.walsender.WalSenderStatus;
import io.lrep.publisher.walsender.WalSenders;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of the publisher: replication slots (tag {@code slot}) and walsenders (tag
 * {@code application_name}, as pg_stat_replication shows them). Every figure is read from the
 * slot manager and the walsenders' published status at a scrape; nothing is counted here.
 */
public final class Meters {

    public static final String SLOT_RETAINED = "lrep.slot.retained";
    public static final String SLOT_LAG = "lrep.slot.lag";
    public static final String SLOT_ACTIVE = "lrep.slot.active";
    public static final String SLOT_INVALIDATED = "lrep.slot.invalidated";
    public static final String WALSENDER_LAG = "lrep.walsender.lag";
    public static final String WALSENDER_LAG_SECONDS = "lrep.walsender.lag.time";
    public static final String WALSENDER_SENT = "lrep.walsender.sent.lsn";

    /** The positions a walsender's lag is measured at (tag {@code position}). */
    private static final List<String> POSITIONS = List.of("sent", "write", "flush", "replay");

    private Meters() {}

    /** One slot's figures at a scrape. */
    public record SlotFigures(long retainedBytes, long lagBytes, boolean active, boolean invalidated) {}

    /**
     * One walsender's figures at a scrape (of several with one application_name, the furthest behind).
     *
     * @param lagBytes current WAL position minus the sent, write, flush and replay LSNs
     * @param lagSeconds write, flush and replay lag (0 where pg_stat_replication shows NULL)
     */
    public record WalSenderFigures(long[] lagBytes, double[] lagSeconds, long sentLsn) {}

    /**
     * Registers the slot and walsender meters; the returned action brings them up to date
     * (call it before a scrape).
     *
     * @param currentLsn the current WAL insert position (pg_current_wal_lsn)
     * @param applicationName the application_name of a walsender's session by its pid (null if unknown)
     */
    public static Runnable bind(MeterRegistry registry, SlotManager slots, WalSenders walSenders, LongSupplier currentLsn,
            IntFunction<String> applicationName) {
        KeyedMeters<SlotFigures> slotMeters = new KeyedMeters<>(registry, Meters::slotMeters);
        KeyedMeters<WalSenderFigures> senderMeters = new KeyedMeters<>(registry, Meters::walSenderMeters);
        Runnable refresh = () -> {
            long now = currentLsn.getAsLong();
            slotMeters.update(slotFigures(slots, now));
            senderMeters.update(walSenderFigures(walSenders, now, applicationName));
        };
        refresh.run();
        return refresh;
    }

    /** Every slot's figures, by slot name. */
    public static Map<String, SlotFigures> slotFigures(SlotManager slots, long now) {
        Map<String, SlotFigures> out = new HashMap<>();
        for (ReplicationSlot s : slots.list()) {
            long retained = s.restartLsn() == 0 ? 0 : Math.max(0, now - s.restartLsn());
            long confirmed = s.logical() ? s.confirmedFlushLsn() : s.restartLsn();
            long lag = confirmed == 0 ? 0 : Math.max(0, now - confirmed);
            out.put(s.name(), new SlotFigures(retained, lag, s.active(), s.invalidated()));
        }
        return out;
    }

    /** Every walsender's figures, by application_name (the slot name when the session has none). */
    public static Map<String, WalSenderFigures> walSenderFigures(WalSenders walSenders, long now, IntFunction<String> applicationName) {
        Map<String, WalSenderFigures> out = new HashMap<>();
        for (WalSenderStatus w : walSenders.statuses()) {
            String name = applicationName.apply(w.pid());
            if (name == null || name.isEmpty()) {
                name = w.slotName();
            }
            long[] bytes = {behind(now, w.sentLsn()), behind(now, w.writeLsn()), behind(now, w.flushLsn()), behind(now, w.replayLsn())};
            double[] seconds = {seconds(w.writeLagMicros()), seconds(w.flushLagMicros()), seconds(w.replayLagMicros())};
            WalSenderFigures f = new WalSenderFigures(bytes, seconds, w.sentLsn());
            out.merge(name, f, (a, b) -> a.lagBytes()[3] >= b.lagBytes()[3] ? a : b);
        }
        return out;
    }

    private static long behind(long now, long lsn) {
        return lsn == 0 ? 0 : Math.max(0, now - lsn);
    }

    private static double seconds(Long micros) {
        return micros == null ? 0 : micros / 1_000_000.0;
    }

    private static List<Meter> slotMeters(MeterRegistry r, String slot, Supplier<SlotFigures> current) {
        return List.of(
                gauge(r, SLOT_RETAINED, slot, current, f -> f.retainedBytes(), BaseUnits.BYTES, "WAL the slot keeps from removal"),
                gauge(r, SLOT_LAG, slot, current, f -> f.lagBytes(), BaseUnits.BYTES,
                        "current WAL position minus the slot's confirmed_flush_lsn (restart_lsn for a physical slot)"),
                gauge(r, SLOT_ACTIVE, slot, current, f -> f.active() ? 1 : 0, null, "1 while a walsender streams from the slot"),
                gauge(r, SLOT_INVALIDATED, slot, current, f -> f.invalidated() ? 1 : 0, null,
                        "1 once the slot lost WAL it needed (max_slot_wal_keep_size)"));
    }

    private static Gauge gauge(MeterRegistry r, String name, String slot, Supplier<SlotFigures> current,
            ToDoubleFunction<SlotFigures> f, String unit, String description) {
        return Gauge.builder(name, current, c -> c.get() == null ? 0 : f.applyAsDouble(c.get())).tag("slot", slot).baseUnit(unit)
                .description(description).register(r);
    }

    private static List<Meter> walSenderMeters(MeterRegistry r, String app, Supplier<WalSenderFigures> current) {
        List<Meter> meters = new ArrayList<>();
        for (int i = 0; i < POSITIONS.size(); i++) {
            int at = i;
            meters.add(Gauge.builder(WALSENDER_LAG, current, c -> c.get() == null ? 0 : c.get().lagBytes()[at])
                    .tags("application_name", app, "position", POSITIONS.get(i)).baseUnit(BaseUnits.BYTES)
                    .description("current WAL position minus the walsender's sent, write, flush or replay LSN").register(r));
            if (i > 0) {
                meters.add(Gauge.builder(WALSENDER_LAG_SECONDS, current, c -> c.get() == null ? 0 : c.get().lagSeconds()[at - 1])
                        .tags("application_name", app, "position", POSITIONS.get(i)).baseUnit("seconds")
                        .description("write_lag, flush_lag, replay_lag of pg_stat_replication (0 where it shows NULL)").register(r));
            }
        }
        meters.add(Gauge.builder(WALSENDER_SENT, current, c -> c.get() == null ? 0 : c.get().sentLsn()).tag("application_name", app)
                .baseUnit(BaseUnits.BYTES).description("sent_lsn: the end of the last WAL record decoded and sent").register(r));
        return meters;
    }
}
