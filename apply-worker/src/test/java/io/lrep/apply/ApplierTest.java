package io.lrep.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Column;
import io.lrep.core.protocol.pgoutput.TupleData;
import io.lrep.core.protocol.pgoutput.TupleData.Value;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ControlFile;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.storage.Recovery;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplierTest {

    static final int REL = 16400;

    @TempDir
    Path dir;

    MemoryWalLog wal;
    StorageEngine storage;
    OriginRegistry origins;
    Applier applier;
    long lsn = 0x1000;

    @BeforeEach
    void setUp() {
        wal = new MemoryWalLog();
        storage = new StorageEngine(wal);
        try (Transaction t = storage.begin()) {
            OriginRegistry.bootstrap(t);
            t.createTable("public", "t", List.of(ColumnDef.of("id", PgType.INT4).notNullColumn(),
                    ColumnDef.of("v", PgType.TEXT), ColumnDef.of("n", PgType.INT8).withDefault("42")), List.of("id"));
            t.commit();
        }
        origins = new OriginRegistry(storage);
        origins.create("pg_16400");
        applier = newApplier();
    }

    Applier newApplier() {
        return new Applier(storage, origins, "pg_16400", dir.resolve("streams"), ColumnDefaults.BASIC);
    }

    static PgOutputMessage.Relation relation(char identity, String... cols) {
        List<Column> columns = new ArrayList<>();
        for (String c : cols) {
            boolean key = c.startsWith("*");
            columns.add(new Column(key ? Column.KEY_FLAG : 0, key ? c.substring(1) : c, 25, -1));
        }
        return new PgOutputMessage.Relation(0, REL, "public", "t", identity, columns);
    }

    static TupleData tuple(String... values) {
        List<Value> out = new ArrayList<>();
        for (String v : values) {
            out.add(v == null ? Value.NULL : v.equals("\u0000u") ? Value.UNCHANGED_TOAST : Value.text(v));
        }
        return new TupleData(out);
    }

    /** Applies one remote transaction of {@code changes}. */
    void txn(PgOutputMessage... changes) {
        long commit = lsn += 0x100;
        lsn += 0x100;
        applier.apply(new PgOutputMessage.Begin(commit, 0, 700));
        for (PgOutputMessage m : changes) {
            applier.apply(m);
        }
        applier.apply(new PgOutputMessage.Commit(commit, commit + 0x28, 0));
    }

    static PgOutputMessage insert(String... values) {
        return new PgOutputMessage.Insert(0, REL, tuple(values));
    }

    List<List<Object>> rows() {
        List<List<Object>> out = new ArrayList<>();
        try (Transaction t = storage.begin(io.lrep.core.storage.IsolationLevel.READ_COMMITTED, applier.lastLocalCommit())) {
            TableDef table = t.table("public", "t");
            for (Iterator<RowRef> it = t.scan(table, t.statementSnapshot()); it.hasNext();) {
                out.add(java.util.Arrays.asList(it.next().values()));
            }
        }
        return out;
    }

    @Test
    void shouldInsertUpdateDeleteByKeyWithDefaultsAndConversion() {
        applier.apply(relation('d', "*id", "v"));
        txn(insert("1", "a"), insert("2", "b"));
        assertThat(rows()).containsExactly(List.of(1, "a", 42L), List.of(2, "b", 42L));

        txn(new PgOutputMessage.Update(0, REL, tuple("1", "A")),
                new PgOutputMessage.Update(0, REL, PgOutputMessage.OldTupleKind.KEY, tuple("2", null), tuple("3", "\u0000u")),
                new PgOutputMessage.Delete(0, REL, PgOutputMessage.OldTupleKind.KEY, tuple("1", null)));
        assertThat(rows()).containsExactly(List.of(3, "b", 42L));
        assertThat(origins.originProgress("pg_16400").remoteLsn()).isEqualTo(applier.remoteLsn()).isEqualTo(lsn - 0x100 + 0x28);
        assertThat(origins.originProgress("pg_16400").localLsn()).isEqualTo(applier.lastLocalCommit()).isPositive();
    }

    @Test
    void shouldSkipRowsNotFoundAndRaiseDuplicateKeys() {
        applier.apply(relation('d', "*id", "v"));
        txn(new PgOutputMessage.Update(0, REL, tuple("9", "x")),
                new PgOutputMessage.Delete(0, REL, PgOutputMessage.OldTupleKind.KEY, tuple("9", null)));
        assertThat(rows()).isEmpty();
        assertThat(applier.transactionsApplied()).isEqualTo(1);
        txn(insert("1", "a"));
        assertThatThrownBy(() -> txn(insert("1", "b"))).isInstanceOf(LrepException.class)
                .hasFieldOrPropertyWithValue("sqlState", io.lrep.core.error.SqlState.UNIQUE_VIOLATION);
        long before = applier.remoteLsn();
        applier.reset();
        assertThat(rows()).containsExactly(List.of(1, "a", 42L));
        assertThat(origins.originProgress("pg_16400").remoteLsn()).isEqualTo(before);
    }

    @Test
    void shouldSkipTheTransactionAtTheSkipLsnAndClearItInTheProgressCommit() {
        applier.apply(relation('d', "*id", "v"));
        txn(insert("1", "a"));
        long finish = lsn + 0x100;
        PgOutputMessage[] failing = {new PgOutputMessage.Begin(finish, 0, 725), insert("2", "b"), insert("1", "dup"),
            new PgOutputMessage.Commit(finish, finish + 0x28, 0)};
        assertThatThrownBy(() -> {
            for (PgOutputMessage m : failing) {
                applier.apply(m);
            }
        }).isInstanceOfSatisfying(ApplyError.class, e -> {
            assertThat(e.sqlState()).isEqualTo(io.lrep.core.error.SqlState.UNIQUE_VIOLATION);
            assertThat(e.finishLsn()).isEqualTo(finish);
            assertThat(e.context()).isEqualTo("processing remote data for replication origin \"pg_16400\" during \"INSERT\""
                    + " for replication target relation \"public.t\" in transaction 725 finished at "
                    + io.lrep.core.lsn.Lsn.format(finish));
        });
        applier.reset();

        List<long[]> cleared = new ArrayList<>();
        applier.setSkipLsn(finish, (t, skip, fin) -> {
            assertThat(t.findTable("public", "t")).isNotNull();
            cleared.add(new long[] {skip, fin});
        });
        applier.apply(relation('d', "*id", "v"));
        for (PgOutputMessage m : failing) {
            applier.apply(m);
        }
        assertThat(cleared).containsExactly(new long[] {finish, finish});
        assertThat(applier.skipLsn()).isZero();
        assertThat(rows()).as("nothing of the skipped transaction").containsExactly(List.of(1, "a", 42L));
        assertThat(origins.originProgress("pg_16400").remoteLsn()).isEqualTo(applier.remoteLsn()).isEqualTo(finish + 0x28);

        lsn = finish + 0x28;
        txn(insert("3", "c"));
        assertThat(rows()).containsExactly(List.of(1, "a", 42L), List.of(3, "c", 42L));
        assertThat(cleared).hasSize(1);
    }

    @Test
    void shouldClearASkipLsnThatDoesNotMatchAtTheNextAppliedTransaction() {
        applier.apply(relation('d', "*id", "v"));
        List<long[]> cleared = new ArrayList<>();
        applier.setSkipLsn(0xFFFF00, (t, skip, fin) -> cleared.add(new long[] {skip, fin}));
        txn(insert("1", "a"));
        assertThat(rows()).containsExactly(List.of(1, "a", 42L));
        assertThat(cleared).containsExactly(new long[] {0xFFFF00, lsn - 0x100});
        assertThat(applier.skipLsn()).isZero();
    }

    @Test
    void shouldReportMissingTableAndColumns() {
        applier.apply(new PgOutputMessage.Relation(0, 1, "public", "nope", 'd', List.of(new Column(1, "id", 23, -1))));
        assertThatThrownBy(() -> txn(new PgOutputMessage.Insert(0, 1, tuple("1"))))
                .hasMessage("logical replication target relation \"public.nope\" does not exist");
        applier.reset();
        applier.apply(relation('d', "*id", "v", "c"));
        assertThatThrownBy(() -> txn(insert("1", "a", "c")))
                .hasMessage("logical replication target relation \"public.t\" is missing replicated column: \"c\"");
        applier.reset();
        applier.apply(relation('d', "*id", "x", "y"));
        assertThatThrownBy(() -> txn(insert("1", "a", "c")))
                .hasMessage("logical replication target relation \"public.t\" is missing replicated columns: \"x\", \"y\"");
    }

    @Test
    void shouldMatchWholeRowsWithReplicaIdentityFull() {
        try (Transaction t = storage.begin()) {
            t.createTable("public", "f", List.of(ColumnDef.of("a", PgType.INT4), ColumnDef.of("b", PgType.TEXT)), List.of());
            t.commit();
        }
        applier.apply(new PgOutputMessage.Relation(0, 5, "public", "f", 'f',
                List.of(new Column(1, "b", 25, -1), new Column(1, "a", 23, -1))));
        txn(new PgOutputMessage.Insert(0, 5, tuple("x", "1")), new PgOutputMessage.Insert(0, 5, tuple("y", "2")));
        txn(new PgOutputMessage.Update(0, 5, PgOutputMessage.OldTupleKind.FULL, tuple("x", "1"), tuple("x", "10")),
                new PgOutputMessage.Delete(0, 5, PgOutputMessage.OldTupleKind.FULL, tuple("y", "2")));
        try (Transaction t = storage.begin(io.lrep.core.storage.IsolationLevel.READ_COMMITTED, applier.lastLocalCommit())) {
            Iterator<RowRef> it = t.scan(t.table("public", "f"), t.statementSnapshot());
            assertThat(it.next().values()).containsExactly(10, "x");
            assertThat(it.hasNext()).isFalse();
        }
        applier.apply(new PgOutputMessage.Relation(0, 5, "public", "f", 'd',
                List.of(new Column(0, "b", 25, -1), new Column(0, "a", 23, -1))));
        assertThatThrownBy(() -> txn(new PgOutputMessage.Delete(0, 5, PgOutputMessage.OldTupleKind.KEY, tuple("x", "10"))))
                .hasMessageContaining("has neither REPLICA IDENTITY index nor PRIMARY KEY");
    }

    @Test
    void shouldTruncateAndAdvanceOnEmptyTransactions() {
        applier.apply(relation('d', "*id", "v"));
        txn(insert("1", "a"));
        txn(new PgOutputMessage.Truncate(0, 0, List.of(REL)));
        assertThat(rows()).isEmpty();
        txn(new PgOutputMessage.Message(0, 1, lsn, "p", new byte[] {1}));
        assertThat(origins.originProgress("pg_16400").remoteLsn()).isEqualTo(lsn - 0x100 + 0x28);
    }

    @Test
    void shouldApplyStreamedTransactionsOnCommitAndDropThemOnAbort() {
        applier.apply(new PgOutputMessage.StreamStart(800, true));
        applier.apply(new PgOutputMessage.Relation(800, REL, "public", "t", 'd',
                List.of(new Column(1, "id", 23, -1), new Column(0, "v", 25, -1))));
        applier.apply(new PgOutputMessage.Insert(800, REL, tuple("1", "a")));
        applier.apply(new PgOutputMessage.StreamStop());
        applier.apply(new PgOutputMessage.StreamStart(801, true));
        applier.apply(new PgOutputMessage.Relation(801, REL, "public", "t", 'd',
                List.of(new Column(1, "id", 23, -1), new Column(0, "v", 25, -1))));
        applier.apply(new PgOutputMessage.Insert(801, REL, tuple("5", "dropped")));
        applier.apply(new PgOutputMessage.StreamStop());
        applier.apply(new PgOutputMessage.StreamStart(800, false));
        applier.apply(new PgOutputMessage.Insert(800, REL, tuple("2", "b")));
        applier.apply(new PgOutputMessage.Insert(802, REL, tuple("3", "sub aborted")));
        applier.apply(new PgOutputMessage.StreamStop());
        assertThat(rows()).isEmpty();
        applier.apply(new PgOutputMessage.StreamAbort(800, 802));
        applier.apply(new PgOutputMessage.StreamAbort(801, 801));
        assertThat(Files.exists(dir.resolve("streams").resolve("801.changes"))).isFalse();
        applier.apply(new PgOutputMessage.StreamCommit(800, 0x9000, 0x9028, 0));
        assertThat(rows()).containsExactly(List.of(1, "a", 42L), List.of(2, "b", 42L));
        assertThat(applier.remoteLsn()).isEqualTo(0x9028);
        assertThat(Files.exists(dir.resolve("streams").resolve("800.changes"))).isFalse();
    }

    @Test
    void shouldRecoverProgressWithTheDataAndApplyEachTransactionOnce() throws Exception {
        applier.apply(relation('d', "*id", "v"));
        txn(insert("1", "a"));
        txn(insert("2", "b"));
        long afterTwo = applier.remoteLsn();
        wal.flushAll();
        // A third transaction commits without its flush reaching disk before the crash.
        applier.setSynchronousCommit(false);
        long third = lsn + 0x100;
        txn(insert("3", "c"));

        Recovered r = crashAndRecover(wal);
        assertThat(r.origins.originProgress("pg_16400").remoteLsn()).isEqualTo(afterTwo);
        assertThat(r.rows()).containsExactly(List.of(1, "a", 42L), List.of(2, "b", 42L));

        // The publisher resends from the recovered progress: the second is skipped, the third applied once.
        Applier resumed = new Applier(r.storage, r.origins, "pg_16400", dir.resolve("streams2"), ColumnDefaults.BASIC);
        resumed.apply(relation('d', "*id", "v"));
        long second = afterTwo - 0x28;
        resumed.apply(new PgOutputMessage.Begin(second, 0, 1));
        resumed.apply(insert("2", "b"));
        resumed.apply(new PgOutputMessage.Commit(second, afterTwo, 0));
        resumed.apply(new PgOutputMessage.Begin(third, 0, 1));
        resumed.apply(insert("3", "c"));
        resumed.apply(new PgOutputMessage.Commit(third, third + 0x28, 0));
        assertThat(resumed.transactionsSkipped()).isEqualTo(1);
        assertThat(resumed.transactionsApplied()).isEqualTo(1);
        assertThat(r.rows()).containsExactly(List.of(1, "a", 42L), List.of(2, "b", 42L), List.of(3, "c", 42L));
    }

    record Recovered(StorageEngine storage, OriginRegistry origins, Map<Integer, Long> fromWal) {
        List<List<Object>> rows() {
            List<List<Object>> out = new ArrayList<>();
            try (Transaction t = storage.begin(io.lrep.core.storage.IsolationLevel.READ_COMMITTED, origins.lastLocalCommit())) {
                for (Iterator<RowRef> it = t.scan(t.table("public", "t"), t.statementSnapshot()); it.hasNext();) {
                    out.add(java.util.Arrays.asList(it.next().values()));
                }
            }
            return out;
        }
    }

    Recovered crashAndRecover(MemoryWalLog log) throws Exception {
        Path dataDir = Files.createTempDirectory(dir, "data");
        ControlFile.create(dataDir, ControlFile.newSystemIdentifier());
        MemoryWalLog survivor = log.crash();
        StorageEngine recovered = new StorageEngine(survivor);
        Recovery.RecoveryResult result = Recovery.run(dataDir, ControlFile.read(dataDir), survivor, recovered);
        OriginRegistry reg = new OriginRegistry(recovered);
        reg.noteRecovered(result.originProgress());
        return new Recovered(recovered, reg, new TreeMap<>(result.originProgress()));
    }
}
