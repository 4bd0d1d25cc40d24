package io.lrep.publisher.decoding;

import io.lrep.core.lsn.Lsn;

/**
 * Where a slot may restart decoding: PostgreSQL's candidate {@code restart_lsn} with the LSN it
 * becomes valid at ({@code candidate_restart_valid}).
 *
 * <ul>
 *   <li>{@code restartLsn}: the first LSN of the oldest transaction that was still in progress
 *       when decoding had read up to {@code validAtLsn} (or {@code validAtLsn} itself if none was).
 *       A new decoder started there rebuilds every transaction that commits at or after
 *       {@code validAtLsn} in full.</li>
 *   <li>{@code validAtLsn}: the decoder's read position when the point was taken. A slot may move
 *       its restart_lsn here only once its confirmed_flush is at or past this LSN: transactions
 *       that began before {@code restartLsn} all committed before it, so the start point
 *       {@code max(requested, confirmed_flush)} skips them.</li>
 *   <li>{@code catalogState}: {@link HistoricCatalog#serialize(long)} at {@code restartLsn}: every
 *       table version in effect at {@code restartLsn} plus every later one decoded so far (also
 *       those of transactions that started before {@code restartLsn}, whose catalog records a
 *       restarted decoder would not see). Give it to
 *       {@link HistoricCatalog#deserialize(byte[])} when restarting at {@code restartLsn}.</li>
 * </ul>
 */
public record RestartPoint(long restartLsn, long validAtLsn, byte[] catalogState) {

    @Override
    public String toString() {
        return "RestartPoint[restart=" + Lsn.format(restartLsn) + ", validAt=" + Lsn.format(validAtLsn) + ", catalog="
                + catalogState.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RestartPoint r && restartLsn == r.restartLsn && validAtLsn == r.validAtLsn
                && java.util.Arrays.equals(catalogState, r.catalogState);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(restartLsn) * 31 + Long.hashCode(validAtLsn);
    }
}
