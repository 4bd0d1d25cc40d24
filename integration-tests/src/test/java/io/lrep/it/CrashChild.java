package io.lrep.it;

import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.Transaction;
import io.lrep.node.Node;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * The process that {@link CrashRecoveryIT} kills with SIGKILL. It starts a node on the data
 * directory it is given and runs writer threads, each on its own key range, forever. For every
 * transaction it prints, on standard output:
 * <pre>
 * T writer txnNo op op ...     before COMMIT: what the transaction did ("k=v" set, "k" deleted)
 * C writer txnNo               after COMMIT returned: the commit is acknowledged
 * </pre>
 * Rolled-back transactions print nothing. Arguments: data directory, seed, writers.
 */
public final class CrashChild {

    static final long KEYS_PER_WRITER = 200;

    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int writers = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Node node = Node.start(dataDir, Map.of());
        StorageEngine storage = node.storage();
        out.println("READY");
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread thread = new Thread(() -> run(storage, new Random(seed * 31 + writer), writer, out), "writer-" + w);
            thread.start();
        }
        Thread.currentThread().join(); // runs until killed
    }

    private static void run(StorageEngine storage, Random random, int writer, PrintStream out) {
        long lo = writer * KEYS_PER_WRITER;
        for (long txnNo = 0; ; txnNo++) {
            try (Transaction t = storage.begin()) {
                List<Kv.Op> ops = Kv.randomChanges(t, random, lo, lo + KEYS_PER_WRITER, writer, txnNo);
                if (ops == null || random.nextInt(10) == 0) {
                    t.rollback();
                    continue;
                }
                out.println("T " + writer + " " + txnNo + " " + ops.stream().map(Kv.Op::toString).collect(Collectors.joining(" ")));
                t.commit();
                out.println("C " + writer + " " + txnNo);
            }
        }
    }
}
