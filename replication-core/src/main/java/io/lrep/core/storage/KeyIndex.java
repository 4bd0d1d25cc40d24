package io.lrep.core.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A table's chains by key: an open-addressing hash table (linear probing) of the chains
 * themselves, so that a stored row costs the index one array slot, not an entry object.
 * Beside each slot the table keeps its key's hash ({@link Slots#tags}): a probe passes a slot
 * of another key by reading that int array, without loading the chain, its key and the key's
 * values (three cache misses each in a table of a million rows).
 *
 * <p>Writers ({@link #put}, {@link #remove}) run under the engine lock, one at a time. Readers
 * ({@link #get}) take no lock: a slot's tag is written before its chain, the chain with release
 * and read with acquire semantics; a removed chain leaves a tombstone (and its tag: probes go
 * on past it), and growing builds new arrays and publishes them whole, never changing the old
 * ones, so a reader still probing the old arrays sees every chain they held. A chain put after
 * the reader loaded the arrays may be missed, which is what a lookup concurrent with the insert
 * may see anyway.
 */
final class KeyIndex {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Chain[].class);
    /** Marks a slot whose chain was removed. */
    private static final Chain TOMBSTONE = new Chain();
    private static final int MIN_CAPACITY = 16;

    /** The chains and, at the same index, their keys' {@link #tag}s (0: the slot was never used). */
    private record Slots(Chain[] chains, int[] tags) {
        Slots(int capacity) {
            this(new Chain[capacity], new int[capacity]);
        }
    }

    private volatile Slots slots = new Slots(MIN_CAPACITY);
    /** Chains in the index; under the engine lock. */
    private int size;
    /** Slots holding a chain or a tombstone; under the engine lock. */
    private int used;

    /** The chain of {@code key}, or null. */
    Chain get(RowKey key) {
        Slots s = slots;
        int[] tags = s.tags;
        int mask = tags.length - 1;
        int h = key.hashCode();
        int tag = tag(h);
        for (int i = home(h) & mask;; i = (i + 1) & mask) {
            int t = tags[i];
            if (t == tag || t == 0) { // 0: empty, or a put not yet seen whole; the slot decides
                Chain c = (Chain) SLOT.getAcquire(s.chains, i);
                if (c == null) {
                    return null;
                }
                if (c != TOMBSTONE && c.key.equals(key)) {
                    return c;
                }
            }
        }
    }

    /** Adds {@code chain} under its key, which has no chain. Under the engine lock. */
    void put(Chain chain) {
        if ((used + 1) * 2 > slots.tags.length) {
            grow();
        }
        Slots s = slots;
        int mask = s.tags.length - 1;
        int h = chain.key.hashCode();
        int i = home(h) & mask;
        while (true) {
            Chain c = s.chains[i];
            if (c == null || c == TOMBSTONE) {
                if (c == null) {
                    used++;
                }
                s.tags[i] = tag(h);
                SLOT.setRelease(s.chains, i, chain);
                size++;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Removes {@code chain} if it is the one indexed under its key. Under the engine lock. */
    void remove(Chain chain) {
        Slots s = slots;
        int mask = s.tags.length - 1;
        for (int i = home(chain.key.hashCode()) & mask;; i = (i + 1) & mask) {
            Chain c = s.chains[i];
            if (c == null) {
                return;
            }
            if (c == chain) {
                SLOT.setRelease(s.chains, i, TOMBSTONE);
                size--;
                return;
            }
        }
    }

    /** New arrays for the chains, at most a quarter full, without tombstones. Under the engine lock. */
    private void grow() {
        Slots old = slots;
        int capacity = MIN_CAPACITY;
        while (capacity < size * 4L) {
            capacity <<= 1;
        }
        Slots s = new Slots(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < old.chains.length; j++) {
            Chain c = old.chains[j];
            if (c != null && c != TOMBSTONE) {
                int h = old.tags[j] == 1 ? c.key.hashCode() : old.tags[j]; // the tag is the hash, but 1 also stands for 0
                int i = home(h) & mask;
                while (s.chains[i] != null) {
                    i = (i + 1) & mask;
                }
                s.chains[i] = c;
                s.tags[i] = tag(h);
            }
        }
        used = size;
        slots = s; // the volatile write publishes the filled arrays
    }

    /** A key's hash as its slot's tag: never 0, which marks a slot never used. */
    private static int tag(int h) {
        return h == 0 ? 1 : h;
    }

    /**
     * The slot a hash's probe starts at (before the mask). Hashes that differ only in their low
     * three bits (eight consecutive integer keys: a row key's hash is its value plus a constant)
     * start in neighbouring slots, so that inserting or reading keys in order touches a cache line
     * per eight keys instead of one per key; the other bits are mixed (Fibonacci hashing), so
     * that runs of keys land apart and keys that differ in high bits only do not collide.
     */
    private static int home(int h) {
        return (spread(h >>> 3) << 3) | (h & 7);
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
