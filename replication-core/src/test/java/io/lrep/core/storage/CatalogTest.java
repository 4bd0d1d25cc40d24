package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class CatalogTest {

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);

    private static void assertSqlState(ThrowingCallable call, SqlState state, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(state);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private static List<ColumnDef> cols() {
        return List.of(ColumnDef.of("id", PgType.INT8), ColumnDef.of("name", PgType.TEXT).notNullColumn());
    }

    @Test
    void shouldStartWithPgCatalogAndPublic() {
        try (Transaction t = engine.begin()) {
            assertThat(t.schemas()).containsExactly(new SchemaDef(11, "pg_catalog"), new SchemaDef(2200, "public"));
        }
        assertThat(engine.nextOid()).isEqualTo(16384);
    }

    @Test
    void ddlIsVisibleToItsOwnTransactionAtOnceAndToOthersAfterCommit() {
        Transaction ddl = engine.begin();
        TableDef t1 = ddl.createTable("public", "t1", cols(), List.of("id"));
        assertThat(t1.oid()).isGreaterThanOrEqualTo(16384);
        assertThat(ddl.findTable("public", "t1")).isEqualTo(t1);
        try (Transaction other = engine.begin()) {
            assertThat(other.findTable("public", "t1")).isNull();
        }
        ddl.commit();
        try (Transaction other = engine.begin()) {
            assertThat(other.table("public", "t1")).isEqualTo(t1);
        }
    }

    @Test
    void catalogVersionChangesAtEachDdlAndAtTheEndOfItsTransactionOnly() {
        long v0 = engine.catalogVersion();
        TableDef t1;
        try (Transaction ddl = engine.begin()) {
            assertThat(ddl.hasCatalogChanges()).isFalse();
            t1 = ddl.createTable("public", "t1", cols(), List.of("id"));
            assertThat(ddl.hasCatalogChanges()).isTrue();
            long afterDdl = engine.catalogVersion();
            assertThat(afterDdl).isNotEqualTo(v0);
            ddl.commit();
            assertThat(engine.catalogVersion()).as("others see the table from the commit on").isNotEqualTo(afterDdl);
        }
        long v1 = engine.catalogVersion();
        try (Transaction dml = engine.begin()) {
            dml.insert(t1, row(1L, "a"));
            dml.commit();
        }
        assertThat(engine.catalogVersion()).as("rows are not the catalog").isEqualTo(v1);
        try (Transaction ddl = engine.begin()) {
            ddl.dropTable(t1);
            ddl.rollback();
        }
        assertThat(engine.catalogVersion()).as("a rolled-back DROP changed what its transaction saw").isNotEqualTo(v1);
    }

    @Test
    void rollbackUndoesDdl() {
        TableDef t1;
        try (Transaction t = engine.begin()) {
            t1 = t.createTable("public", "t1", cols(), List.of("id"));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            t.addColumn(t1, ColumnDef.of("extra", PgType.BOOL));
            t.renameTable(t.table(t1.oid()), "renamed");
            t.createSchema("s");
            t.createTable("s", "inner", cols(), List.of());
            assertThat(t.findTable("public", "renamed")).isNotNull();
            t.rollback();
        }
        try (Transaction t = engine.begin()) {
            assertThat(t.table("public", "t1")).isEqualTo(t1);
            assertThat(t.findTable("public", "renamed")).isNull();
            assertThat(t.findSchema("s")).isNull();
            t.createSchema("s");
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            t.dropTable(t1);
            t.rollback();
        }
        try (Transaction t = engine.begin()) {
            assertThat(t.table("public", "t1")).isEqualTo(t1);
        }
    }

    @Test
    void shouldRaisePostgresErrors() {
        try (Transaction t = engine.begin()) {
            TableDef t1 = t.createTable("public", "t1", cols(), List.of("id"));
            assertSqlState(() -> t.createTable("public", "t1", cols(), List.of()), SqlState.DUPLICATE_TABLE,
                    "relation \"t1\" already exists");
            assertSqlState(() -> t.table("public", "nope"), SqlState.UNDEFINED_TABLE, "relation \"nope\" does not exist");
            assertSqlState(() -> t.createTable("nosuch", "x", cols(), List.of()), SqlState.UNDEFINED_SCHEMA,
                    "schema \"nosuch\" does not exist");
            assertSqlState(() -> t.createSchema("public"), SqlState.DUPLICATE_SCHEMA, "schema \"public\" already exists");
            assertSqlState(() -> t.addColumn(t1, ColumnDef.of("name", PgType.TEXT)), SqlState.DUPLICATE_COLUMN,
                    "column \"name\" of relation \"t1\" already exists");
            assertSqlState(() -> t.dropColumn(t1, "zzz"), SqlState.UNDEFINED_COLUMN,
                    "column \"zzz\" of relation \"t1\" does not exist");
            assertSqlState(() -> t.createTable("public", "t2", cols(), List.of("zzz")), SqlState.UNDEFINED_COLUMN,
                    "column \"zzz\" named in key does not exist");
            t.createSequence(SequenceDef.defaults("public", "seq"));
            assertSqlState(() -> t.createTable("public", "seq", cols(), List.of()), SqlState.DUPLICATE_TABLE,
                    "relation \"seq\" already exists");
        }
    }

    @Test
    void dropSchemaRestrictAndCascade() {
        try (Transaction t = engine.begin()) {
            t.createSchema("s");
            t.createTable("s", "a", cols(), List.of("id"));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            assertThatThrownBy(() -> t.dropSchema("s", false)).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.DEPENDENT_OBJECTS_STILL_EXIST);
                assertThat(e.getMessage()).isEqualTo("cannot drop schema s because other objects depend on it");
                assertThat(e.detail()).isEqualTo("table s.a depends on schema s");
            });
            t.dropSchema("s", true);
            assertThat(t.findTable("s", "a")).isNull();
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            assertThat(t.findSchema("s")).isNull();
            assertThat(t.tables()).isEmpty();
        }
    }

    @Test
    void droppedColumnsKeepTheirSlotAndAddedColumnsReadTheirMissingValue() {
        TableDef def;
        try (Transaction t = engine.begin()) {
            def = t.createTable("public", "t", cols(), List.of("id"));
            t.insert(def, row(1L, "one"));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            def = t.addColumn(def, ColumnDef.of("n", PgType.NUMERIC).withMissingValue(new BigDecimal("5")));
            def = t.dropColumn(def, "name");
            t.commit();
        }
        assertThat(def.columns()).hasSize(3);
        assertThat(def.columns().get(1).dropped()).isTrue();
        assertThat(def.columns().get(2).attnum()).isEqualTo(3);
        assertThat(StorageFixture.committed(engine, def).values()).containsExactly(java.util.Arrays.asList(1L, null, new BigDecimal("5")));
        try (Transaction t = engine.begin()) {
            t.insert(def, row(2L, null, new BigDecimal("7")));
            t.commit();
        }
        assertThat(StorageFixture.committed(engine, def)).hasSize(2);
    }

    @Test
    void catalogChangesDecodeBackToTheSameDefinitions() {
        TableDef last;
        try (Transaction t = engine.begin()) {
            t.createSchema("app");
            TableDef def = t.createTable("app", "items", List.of(
                    ColumnDef.of("id", PgType.INT4).withIdentity('a'),
                    ColumnDef.of("price", PgType.NUMERIC).withTypmod(655366).withDefault("0"),
                    ColumnDef.of("tag", PgType.VARCHAR)), List.of("id"));
            def = t.addColumn(def, ColumnDef.of("added", PgType.TIMESTAMPTZ).withMissingValue(java.time.Instant.ofEpochSecond(5, 7)));
            def = t.dropColumn(def, "tag");
            def = t.setReplicaIdentity(def, ReplicaIdentity.FULL);
            last = t.renameTable(def, "goods");
            t.commit();
        }
        List<Object> decoded = new ArrayList<>();
        List<Integer> kinds = new ArrayList<>();
        for (WalRecord r : StorageFixture.walRecords(wal)) {
            if (r instanceof WalRecord.CatalogChange c) {
                kinds.add(c.kind());
                decoded.add(c.definition().length == 0 ? null : CatalogCodec.decode(c.definition()));
            }
        }
        assertThat(kinds).containsExactly(CatalogCodec.SCHEMA_CREATE, CatalogCodec.SEQUENCE_CREATE, CatalogCodec.TABLE_CREATE,
                CatalogCodec.TABLE_ALTER, CatalogCodec.TABLE_ALTER, CatalogCodec.TABLE_ALTER, CatalogCodec.TABLE_ALTER);
        assertThat(decoded.get(decoded.size() - 1)).isEqualTo(last);
        TableDef goods = (TableDef) decoded.get(decoded.size() - 1);
        assertThat(goods.replicaIdentity()).isEqualTo(ReplicaIdentity.FULL);
        assertThat(goods.pkeyName()).isEqualTo("goods_pkey");
        SequenceDef seq = (SequenceDef) decoded.get(1);
        assertThat(seq.name()).isEqualTo("items_id_seq");
        assertThat(seq.max()).isEqualTo(Integer.MAX_VALUE);
        assertThat(goods.columns().get(0).identitySequenceOid()).isEqualTo(seq.oid());
        try (Transaction t = engine.begin()) {
            assertThat(t.sequence("app", "items_id_seq")).isEqualTo(seq);
        }
    }

    @Test
    void concurrentCreateOfTheSameNameWaitsAndFails() throws Exception {
        Transaction first = engine.begin();
        first.createTable("public", "x", cols(), List.of());
        Transaction second = engine.begin();
        var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var result = java.util.concurrent.CompletableFuture.runAsync(
                    () -> second.createTable("public", "x", cols(), List.of()), pool);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> engine.waitingCount() == 1);
            first.commit();
            assertThatThrownBy(() -> result.get(10, java.util.concurrent.TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.DUPLICATE_TABLE));
            second.rollback();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void codecRoundTripsEveryValueClassAsMissingValue() {
        Object[] values = {true, (short) -3, 7, 1L << 40, 1.5f, -2.25d, new BigDecimal("-12.3400"), "text \u00e9", new byte[] {0, -1},
            java.time.LocalDate.of(2000, 1, 1), java.time.LocalDateTime.of(2020, 5, 6, 7, 8, 9, 123_456_000),
            java.time.Instant.MAX, new java.util.UUID(-1, 5), io.lrep.core.lsn.Lsn.parse("16/B374D848"), null};
        PgType[] types = {PgType.BOOL, PgType.INT2, PgType.INT4, PgType.INT8, PgType.FLOAT4, PgType.FLOAT8, PgType.NUMERIC,
            PgType.TEXT, PgType.BYTEA, PgType.DATE, PgType.TIMESTAMP, PgType.TIMESTAMPTZ, PgType.UUID, PgType.PG_LSN, PgType.JSONB};
        List<ColumnDef> cols = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            cols.add(ColumnDef.of("c" + i, types[i]).withMissingValue(values[i]).withAttnum(i + 1));
        }
        TableDef def = new TableDef(16500, 2200, "public", "all_types", cols, List.of(3, 1), ReplicaIdentity.NOTHING);
        TableDef back = CatalogCodec.decodeTable(CatalogCodec.encodeTable(def));
        assertThat(back).isEqualTo(def);
        assertThat(back.columns().get(6).missingValue()).isEqualTo(new BigDecimal("-12.3400"));
        assertThatThrownBy(() -> CatalogCodec.decode(new byte[] {9, 9})).isInstanceOfSatisfying(LrepException.class,
                e -> assertThat(e.sqlState()).isEqualTo(SqlState.DATA_CORRUPTED));
    }

    @Test
    void createInASchemaBeingDroppedWaitsThenFails() throws Exception {
        try (Transaction t = engine.begin()) {
            t.createSchema("s");
            t.commit();
        }
        Transaction dropper = engine.begin();
        dropper.dropSchema("s", false);
        Transaction creator = engine.begin();
        var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var result = java.util.concurrent.CompletableFuture.runAsync(
                    () -> creator.createTable("s", "t", cols(), List.of()), pool);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> engine.waitingCount() == 1);
            dropper.commit();
            assertThatThrownBy(() -> result.get(10, java.util.concurrent.TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_SCHEMA));
            creator.rollback();
        } finally {
            pool.shutdownNow();
        }
    }
}
