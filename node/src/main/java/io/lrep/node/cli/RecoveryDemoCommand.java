package io.lrep.node.cli;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.lsn.Lsn;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.IsolationLevel;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.Snapshot;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.storage.WriteResult;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.WalStats;
import io.lrep.node.Node;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lrep demo recovery}: a node under a concurrent bank-transfer load, stopped as a crash would stop it, then
 * restarted to show crash recovery bringing back exactly the acknowledged transfers (the total
 * balance never changes).
 */
@Command(name = "recovery", description = "Run one node under load, crash it, recover it, and check that no acknowledged commit was lost.")
final class RecoveryDemoCommand implements Callable<Integer> {

    private static final String SCHEMA = "public";
    private static final String TABLE = "accounts";
    private static final long OPENING_BALANCE = 1000;

    @Option(names = {"-D", "--pgdata"}, description = "Data directory (created if missing; default: ${DEFAULT-VALUE}).")
    Path dataDir = Path.of("data", "demo");

    @Option(names = "--seconds", description = "How long the load runs (default: ${DEFAULT-VALUE}).")
    int seconds = 5;

    @Option(names = "--clients", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients = 8;

    @Option(names = "--accounts", description = "Accounts to transfer between (default: ${DEFAULT-VALUE}).")
    int accounts = 1000;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (!io.lrep.core.storage.DataDirectory.isInitialized(dataDir)) {
            Node.init(dataDir, Map.of("cluster_name", "demo"));
            out.println("Initialized a new data directory in " + dataDir);
        }
        long acknowledged;
        long expectedTotal;
        Node node = Node.start(dataDir, Map.of("port", "0"));
        try {
            out.printf("Node started: WAL ends at %s, redo replayed %d transactions; psql -h 127.0.0.1 -p %d -d postgres%n",
                    Lsn.format(node.wal().insertLsn()), node.recovery().transactionsReplayed(), node.port());
            expectedTotal = ensureAccounts(node.storage());
            out.printf("Table %s.%s: %d accounts, total balance %d%n", SCHEMA, TABLE, accounts, expectedTotal);
            acknowledged = runLoad(node);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        out.printf("Crashing the node (no shutdown checkpoint) after %d acknowledged transfers...%n", acknowledged);
        node.halt();

        try (Node restarted = Node.start(dataDir, Map.of("port", "0"))) {
            var r = restarted.recovery();
            out.printf("Restarted: crash recovery redo from %s to %s replayed %d transactions, discarded %d in flight%n",
                    Lsn.format(r.redoLsn()), Lsn.format(r.endOfWalLsn()), r.transactionsReplayed(), r.transactionsDiscarded());
            long total = totalBalance(restarted.storage());
            boolean ok = total == expectedTotal;
            out.printf("Total balance after recovery: %d (expected %d): %s%n", total, expectedTotal, ok ? "OK" : "MISMATCH");
            var checkpoint = restarted.checkpoint();
            out.printf("Checkpoint at %s; clean shutdown.%n", checkpoint.checkpoint());
            return ok ? 0 : 1;
        }
    }

    private long ensureAccounts(StorageEngine storage) {
        try (Transaction t = storage.begin()) {
            if (t.findTable(SCHEMA, TABLE) == null) {
                TableDef table = t.createTable(SCHEMA, TABLE, List.of(
                        ColumnDef.of("id", PgType.INT4).notNullColumn(),
                        ColumnDef.of("balance", PgType.INT8).notNullColumn()), List.of("id"));
                t.nextCommand();
                for (int id = 1; id <= accounts; id++) {
                    t.insert(table, new Object[] {id, OPENING_BALANCE});
                }
                t.commit();
            }
        }
        return totalBalance(storage);
    }

    private long totalBalance(StorageEngine storage) {
        try (Transaction t = storage.begin(IsolationLevel.REPEATABLE_READ, 0)) {
            TableDef table = t.table(SCHEMA, TABLE);
            Snapshot snapshot = t.statementSnapshot();
            long total = 0;
            int rows = 0;
            for (Iterator<RowRef> it = t.scan(table, snapshot); it.hasNext(); ) {
                total += (Long) it.next().values()[1];
                rows++;
            }
            accounts = rows;
            t.commit();
            return total;
        }
    }

    private long runLoad(Node node) throws InterruptedException {
        StorageEngine storage = node.storage();
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder commits = new LongAdder();
        LongAdder retries = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    if (transfer(storage)) {
                        commits.increment();
                    } else {
                        retries.increment();
                    }
                }
            }, "demo-client-" + c);
            threads.add(thread);
            thread.start();
        }
        WalStats stats = node.wal().stats();
        long lastCommits = 0;
        long lastFlushes = stats.flushes();
        for (int s = 1; s <= seconds; s++) {
            Thread.sleep(1000);
            long nowCommits = commits.sum();
            long nowFlushes = stats.flushes();
            long flushes = Math.max(1, nowFlushes - lastFlushes);
            out.printf("  %2ds  %7d commits/s  %6.1f commits per WAL flush  WAL flushed to %-12s retries %d%n", s,
                    nowCommits - lastCommits, (double) (nowCommits - lastCommits) / flushes,
                    Lsn.format(node.wal().flushedLsn()), retries.sum());
            lastCommits = nowCommits;
            lastFlushes = nowFlushes;
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        return commits.sum();
    }

    /** Moves a random amount between two accounts; false when it had to give way to a concurrent transfer. */
    private boolean transfer(StorageEngine storage) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = 1 + random.nextInt(accounts);
        int b = 1 + random.nextInt(accounts);
        if (a == b) {
            return false;
        }
        long amount = 1 + random.nextInt(100);
        try (Transaction t = storage.begin()) {
            TableDef table = t.table(SCHEMA, TABLE);
            // Lock in key order so that two transfers never wait for each other in a cycle.
            if (!move(t, table, Math.min(a, b), a < b ? -amount : amount) || !move(t, table, Math.max(a, b), a < b ? amount : -amount)) {
                t.rollback();
                return false;
            }
            t.commit();
            return true;
        } catch (LrepException e) {
            if (e.sqlState() == SqlState.SERIALIZATION_FAILURE || e.sqlState() == SqlState.DEADLOCK_DETECTED) {
                return false;
            }
            throw e;
        }
    }

    private static boolean move(Transaction t, TableDef table, int id, long delta) {
        RowRef row = t.get(table, new Object[] {id}, t.statementSnapshot());
        if (row == null) {
            return false;
        }
        long balance = (Long) row.values()[1];
        WriteResult result = t.update(row, new Object[] {id, balance + delta});
        return result.ok();
    }
}
