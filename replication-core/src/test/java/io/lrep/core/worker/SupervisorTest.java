package io.lrep.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupervisorTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration RESTART = Duration.ofMillis(50);

    private final List<String> journal = new CopyOnWriteArrayList<>();
    private final RecordingErrorHandler errors = new RecordingErrorHandler();
    private final List<ScriptedWorker> made = new CopyOnWriteArrayList<>();
    private Supervisor supervisor;

    @AfterEach
    void tearDown() {
        made.forEach(w -> w.release.countDown());
        if (supervisor != null) {
            try {
                supervisor.close();
            } catch (LrepException e) {
                // Some tests make workers fail while stopping; they assert on that themselves.
            }
        }
    }

    private Supervisor supervisor(Consumer<Supervisor.Builder> config) {
        Supervisor.Builder builder = Supervisor.builder().errorHandler(errors).stopTimeout(Duration.ofSeconds(5));
        config.accept(builder);
        supervisor = builder.build();
        return supervisor;
    }

    private Supervisor supervisor() {
        return supervisor(b -> {});
    }

    /** A spec whose factory makes a fresh ScriptedWorker per start, configured by {@code setup}. */
    private WorkerSpec.Builder spec(String name, Consumer<ScriptedWorker> setup) {
        return WorkerSpec.builder().type("test worker").name(name).restartInterval(RESTART).factory(() -> {
            ScriptedWorker w = new ScriptedWorker(name, journal);
            setup.accept(w);
            made.add(w);
            return w;
        });
    }

    private WorkerSpec.Builder spec(String name) {
        return spec(name, w -> {});
    }

    private long made(String name) {
        return made.stream().filter(w -> w.name.equals(name)).count();
    }

    private ScriptedWorker last(String name) {
        ScriptedWorker found = null;
        for (ScriptedWorker w : made) {
            if (w.name.equals(name)) {
                found = w;
            }
        }
        return found;
    }

    @Test
    void shouldStartStaticWorkersWithTheSupervisorAndListThem() {
        Supervisor s = supervisor();
        WorkerHandle walwriter = s.registerStatic(spec("walwriter").type("walwriter").build());
        WorkerHandle checkpointer = s.registerStatic(spec("checkpointer").type("checkpointer").build());
        assertThat(walwriter.state()).isEqualTo(WorkerState.REGISTERED);
        assertThat(made).isEmpty();

        s.start();

        assertThat(walwriter.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
        assertThat(checkpointer.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
        List<WorkerInfo> infos = s.workers();
        assertThat(infos).extracting(WorkerInfo::type).containsExactly("walwriter", "checkpointer");
        assertThat(infos).extracting(WorkerInfo::name).containsExactly("walwriter", "checkpointer");
        assertThat(infos).allSatisfy(info -> {
            assertThat(info.state()).isEqualTo(WorkerState.RUNNING);
            assertThat(info.dynamic()).isFalse();
            assertThat(info.startTime()).isEqualTo(StartTime.NODE_START);
            assertThat(info.startedAt()).isNotNull();
            assertThat(info.restarts()).isZero();
            assertThat(info.pid()).isPositive();
            assertThat(info.lastError()).isNull();
        });
        assertThat(infos.get(0).pid()).isNotEqualTo(infos.get(1).pid());
        ScriptedWorker w = last("walwriter");
        await().atMost(WAIT).until(() -> w.doWorkCalls.get() > 0);
        assertThat(w.threads).containsOnly("test-walwriter");

        s.close();

        assertThat(walwriter.state()).isEqualTo(WorkerState.STOPPED);
        assertThat(checkpointer.state()).isEqualTo(WorkerState.STOPPED);
        assertThat(journal).contains("onClose:walwriter", "onClose:checkpointer");
        assertThat(s.workers()).isEmpty();
        assertThat(errors.errors).isEmpty();
    }

    @Test
    void shouldRefuseStaticRegistrationAfterStartAndDynamicBeforeStart() {
        Supervisor s = supervisor();
        assertThatThrownBy(() -> s.registerDynamic(spec("early").build()))
                .isInstanceOfSatisfying(LrepException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE))
                .hasMessageContaining("\"early\"");
        s.start();
        assertThatThrownBy(() -> s.registerStatic(spec("late").build()))
                .isInstanceOfSatisfying(LrepException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE))
                .hasMessageContaining("\"late\"");
        assertThatThrownBy(s::start).isInstanceOf(LrepException.class);
        s.close();
        assertThatThrownBy(() -> s.registerDynamic(spec("closed").build())).isInstanceOf(LrepException.class);
    }

    @Test
    void shouldStartDynamicWorkerAtOnce() {
        Supervisor s = supervisor();
        s.start();
        WorkerHandle apply = s.registerDynamic(spec("apply sub1").type("logical replication apply worker").build());

        assertThat(apply.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
        assertThat(apply.info().dynamic()).isTrue();
        assertThat(apply.info().type()).isEqualTo("logical replication apply worker");
        assertThat(s.workers()).extracting(WorkerInfo::name).containsExactly("apply sub1");
    }

    @Test
    void shouldStartWorkersOnlyWhenTheirStartTimeIsReached() {
        Supervisor s = supervisor();
        WorkerHandle early = s.registerStatic(spec("early").build());
        WorkerHandle consistent = s.registerStatic(spec("consistent").startTime(StartTime.CONSISTENT_STATE).build());
        WorkerHandle launcher = s.registerStatic(spec("launcher").type("logical replication launcher")
                .startTime(StartTime.RECOVERY_FINISHED).build());
        s.start();

        assertThat(early.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
        assertThat(consistent.awaitStarted(Duration.ofMillis(50))).isEqualTo(WorkerState.REGISTERED);
        assertThat(made("consistent")).isZero();
        assertThat(s.reached()).isEqualTo(StartTime.NODE_START);

        s.advanceTo(StartTime.CONSISTENT_STATE);
        assertThat(consistent.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
        assertThat(launcher.state()).isEqualTo(WorkerState.REGISTERED);
        assertThat(made("launcher")).isZero();

        WorkerHandle dynamicLate = s.registerDynamic(spec("dynamic late").startTime(StartTime.RECOVERY_FINISHED).build());
        assertThat(dynamicLate.state()).isEqualTo(WorkerState.REGISTERED);

        s.advanceTo(StartTime.RECOVERY_FINISHED);
        assertThat(launcher.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
        assertThat(dynamicLate.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);

        s.advanceTo(StartTime.NODE_START); // never goes back
        assertThat(s.reached()).isEqualTo(StartTime.RECOVERY_FINISHED);
        WorkerHandle dynamicNow = s.registerDynamic(spec("dynamic now").startTime(StartTime.CONSISTENT_STATE).build());
        assertThat(dynamicNow.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
    }

    @Test
    void shouldRememberStartTimeReachedBeforeStart() {
        Supervisor s = supervisor();
        WorkerHandle launcher = s.registerStatic(spec("launcher").startTime(StartTime.RECOVERY_FINISHED).build());
        s.advanceTo(StartTime.RECOVERY_FINISHED);
        assertThat(launcher.state()).isEqualTo(WorkerState.REGISTERED);
        s.start();
        assertThat(launcher.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
    }

    @Test
    void shouldRestartAThrowingWorkerWithAFreshInstanceAfterItsInterval() {
        Supervisor s = supervisor();
        // The first two instances fail; the third runs.
        AtomicInteger instances = new AtomicInteger();
        WorkerHandle flaky = s.registerStatic(spec("flaky",
                w -> w.work(instances.incrementAndGet() <= 2 ? ScriptedWorker.Work.THROW : ScriptedWorker.Work.IDLE))
                .build());
        s.start();

        await().atMost(WAIT).until(() -> flaky.info().restarts() == 2 && flaky.state() == WorkerState.RUNNING);
        assertThat(made("flaky")).isEqualTo(3);
        assertThat(made.stream().distinct().count()).isEqualTo(3);
        for (int i = 1; i < 3; i++) {
            long gapNs = made.get(i).startedAtNanos - made.get(i - 1).failedAtNanos;
            assertThat(Duration.ofNanos(gapNs)).as("restart %d waited its interval", i).isGreaterThanOrEqualTo(RESTART);
        }
        assertThat(errors.countFor("flaky")).as("each failure reported once").isEqualTo(2);
        assertThat(errors.errors.get(0).error()).hasMessageContaining("flaky failed in doWork call 1");
        WorkerInfo info = flaky.info();
        assertThat(info.failures()).isEqualTo(2);
        assertThat(info.lastError()).contains("flaky failed in doWork");
        assertThat(journal).containsExactly("onStart:flaky", "onClose:flaky", "onStart:flaky", "onClose:flaky",
                "onStart:flaky");
        // the lifetime counts per type, for metrics
        assertThat(s.typeCounts()).containsEntry("test worker", new Supervisor.TypeCounts(3, 2, 2));
    }

    @Test
    void shouldLogAFailureOnceAtErrorWithTheWorkerNameAndItsCloseFailureSuppressed() {
        supervisor = Supervisor.builder().build(); // the default, logging error handler
        WorkerHandle broken = supervisor.registerStatic(spec("broken",
                w -> w.work(ScriptedWorker.Work.THROW).throwOnClose()).neverRestart().build());
        try (LogCapture log = new LogCapture(ErrorHandler.class)) {
            supervisor.start();
            assertThat(broken.awaitStopped(WAIT)).isEqualTo(WorkerState.CRASHED);

            List<ILoggingEvent> logged = log.events(Level.ERROR);
            assertThat(logged).hasSize(1);
            assertThat(logged.get(0).getFormattedMessage()).contains("\"broken\"").contains("failed in doWork");
            assertThat(logged.get(0).getThrowableProxy().getMessage()).contains("broken failed in doWork");
            assertThat(logged.get(0).getThrowableProxy().getSuppressed()[0].getMessage())
                    .contains("broken cannot close");
        }
        assertThat(journal).containsExactly("onStart:broken", "onClose:broken");
    }

    @Test
    void shouldNotRestartANeverRestartWorker() {
        Supervisor s = supervisor(b -> b.maxWorkerProcesses(1));
        WorkerHandle once = s.registerStatic(spec("once", w -> w.work(ScriptedWorker.Work.THROW)).neverRestart().build());
        s.start();

        assertThat(once.awaitStopped(WAIT)).isEqualTo(WorkerState.CRASHED);
        assertThat(once.info().failures()).isEqualTo(1);
        assertThat(once.info().restarts()).isZero();
        assertThat(errors.countFor("once")).isEqualTo(1);
        assertThat(s.workers()).isEmpty();
        // Its slot is free again.
        WorkerHandle next = s.registerDynamic(spec("next").build());
        assertThat(next.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
        assertThat(made("once")).isEqualTo(1);
        assertThat(once.state()).isEqualTo(WorkerState.CRASHED);
    }

    @Test
    void shouldNotRestartAWorkerThatIsDone() {
        Supervisor s = supervisor();
        WorkerHandle job = s.registerStatic(spec("job", w -> w.work(ScriptedWorker.Work.DONE))
                .restartInterval(Duration.ZERO).build());
        s.start();

        assertThat(job.awaitStopped(WAIT)).isEqualTo(WorkerState.STOPPED);
        assertThat(journal).containsExactly("onStart:job", "onClose:job");
        assertThat(made("job")).isEqualTo(1);
        assertThat(job.info().restarts()).isZero();
        assertThat(errors.errors).isEmpty();
        assertThat(s.workers()).isEmpty();
    }

    @Test
    void shouldRefuseWorkersBeyondMaxWorkerProcesses() {
        Supervisor s = supervisor(b -> b.maxWorkerProcesses(2));
        s.registerStatic(spec("static").build());
        s.start();
        WorkerHandle first = s.registerDynamic(spec("first").build());

        assertThatThrownBy(() -> s.registerDynamic(spec("second").build()))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.CONFIGURATION_LIMIT_EXCEEDED);
                    assertThat(e.sqlState().code()).isEqualTo("53400");
                    assertThat(e.getMessage()).isEqualTo("too many background workers");
                    assertThat(e.detail())
                            .isEqualTo("Up to 2 background workers can be registered with the current settings.");
                    assertThat(e.hint()).contains("max_worker_processes");
                });
        assertThat(made("second")).isZero();

        first.terminate();
        assertThat(first.awaitStopped(WAIT)).isEqualTo(WorkerState.STOPPED);
        assertThat(s.registerDynamic(spec("second").build()).awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);
    }

    @Test
    void shouldRefuseStaticWorkersBeyondMaxWorkerProcessesInTheSingular() {
        Supervisor s = supervisor(b -> b.maxWorkerProcesses(1));
        s.registerStatic(spec("one").build());
        assertThatThrownBy(() -> s.registerStatic(spec("two").build()))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.detail())
                        .isEqualTo("Up to 1 background worker can be registered with the current settings."));
    }

    @Test
    void shouldThrowFromAwaitStartedWhenTheWorkerFailedToStart() {
        Supervisor s = supervisor();
        WorkerHandle h = s.registerStatic(spec("nostart", ScriptedWorker::throwOnStart).neverRestart().build());
        s.start();

        assertThatThrownBy(() -> h.awaitStarted(WAIT))
                .isInstanceOfSatisfying(LrepException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE))
                .hasMessageContaining("\"nostart\"")
                .hasRootCauseMessage("nostart cannot start");
        assertThat(h.awaitStopped(WAIT)).isEqualTo(WorkerState.CRASHED);
        assertThat(journal).containsExactly("onStart:nostart", "onClose:nostart");
    }

    @Test
    void shouldTreatAFailingFactoryAsAFailedStart() {
        Supervisor s = supervisor();
        s.start();
        WorkerHandle h = s.registerDynamic(WorkerSpec.builder().type("test worker").name("nofactory").neverRestart()
                .factory(() -> {
                    throw new IllegalStateException("cannot make nofactory");
                }).build());

        assertThatThrownBy(() -> h.awaitStarted(WAIT)).isInstanceOf(LrepException.class)
                .hasRootCauseMessage("cannot make nofactory");
        assertThat(h.state()).isEqualTo(WorkerState.CRASHED);
        assertThat(errors.countFor("nofactory")).isEqualTo(1);
    }

    @Test
    void shouldTerminateARunningWorkerWithoutRestartingIt() {
        Supervisor s = supervisor();
        s.start();
        WorkerHandle h = s.registerDynamic(spec("victim").restartInterval(Duration.ZERO).build());
        assertThat(h.awaitStarted(WAIT)).isEqualTo(WorkerState.RUNNING);

        h.terminate();
        h.terminate();

        assertThat(h.awaitStopped(WAIT)).isEqualTo(WorkerState.STOPPED);
        assertThat(journal).containsExactly("onStart:victim", "onClose:victim");
        assertThat(made("victim")).isEqualTo(1);
        assertThat(s.workers()).isEmpty();
        assertThat(h.awaitStarted(WAIT)).isEqualTo(WorkerState.STOPPED);
    }

    @Test
    void shouldTerminateAWorkerThatWaitsForItsStartTimeOrItsRestart() {
        Supervisor s = supervisor();
        WorkerHandle gated = s.registerStatic(spec("gated").startTime(StartTime.RECOVERY_FINISHED).build());
        WorkerHandle failing = s.registerStatic(spec("failing", w -> w.work(ScriptedWorker.Work.THROW))
                .restartInterval(Duration.ofHours(1)).build());
        s.start();
        await().atMost(WAIT).until(() -> failing.state() == WorkerState.WAITING_RESTART);

        gated.terminate();
        failing.terminate();

        assertThat(gated.state()).isEqualTo(WorkerState.STOPPED);
        assertThat(failing.state()).isEqualTo(WorkerState.STOPPED);
        assertThat(gated.awaitStarted(WAIT)).isEqualTo(WorkerState.STOPPED);
        s.advanceTo(StartTime.RECOVERY_FINISHED);
        assertThat(made("gated")).isZero();
        assertThat(made("failing")).isEqualTo(1);
        assertThat(s.workers()).isEmpty();
    }

    @Test
    void shouldWakeAnIdleWorker() {
        Supervisor s = supervisor();
        s.start();
        Duration longPark = Duration.ofMinutes(10);
        WorkerHandle h = s.registerDynamic(spec("sleepy").idlePark(longPark, longPark).build());
        h.awaitStarted(WAIT);
        ScriptedWorker w = last("sleepy");
        await().atMost(WAIT).until(() -> w.doWorkCalls.get() >= 1);

        h.wakeup();

        await().atMost(WAIT).until(() -> w.doWorkCalls.get() >= 2);
        h.wakeup();
        await().atMost(WAIT).until(() -> w.doWorkCalls.get() >= 3);
    }

    @Test
    void shouldNotifyTheOwnerWhenTheWorkerStartsAndStops() {
        Supervisor s = supervisor();
        s.start();
        AtomicInteger notified = new AtomicInteger();
        WorkerHandle h = s.registerDynamic(spec("watched").notifyOwner(notified::incrementAndGet).build());
        h.awaitStarted(WAIT);
        await().atMost(WAIT).until(() -> notified.get() >= 1);

        h.terminate();
        h.awaitStopped(WAIT);
        await().atMost(WAIT).until(() -> notified.get() >= 2);
    }

    @Test
    void shouldStopInReverseStartOrderPastFailingAndStuckWorkers() {
        Supervisor s = supervisor(b -> b.stopTimeout(Duration.ofMillis(200)));
        WorkerHandle a = s.registerStatic(spec("a").build());
        WorkerHandle stuck = s.registerStatic(spec("stuck", w -> w.work(ScriptedWorker.Work.BLOCK)).build());
        WorkerHandle c = s.registerStatic(spec("c", ScriptedWorker::throwOnClose).build());
        s.start();
        List<WorkerHandle> started = new ArrayList<>(List.of(a, stuck, c));
        started.forEach(h -> h.awaitStarted(WAIT));
        WorkerHandle d = s.registerDynamic(spec("d").build());
        d.awaitStarted(WAIT);
        await().atMost(WAIT).until(() -> last("stuck").doWorkCalls.get() > 0);
        journal.clear();

        LrepException thrown;
        try (LogCapture log = new LogCapture(WorkerRunner.class)) {
            long t0 = System.nanoTime();
            thrown = org.junit.jupiter.api.Assertions.assertThrows(LrepException.class, s::close);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT);
            assertThat(log.events(Level.WARN)).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("\"stuck\"").contains("200 ms").contains("test-stuck"));
        }

        assertThat(journal).containsExactly("onClose:d", "onClose:c", "onClose:a");
        assertThat(thrown.sqlState()).isEqualTo(SqlState.INTERNAL_ERROR);
        assertThat(thrown).hasMessage("background workers failed while stopping: background worker \"c\" (test worker)");
        assertThat(thrown.getSuppressed()).singleElement()
                .satisfies(e -> assertThat(e).hasMessage("c cannot close"));
        assertThat(errors.errors).as("failures while stopping are thrown, not reported").isEmpty();
        assertThat(List.of(a, c, d)).allSatisfy(h -> assertThat(h.state()).isEqualTo(WorkerState.STOPPED));
        assertThat(stuck.state()).isEqualTo(WorkerState.STOPPING);

        s.close(); // idempotent: no second wait, no second throw

        last("stuck").release.countDown();
        assertThat(stuck.awaitStopped(WAIT)).isEqualTo(WorkerState.STOPPED);
        assertThat(journal).endsWith("onClose:stuck");
    }

    @Test
    void shouldStopARestartedWorkerAccordingToItsLatestStart() {
        Supervisor s = supervisor();
        AtomicInteger instances = new AtomicInteger();
        WorkerHandle first = s.registerStatic(spec("first",
                w -> w.work(instances.incrementAndGet() == 1 ? ScriptedWorker.Work.THROW : ScriptedWorker.Work.IDLE))
                .build());
        WorkerHandle second = s.registerStatic(spec("second").build());
        s.start();
        await().atMost(WAIT).until(() -> first.info().restarts() == 1 && first.state() == WorkerState.RUNNING);
        second.awaitStarted(WAIT);
        journal.clear();

        s.close();

        assertThat(journal).containsExactly("onClose:first", "onClose:second");
    }

    @Test
    void shouldCancelAPendingRestartOnClose() {
        Supervisor s = supervisor();
        WorkerHandle h = s.registerStatic(spec("later", w -> w.work(ScriptedWorker.Work.THROW))
                .restartInterval(Duration.ofHours(1)).build());
        s.start();
        await().atMost(WAIT).until(() -> h.state() == WorkerState.WAITING_RESTART);
        assertThat(s.workers()).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo(WorkerState.WAITING_RESTART));

        s.close();

        assertThat(h.state()).isEqualTo(WorkerState.STOPPED);
        assertThat(made("later")).isEqualTo(1);
        assertThat(s.workers()).isEmpty();
    }

    @Test
    void shouldCloseABuiltButNotStartedSupervisor() {
        Supervisor s = supervisor();
        WorkerHandle h = s.registerStatic(spec("never").build());
        s.close();
        s.close();
        assertThat(h.state()).isEqualTo(WorkerState.STOPPED);
        assertThat(made).isEmpty();
        assertThatThrownBy(s::start).isInstanceOf(LrepException.class);
    }
}
