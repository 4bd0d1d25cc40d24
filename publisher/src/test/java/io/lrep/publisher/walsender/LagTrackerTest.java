package io.lrep.publisher.walsender;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.publisher.walsender.LagTracker.Head;
import org.junit.jupiter.api.Test;

class LagTrackerTest {

    private final LagTracker lag = new LagTracker();

    @Test
    void shouldMeasureFromTheLastSampleCrossed() {
        lag.write(100, 1_000);
        lag.write(200, 2_000);
        lag.write(300, 3_000);
        assertThat(lag.read(Head.FLUSH, 200, 5_000)).isEqualTo(3_000);
        // each head reads on its own
        assertThat(lag.read(Head.WRITE, 300, 5_000)).isEqualTo(2_000);
        assertThat(lag.read(Head.APPLY, 100, 5_000)).isEqualTo(4_000);
    }

    @Test
    void shouldInterpolateBetweenSamplesWhenNoneWasCrossed() {
        lag.write(100, 1_000);
        lag.write(200, 2_000);
        lag.write(300, 3_000);
        assertThat(lag.read(Head.FLUSH, 200, 5_000)).isEqualTo(3_000);
        // 250 is halfway from (200, 2000) to (300, 3000): flushed "at" 2500
        assertThat(lag.read(Head.FLUSH, 250, 6_000)).isEqualTo(3_500);
        // a stalled client's lag keeps growing
        assertThat(lag.read(Head.FLUSH, 250, 9_000)).isEqualTo(6_500);
    }

    @Test
    void shouldReportNoLagWhenEverythingWasRead() {
        lag.write(100, 1_000);
        assertThat(lag.read(Head.FLUSH, 100, 4_000)).isEqualTo(3_000);
        assertThat(lag.read(Head.FLUSH, 100, 8_000)).isEqualTo(LagTracker.NO_LAG);
        assertThat(lag.read(Head.FLUSH, 150, 8_000)).isEqualTo(LagTracker.NO_LAG);
    }

    @Test
    void shouldReportTheHypotheticalLagOfAFutureSampleAfterIdleness() {
        lag.write(100, 1_000);
        assertThat(lag.read(Head.APPLY, 100, 2_000)).isEqualTo(1_000);
        lag.write(400, 9_000);
        // last read was cleared when the client caught up: no interpolation against (100, 1000)
        assertThat(lag.read(Head.APPLY, 300, 9_500)).isEqualTo(500);
        // never read anything: the first sample's time
        LagTracker fresh = new LagTracker();
        fresh.write(50, 10_000);
        assertThat(fresh.read(Head.WRITE, 0, 10_700)).isEqualTo(700);
    }

    @Test
    void shouldIgnoreAnUnmovedLsn() {
        lag.write(100, 1_000);
        lag.write(100, 5_000);
        assertThat(lag.read(Head.WRITE, 100, 6_000)).isEqualTo(5_000);
    }

    @Test
    void shouldTreatAClockGoingBackwardsAsNoLag() {
        lag.write(100, 5_000);
        assertThat(lag.read(Head.WRITE, 100, 4_000)).isEqualTo(LagTracker.NO_LAG);
    }

    @Test
    void shouldTreatAReportGoingBackwardsAsNoLag() {
        lag.write(100, 1_000);
        lag.write(200, 2_000);
        lag.write(300, 3_000);
        assertThat(lag.read(Head.WRITE, 200, 4_000)).isEqualTo(2_000);
        assertThat(lag.read(Head.WRITE, 150, 4_000)).isEqualTo(LagTracker.NO_LAG);
    }

    @Test
    void shouldOverwriteTheNewestSampleWhenFull() {
        LagTracker small = new LagTracker(4);
        small.write(10, 1_000);
        small.write(20, 2_000);
        small.write(30, 3_000);
        small.write(40, 4_000); // full: replaces (30, 3000)
        assertThat(small.read(Head.WRITE, 35, 10_000)).as("crossed 20; 40 lies ahead").isEqualTo(8_000);
        assertThat(small.read(Head.WRITE, 40, 10_000)).isEqualTo(6_000);
        // the slowest head holds space: flush has read nothing yet
        small.write(50, 5_000);
        assertThat(small.read(Head.FLUSH, 50, 10_000)).isEqualTo(5_000);
    }
}
