package io.lrep.core.protocol.replication;

import java.time.Clock;
import java.time.Instant;

/**
 * PostgreSQL's {@code TimestampTz} as the replication protocols send it: an int64 count of
 * microseconds since 2000-01-01 00:00:00 UTC, which is 946,684,800 seconds after the Unix epoch.
 * Conversions truncate below a microsecond; arithmetic overflow throws {@link ArithmeticException}.
 */
public final class PgTimestamp {

    /** Microseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01 (UTC). */
    public static final long POSTGRES_EPOCH_MICROS = 946_684_800L * 1_000_000L;

    private PgTimestamp() {
    }

    /** Unix-epoch microseconds to PostgreSQL microseconds. */
    public static long fromEpochMicros(long unixMicros) {
        return Math.subtractExact(unixMicros, POSTGRES_EPOCH_MICROS);
    }

    /** PostgreSQL microseconds to Unix-epoch microseconds. */
    public static long toEpochMicros(long pgMicros) {
        return Math.addExact(pgMicros, POSTGRES_EPOCH_MICROS);
    }

    /** An instant to PostgreSQL microseconds (nanoseconds below a microsecond are dropped). */
    public static long fromInstant(Instant instant) {
        long unixMicros = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
        return fromEpochMicros(unixMicros);
    }

    /** PostgreSQL microseconds to an instant. */
    public static Instant toInstant(long pgMicros) {
        long unixMicros = toEpochMicros(pgMicros);
        return Instant.ofEpochSecond(Math.floorDiv(unixMicros, 1_000_000L), Math.floorMod(unixMicros, 1_000_000L) * 1000L);
    }

    /** The clock's current time in PostgreSQL microseconds ({@code GetCurrentTimestamp()}). */
    public static long now(Clock clock) {
        return fromInstant(clock.instant());
    }
}
