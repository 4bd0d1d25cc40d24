package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AutovacuumTest {

    private final StorageEngine engine = new StorageEngine(new MemoryWalLog());
    private final AtomicLong clock = new AtomicLong();
    private final Autovacuum autovacuum = new Autovacuum(engine, Duration.ofSeconds(60), 50, clock::get);

    private TableDef tableOf(int rows) {
        TableDef table;
        try (Transaction t = engine.begin()) {
            table = t.createTable("public", "t", List.of(ColumnDef.of("id", PgType.INT8), ColumnDef.of("v", PgType.TEXT)), List.of("id"));
            for (long i = 0; i < rows; i++) {
                t.insert(table, row(i, "v" + i));
            }
            t.commit();
        }
        return table;
    }

    private void truncate(TableDef table) {
        try (Transaction t = engine.begin()) {
            t.truncate(false, table);
            t.commit();
        }
    }

    @Test
    void shouldVacuumOnlyAfterItsNaptimeAndOnlyWhenEnoughVersionsEnded() {
        TableDef table = tableOf(30);
        autovacuum.onStart();
        truncate(table);
        assertThat(engine.versionsEnded()).isEqualTo(30);

        assertThat(autovacuum.doWork()).as("the naptime has not passed").isZero();
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThat(autovacuum.doWork()).as("30 ended versions are under the threshold of 50").isZero();
        assertThat(autovacuum.versionsRemoved()).isZero();

        try (Transaction t = engine.begin()) {
            for (long i = 0; i < 40; i++) {
                t.insert(table, row(100 + i, "again")); // new keys: the 30 dead versions stay
            }
            t.commit();
        }
        truncate(table);
        assertThat(autovacuum.doWork()).as("the naptime starts again at each look").isZero();
        clock.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThat(autovacuum.doWork()).isEqualTo(1);
        assertThat(autovacuum.versionsRemoved()).isEqualTo(70);
        assertThat(engine.vacuum()).as("nothing left for a manual vacuum").isZero();
    }

    @Test
    void shouldCountRolledBackInsertsAsWorkForVacuum() {
        TableDef table = tableOf(0);
        try (Transaction t = engine.begin()) {
            t.insert(table, row(1L, "kept"));
            t.savepoint("s");
            t.insert(table, row(2L, "rolled back to the savepoint"));
            t.rollbackToSavepoint("s");
            t.insert(table, row(3L, "rolled back with the transaction"));
            t.rollback();
        }
        assertThat(engine.versionsEnded()).isEqualTo(3);
    }
}
