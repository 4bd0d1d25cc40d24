package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalLoggingTest {

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);

    private TableDef table(ReplicaIdentity ri) {
        try (Transaction t = engine.begin()) {
            TableDef def = t.createTable("public", "t", List.of(ColumnDef.of("id", PgType.INT4), ColumnDef.of("a", PgType.TEXT),
                    ColumnDef.of("b", PgType.INT8)), List.of("id"));
            def = t.setReplicaIdentity(def, ri);
            t.insert(def, row(1, "x", 10L));
            t.insert(def, row(2, "y", 20L));
            t.commit();
            return def;
        }
    }

    /** Updates row 1 keeping its key, row 2 changing it to 3, then deletes row 3; returns the records. */
    private List<WalRecord> changes(TableDef def) {
        long from = wal.insertLsn();
        try (Transaction t = engine.begin()) {
            t.update(t.get(def, new Object[] {1}, t.statementSnapshot()), row(1, "x2", 11L));
            t.update(t.get(def, new Object[] {2}, t.statementSnapshot()), row(3, "y", 20L));
            t.nextCommand();
            t.delete(t.get(def, new Object[] {3}, t.statementSnapshot()));
            t.commit();
        }
        return StorageFixture.walEntries(wal).stream().filter(e -> e.startLsn() >= from).map(e -> e.record()).toList();
    }

    @Test
    void replicaIdentityDefaultLogsTheOldKeyOnlyWhenItChanges() {
        TableDef def = table(ReplicaIdentity.DEFAULT);
        List<WalRecord> recs = changes(def);
        WalRecord.Update same = (WalRecord.Update) recs.get(0);
        assertThat(same.oldRow()).isNull();
        assertThat(same.newRow()).containsExactly(1, "x2", 11L);
        WalRecord.Update moved = (WalRecord.Update) recs.get(1);
        assertThat(moved.oldIsFullRow()).isFalse();
        assertThat(moved.oldRow()).containsExactly(2, null, null);
        assertThat(moved.newRow()).containsExactly(3, "y", 20L);
        WalRecord.Delete del = (WalRecord.Delete) recs.get(2);
        assertThat(del.oldIsFullRow()).isFalse();
        assertThat(del.oldRow()).containsExactly(3, null, null);
        assertThat(recs.get(3)).isInstanceOf(WalRecord.Commit.class);
        assertThat(recs.subList(0, 3)).allSatisfy(r -> assertThat(r.xid()).isEqualTo(recs.get(3).xid()));
    }

    @Test
    void replicaIdentityFullLogsTheWholeOldRow() {
        TableDef def = table(ReplicaIdentity.FULL);
        List<WalRecord> recs = changes(def);
        WalRecord.Update same = (WalRecord.Update) recs.get(0);
        assertThat(same.oldIsFullRow()).isTrue();
        assertThat(same.oldRow()).containsExactly(1, "x", 10L);
        WalRecord.Delete del = (WalRecord.Delete) recs.get(2);
        assertThat(del.oldIsFullRow()).isTrue();
        assertThat(del.oldRow()).containsExactly(3, "y", 20L);
    }

    @Test
    void shouldLogInsertTruncateAbortAndCommitOrigin() {
        TableDef def = table(ReplicaIdentity.DEFAULT);
        long from = wal.insertLsn();
        try (Transaction t = engine.begin()) {
            t.insert(def, row(9, null, null));
            t.rollback();
        }
        try (Transaction t = engine.begin()) {
            t.setOrigin(4, 0x1234L);
            t.truncate(false, def);
            t.commit();
        }
        List<WalRecord> recs = StorageFixture.walEntries(wal).stream().filter(e -> e.startLsn() >= from).map(e -> e.record()).toList();
        assertThat(recs.get(0)).isInstanceOfSatisfying(WalRecord.Insert.class, i -> assertThat(i.newRow()).containsExactly(9, null, null));
        assertThat(recs.get(1)).isInstanceOf(WalRecord.Abort.class);
        assertThat(recs.get(2)).isInstanceOfSatisfying(WalRecord.Truncate.class, tr -> assertThat(tr.relOids()).containsExactly(def.oid()));
        assertThat(recs.get(3)).isInstanceOfSatisfying(WalRecord.Commit.class, c -> {
            assertThat(c.originId()).isEqualTo(4);
            assertThat(c.originLsn()).isEqualTo(0x1234L);
            assertThat(c.commitTimeMicros()).isPositive();
        });
        assertThat(StorageFixture.committed(engine, def)).isEmpty();
    }

    @Test
    void truncateIsTransactional() {
        TableDef def = table(ReplicaIdentity.DEFAULT);
        try (Transaction t = engine.begin()) {
            t.truncate(false, def);
            t.rollback();
        }
        assertThat(StorageFixture.committed(engine, def)).hasSize(2);
        try (Transaction reader = engine.begin(IsolationLevel.REPEATABLE_READ, 0)) {
            Snapshot before = reader.statementSnapshot();
            try (Transaction t = engine.begin()) {
                t.truncate(false, def);
                t.commit();
            }
            assertThat(StorageFixture.scan(reader, def, before)).hasSize(2);
        }
        assertThat(StorageFixture.committed(engine, def)).isEmpty();
    }

    @Test
    void readOnlyAndRolledBackWithoutWalWriteNothing() {
        TableDef def = table(ReplicaIdentity.DEFAULT);
        long before = wal.insertLsn();
        try (Transaction t = engine.begin()) {
            t.scan(def, t.statementSnapshot()).hasNext();
            t.rollback();
        }
        assertThat(wal.insertLsn()).isEqualTo(before);
    }
}
