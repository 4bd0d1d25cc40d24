package io.lrep.publisher.publication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.StorageEngine;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.WalLog;
import io.lrep.core.wal.WalReader;
import io.lrep.core.wal.WalRecord;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publication catalog and its rules, over real storage, with a row filter compiler that knows a few fixed filters. */
class PublicationsTest {

    /** A WAL that only counts: these tests never read WAL back. */
    private static final class CountingWal implements WalLog {
        private long lsn = 16;

        @Override
        public synchronized long append(WalRecord record) {
            return lsn += 8;
        }

        @Override
        public void waitForFlush(long upTo) {
            // everything counts as flushed at once
        }

        @Override
        public boolean awaitFlushedBeyond(long upTo, long timeoutNanos) {
            return true;
        }

        @Override
        public synchronized long insertLsn() {
            return lsn;
        }

        @Override
        public synchronized long flushedLsn() {
            return lsn;
        }

        @Override
        public long oldestLsn() {
            return 16;
        }

        @Override
        public WalReader openReader(long fromLsn) {
            throw new UnsupportedOperationException("no WAL reading in these tests");
        }

        @Override
        public void holdFrom(String holder, long from) {
            // nothing is removed
        }

        @Override
        public void release(String holder) {
            // nothing is held
        }

        @Override
        public int removeOldSegments() {
            return 0;
        }

        @Override
        public Runnable addFlushListener(java.util.function.LongConsumer listener) {
            return () -> { };
        }
    }

    /** Filters by text: "(a > 1)" reads column 1, "(b IS NULL)" column 2. */
    private static final RowFilterCompiler FILTERS = new RowFilterCompiler() {
        @Override
        public RowFilter compile(TableDef table, String expression) {
            return switch (expression) {
                case "(a > 1)" -> row -> row[0] != null && (Integer) row[0] > 1;
                case "(b IS NULL)" -> row -> row[1] == null;
                default -> throw new IllegalArgumentException(expression);
            };
        }

        @Override
        public Set<Integer> columnsUsed(TableDef table, String expression) {
            return expression.contains("a") ? Set.of(1) : Set.of(2);
        }
    };

    private StorageEngine storage;

    @BeforeEach
    void setUp() {
        storage = new StorageEngine(new CountingWal());
        try (Transaction t = storage.begin()) {
            PublicationCatalog.bootstrap(t);
            t.createSchema("s1");
            t.createTable("public", "t", List.of(ColumnDef.of("a", PgType.INT4).notNullColumn(), ColumnDef.of("b", PgType.INT4)),
                    List.of("a"));
            t.createTable("public", "nokey", List.of(ColumnDef.of("a", PgType.INT4), ColumnDef.of("b", PgType.INT4)), List.of());
            t.createTable("s1", "x", List.of(ColumnDef.of("k", PgType.INT4).notNullColumn()), List.of("k"));
            t.commit();
        }
    }

    private static long oid(TableDef td) {
        return Integer.toUnsignedLong(td.oid());
    }

    @Test
    void publishActionsParseAsPostgresDoes() {
        assertThat(PublishActions.parse(" Insert ,truncate")).isEqualTo(new PublishActions(true, false, false, true));
        assertThat(PublishActions.parse("")).isEqualTo(PublishActions.NONE);
        assertThat(PublishActions.ALL.toString()).isEqualTo("insert, update, delete, truncate");
        assertThatThrownBy(() -> PublishActions.parse("insert, foo"))
                .hasMessage("unrecognized value for publication option \"publish\": \"foo\"")
                .extracting(e -> ((LrepException) e).sqlState()).isEqualTo(SqlState.SYNTAX_ERROR);
    }

    @Test
    void catalogRowsMembershipAndDependencies() {
        try (Transaction t = storage.begin()) {
            TableDef table = t.table("public", "t");
            TableDef x = t.table("s1", "x");
            Publication p = PublicationCatalog.create(t, "p", 10, false, PublishActions.ALL, false);
            PublicationCatalog.addRel(t, p.oid(), oid(table), "(a > 1)", List.of(2, 1));
            PublicationCatalog.addNamespace(t, p.oid(), Integer.toUnsignedLong(t.findSchema("s1").oid()));
            Publication all = PublicationCatalog.create(t, "all", 10, true, PublishActions.parse("insert"), false);
            t.nextCommand();
            assertThatThrownBy(() -> PublicationCatalog.create(t, "p", 10, false, PublishActions.ALL, false))
                    .hasMessage("publication \"p\" already exists");

            assertThat(PublicationCatalog.rels(t, p.oid())).singleElement()
                    .satisfies(r -> assertThat(r.columns()).containsExactly(1, 2));
            assertThat(PublicationCatalog.members(t, p)).extracting(m -> m.table().name()).containsExactly("t", "x");
            assertThat(PublicationCatalog.members(t, all)).extracting(m -> m.table().name()).containsExactly("t", "nokey", "x");
            assertThat(PublicationCatalog.membership(t, p, x).rel()).isNull();
            assertThat(PublicationCatalog.membership(t, p, t.table("public", "nokey"))).isNull();

            PublicationCatalog.onTableDropped(t, oid(table));
            PublicationCatalog.onSchemaDropped(t, Integer.toUnsignedLong(t.findSchema("s1").oid()));
            t.nextCommand();
            assertThat(PublicationCatalog.members(t, p)).isEmpty();

            PublicationCatalog.update(t, p.withName("q").withActions(PublishActions.NONE));
            t.nextCommand();
            assertThat(PublicationCatalog.find(t, "q")).get().extracting(Publication::actions).isEqualTo(PublishActions.NONE);
            PublicationCatalog.drop(t, PublicationCatalog.get(t, "q"));
            t.nextCommand();
            assertThat(PublicationCatalog.all(t)).extracting(Publication::name).containsExactly("all");
            assertThatThrownBy(() -> PublicationCatalog.get(t, "q")).hasMessage("publication \"q\" does not exist");
        }
    }

    @Test
    void resolveUnitesActionsAndOrsFilters() {
        try (Transaction t = storage.begin()) {
            TableDef table = t.table("public", "t");
            Publication ins = PublicationCatalog.create(t, "ins", 10, false, PublishActions.parse("insert"), false);
            Publication upd = PublicationCatalog.create(t, "upd", 10, false, PublishActions.parse("update"), false);
            Publication full = PublicationCatalog.create(t, "full", 10, false, PublishActions.parse("insert, truncate"), false);
            PublicationCatalog.addRel(t, ins.oid(), oid(table), "(a > 1)", null);
            PublicationCatalog.addRel(t, upd.oid(), oid(table), "(b IS NULL)", List.of(1, 2));
            PublicationCatalog.addRel(t, full.oid(), oid(table), null, null);
            t.nextCommand();

            PublishedTable both = Publications.resolve(t, List.of("ins", "upd"), table, FILTERS);
            assertThat(both.actions()).isEqualTo(new PublishActions(true, true, false, false));
            assertThat(both.columns()).as("a list of every column is no list").isNull();
            assertThat(both.filter(PublishActions.Action.INSERT).test(new Object[] {2, 7})).isTrue();
            assertThat(both.filter(PublishActions.Action.INSERT).test(new Object[] {1, null})).isFalse();
            assertThat(both.filter(PublishActions.Action.UPDATE).test(new Object[] {1, null})).isTrue();
            assertThat(both.filter(PublishActions.Action.DELETE)).isNull();

            PublishedTable unfiltered = Publications.resolve(t, List.of("ins", "full"), table, FILTERS);
            assertThat(unfiltered.filter(PublishActions.Action.INSERT)).isNull();
            assertThat(unfiltered.publishes(PublishActions.Action.TRUNCATE)).isTrue();
        }
    }

    @Test
    void updateAndDeleteChecks() {
        try (Transaction t = storage.begin()) {
            TableDef table = t.table("public", "t");
            TableDef nokey = t.table("public", "nokey");
            Publication p = PublicationCatalog.create(t, "p", 10, false, PublishActions.ALL, false);
            PublicationCatalog.addRel(t, p.oid(), oid(nokey), null, null);
            PublicationCatalog.addRel(t, p.oid(), oid(table), "(b IS NULL)", null);
            t.nextCommand();
            assertThatThrownBy(() -> Publications.checkModify(t, nokey, true, FILTERS))
                    .hasMessage("cannot update table \"nokey\" because it does not have a replica identity and publishes updates");
            assertThatThrownBy(() -> Publications.checkModify(t, table, false, FILTERS))
                    .hasMessage("cannot delete from table \"t\"")
                    .extracting(e -> ((LrepException) e).detail())
                    .isEqualTo("Column used in the publication WHERE expression is not part of the replica identity.");
            TableDef fullIdentity = t.setReplicaIdentity(table, ReplicaIdentity.FULL);
            t.nextCommand();
            Publications.checkModify(t, fullIdentity, true, FILTERS);
            PublicationCatalog.addRel(t, PublicationCatalog.create(t, "cols", 10, false, PublishActions.ALL, false).oid(),
                    oid(table), null, List.of(1, 2));
            t.nextCommand();
            assertThatThrownBy(() -> Publications.checkModify(t, fullIdentity, true, FILTERS))
                    .as("FULL: any column list fails, as in PostgreSQL 15")
                    .extracting(e -> ((LrepException) e).detail())
                    .isEqualTo("Column list used by the publication does not cover the replica identity.");
            assertThat(Publications.replicaIdentityColumns(fullIdentity)).containsExactlyInAnyOrder(1, 2);
            assertThat(Publications.hasReplicaIdentity(nokey)).isFalse();
        }
    }
}
