package io.lrep.core.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Meters for a set of keys that comes and goes (slots, walsenders, subscriptions): each key has
 * a snapshot of its figures, replaced by {@link #update(Map)} before a scrape; the meters of a
 * new key are registered then, those of a key that is gone removed. The meters read the latest
 * snapshot, so nothing is counted on a hot path.
 *
 * @param <S> the snapshot type
 */
public final class KeyedMeters<S> {

    /** Registers the meters of one key, reading {@code current} (null once the key is gone). */
    @FunctionalInterface
    public interface Registrar<S> {
        List<Meter> register(MeterRegistry registry, String key, Supplier<S> current);
    }

    private final MeterRegistry registry;
    private final Registrar<S> registrar;
    private final Map<String, S> snapshots = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> meters = new HashMap<>();
    /** The suppliers the meters read, held here: Micrometer holds a meter's object weakly. */
    private final Map<String, Supplier<S>> suppliers = new HashMap<>();

    public KeyedMeters(MeterRegistry registry, Registrar<S> registrar) {
        this.registry = registry;
        this.registrar = registrar;
    }

    /** Replaces every key's snapshot with {@code current}: new keys get meters, missing keys lose theirs. */
    public synchronized void update(Map<String, S> current) {
        snapshots.putAll(current);
        for (String gone : new ArrayList<>(meters.keySet())) {
            if (!current.containsKey(gone)) {
                meters.remove(gone).forEach(registry::remove);
                suppliers.remove(gone);
                snapshots.remove(gone);
            }
        }
        for (String key : current.keySet()) {
            if (!meters.containsKey(key)) {
                Supplier<S> supplier = () -> snapshots.get(key);
                suppliers.put(key, supplier);
                meters.put(key, List.copyOf(registrar.register(registry, key, supplier)));
            }
        }
    }

    /** The keys that have meters now. */
    public synchronized List<String> keys() {
        return List.copyOf(meters.keySet());
    }
}
