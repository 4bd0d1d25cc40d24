package io.lrep.node.http;

import io.lrep.core.metrics.KeyedMeters;
import io.lrep.node.server.ConnectionRegistry;
import io.lrep.node.server.ProtocolStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The meters of the node itself: the protocol server (connections, authentication failures,
 * errors by SQLSTATE class) and what walsenders sent (by application_name), read from the
 * connection registry's counters.
 */
public final class Meters {

    public static final String CONNECTIONS = "lrep.protocol.connections";
    public static final String CONNECTIONS_OPEN = "lrep.protocol.connections.open";
    public static final String AUTHENTICATION_FAILURES = "lrep.protocol.authentication.failures";
    public static final String ERRORS = "lrep.errors";
    public static final String WALSENDER_MESSAGES = "lrep.walsender.messages";
    public static final String WALSENDER_BYTES = "lrep.walsender.bytes";

    private Meters() {}

    /** Registers the node's meters; the returned action brings the keyed ones up to date (before a scrape). */
    public static Runnable bind(MeterRegistry registry, ConnectionRegistry connections) {
        ProtocolStats stats = connections.stats();
        FunctionCounter.builder(CONNECTIONS, stats, ProtocolStats::connections).baseUnit("connections")
                .description("client and replication connections admitted").register(registry);
        Gauge.builder(CONNECTIONS_OPEN, connections, ConnectionRegistry::size)
                .description("connections open now").register(registry);
        FunctionCounter.builder(AUTHENTICATION_FAILURES, stats, ProtocolStats::authenticationFailures).baseUnit("failures")
                .description("failed authentications (SQLSTATE 28P01 and 28000)").register(registry);
        KeyedMeters<Long> errors = new KeyedMeters<>(registry, (r, code, current) -> List.of(
                FunctionCounter.builder(ERRORS, current, c -> c.get() == null ? 0 : c.get()).tag("category", code)
                        .baseUnit("errors").description("ErrorResponses sent, by SQLSTATE class (its first two characters)")
                        .register(r)));
        KeyedMeters<ConnectionRegistry.WalSenderTraffic> traffic = new KeyedMeters<>(registry, (r, app, current) -> List.of(
                FunctionCounter.builder(WALSENDER_MESSAGES, current, c -> c.get() == null ? 0 : c.get().messages())
                        .tag("application_name", app).baseUnit("messages").description("CopyData messages walsenders sent")
                        .register(r),
                FunctionCounter.builder(WALSENDER_BYTES, current, c -> c.get() == null ? 0 : c.get().bytes())
                        .tag("application_name", app).baseUnit(BaseUnits.BYTES).description("bytes of CopyData walsenders sent")
                        .register(r)));
        Runnable refresh = () -> {
            errors.update(stats.errorsByClass());
            Map<String, ConnectionRegistry.WalSenderTraffic> t = new HashMap<>();
            connections.walSenderTraffic().forEach((app, v) -> t.put(app.isEmpty() ? "unnamed" : app, v));
            traffic.update(t);
        };
        refresh.run();
        return refresh;
    }
}
