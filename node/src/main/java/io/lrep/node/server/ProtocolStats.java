package io.lrep.node.server;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the protocol server, for metrics: connections admitted, authentication failures,
 * errors sent by SQLSTATE class. Counting is a LongAdder increment; the error classes are an
 * array indexed by the class's two characters, so no map is looked up per error.
 */
public final class ProtocolStats {

    private static final int RADIX = 36;

    private final LongAdder connections = new LongAdder();
    private final LongAdder authenticationFailures = new LongAdder();
    private final AtomicReferenceArray<LongAdder> errorsByClass = new AtomicReferenceArray<>(RADIX * RADIX);

    void onConnection() {
        connections.increment();
    }

    void onAuthenticationFailure() {
        authenticationFailures.increment();
    }

    /** An ErrorResponse with this SQLSTATE was sent. */
    void onError(String sqlState) {
        int i = classIndex(sqlState);
        if (i < 0) {
            return;
        }
        LongAdder a = errorsByClass.get(i);
        if (a == null) {
            errorsByClass.compareAndSet(i, null, new LongAdder());
            a = errorsByClass.get(i);
        }
        a.increment();
    }

    /** Connections admitted since the node started. */
    public long connections() {
        return connections.sum();
    }

    /** Failed password authentications (SQLSTATE 28P01) and rejected logins (28000). */
    public long authenticationFailures() {
        return authenticationFailures.sum();
    }

    /** Errors sent, by SQLSTATE class (its first two characters), the classes seen so far. */
    public Map<String, Long> errorsByClass() {
        Map<String, Long> out = new HashMap<>();
        for (int i = 0; i < errorsByClass.length(); i++) {
            LongAdder a = errorsByClass.get(i);
            if (a != null) {
                out.put(String.valueOf(new char[] {Character.toUpperCase(Character.forDigit(i / RADIX, RADIX)),
                    Character.toUpperCase(Character.forDigit(i % RADIX, RADIX))}), a.sum());
            }
        }
        return out;
    }

    private static int classIndex(String sqlState) {
        if (sqlState == null || sqlState.length() < 2) {
            return -1;
        }
        int a = Character.digit(sqlState.charAt(0), RADIX);
        int b = Character.digit(sqlState.charAt(1), RADIX);
        return a < 0 || b < 0 ? -1 : a * RADIX + b;
    }
}
