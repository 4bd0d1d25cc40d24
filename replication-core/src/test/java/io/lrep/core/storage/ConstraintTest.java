package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConstraintTest {

    private final StorageEngine engine = new StorageEngine(new MemoryWalLog());

    @Test
    void shouldEnforceNotNullPrimaryKeyAndTypes() {
        try (Transaction t = engine.begin()) {
            TableDef def = t.createTable("public", "t", List.of(ColumnDef.of("a", PgType.INT4), ColumnDef.of("b", PgType.INT4),
                    ColumnDef.of("c", PgType.TEXT).notNullColumn()), List.of("a", "b"));
            t.insert(def, row(1, 2, "x"));
            assertThatThrownBy(() -> t.insert(def, row(1, 2, "y"))).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.UNIQUE_VIOLATION);
                assertThat(e.getMessage()).isEqualTo("duplicate key value violates unique constraint \"t_pkey\"");
                assertThat(e.detail()).isEqualTo("Key (a, b)=(1, 2) already exists.");
            });
            assertThatThrownBy(() -> t.insert(def, row(1, 3, null))).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.NOT_NULL_VIOLATION);
                assertThat(e.getMessage()).isEqualTo("null value in column \"c\" of relation \"t\" violates not-null constraint");
            });
            assertThatThrownBy(() -> t.insert(def, row(null, 3, "x"))).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.getMessage()).contains("column \"a\""));
            assertThatThrownBy(() -> t.insert(def, row(1, "3", "x"))).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.DATATYPE_MISMATCH);
                assertThat(e.getMessage()).isEqualTo("column \"b\" is of type integer but expression is of type text");
            });
            t.insert(def, row(1, 3, "z"));
            t.nextCommand();
            assertThat(StorageFixture.scan(t, def, t.statementSnapshot())).hasSize(2);
        }
    }

    @Test
    void shouldReuseAKeyDeletedInTheSameTransaction() {
        try (Transaction t = engine.begin()) {
            TableDef def = t.createTable("public", "t", List.of(ColumnDef.of("id", PgType.BYTEA)), List.of("id"));
            RowRef r = t.insert(def, row((Object) new byte[] {1, 2}));
            t.delete(r);
            t.insert(def, row((Object) new byte[] {1, 2}));
            t.insert(def, row((Object) new byte[] {(byte) 0xff}));
            t.commit();
            assertThat(StorageFixture.committed(engine, def)).hasSize(2);
        }
    }

    @Test
    void tablesWithoutPrimaryKeyAcceptDuplicates() {
        try (Transaction t = engine.begin()) {
            TableDef def = t.createTable("public", "log", List.of(ColumnDef.of("msg", PgType.TEXT)), List.of());
            t.insert(def, row("same"));
            t.insert(def, row("same"));
            t.commit();
            assertThat(StorageFixture.committed(engine, def)).hasSize(2);
        }
    }

    @Test
    void shouldSetAndDropNotNullAsPostgres() {
        TableDef def;
        try (Transaction t = engine.begin()) {
            def = t.createTable("public", "n", List.of(ColumnDef.of("id", PgType.INT4), ColumnDef.of("v", PgType.TEXT)),
                    List.of("id"));
            t.insert(def, row(1, null));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            TableDef d = def;
            assertThatThrownBy(() -> t.setNotNull(d, "v", true)).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.NOT_NULL_VIOLATION);
                assertThat(e.getMessage()).isEqualTo("column \"v\" of relation \"n\" contains null values");
            });
            assertThatThrownBy(() -> t.setNotNull(d, "id", false)).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_TABLE_DEFINITION);
                assertThat(e.getMessage()).isEqualTo("column \"id\" is in a primary key");
            });
            assertThatThrownBy(() -> t.setNotNull(d, "nope", true)).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_COLUMN));
            t.update(t.get(d, new Object[] {1}, t.statementSnapshot()), row(1, "x"));
            TableDef strict = t.setNotNull(d, "v", true);
            assertThat(strict.column("v").notNull()).isTrue();
            assertThatThrownBy(() -> t.insert(strict, row(2, null))).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.sqlState()).isEqualTo(SqlState.NOT_NULL_VIOLATION));
            TableDef loose = t.setNotNull(strict, "v", false);
            t.insert(loose, row(2, null));
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            assertThat(t.table("public", "n").column("v").notNull()).isFalse();
        }
    }
}
