package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.wal.MemoryWalLog;
import java.util.List;
import org.junit.jupiter.api.Test;

class VacuumTest {

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);
    private final TableDef kv = StorageFixture.createKv(engine, "kv");

    private void update(int id, String v) {
        try (Transaction t = engine.begin()) {
            t.update(t.get(kv, new Object[] {id}, t.statementSnapshot()), row(id, v));
            t.commit();
        }
    }

    @Test
    void shouldReclaimVersionsOnlyWhenNoSnapshotNeedsThem() {
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(1, "v0"));
            t.commit();
        }
        Transaction old = engine.begin(IsolationLevel.REPEATABLE_READ, 0);
        Snapshot oldSnap = old.statementSnapshot();
        update(1, "v1");
        update(1, "v2");
        assertThat(engine.versionCount()).isEqualTo(3);
        engine.vacuum();
        // v0 is what the old snapshot sees; v1 was ended after that snapshot too, so both stay.
        assertThat(engine.versionCount()).isEqualTo(3);
        assertThat(StorageFixture.scan(old, kv, oldSnap)).containsExactly(List.of(1, "v0"));
        old.commit();
        assertThat(engine.vacuum()).isEqualTo(2);
        assertThat(engine.versionCount()).isEqualTo(1);
        assertThat(StorageFixture.committed(engine, kv).values()).containsExactly(List.of(1, "v2"));
        assertThatThrownBy(() -> engine.beginWithSnapshot(oldSnap.lsn()))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE));
    }

    @Test
    void shouldRemoveDeletedRowsAndAbortedVersionsAndPruneOnWrite() {
        try (Transaction t = engine.begin()) {
            for (int i = 0; i < 10; i++) {
                t.insert(kv, row(i, "x"));
            }
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(100, "aborted"));
            t.rollback();
        }
        try (Transaction t = engine.begin()) {
            for (int i = 0; i < 5; i++) {
                t.delete(t.get(kv, new Object[] {i}, t.statementSnapshot()));
            }
            t.commit();
        }
        assertThat(engine.versionCount()).isEqualTo(10);
        assertThat(engine.vacuum()).isEqualTo(5);
        assertThat(engine.versionCount()).isEqualTo(5);
        for (int round = 0; round < 5; round++) {
            update(7, "r" + round);
        }
        // Each write prunes its chain of versions no snapshot needs.
        assertThat(engine.versionCount()).isLessThanOrEqualTo(6);
    }

    @Test
    void shouldForgetDroppedTablesOnceNoSnapshotSeesThem() {
        try (Transaction t = engine.begin()) {
            t.insert(kv, row(1, "x"));
            t.commit();
        }
        Transaction old = engine.begin(IsolationLevel.REPEATABLE_READ, 0);
        Snapshot snap = old.statementSnapshot();
        try (Transaction t = engine.begin()) {
            t.dropTable(kv);
            t.commit();
        }
        engine.vacuum();
        // The catalog is read as of now (as PostgreSQL's catalog snapshots are) ...
        assertThatThrownBy(() -> StorageFixture.scan(old, kv, snap))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_TABLE));
        assertThat(engine.versionCount()).isEqualTo(1); // ... but the rows are still kept for old snapshots' exports
        old.commit();
        engine.vacuum();
        assertThat(engine.versionCount()).isZero();
    }
}
