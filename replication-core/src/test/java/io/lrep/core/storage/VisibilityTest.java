package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.createKv;
import static io.lrep.core.storage.StorageFixture.row;
import static io.lrep.core.storage.StorageFixture.scan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.wal.MemoryWalLog;
import java.util.List;
import org.junit.jupiter.api.Test;

class VisibilityTest {

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);
    private final TableDef kv = createKv(engine, "kv");

    @Test
    void shouldSeeOwnWritesOnlyFromTheNextCommand() {
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(1, "a"));
            assertThat(scan(t, kv, t.statementSnapshot())).isEmpty();
            t.nextCommand();
            assertThat(scan(t, kv, t.statementSnapshot())).containsExactly(List.of(1, "a"));
            RowRef r = t.get(kv, new Object[] {1}, t.statementSnapshot());
            assertThat(t.update(r, row(1, "b")).ok()).isTrue();
            assertThat(scan(t, kv, t.statementSnapshot())).containsExactly(List.of(1, "a"));
            t.nextCommand();
            assertThat(scan(t, kv, t.statementSnapshot())).containsExactly(List.of(1, "b"));
        }
    }

    @Test
    void shouldHideUncommittedWritesFromOthers() {
        Transaction writer = engine.begin();
        writer.insert(kv, row(1, "a"));
        try (Transaction reader = engine.begin()) {
            assertThat(scan(reader, kv, reader.statementSnapshot())).isEmpty();
            writer.commit();
            assertThat(scan(reader, kv, reader.statementSnapshot())).containsExactly(List.of(1, "a"));
        }
    }

    @Test
    void shouldDecideVisibilityByCommitLsn() {
        long c1 = insertCommitted(1);
        long c2 = insertCommitted(2);
        try (Transaction t = engine.begin()) {
            assertThat(scan(t, kv, new Snapshot(c1, 0))).containsExactly(List.of(1, "x"));
            assertThat(scan(t, kv, new Snapshot(c2, 0))).containsExactly(List.of(1, "x"), List.of(2, "x"));
            assertThat(scan(t, kv, new Snapshot(c1 - 1, 0))).isEmpty();
        }
    }

    @Test
    void shouldKeepRepeatableReadSnapshotStable() {
        insertCommitted(1);
        try (Transaction rr = engine.begin(IsolationLevel.REPEATABLE_READ, 0);
                Transaction rc = engine.begin()) {
            Snapshot first = rr.statementSnapshot();
            rc.statementSnapshot();
            insertCommitted(2);
            assertThat(scan(rr, kv, rr.statementSnapshot())).hasSize(1);
            assertThat(rr.statementSnapshot().lsn()).isEqualTo(first.lsn());
            assertThat(scan(rc, kv, rc.statementSnapshot())).hasSize(2);
        }
    }

    @Test
    void shouldUndoEverythingOnRollback() {
        insertCommitted(1);
        Transaction t = engine.begin();
        RowRef r = t.get(kv, new Object[] {1}, t.statementSnapshot());
        t.update(r, row(1, "changed"));
        t.insert(kv, row(2, "new"));
        t.rollback();
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "x"));
        try (Transaction t2 = engine.begin()) {
            RowRef again = t2.get(kv, new Object[] {1}, t2.statementSnapshot());
            assertThat(t2.delete(again).ok()).isTrue();
            t2.commit();
        }
        assertThat(StorageFixture.committed(engine, kv)).isEmpty();
    }

    @Test
    void shouldSeeOwnAsynchronousCommitThroughNotBeforeLsn() {
        Transaction t = engine.begin();
        t.setSynchronousCommit(false);
        t.insert(kv, row(1, "async"));
        long commitLsn = t.commit();
        assertThat(wal.flushedLsn()).isLessThan(commitLsn);
        try (Transaction other = engine.begin()) {
            assertThat(scan(other, kv, other.statementSnapshot())).isEmpty();
        }
        try (Transaction same = engine.begin(IsolationLevel.READ_COMMITTED, commitLsn)) {
            assertThat(scan(same, kv, same.statementSnapshot())).containsExactly(List.of(1, "async"));
        }
    }

    @Test
    void shouldGiveExactSnapshotWithBeginWithSnapshot() {
        long c1 = insertCommitted(1);
        insertCommitted(2);
        try (Transaction t = engine.beginWithSnapshot(c1)) {
            assertThat(t.statementSnapshot().lsn()).isEqualTo(c1);
            assertThat(scan(t, kv, t.statementSnapshot())).containsExactly(List.of(1, "x"));
        }
    }

    @Test
    void shouldRejectUseAfterCommit() {
        Transaction t = engine.begin();
        t.commit();
        assertThatThrownBy(() -> t.insert(kv, row(1, "a")))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_TRANSACTION_STATE));
    }

    @Test
    void shouldAssignXidOnlyAtFirstWrite() {
        try (Transaction t = engine.begin()) {
            scan(t, kv, t.statementSnapshot());
            assertThat(t.xid()).isZero();
            long before = wal.insertLsn();
            assertThat(t.commit()).isZero();
            assertThat(wal.insertLsn()).isEqualTo(before);
        }
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(5, "w"));
            assertThat(t.xid()).isGreaterThanOrEqualTo(StorageEngine.FIRST_NORMAL_XID);
        }
    }

    private long insertCommitted(int id) {
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(id, "x"));
            return t.commit();
        }
    }
}
