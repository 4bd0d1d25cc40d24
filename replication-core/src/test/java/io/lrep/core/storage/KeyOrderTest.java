package io.lrep.core.storage;

import static io.lrep.core.storage.StorageFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Primary keys order and collide as PostgreSQL's btree on the key columns' types does; scans
 * return rows in the order their keys were inserted, as a heap is read.
 */
class KeyOrderTest {

    private final MemoryWalLog wal = new MemoryWalLog();
    private final StorageEngine engine = new StorageEngine(wal);

    private TableDef table(PgType keyType) {
        try (Transaction t = engine.begin()) {
            TableDef def = t.createTable("public", "k_" + keyType.typname(),
                    List.of(ColumnDef.of("k", keyType), ColumnDef.of("v", PgType.TEXT)), List.of("k"));
            t.commit();
            return def;
        }
    }

    /** The keys in scan order. */
    private List<Object> scanned(TableDef def) {
        List<Object> out = new ArrayList<>();
        try (Transaction t = engine.begin()) {
            Iterator<RowRef> it = t.scan(def, t.statementSnapshot());
            while (it.hasNext()) {
                out.add(it.next().values()[0]);
            }
        }
        return out;
    }

    /** The keys as {@link RowKey} orders them. */
    private List<Object> keys(TableDef def) {
        PgType[] type = {def.columns().get(0).type()};
        List<Object> out = scanned(def);
        out.sort((a, b) -> RowKey.of(type, new Object[] {a}).compareTo(RowKey.of(type, new Object[] {b})));
        return out;
    }

    private static void assertDuplicate(Transaction t, TableDef def, Object key) {
        assertThatThrownBy(() -> t.insert(def, row(key, "dup")))
                .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.sqlState()).isEqualTo(SqlState.UNIQUE_VIOLATION));
    }

    @Test
    void shouldTreatBpcharKeysAlikeUpToTrailingSpaces() {
        TableDef def = table(PgType.BPCHAR);
        try (Transaction t = engine.begin()) {
            t.insert(def, row("ab", "x"));
            assertDuplicate(t, def, "ab   ");
            t.insert(def, row("a", "y"));
            t.insert(def, row("ab c", "z"));
            t.nextCommand();
            assertThat(t.get(def, new Object[] {"ab  "}, t.statementSnapshot()).values()[1]).isEqualTo("x");
            t.commit();
        }
        assertThat(keys(def)).containsExactly("a", "ab", "ab c");
    }

    @Test
    void shouldSortFloatNanLastAndTreatMinusZeroAsZero() {
        TableDef def = table(PgType.FLOAT8);
        try (Transaction t = engine.begin()) {
            for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1.5, Double.NEGATIVE_INFINITY, 0.0}) {
                t.insert(def, row(d, "x"));
            }
            assertDuplicate(t, def, -0.0);
            assertDuplicate(t, def, Double.longBitsToDouble(0x7ff8000000000001L));
            t.commit();
        }
        assertThat(keys(def)).containsExactly(Double.NEGATIVE_INFINITY, 0.0, 1.5, Double.POSITIVE_INFINITY, Double.NaN);
    }

    @Test
    void shouldCompareNumericKeysByValueAndTextByCodePoint() {
        TableDef num = table(PgType.NUMERIC);
        TableDef text = table(PgType.TEXT);
        try (Transaction t = engine.begin()) {
            t.insert(num, row(new BigDecimal("1.0"), "x"));
            assertDuplicate(t, num, new BigDecimal("1.00"));
            t.insert(num, row(new BigDecimal("-2"), "x"));
            t.insert(text, row("b", "x"));
            t.insert(text, row("B", "x"));
            t.insert(text, row("\uD83D\uDE00", "x"));
            t.insert(text, row("\uFFFD", "x"));
            t.commit();
        }
        assertThat(keys(num)).containsExactly(new BigDecimal("-2"), new BigDecimal("1.0"));
        assertThat(keys(text)).containsExactly("B", "b", "\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void shouldKeyOnArraysAndStoreArraysInWalAndCatalog() {
        TableDef def = table(PgType.INT4_ARRAY);
        try (Transaction t = engine.begin()) {
            t.insert(def, row(new Object[] {1, 2}, "x"));
            t.insert(def, row(new Object[] {1}, "y"));
            assertDuplicate(t, def, new Object[] {1, 2});
            t.addColumn(def, ColumnDef.of("tags", PgType.TEXT_ARRAY).withMissingValue(new Object[] {"a", null}));
            t.commit();
        }
        assertThat(keys(def)).extracting(k -> ((Object[]) k).length).containsExactly(1, 2);

        MemoryWalLog crashed = wal.crash();
        StorageEngine replayed = new StorageEngine(crashed);
        StorageFixture.replay(crashed, replayed);
        try (Transaction t = replayed.begin()) {
            TableDef back = t.table("public", "k__int4");
            assertThat(back.columns().get(2).missingValue()).isEqualTo(new Object[] {"a", null});
            assertThat(back).isEqualTo(t.table(def.oid()));
            RowRef r = t.get(back, new Object[] {new Object[] {1, 2}}, t.statementSnapshot());
            assertThat(r.values()).containsExactly(new Object[] {1, 2}, "x", new Object[] {"a", null});
        }
    }

    @Test
    void shouldScanInInsertionOrderWithReinsertedKeysLast() {
        TableDef def = table(PgType.INT4);
        try (Transaction t = engine.begin()) {
            for (int k : new int[] {5, 3, 9, 1, 7}) {
                t.insert(def, row(k, "x"));
            }
            t.commit();
        }
        assertThat(scanned(def)).containsExactly(5, 3, 9, 1, 7);
        try (Transaction t = engine.begin()) {
            t.delete(t.get(def, new Object[] {3}, t.statementSnapshot()));
            t.delete(t.get(def, new Object[] {7}, t.statementSnapshot()));
            t.commit();
        }
        assertThat(engine.vacuum()).isEqualTo(2);
        try (Transaction t = engine.begin()) {
            t.insert(def, row(3, "again"));
            t.insert(def, row(2, "new"));
            t.update(t.get(def, new Object[] {5}, t.statementSnapshot()), row(5, "updated"));
            t.commit();
        }
        assertThat(scanned(def)).containsExactly(5, 9, 1, 3, 2);
        engine.vacuum();
        try (Transaction t = engine.begin()) {
            t.insert(def, row(8, "after the last one was vacuumed"));
            t.commit();
        }
        assertThat(scanned(def)).containsExactly(5, 9, 1, 3, 2, 8);
    }

    @Test
    void shouldKeepOrderAndAnOpenScanAcrossAVacuumOfMostRows() {
        TableDef def = table(PgType.INT4);
        try (Transaction t = engine.begin()) {
            for (int k = 0; k < 3000; k++) {
                t.insert(def, row(k, "x"));
            }
            t.commit();
        }
        try (Transaction t = engine.begin()) {
            for (int k = 0; k < 3000; k++) {
                if (k % 3 != 0) {
                    t.delete(t.get(def, new Object[] {k}, t.statementSnapshot()));
                }
            }
            t.commit();
        }
        List<Object> expected = new ArrayList<>();
        for (int k = 0; k < 3000; k += 3) {
            expected.add(k);
        }
        List<Object> seen = new ArrayList<>();
        try (Transaction reader = engine.begin()) {
            Iterator<RowRef> it = reader.scan(def, reader.statementSnapshot());
            for (int i = 0; i < 10; i++) {
                seen.add(it.next().values()[0]);
            }
            assertThat(engine.vacuum()).isEqualTo(2000); // while the scan stands on a chain that stays
            try (Transaction t = engine.begin()) {
                for (int k = 3000; k < 3010; k++) {
                    t.insert(def, row(k, "after"));
                }
                t.commit();
            }
            it.forEachRemaining(r -> seen.add(r.values()[0]));
        }
        assertThat(seen).isEqualTo(expected);
        for (int k = 3000; k < 3010; k++) {
            expected.add(k);
        }
        assertThat(scanned(def)).isEqualTo(expected);
    }
}
