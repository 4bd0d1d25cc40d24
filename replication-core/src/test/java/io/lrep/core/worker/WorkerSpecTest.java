package io.lrep.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class WorkerSpecTest {

    private static final Supplier<BackgroundWorker> FACTORY = () -> new BackgroundWorker() {
        @Override
        public int doWork() {
            return 0;
        }

        @Override
        public String roleName() {
            return "noop";
        }
    };

    @Test
    void shouldUsePostgresDefaults() {
        WorkerSpec spec = WorkerSpec.builder().type("walwriter").factory(FACTORY).build();

        assertThat(spec.name()).isEqualTo("walwriter");
        assertThat(spec.startTime()).isEqualTo(StartTime.NODE_START);
        assertThat(spec.restartInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(spec.neverRestarts()).isFalse();
        assertThat(spec.idleParkMin()).isEqualTo(Duration.ofMillis(1));
        assertThat(spec.idleParkMax()).isEqualTo(Duration.ofMillis(10));
        assertThat(spec.notifyOwner()).isSameAs(WorkerSpec.NO_NOTIFY);
        assertThat(spec.dynamic()).isFalse();
    }

    @Test
    void shouldRoundTripThroughItsBuilder() {
        WorkerSpec spec = WorkerSpec.builder().type("logical replication apply worker").name("apply 16394")
                .factory(FACTORY).startTime(StartTime.RECOVERY_FINISHED).neverRestart()
                .idlePark(Duration.ofMillis(2), Duration.ofMillis(20)).dynamic(true).build();

        assertThat(spec.neverRestarts()).isTrue();
        assertThat(spec.restartInterval()).isEqualTo(WorkerSpec.NEVER_RESTART).isEqualTo(Duration.ofSeconds(-1));
        assertThat(spec.toBuilder().build()).isEqualTo(spec);
        assertThat(spec.withDynamic(false).dynamic()).isFalse();
        assertThat(spec.withDynamic(true)).isSameAs(spec);
    }

    @Test
    void shouldRejectInvalidSettingsNamingTheWorker() {
        assertInvalid(WorkerSpec.builder().type("t").name("bad").factory(FACTORY).restartInterval(Duration.ofMillis(-5)),
                "restart interval");
        assertInvalid(WorkerSpec.builder().type("t").name("bad").factory(FACTORY)
                .idlePark(Duration.ofMillis(10), Duration.ofMillis(1)), "idle park");
        assertInvalid(WorkerSpec.builder().type("t").name("bad").factory(FACTORY).idlePark(Duration.ZERO, Duration.ZERO),
                "idle park");
        assertInvalid(WorkerSpec.builder().type("t").name("bad"), "factory");
        assertInvalid(WorkerSpec.builder().type("t").name("bad").factory(FACTORY).startTime(null), "start time");
        assertInvalid(WorkerSpec.builder().name("bad").factory(FACTORY), "type");
    }

    @Test
    void shouldOrderStartTimes() {
        assertThat(StartTime.RECOVERY_FINISHED.reaches(StartTime.CONSISTENT_STATE)).isTrue();
        assertThat(StartTime.CONSISTENT_STATE.reaches(StartTime.CONSISTENT_STATE)).isTrue();
        assertThat(StartTime.NODE_START.reaches(StartTime.CONSISTENT_STATE)).isFalse();
        assertThat(WorkerState.CRASHED.isTerminal()).isTrue();
        assertThat(WorkerState.WAITING_RESTART.isTerminal()).isFalse();
    }

    private static void assertInvalid(WorkerSpec.Builder builder, String problem) {
        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(LrepException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_PARAMETER_VALUE))
                .hasMessageContaining("\"bad\"")
                .hasMessageContaining(problem);
    }
}
