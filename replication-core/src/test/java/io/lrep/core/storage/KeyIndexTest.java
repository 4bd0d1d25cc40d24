package io.lrep.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.types.PgType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link KeyIndex} against a HashMap, over seeded random puts and removes. Seed: -Dlrep.test.seed=N. */
class KeyIndexTest {

    private static final PgType[] INT8 = {PgType.INT8};
    private static final PgType[] TEXT_INT4 = {PgType.TEXT, PgType.INT4};

    private static Chain chain(RowKey key) {
        return new Chain(new RowVersion(key, new byte[0], new TxnState(), 0));
    }

    @Test
    void shouldFindWhatWasPutAndNotWhatWasRemovedAcrossGrowthAndTombstones() {
        long seed = Long.getLong("lrep.test.seed", System.nanoTime());
        System.out.println("KeyIndexTest seed=" + seed + " (rerun with -Dlrep.test.seed=" + seed + ")");
        Random random = new Random(seed);
        for (boolean oneColumn : new boolean[] {true, false}) {
            run(random, seed, oneColumn);
        }
    }

    @Test
    void shouldTellApartKeysWithTheSameHash() {
        KeyIndex index = new KeyIndex();
        // Long.hashCode folds the high half into the low: the first three keys have the same hash
        List<RowKey> keys = List.of(RowKey.single(INT8, 0L), RowKey.single(INT8, 0x1_0000_0001L),
                RowKey.single(INT8, 0x2_0000_0002L), RowKey.single(INT8, 1L));
        assertThat(keys.get(1).hashCode()).isEqualTo(keys.get(0).hashCode()).isEqualTo(keys.get(2).hashCode());
        List<Chain> chains = new ArrayList<>();
        for (RowKey k : keys) {
            Chain c = chain(k);
            index.put(c);
            chains.add(c);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(index.get(RowKey.single(INT8, keys.get(i).get(0)))).isSameAs(chains.get(i));
        }
        index.remove(chains.get(0));
        assertThat(index.get(keys.get(0))).isNull();
        assertThat(index.get(keys.get(2))).isSameAs(chains.get(2));
        assertThat(index.get(RowKey.single(INT8, 0x3_0000_0003L))).isNull();
    }

    /** Keys of one table all have the same types: one shape per index. */
    private static void run(Random random, long seed, boolean oneColumn) {
        KeyIndex index = new KeyIndex();
        Map<RowKey, Chain> model = new HashMap<>();
        List<RowKey> keys = new ArrayList<>();
        for (int op = 0; op < 200_000; op++) {
            RowKey key = oneColumn
                    ? RowKey.single(INT8, (long) random.nextInt(5_000))
                    : RowKey.wrap(TEXT_INT4, new Object[] {"k" + random.nextInt(50), random.nextInt(100)});
            Chain present = model.get(key);
            assertThat(index.get(key)).as("op %d, seed %d", op, seed).isSameAs(present);
            if (present == null) {
                Chain c = chain(key);
                index.put(c);
                model.put(key, c);
                keys.add(key);
            } else if (random.nextInt(3) > 0) {
                index.remove(present);
                index.remove(present); // a second remove of the same chain does nothing
                model.remove(key);
            }
        }
        for (RowKey k : keys) {
            assertThat(index.get(k)).isSameAs(model.get(k));
            assertThat(index.get(RowKey.of(oneColumn ? INT8 : TEXT_INT4, k.values()))).as("an equal key").isSameAs(model.get(k));
        }
    }

    @Test
    void shouldNotRemoveAnotherChainOfTheSameKey() {
        KeyIndex index = new KeyIndex();
        RowKey key = RowKey.single(INT8, 7L);
        Chain old = chain(key);
        index.put(old);
        index.remove(old);
        Chain again = chain(key);
        index.put(again);
        index.remove(old);
        assertThat(index.get(key)).isSameAs(again);
    }
}
