package io.lrep.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WorkerRunnerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final RecordingErrorHandler errors = new RecordingErrorHandler();

    /** Records how the run ended. */
    private static final class Exits implements WorkerRunner.Listener {
        final AtomicReference<WorkerRunner.Outcome> outcome = new AtomicReference<>();
        volatile boolean running;
        volatile boolean started;
        volatile Throwable failure;

        @Override
        public void onRunning(WorkerRunner runner) {
            running = true;
        }

        @Override
        public void onExit(WorkerRunner runner, WorkerRunner.Outcome how, boolean startedOk, Throwable error) {
            started = startedOk;
            failure = error;
            outcome.set(how);
        }
    }

    private WorkerRunner runner(ScriptedWorker worker, Exits exits, Duration closeTimeout) {
        return new WorkerRunner(worker, null, Duration.ofMillis(1), Duration.ofMillis(10), closeTimeout, errors, exits);
    }

    @Test
    void shouldCallEveryMethodOnOneThreadNamedByRole() {
        ScriptedWorker worker = new ScriptedWorker("w1", journal);
        Exits exits = new Exits();
        WorkerRunner runner = runner(worker, exits, WAIT);
        runner.start();
        runner.start();
        // An idle worker keeps being called: its park backs off but ends.
        await().atMost(WAIT).until(() -> worker.doWorkCalls.get() >= 5);
        assertThat(exits.running).isTrue();

        runner.close();
        runner.close();

        assertThat(exits.outcome.get()).isEqualTo(WorkerRunner.Outcome.STOPPED);
        assertThat(journal).containsExactly("onStart:w1", "onClose:w1");
        assertThat(worker.threads).containsOnly("test-w1");
        assertThat(runner.isAlive()).isFalse();
        assertThat(errors.errors).isEmpty();
    }

    @Test
    void shouldCallOnCloseAfterOnStartThrewAndReportOnce() {
        ScriptedWorker worker = new ScriptedWorker("w2", journal).throwOnStart();
        Exits exits = new Exits();
        WorkerRunner runner = runner(worker, exits, WAIT);
        runner.start();

        await().atMost(WAIT).until(() -> exits.outcome.get() != null);
        assertThat(exits.outcome.get()).isEqualTo(WorkerRunner.Outcome.FAILED);
        assertThat(exits.started).isFalse();
        assertThat(exits.running).isFalse();
        assertThat(exits.failure).hasMessage("w2 cannot start");
        assertThat(worker.doWorkCalls.get()).isZero();
        assertThat(journal).containsExactly("onStart:w2", "onClose:w2");
        assertThat(errors.errors).singleElement().satisfies(r -> {
            assertThat(r.source()).contains("test-w2");
            assertThat(r.error()).hasMessage("w2 cannot start");
        });
        runner.close();
    }

    @Test
    void shouldReportAnOnCloseFailureWithoutRethrowing() {
        ScriptedWorker worker = new ScriptedWorker("w3", journal).work(ScriptedWorker.Work.DONE).throwOnClose();
        Exits exits = new Exits();
        WorkerRunner runner = runner(worker, exits, WAIT);
        runner.start();

        await().atMost(WAIT).until(() -> exits.outcome.get() != null);
        assertThat(exits.outcome.get()).isEqualTo(WorkerRunner.Outcome.DONE);
        assertThat(exits.failure).isNull();
        assertThat(errors.errors).singleElement().satisfies(r -> assertThat(r.error()).hasMessage("w3 cannot close"));
        runner.close();
    }

    @Test
    void shouldEndTheIdleParkOnWakeup() {
        ScriptedWorker worker = new ScriptedWorker("w4", journal);
        Duration longPark = Duration.ofMinutes(10);
        WorkerRunner runner = new WorkerRunner(worker, null, longPark, longPark, WAIT, errors, null);
        runner.start();
        await().atMost(WAIT).until(() -> worker.doWorkCalls.get() >= 1);

        runner.wakeup();
        await().atMost(WAIT).until(() -> worker.doWorkCalls.get() >= 2);

        // A stop request ends the park too.
        runner.close();
        assertThat(runner.isAlive()).isFalse();
        assertThat(journal).containsExactly("onStart:w4", "onClose:w4");
    }

    @Test
    void shouldLogAStuckWorkerOnceAndCarryOn() {
        ScriptedWorker worker = new ScriptedWorker("w5", journal).work(ScriptedWorker.Work.BLOCK);
        Exits exits = new Exits();
        WorkerRunner runner = runner(worker, exits, Duration.ofMillis(100));
        runner.start();
        await().atMost(WAIT).until(() -> worker.doWorkCalls.get() == 1);

        try (LogCapture log = new LogCapture(WorkerRunner.class)) {
            runner.close();
            runner.close();
            assertThat(runner.isAlive()).isTrue();
            assertThat(log.events(Level.WARN)).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("test-w5").contains("100 ms"));
        }

        worker.release.countDown();
        await().atMost(WAIT).until(() -> !runner.isAlive());
        assertThat(exits.outcome.get()).isEqualTo(WorkerRunner.Outcome.STOPPED);
        assertThat(worker.doWorkCalls.get()).as("not called again once stopped").isEqualTo(1);
    }

    @Test
    void shouldNotWaitForItselfWhenClosedFromItsOwnThread() {
        AtomicReference<WorkerRunner> self = new AtomicReference<>();
        Exits exits = new Exits();
        BackgroundWorker closesItself = new BackgroundWorker() {
            @Override
            public int doWork() {
                self.get().close();
                return 1;
            }

            @Override
            public String roleName() {
                return "self-closer";
            }
        };
        WorkerRunner runner = new WorkerRunner(closesItself, null, Duration.ofMillis(1), Duration.ofMillis(1), WAIT,
                errors, exits);
        self.set(runner);
        runner.start();

        await().atMost(WAIT).until(() -> exits.outcome.get() == WorkerRunner.Outcome.STOPPED);
        assertThat(errors.errors).isEmpty();
    }
}
