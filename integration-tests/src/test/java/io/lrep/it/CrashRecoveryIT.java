package io.lrep.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.Transaction;
import io.lrep.node.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery, as a property: random concurrent transactions, the node stopped without a
 * clean shutdown at a random point, restarted; the recovered table must equal exactly what the
 * acknowledged commits produced. Seeds are printed; rerun one with {@code -Dcrash.seed=N}.
 */
class CrashRecoveryIT {

    @TempDir
    Path tmp;

    private static long seed(String test) {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println(test + " seed=" + seed + " (rerun with -Dcrash.seed=" + seed + ")");
        return seed;
    }

    /**
     * In-process: writers share keys (so they wait on each other, conflict and roll back); at a
     * random point they stop, abandoning open transactions (rolling back those another writer
     * waits for), and the node halts without a checkpoint. Every commit that returned is in the
     * model, applied in commit-LSN order.
     */
    @Test
    void shouldRecoverExactlyTheAcknowledgedCommitsAfterAHalt() throws Exception {
        long seed = seed("halt");
        Random random = new Random(seed);
        Path dataDir = tmp.resolve("data");
        Node.init(dataDir, Map.of("checkpoint_timeout", "1s"));
        Map<Long, String> model = new TreeMap<>();
        for (int round = 0; round < 3; round++) {
            Node node = Node.start(dataDir, Map.of());
            if (round == 0) {
                Kv.createTable(node.storage());
            }
            assertThat(Kv.read(node.storage())).as("round %d start", round).isEqualTo(model);

            record Acked(long commitLsn, List<Kv.Op> ops) {}
            ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong commits = new AtomicLong();
            ConcurrentLinkedQueue<Transaction> abandoned = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            long roundSeed = random.nextLong();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                Random r = new Random(roundSeed + w);
                StorageEngine storage = node.storage();
                Thread thread = new Thread(() -> {
                    for (long txnNo = 0; !stop.get(); txnNo++) {
                        Transaction t = storage.begin();
                        List<Kv.Op> ops = Kv.randomChanges(t, r, 0, 64, writer, txnNo);
                        if (stop.get()) {
                            abandoned.add(t); // left open mid-transaction, as a crash would leave it
                            return;
                        }
                        if (ops == null || r.nextInt(8) == 0) {
                            t.rollback();
                            continue;
                        }
                        long lsn = t.commit();
                        acked.add(new Acked(lsn, ops));
                        commits.incrementAndGet();
                    }
                }, "writer-" + w);
                threads.add(thread);
                thread.start();
            }
            long target = 200 + random.nextInt(800);
            await().atMost(Duration.ofSeconds(60)).until(() -> commits.get() >= target);
            if (random.nextBoolean()) {
                node.checkpoint(); // sometimes the crash comes after a checkpoint taken under load
            }
            stop.set(true);
            // A writer waiting for a row an abandoned transaction holds would wait forever: while
            // some writer is still running, roll back one abandoned transaction per poll (the
            // others stay open for recovery to find).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (threads.stream().noneMatch(Thread::isAlive)) {
                    return true;
                }
                Transaction blocker = abandoned.poll();
                if (blocker != null) {
                    blocker.rollback();
                }
                return false;
            });
            node.halt();

            acked.stream().sorted((a, b) -> Long.compareUnsigned(a.commitLsn(), b.commitLsn()))
                    .forEach(a -> Kv.apply(model, a.ops()));
            try (Node restarted = Node.start(dataDir, Map.of())) {
                assertThat(restarted.recovery().crashRecovery()).isTrue();
                assertThat(Kv.read(restarted.storage())).as("round %d after %d commits", round, acked.size()).isEqualTo(model);
            }
        }
    }

    /**
     * A real JVM killed with SIGKILL mid-load, three times over on one data directory. Each
     * writer owns its keys, so per writer the recovered rows must equal its acknowledged
     * transactions, plus possibly the one transaction it had in COMMIT when it was killed.
     */
    @Test
    void shouldRecoverAcknowledgedCommitsAfterSigkill() throws Exception {
        long seed = seed("sigkill");
        Random random = new Random(seed);
        Path dataDir = tmp.resolve("data");
        int writers = 4;
        Node.init(dataDir, Map.of());
        try (Node node = Node.start(dataDir, Map.of())) {
            Kv.createTable(node.storage());
        }
        Map<Long, String> state = new TreeMap<>();
        for (int round = 0; round < 3; round++) {
            int killAfter = 100 + random.nextInt(900);
            ChildRun run = runChildAndKill(dataDir, random.nextLong(), writers, killAfter);
            assertThat(run.acknowledged).as("acknowledged commits before the kill").isGreaterThanOrEqualTo(killAfter);

            Map<Long, String> recovered;
            try (Node node = Node.start(dataDir, Map.of())) {
                assertThat(node.recovery().crashRecovery()).isTrue();
                recovered = Kv.read(node.storage());
            }
            for (int w = 0; w < writers; w++) {
                long lo = w * CrashChild.KEYS_PER_WRITER;
                long hi = lo + CrashChild.KEYS_PER_WRITER;
                Map<Long, String> without = slice(state, lo, hi);
                for (List<Kv.Op> ops : run.committed.getOrDefault(w, List.of())) {
                    Kv.apply(without, ops);
                }
                Map<Long, String> with = new TreeMap<>(without);
                List<Kv.Op> inFlight = run.inFlight.get(w);
                if (inFlight != null) {
                    Kv.apply(with, inFlight);
                }
                Map<Long, String> actual = slice(recovered, lo, hi);
                assertThat(actual.equals(without) || actual.equals(with))
                        .as("round %d writer %d: recovered %s, expected %s or (with its in-flight commit) %s", round, w, actual, without, with)
                        .isTrue();
            }
            state = recovered;
        }
    }

    private static Map<Long, String> slice(Map<Long, String> rows, long lo, long hi) {
        return new TreeMap<>(new TreeMap<>(rows).subMap(lo, hi));
    }

    private static final class ChildRun {
        final Map<Integer, List<List<Kv.Op>>> committed = new HashMap<>();
        final Map<Integer, List<Kv.Op>> inFlight = new HashMap<>();
        long acknowledged;
    }

    private ChildRun runChildAndKill(Path dataDir, long seed, int writers, int killAfter) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path output = tmp.resolve("child-" + seed + ".out");
        Path log = tmp.resolve("child-" + seed + ".log");
        // Output goes to a file, not a pipe: what the child wrote before the kill stays readable.
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                dataDir.toString(), Long.toString(seed), Integer.toString(writers))
                .redirectOutput(output.toFile())
                .redirectError(log.toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (!child.isAlive()) {
                    throw new AssertionError("child exited with " + child.exitValue() + "; see " + log);
                }
                return parse(output).acknowledged >= killAfter;
            });
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor();
        }
        return parse(output);
    }

    /** Reads the child's output; a line cut short by the kill carries no commit and is ignored. */
    private static ChildRun parse(Path output) throws Exception {
        ChildRun run = new ChildRun();
        Map<String, List<Kv.Op>> pending = new HashMap<>();
        String text = Files.readString(output, StandardCharsets.UTF_8);
        int complete = text.lastIndexOf('\n');
        for (String line : complete < 0 ? new String[0] : text.substring(0, complete).split("\n")) {
            String[] f = line.split(" ");
            if (f[0].equals("T") && f.length >= 4) {
                List<Kv.Op> ops = Arrays.stream(f, 3, f.length).map(Kv.Op::parse).toList();
                pending.put(f[1] + " " + f[2], ops);
                run.inFlight.put(Integer.parseInt(f[1]), ops);
            } else if (f[0].equals("C") && f.length == 3) {
                int writer = Integer.parseInt(f[1]);
                run.committed.computeIfAbsent(writer, k -> new ArrayList<>()).add(pending.remove(f[1] + " " + f[2]));
                run.inFlight.remove(writer);
                run.acknowledged++;
            }
        }
        return run;
    }
}
