package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.createKv;
import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.wal.MemoryWalLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteConflictTest {

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);
    private final TableDef kv = createKv(engine, "kv");
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private <T> CompletableFuture<T> async(Supplier<T> body) {
        return CompletableFuture.supplyAsync(body, pool);
    }

    private void awaitWaiters(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.waitingCount() == n);
    }

    private void seed(int id, String v) {
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(id, v));
            t.commit();
        }
    }

    private static RowRef get(Transaction t, TableDef table, int id) {
        return t.get(table, new Object[] {id}, t.statementSnapshot());
    }

    @Test
    void secondUpdaterWaitsAndGetsTheNewVersionUnderReadCommitted() throws Exception {
        seed(1, "a");
        Transaction first = engine.begin();
        first.update(get(first, kv, 1), row(1, "first"));
        Transaction second = engine.begin();
        RowRef seen = get(second, kv, 1);
        CompletableFuture<WriteResult> result = async(() -> second.update(seen, row(1, "second")));
        awaitWaiters(1);
        assertThat(result).isNotDone();
        first.commit();
        WriteResult r = result.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(WriteResult.Status.UPDATED);
        assertThat(r.row().values()).containsExactly(1, "first");
        // EvalPlanQual: the executor re-checks and retries on the newest version.
        assertThat(second.update(r.row(), row(1, "second")).ok()).isTrue();
        second.commit();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "second"));
    }

    @Test
    void secondUpdaterProceedsWhenTheFirstAborts() throws Exception {
        seed(1, "a");
        Transaction first = engine.begin();
        first.delete(get(first, kv, 1));
        Transaction second = engine.begin();
        RowRef seen = get(second, kv, 1);
        CompletableFuture<WriteResult> result = async(() -> second.update(seen, row(1, "second")));
        awaitWaiters(1);
        first.rollback();
        assertThat(result.get(10, TimeUnit.SECONDS).ok()).isTrue();
        second.commit();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "second"));
    }

    @Test
    void secondWriterSkipsARowDeletedConcurrently() throws Exception {
        seed(1, "a");
        Transaction first = engine.begin();
        first.delete(get(first, kv, 1));
        Transaction second = engine.begin();
        RowRef seen = get(second, kv, 1);
        CompletableFuture<WriteResult> result = async(() -> second.update(seen, row(1, "second")));
        awaitWaiters(1);
        first.commit();
        assertThat(result.get(10, TimeUnit.SECONDS).status()).isEqualTo(WriteResult.Status.DELETED);
        second.commit();
        assertThat(StorageFixture.committed(engine, kv)).isEmpty();
    }

    @Test
    void repeatableReadFailsWithSerializationErrorAfterConcurrentUpdate() {
        seed(1, "a");
        Transaction first = engine.begin();
        first.update(get(first, kv, 1), row(1, "first"));
        Transaction second = engine.begin(IsolationLevel.REPEATABLE_READ, 0);
        RowRef seen = get(second, kv, 1);
        CompletableFuture<WriteResult> result = async(() -> second.update(seen, row(1, "second")));
        awaitWaiters(1);
        first.commit();
        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.SERIALIZATION_FAILURE);
                    assertThat(e.getMessage()).isEqualTo("could not serialize access due to concurrent update");
                });
        second.rollback();
    }

    @Test
    void repeatableReadFailsAtOnceOnAnUpdateCommittedAfterItsSnapshot() {
        seed(1, "a");
        Transaction rr = engine.begin(IsolationLevel.REPEATABLE_READ, 0);
        RowRef seen = get(rr, kv, 1);
        try (Transaction other = engine.begin()) {
            other.update(get(other, kv, 1), row(1, "b"));
            other.commit();
        }
        assertThatThrownBy(() -> rr.delete(seen))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.SERIALIZATION_FAILURE));
        rr.rollback();
    }

    @Test
    void lockedRowMakesWritersWait() throws Exception {
        seed(1, "a");
        Transaction locker = engine.begin();
        assertThat(locker.lockRow(get(locker, kv, 1)).ok()).isTrue();
        Transaction writer = engine.begin();
        RowRef seen = get(writer, kv, 1);
        CompletableFuture<WriteResult> result = async(() -> writer.update(seen, row(1, "w")));
        awaitWaiters(1);
        assertThat(result).isNotDone();
        locker.commit();
        assertThat(result.get(10, TimeUnit.SECONDS).ok()).isTrue();
        writer.commit();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "w"));
    }

    @Test
    void shouldDetectDeadlock() throws Exception {
        seed(1, "a");
        seed(2, "b");
        Transaction t1 = engine.begin();
        Transaction t2 = engine.begin();
        t1.update(get(t1, kv, 1), row(1, "t1"));
        t2.update(get(t2, kv, 2), row(2, "t2"));
        RowRef twoForT1 = get(t1, kv, 2);
        CompletableFuture<WriteResult> t1Wait = async(() -> t1.update(twoForT1, row(2, "t1")));
        awaitWaiters(1);
        RowRef oneForT2 = get(t2, kv, 1);
        assertThatThrownBy(() -> t2.update(oneForT2, row(1, "t2")))
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.DEADLOCK_DETECTED);
                    assertThat(e.getMessage()).isEqualTo("deadlock detected");
                });
        t2.rollback();
        assertThat(t1Wait.get(10, TimeUnit.SECONDS).ok()).isTrue();
        t1.commit();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "t1"), List.of(2, "t1"));
    }

    @Test
    void concurrentInsertOfTheSameKeyFailsAfterTheFirstCommits() {
        Transaction first = engine.begin();
        first.insert(kv, row(7, "first"));
        Transaction second = engine.begin();
        CompletableFuture<RowRef> result = async(() -> second.insert(kv, row(7, "second")));
        awaitWaiters(1);
        assertThat(result).isNotDone();
        first.commit();
        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(LrepException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.UNIQUE_VIOLATION);
                    assertThat(e.getMessage()).isEqualTo("duplicate key value violates unique constraint \"kv_pkey\"");
                    assertThat(e.detail()).isEqualTo("Key (id)=(7) already exists.");
                });
        second.rollback();
    }

    @Test
    void concurrentInsertOfTheSameKeyProceedsWhenTheFirstAborts() throws Exception {
        Transaction first = engine.begin();
        first.insert(kv, row(7, "first"));
        Transaction second = engine.begin();
        CompletableFuture<RowRef> result = async(() -> second.insert(kv, row(7, "second")));
        awaitWaiters(1);
        first.rollback();
        assertThat(result.get(10, TimeUnit.SECONDS).values()).containsExactly(7, "second");
        second.commit();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(7, "second"));
    }

    @Test
    void tryInsertReturnsTheConflictingRow() {
        seed(3, "old");
        try (Transaction t = engine.begin()) {
            RowRef conflict = t.tryInsert(kv, row(3, "new"));
            assertThat(conflict.values()).containsExactly(3, "old");
            assertThat(t.tryInsert(kv, row(4, "new"))).isNull();
            assertThat(t.update(conflict, row(3, "upserted")).ok()).isTrue();
            t.commit();
        }
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(3, "upserted"), List.of(4, "new"));
    }

    @Test
    void dropTableWaitsForRunningWriters() throws Exception {
        Transaction writer = engine.begin();
        writer.insert(kv, row(1, "a"));
        Transaction ddl = engine.begin();
        CompletableFuture<Void> drop = CompletableFuture.runAsync(() -> ddl.dropTable(kv), pool);
        awaitWaiters(1);
        assertThat(drop).isNotDone();
        writer.commit();
        drop.get(10, TimeUnit.SECONDS);
        ddl.commit();
        try (Transaction t = engine.begin()) {
            assertThat(t.findTable("public", "kv")).isNull();
        }
    }

    @Test
    void keyChangingUpdateChecksTheNewKey() {
        seed(1, "a");
        seed(2, "b");
        try (Transaction t = engine.begin()) {
            assertThatThrownBy(() -> t.update(get(t, kv, 1), row(2, "a")))
                    .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNIQUE_VIOLATION));
        }
        try (Transaction t = engine.begin()) {
            assertThat(t.update(get(t, kv, 1), row(3, "a")).ok()).isTrue();
            t.commit();
        }
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(2, "b"), List.of(3, "a"));
    }

    @Test
    void waiterFollowsAKeyChangingUpdate() throws Exception {
        seed(1, "a");
        Transaction first = engine.begin();
        first.update(get(first, kv, 1), row(10, "moved"));
        Transaction second = engine.begin();
        RowRef seen = get(second, kv, 1);
        CompletableFuture<WriteResult> result = async(() -> second.delete(seen));
        awaitWaiters(1);
        first.commit();
        WriteResult r = result.get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(WriteResult.Status.UPDATED);
        assertThat(r.row().key()).isEqualTo(RowKey.of(10));
        assertThat(second.delete(r.row()).ok()).isTrue();
        second.commit();
        assertThat(StorageFixture.committed(engine, kv)).isEmpty();
    }

    @Test
    void shouldDetectDeadlockBetweenTableAndRowLocks() throws Exception {
        seed(1, "a");
        TableDef other = createKv(engine, "other");
        Transaction writer = engine.begin();
        writer.update(get(writer, kv, 1), row(1, "w"));
        Transaction ddl = engine.begin();
        ddl.addColumn(other, ColumnDef.of("c", io.lrep.core.types.PgType.INT4));
        CompletableFuture<Void> ddlWait = CompletableFuture.runAsync(() -> ddl.dropTable(kv), pool);
        awaitWaiters(1);
        assertThatThrownBy(() -> writer.insert(other, row(2, "x")))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DEADLOCK_DETECTED));
        writer.rollback();
        ddlWait.get(10, TimeUnit.SECONDS);
        ddl.commit();
    }

    @Test
    void selfModifiedRowIsReportedNotRewritten() {
        seed(1, "a");
        try (Transaction t = engine.begin()) {
            RowRef r = get(t, kv, 1);
            assertThat(t.update(r, row(1, "b")).ok()).isTrue();
            assertThat(t.update(r, row(1, "c")).status()).isEqualTo(WriteResult.Status.SELF_MODIFIED);
            assertThat(t.delete(r).status()).isEqualTo(WriteResult.Status.SELF_MODIFIED);
            t.commit();
        }
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "b"));
    }
}
