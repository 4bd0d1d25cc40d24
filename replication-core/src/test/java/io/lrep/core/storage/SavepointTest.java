package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.createKv;
import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SAVEPOINT, ROLLBACK TO SAVEPOINT and RELEASE SAVEPOINT as PostgreSQL's subtransactions. */
class SavepointTest {

    @TempDir
    Path dataDir;

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);
    private final TableDef kv = createKv(engine, "kv");
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private void seed(int id, String v) {
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(id, v));
            t.commit();
        }
    }

    private static List<List<Object>> mine(Transaction t, TableDef table) {
        t.nextCommand();
        return StorageFixture.scan(t, table, t.statementSnapshot());
    }

    private static RowRef get(Transaction t, TableDef table, int id) {
        return t.get(table, new Object[] {id}, t.statementSnapshot());
    }

    @Test
    void shouldUndoChangesSinceTheSavepointAndKeepEarlierOnes() {
        seed(1, "a");
        seed(2, "b");
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(3, "before"));
            t.nextCommand();
            t.savepoint("s1");
            t.insert(kv, row(4, "after"));
            t.nextCommand();
            t.update(get(t, kv, 1), row(1, "changed"));
            t.delete(get(t, kv, 2));
            t.delete(get(t, kv, 3));
            assertThat(mine(t, kv)).containsExactly(List.of(1, "changed"), List.of(4, "after"));

            t.rollbackToSavepoint("s1");
            assertThat(mine(t, kv)).containsExactly(List.of(1, "a"), List.of(2, "b"), List.of(3, "before"));
            assertThat(t.savepointNames()).containsExactly("s1");

            // The savepoint stays defined: change again, roll back again.
            t.delete(get(t, kv, 1));
            t.rollbackToSavepoint("s1");
            assertThat(mine(t, kv)).hasSize(3);
            // The revived versions can be written again.
            assertThat(t.update(get(t, kv, 2), row(2, "b2")).ok()).isTrue();
            t.commit();
        }
        assertThat(StorageFixture.committed(engine, kv).values())
                .containsExactly(List.of(1, "a"), List.of(2, "b2"), List.of(3, "before"));
    }

    @Test
    void shouldNeverShowRolledBackChangesToOthers() {
        seed(1, "a");
        Transaction t = engine.begin();
        t.savepoint("s");
        t.insert(kv, row(2, "gone"));
        t.update(get(t, kv, 1), row(1, "gone"));
        try (Transaction other = engine.begin()) {
            assertThat(StorageFixture.scan(other, kv, other.statementSnapshot())).containsExactly(List.of(1, "a"));
        }
        t.rollbackToSavepoint("s");
        t.insert(kv, row(3, "kept"));
        t.commit();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "a"), List.of(3, "kept"));
    }

    @Test
    void shouldFreeAUniqueKeyInsertedSinceTheSavepoint() {
        try (Transaction t = engine.begin()) {
            t.savepoint("s");
            t.insert(kv, row(1, "first"));
            assertThatThrownBy(() -> t.insert(kv, row(1, "again")))
                    .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNIQUE_VIOLATION));
            t.rollbackToSavepoint("s");
            t.insert(kv, row(1, "second"));
            t.commit();
        }
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "second"));
    }

    @Test
    void shouldReleaseRowLocksTakenSinceTheSavepoint() throws Exception {
        seed(1, "a");
        seed(2, "b");
        Transaction t = engine.begin();
        assertThat(t.lockRow(get(t, kv, 1)).ok()).isTrue();
        t.savepoint("s");
        assertThat(t.lockRow(get(t, kv, 2)).ok()).isTrue();
        t.update(get(t, kv, 1), row(1, "mine"));
        t.rollbackToSavepoint("s");

        // Row 2 is free again: another transaction updates it at once.
        Transaction other = engine.begin();
        CompletableFuture<WriteResult> free = CompletableFuture.supplyAsync(
                () -> other.update(get(other, kv, 2), row(2, "other")), pool);
        assertThat(free.get(10, TimeUnit.SECONDS).ok()).isTrue();
        other.commit();
        // Row 1 was locked before the savepoint: still locked.
        Transaction third = engine.begin();
        CompletableFuture<WriteResult> blocked = CompletableFuture.supplyAsync(
                () -> third.update(get(third, kv, 1), row(1, "third")), pool);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.waitingCount() == 1);
        t.commit();
        assertThat(blocked.get(10, TimeUnit.SECONDS).ok()).isTrue();
        third.commit();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "third"), List.of(2, "other"));
    }

    @Test
    void shouldUndoDdlSinceTheSavepoint() {
        try (Transaction t = engine.begin()) {
            t.savepoint("s");
            TableDef made = t.createTable("public", "made", List.of(ColumnDef.of("id", PgType.INT4)), List.of("id"));
            t.insert(made, row(1));
            t.addColumn(kv, ColumnDef.of("extra", PgType.INT8));
            t.dropTable("public", "kv");
            assertThat(t.findTable("public", "kv")).isNull();
            t.rollbackToSavepoint("s");
            assertThat(t.findTable("public", "made")).isNull();
            assertThat(t.table("public", "kv").columns()).hasSize(2);
            // The name is free again in this transaction.
            t.createTable("public", "made", List.of(ColumnDef.of("k", PgType.TEXT)), List.of());
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            assertThat(t.table("public", "made").columns()).extracting(ColumnDef::name).containsExactly("k");
            assertThat(t.table("public", "kv").columns()).hasSize(2);
            t.commit();
        }
    }

    @Test
    void shouldNestSavepointsAndReleaseLaterOnes() {
        try (Transaction t = engine.begin()) {
            t.savepoint("a");
            t.insert(kv, row(1, "in a"));
            t.savepoint("b");
            t.insert(kv, row(2, "in b"));
            t.savepoint("a");
            t.insert(kv, row(3, "in second a"));
            // The latest "a" wins.
            t.rollbackToSavepoint("a");
            assertThat(mine(t, kv)).extracting(r -> r.get(0)).containsExactly(1, 2);
            assertThat(t.savepointNames()).containsExactly("a", "b", "a");
            // Releasing "b" also releases the later "a"; the first "a" stays.
            t.releaseSavepoint("b");
            assertThat(t.savepointNames()).containsExactly("a");
            t.insert(kv, row(4, "after release"));
            t.rollbackToSavepoint("a");
            assertThat(mine(t, kv)).isEmpty();
            t.releaseSavepoint("a");
            assertThatThrownBy(() -> t.rollbackToSavepoint("a"))
                    .isInstanceOfSatisfying(LrepException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_SAVEPOINT_SPECIFICATION);
                        assertThat(e.getMessage()).isEqualTo("savepoint \"a\" does not exist");
                    });
            assertThatThrownBy(() -> t.releaseSavepoint("nope")).hasMessage("savepoint \"nope\" does not exist");
            t.insert(kv, row(5, "kept"));
            t.commit();
        }
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(5, "kept"));
    }

    @Test
    void shouldReleaseTableLocksTakenSinceTheSavepoint() throws Exception {
        Transaction t = engine.begin();
        t.savepoint("s");
        t.addColumn(kv, ColumnDef.of("extra", PgType.INT8)); // AccessExclusiveLock on kv
        t.rollbackToSavepoint("s");
        Transaction other = engine.begin();
        CompletableFuture<RowRef> insert = CompletableFuture.supplyAsync(() -> other.insert(kv, row(1, "x")), pool);
        assertThat(insert.get(10, TimeUnit.SECONDS)).isNotNull();
        other.commit();
        t.commit();
    }

    @Test
    void shouldLogSubxactAbortOnlyWhenSomethingWasLogged() {
        int before = StorageFixture.walRecords(wal).size();
        try (Transaction t = engine.begin()) {
            t.savepoint("empty");
            t.rollbackToSavepoint("empty");
            t.insert(kv, row(1, "x"));
            long mark = wal.insertLsn();
            t.savepoint("s");
            t.insert(kv, row(2, "y"));
            t.rollbackToSavepoint("s");
            t.commit();
            List<WalRecord> recs = StorageFixture.walRecords(wal);
            assertThat(recs.subList(before, recs.size())).extracting(r -> r.getClass().getSimpleName())
                    .containsExactly("Insert", "Insert", "SubxactAbort", "Commit");
            assertThat(recs.get(recs.size() - 2)).isEqualTo(new WalRecord.SubxactAbort(t.xid(), mark));
        }
    }

    @Test
    void shouldNotRecoverRolledBackChangesAfterACrash() {
        ControlFile.create(dataDir, ControlFile.newSystemIdentifier());
        seed(1, "a");
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(2, "kept"));
            t.nextCommand();
            t.savepoint("s");
            t.insert(kv, row(3, "gone"));
            t.update(get(t, kv, 1), row(1, "gone"));
            t.savepoint("inner");
            t.delete(get(t, kv, 2));
            t.rollbackToSavepoint("s");
            t.insert(kv, row(4, "kept too"));
            t.savepoint("s2");
            t.insert(kv, row(5, "released"));
            t.releaseSavepoint("s2");
            t.commit();
        }
        var expected = StorageFixture.committed(engine, kv);
        assertThat(expected.values()).containsExactly(List.of(1, "a"), List.of(2, "kept"), List.of(4, "kept too"),
                List.of(5, "released"));

        MemoryWalLog survivor = wal.crash();
        StorageEngine recovered = new StorageEngine(survivor);
        Recovery.run(dataDir, ControlFile.read(dataDir), survivor, recovered);
        assertThat(StorageFixture.committed(recovered, kv)).isEqualTo(expected);
    }
}
