package io.lrep.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ControlFile;
import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.Recovery;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random stream of remote transactions, applied with a crash at a random point (and random
 * WAL flushes before it), recovered, and resumed from the recovered origin progress with the
 * whole stream sent again, equals the stream applied once. Seed: -Dlrep.test.seed=N.
 */
class ApplyCrashPropertyTest {

    private static final int REL = 16500;

    @TempDir
    Path dir;

    @Test
    void crashAndResumeEqualsApplyingOnce() throws Exception {
        long seed = Long.getLong("lrep.test.seed", System.nanoTime());
        System.out.println("ApplyCrashPropertyTest seed=" + seed + " (rerun with -Dlrep.test.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            List<List<PgOutputMessage>> stream = randomStream(random, 5 + random.nextInt(30));

            Node once = new Node(new MemoryWalLog(), dir.resolve("once" + round));
            once.bootstrap();
            Applier a = once.applier();
            stream.forEach(txn -> txn.forEach(a::apply));

            Node crashed = new Node(new MemoryWalLog(), dir.resolve("crashed" + round));
            crashed.bootstrap();
            Applier b = crashed.applier();
            b.setSynchronousCommit(false);
            int crashAt = random.nextInt(stream.size() + 1);
            for (int i = 0; i < crashAt; i++) {
                stream.get(i).forEach(b::apply);
                if (random.nextInt(3) == 0) {
                    crashed.wal.flushAll();
                }
            }
            if (crashAt < stream.size()) {
                List<PgOutputMessage> partial = stream.get(crashAt);
                partial.subList(0, random.nextInt(partial.size())).forEach(b::apply);
            }
            Node recovered = crashed.crashAndRecover(dir.resolve("data" + round));
            Applier c = recovered.applier();
            stream.forEach(txn -> txn.forEach(c::apply));

            assertThat(recovered.rows()).as("round %d, crash at %d of %d", round, crashAt, stream.size())
                    .isEqualTo(once.rows());
            assertThat(c.remoteLsn()).isEqualTo(a.remoteLsn());
            a.close();
            c.close();
        }
    }

    private static List<List<PgOutputMessage>> randomStream(Random random, int count) {
        TreeMap<Integer, String> model = new TreeMap<>();
        List<List<PgOutputMessage>> out = new ArrayList<>();
        long lsn = 0x10000;
        for (int n = 0; n < count; n++) {
            List<PgOutputMessage> txn = new ArrayList<>();
            long commit = lsn += 0x100 + random.nextInt(0x1000);
            lsn += 0x28;
            txn.add(new PgOutputMessage.Begin(commit, n, 1000 + n));
            txn.add(new PgOutputMessage.Relation(0, REL, "public", "r", 'd', List.of(
                    new PgOutputMessage.Column(1, "k", 23, -1), new PgOutputMessage.Column(0, "v", 25, -1))));
            int changes = random.nextInt(6);
            for (int i = 0; i < changes; i++) {
                int key = random.nextInt(12);
                String value = "v" + n + "." + i;
                if (!model.containsKey(key)) {
                    model.put(key, value);
                    txn.add(new PgOutputMessage.Insert(0, REL, ApplierTest.tuple(Integer.toString(key), value)));
                } else if (random.nextBoolean()) {
                    int newKey = random.nextInt(4) == 0 ? 100 + random.nextInt(1000) : key;
                    if (model.containsKey(newKey) && newKey != key) {
                        newKey = key;
                    }
                    model.remove(key);
                    model.put(newKey, value);
                    txn.add(newKey == key
                            ? new PgOutputMessage.Update(0, REL, ApplierTest.tuple(Integer.toString(key), value))
                            : new PgOutputMessage.Update(0, REL, PgOutputMessage.OldTupleKind.KEY,
                                    ApplierTest.tuple(Integer.toString(key), null),
                                    ApplierTest.tuple(Integer.toString(newKey), value)));
                } else {
                    model.remove(key);
                    txn.add(new PgOutputMessage.Delete(0, REL, PgOutputMessage.OldTupleKind.KEY,
                            ApplierTest.tuple(Integer.toString(key), null)));
                }
            }
            txn.add(new PgOutputMessage.Commit(commit, lsn, n));
            out.add(txn);
        }
        return out;
    }

    /** One subscriber's storage, origin registry and stream directory. */
    private static final class Node {
        final MemoryWalLog wal;
        final StorageEngine storage;
        final OriginRegistry origins;
        final Path streams;

        Node(MemoryWalLog wal, Path streams) {
            this.wal = wal;
            this.storage = new StorageEngine(wal);
            this.origins = new OriginRegistry(storage);
            this.streams = streams;
        }

        void bootstrap() {
            try (Transaction t = storage.begin()) {
                OriginRegistry.bootstrap(t);
                t.createTable("public", "r", List.of(ColumnDef.of("k", PgType.INT4).notNullColumn(),
                        ColumnDef.of("v", PgType.TEXT)), List.of("k"));
                t.commit();
            }
            origins.create("sub");
        }

        Applier applier() {
            return new Applier(storage, origins, "sub", streams, ColumnDefaults.BASIC);
        }

        Node crashAndRecover(Path dataDir) throws Exception {
            Files.createDirectories(dataDir);
            ControlFile.create(dataDir, ControlFile.newSystemIdentifier());
            Node n = new Node(wal.crash(), streams);
            Recovery.RecoveryResult r = Recovery.run(dataDir, ControlFile.read(dataDir), n.wal, n.storage);
            n.origins.noteRecovered(r.originProgress());
            return n;
        }

        /** The rows, by key (scans return them in insertion order, which a crash may change). */
        List<List<Object>> rows() {
            List<List<Object>> out = new ArrayList<>();
            try (Transaction t = storage.begin(IsolationLevel.READ_COMMITTED, origins.lastLocalCommit())) {
                for (Iterator<RowRef> it = t.scan(t.table("public", "r"), t.statementSnapshot()); it.hasNext();) {
                    out.add(Arrays.asList(it.next().values()));
                }
            }
            out.sort(Comparator.comparing(r -> (Integer) r.get(0)));
            return out;
        }
    }
}
