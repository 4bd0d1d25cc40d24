package io.lrep.publisher.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.Wal;
import io.lrep.core.wal.WalConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogicalDecoderTest {

    private static final long BIG = 64L * 1024 * 1024;

    @TempDir
    Path dir;

    private final MemoryWalLog wal = new MemoryWalLog();
    private final WalScript w = new WalScript(wal);
    private final TableDef a = WalScript.kv(16384, "a");
    private final TableDef b = WalScript.kv(16385, "b");
    private final HistoricCatalog initial = HistoricCatalog.of(List.of(a, b));

    private Recorder decode(HistoricCatalog catalog, long startPoint, long workMem, boolean streaming) {
        wal.flushAll();
        Recorder rec = new Recorder();
        try (LogicalDecoder d = new LogicalDecoder(wal, MemoryWalLog.START_LSN, startPoint, catalog, rec,
                new LogicalDecoder.Options(workMem, dir.resolve("slot"), streaming))) {
            while (d.decode(7) > 0) {
                // bounded steps until the reader has nothing more
            }
            assertThat(d.position()).isEqualTo(wal.flushedLsn());
        }
        return rec;
    }

    private Recorder decode() {
        return decode(initial, 0, BIG, false);
    }

    private static String ins(TableDef t, Object... row) {
        return "I " + Recorder.shape(t) + " " + java.util.Arrays.deepToString(row);
    }

    @Test
    void shouldEmitInterleavedTransactionsWholeInCommitOrder() {
        w.insert(10, a, 1, "x");
        w.insert(11, b, 1, "y");
        w.insert(10, a, 2, "x");
        w.update(11, b, null, 1, "y2");
        w.commit(11);
        w.delete(10, a, 1, null);
        w.commit(10);

        Recorder r = decode();

        assertThat(r.committed).extracting(Recorder.Txn::xid).containsExactly(11, 10);
        assertThat(r.items()).containsExactly(
                List.of(ins(b, 1, "y"), "U " + Recorder.shape(b) + " - [1, y2]"),
                List.of(ins(a, 1, "x"), ins(a, 2, "x"), "D " + Recorder.shape(a) + " K[1, null]"));
        assertThat(r.events).containsExactly("begin 11", "change " + ins(b, 1, "y"), "change U " + Recorder.shape(b) + " - [1, y2]",
                "commit 11", "begin 10", "change " + ins(a, 1, "x"), "change " + ins(a, 2, "x"),
                "change D " + Recorder.shape(a) + " K[1, null]", "commit 10");
    }

    @Test
    void shouldGiveCommitAndEndLsnTimeAndOrigin() {
        w.insert(10, a, 1, "x");
        long commit = w.append(new io.lrep.core.wal.WalRecord.Commit(10, 123456789L, 7, 0x5000L));
        Recorder r = decode();
        Recorder.Txn t = r.committed.get(0);
        assertThat(t.commitLsn()).isEqualTo(commit);
        assertThat(t.endLsn()).isEqualTo(commit + MemoryWalLog.RECORD_SIZE);
        assertThat(t.commitTimeMicros()).isEqualTo(123456789L);
        assertThat(t.originId()).isEqualTo(7);
    }

    @Test
    void shouldDropAbortedTransactions() {
        w.insert(10, a, 1, "x");
        w.insert(11, a, 2, "y");
        w.abort(10);
        w.commit(11);
        w.insert(12, a, 3, "z");
        w.abort(12);

        Recorder r = decode();

        assertThat(r.items()).containsExactly(List.of(ins(a, 2, "y")));
        assertThat(r.events).noneMatch(e -> e.contains("[1, x]") || e.contains("[3, z]"));
    }

    @Test
    void shouldDropExactlyTheRangeOfARollbackToSavepoint() {
        w.insert(10, a, 1, "keep");
        long sp1 = w.savepoint();
        w.insert(10, a, 2, "gone");
        w.insert(11, a, 100, "other");
        long sp2 = w.savepoint();
        w.insert(10, a, 3, "gone");
        w.rollbackTo(10, sp2);
        w.insert(10, a, 4, "gone");
        w.rollbackTo(10, sp1); // overlaps the first range
        w.rollbackTo(10, sp1); // again: idempotent
        w.insert(10, a, 5, "keep");
        w.commit(10);
        w.commit(11);

        Recorder r = decode();

        assertThat(r.items()).containsExactly(List.of(ins(a, 1, "keep"), ins(a, 5, "keep")), List.of(ins(a, 100, "other")));
    }

    @Test
    void shouldSpillWithTinyWorkMemAndGiveTheSameOutput() throws IOException {
        writeMixedWorkload();
        Recorder plain = decode();
        Recorder spilled;
        Path slot = dir.resolve("slot");
        Files.createDirectories(slot);
        Files.write(slot.resolve("xid-99.spill"), new byte[] {1, 2, 3}); // left by an earlier run
        wal.flushAll();
        spilled = new Recorder();
        try (LogicalDecoder d = new LogicalDecoder(wal, MemoryWalLog.START_LSN, 0, HistoricCatalog.of(List.of(a, b)), spilled,
                new LogicalDecoder.Options(200, slot, false))) {
            assertThat(slot.resolve("xid-99.spill")).doesNotExist();
            boolean sawSpillFile = false;
            while (d.decode(1) > 0) {
                sawSpillFile |= spillFiles(slot) > 0;
            }
            assertThat(sawSpillFile).isTrue();
            DecodingStats s = d.stats();
            assertThat(s.spillTxns()).isPositive();
            assertThat(s.spillCount()).isGreaterThanOrEqualTo(s.spillTxns());
            assertThat(s.spillBytes()).isPositive();
            assertThat(s.streamTxns()).isZero();
            assertThat(s.totalTxns()).isEqualTo(plain.committed.size());
            assertThat(spillFiles(slot)).isZero(); // every spilled transaction ended
        }
        assertThat(spilled.events).isEqualTo(plain.events);
    }

    private static long spillFiles(Path slot) {
        try (Stream<Path> files = Files.list(slot)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".spill")).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Three interleaved transactions with savepoints, an abort, a truncate and messages. */
    private void writeMixedWorkload() {
        for (int i = 0; i < 10; i++) {
            w.insert(10, a, i, "a" + i);
            w.insert(11, b, i, "b" + i);
            if (i == 3) {
                long sp = w.savepoint();
                for (int v = 100; v < 106; v++) { // enough to be streamed before the rollback
                    w.insert(10, a, v, "void");
                }
                w.rollbackTo(10, sp);
            }
            w.insert(12, a, 1000 + i, "aborted");
        }
        w.message(11, true, "p", "in b");
        w.truncate(11, b);
        w.commit(11);
        w.abort(12);
        w.update(10, a, null, 1, "a1'");
        w.commit(10);
        w.insert(13, a, 50, "small");
        w.commit(13);
    }

    @Test
    void shouldStreamLargeTransactionsAndCommitThemWithTheSameChanges() {
        writeMixedWorkload();
        Recorder plain = decode();
        Recorder streamed = decode(HistoricCatalog.of(List.of(a, b)), 0, 200, true);

        assertThat(streamed.items()).isEqualTo(plain.items());
        assertThat(streamed.committed).extracting(Recorder.Txn::xid).isEqualTo(plain.committed.stream().map(Recorder.Txn::xid).toList());
        assertThat(streamed.count("stream start")).isPositive();
        assertThat(streamed.count("stream commit")).isPositive();
        assertThat(streamed.count("stream start")).isEqualTo(streamed.count("stream stop"));
        // xid 12 was streamed, then aborted: a stream abort, no commit.
        assertThat(streamed.events).contains("stream abort 12");
        // xid 10's streamed changes were hit by its savepoint rollback: stream-aborted, then sent whole.
        assertThat(streamed.events).contains("stream abort 10", "begin 10");
    }

    @Test
    void shouldCountStreamedTransactions() {
        for (int i = 0; i < 20; i++) {
            w.insert(10, a, i, "x");
        }
        w.commit(10);
        wal.flushAll();
        Recorder r = new Recorder();
        try (LogicalDecoder d = new LogicalDecoder(wal, MemoryWalLog.START_LSN, 0, initial, r,
                new LogicalDecoder.Options(4 * MemoryWalLog.RECORD_SIZE, dir, true))) {
            d.decode(Integer.MAX_VALUE);
            DecodingStats s = d.stats();
            assertThat(s.streamTxns()).isEqualTo(1);
            assertThat(s.streamCount()).isEqualTo(r.count("stream start"));
            assertThat(s.streamBytes()).isEqualTo(20 * MemoryWalLog.RECORD_SIZE);
            assertThat(s.totalTxns()).isEqualTo(1);
            assertThat(s.totalBytes()).isEqualTo(20 * MemoryWalLog.RECORD_SIZE);
            assertThat(s.spillTxns()).isZero();
        }
        assertThat(r.events.get(0)).isEqualTo("stream start 10 first");
        assertThat(r.events.get(r.events.size() - 1)).isEqualTo("stream commit 10");
        assertThat(r.items()).containsExactly(java.util.stream.IntStream.range(0, 20).mapToObj(i -> ins(a, i, "x")).toList());
    }

    @Test
    void shouldDecodeRowsWithTheShapeAsOfEachChangeAcrossAlterTable() {
        TableDef a2 = WalScript.addColumn(a, "extra", PgType.INT8);
        TableDef a3 = WalScript.dropColumn(a2, "v");
        w.insert(10, a, 1, "before");          // other transaction, old shape
        w.alter(20, a2);                       // ADD COLUMN in 20
        w.insert(20, a, 2, "own", 7L);         // 20 sees its own new shape at once
        w.commit(10);
        w.commit(20);
        w.insert(30, a, 3, "after", 8L);       // everyone sees it from 20's commit on
        w.alter(30, a3);                       // DROP COLUMN v in 30
        w.update(30, a, null, 3, null, 9L);
        w.commit(30);
        w.delete(31, a, 3, null, null);

        w.commit(31);

        Recorder r = decode();

        assertThat(r.items()).containsExactly(
                List.of(ins(a, 1, "before")),
                List.of(ins(a2, 2, "own", 7L)),
                List.of(ins(a2, 3, "after", 8L), "U " + Recorder.shape(a3) + " - [3, null, 9]"),
                List.of("D " + Recorder.shape(a3) + " K[3, null, null]"));
        assertThat(Recorder.shape(a3)).isEqualTo("a(id:int4,-,extra:int8)");
    }

    @Test
    void shouldDecodeAlterTableFromRealStorageWal() {
        StorageEngine engine = new StorageEngine(wal);
        TableDef t;
        try (Transaction tx = engine.begin()) {
            t = tx.createTable("public", "t", List.of(ColumnDef.of("id", PgType.INT4), ColumnDef.of("v", PgType.TEXT)),
                    List.of("id"));
            tx.insert(t, new Object[] {1, "one"});
            tx.commit();
        }
        TableDef t2;
        try (Transaction tx = engine.begin()) {
            tx.insert(t, new Object[] {2, "two"});
            t2 = tx.addColumn(t, ColumnDef.of("n", PgType.INT8));
            tx.insert(t2, new Object[] {3, "three", 33L});
            tx.commit();
        }
        TableDef t3;
        try (Transaction tx = engine.begin()) {
            t3 = tx.dropColumn(t2, "v");
            tx.update(tx.get(t3, new Object[] {3}, tx.statementSnapshot()), new Object[] {3, null, 34L});
            tx.commit();
        }

        Recorder r = decode(HistoricCatalog.empty(), 0, BIG, false);

        assertThat(r.items()).containsExactly(
                List.of(ins(t, 1, "one")),
                List.of(ins(t, 2, "two"), ins(t2, 3, "three", 33L)),
                List.of("U " + Recorder.shape(t3) + " - [3, null, 34]"));
        assertThat(Recorder.shape(t3)).isEqualTo("t(id:int4,-,n:int8)");
    }

    @Test
    void shouldSkipTransactionsCommittedBeforeTheStartPointButApplyTheirCatalogChanges() {
        TableDef a2 = WalScript.addColumn(a, "extra", PgType.INT4);
        w.insert(10, a, 1, "skipped");
        w.alter(10, a2);
        w.message(0, false, "p", "skipped too");
        w.commit(10);
        w.insert(11, a, 2, "open across the start point", 5);
        long start = w.savepoint();
        w.commit(11);
        w.insert(12, a, 3, "after", 6);
        w.commit(12);

        Recorder r = decode(initial, start, BIG, false);

        assertThat(r.items()).containsExactly(List.of(ins(a2, 2, "open across the start point", 5)), List.of(ins(a2, 3, "after", 6)));
        assertThat(r.nonTransactional).isEmpty();
    }

    @Test
    void shouldSkipACommitStartingJustBeforeTheStartPointAndSendOneStartingAtIt() {
        w.insert(10, a, 1, "x");
        long c10 = w.commit(10);
        w.insert(11, a, 2, "y");
        long c11 = w.commit(11);
        assertThat(decode(initial, c10 + 1, BIG, false).committed).extracting(Recorder.Txn::xid).containsExactly(11);
        assertThat(decode(initial, c11, BIG, false).committed).extracting(Recorder.Txn::xid).containsExactly(11);
        assertThat(decode(initial, c11 + 1, BIG, false).committed).isEmpty();
    }

    @Test
    void shouldEmitNonTransactionalMessagesAtOnceAndTransactionalOnesInTheirTransaction() {
        w.message(10, true, "tx", "first");
        w.message(0, false, "now", "hello");
        w.message(11, true, "tx", "aborted");
        w.message(10, false, "now", "from inside a transaction");
        w.commit(10);
        w.abort(11);

        Recorder r = decode();

        assertThat(r.events).containsExactly("message M now hello", "message M now from inside a transaction", "begin 10",
                "message M tx first", "commit 10");
    }

    @Test
    void shouldEmitTruncateWithItsRelations() {
        w.insert(10, a, 1, "x");
        w.append(new io.lrep.core.wal.WalRecord.Truncate(10, new int[] {a.oid(), b.oid()}, true, true));
        w.commit(10);

        Recorder r = decode();

        assertThat(r.items()).containsExactly(List.of(ins(a, 1, "x"), "T " + Recorder.shape(a) + " " + Recorder.shape(b)
                + " cascade restart"));
    }

    @Test
    void shouldEmitADdlOnlyTransactionEmptyAndNotOneWithoutRecords() {
        TableDef c = WalScript.kv(16390, "c");
        w.create(10, c);
        w.commit(10);
        w.commit(11);
        w.insert(12, c, 1, "x");
        w.commit(12);

        Recorder r = decode();

        assertThat(r.committed).extracting(Recorder.Txn::xid).containsExactly(10, 12);
        assertThat(r.items()).containsExactly(List.of(), List.of(ins(c, 1, "x")));
    }

    @Test
    void shouldFailNamingTheRelationWhenATableIsUnknown() {
        w.insert(10, WalScript.kv(99999, "ghost"), 1, "x");
        w.commit(10);

        assertThatThrownBy(this::decode).isInstanceOf(LrepException.class)
                .hasMessageContaining("could not open relation with OID 99999")
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.INTERNAL_ERROR);
    }

    @Test
    void shouldOfferRestartPointsOnlyOnceTheClientConfirmsPastThem() {
        w.insert(10, a, 1, "x");
        w.insert(11, a, 2, "y");
        long c10 = w.commit(10);
        long end10 = c10 + MemoryWalLog.RECORD_SIZE;
        long c11 = w.commit(11);
        long end11 = c11 + MemoryWalLog.RECORD_SIZE;
        wal.flushAll();
        Recorder r = new Recorder();
        try (LogicalDecoder d = new LogicalDecoder(wal, MemoryWalLog.START_LSN, 0, initial, r,
                new LogicalDecoder.Options(BIG, dir, false))) {
            d.decode(100);
            assertThat(d.confirm(MemoryWalLog.START_LSN)).isNull();
            RestartPoint p = d.confirm(end10);
            // After 10's commit, 11 (which began at its insert) was still in progress.
            assertThat(p.restartLsn()).isEqualTo(MemoryWalLog.START_LSN + MemoryWalLog.RECORD_SIZE);
            assertThat(p.validAtLsn()).isEqualTo(end10);
            RestartPoint q = d.confirm(end11);
            assertThat(q.restartLsn()).isEqualTo(end11);
            assertThat(q.validAtLsn()).isEqualTo(end11);
            assertThat(d.confirm(end11)).isNull();
            assertThat(HistoricCatalog.restartLsnOf(q.catalogState())).isEqualTo(end11);
            assertThat(HistoricCatalog.deserialize(q.catalogState()).relationsAt(end11)).containsExactly(a, b);
            assertThat(d.restartPoint().restartLsn()).isEqualTo(end11);
        }
    }

    @Test
    void shouldRoundTripTheCatalogStateWithItsHistory() {
        TableDef a2 = WalScript.addColumn(a, "x", PgType.BOOL);
        HistoricCatalog c = HistoricCatalog.of(List.of(a, b));
        c.apply(new io.lrep.core.wal.WalRecord.CatalogChange(5, io.lrep.core.storage.CatalogCodec.TABLE_ALTER, a.oid(),
                io.lrep.core.storage.CatalogCodec.encodeTable(a2)), 1000);
        c.apply(new io.lrep.core.wal.WalRecord.CatalogChange(6, io.lrep.core.storage.CatalogCodec.TABLE_DROP, b.oid(),
                new byte[0]), 2000);

        HistoricCatalog back = HistoricCatalog.deserialize(c.serialize(500));

        assertThat(back.relation(a.oid(), 999)).isEqualTo(a);
        assertThat(back.relation(a.oid(), 1000)).isEqualTo(a2);
        assertThat(back.relation(b.oid(), 1999)).isEqualTo(b);
        assertThat(back.relation(b.oid(), 2000)).isNull();
        assertThat(HistoricCatalog.deserialize(c.serialize(3000)).relationsAt(3000)).containsExactly(a2);
        assertThatThrownBy(() -> HistoricCatalog.deserialize(new byte[] {1, 2, 3})).isInstanceOf(LrepException.class)
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.DATA_CORRUPTED);
    }

    @Test
    void shouldDecodeOutOfARealWalAndWaitBoundedForMore() throws Exception {
        WalConfig config = WalConfig.of(dir.resolve("pg_wal")).withRingFile(dir.resolve("wal_buffers")).withRingCapacity(8192)
                .withSegmentSize(64 * 1024).withFsync(false);
        try (Wal real = Wal.open(config)) {
            real.startWriterThread();
            WalScript rw = new WalScript(real);
            long start = real.insertLsn();
            for (int i = 0; i < 300; i++) { // laps the 8 KiB ring: older records come from segments
                rw.insert(10 + i % 3, a, i, "v" + i);
                if (i % 3 == 2) {
                    rw.commit(10 + i % 3 - 2);
                    rw.commit(10 + i % 3 - 1);
                    rw.commit(10 + i % 3);
                }
            }
            real.waitForFlush(real.insertLsn());
            Recorder r = new Recorder();
            try (LogicalDecoder d = new LogicalDecoder(real, start, 0, initial, r,
                    new LogicalDecoder.Options(BIG, dir.resolve("slot"), false))) {
                int n = 0;
                while (d.decode(50) > 0) {
                    n++;
                }
                assertThat(n).isGreaterThan(1);
                assertThat(r.committed).hasSize(300);
                assertThat(r.committed.get(0).items()).containsExactly(ins(a, 0, "v0"));
                assertThat(d.awaitWal(TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
                rw.insert(99, a, 1000, "late");
                rw.commit(99);
                assertThat(d.awaitWal(TimeUnit.SECONDS.toNanos(10))).isTrue();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                    d.decode(10);
                    return r.committed.size() == 301;
                });
            }
        }
    }
}
