package io.lrep.core.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A table's chains by key: an open-addressing hash table (linear probing) of the chains
 * themselves, so that a stored row costs the index one array slot, not an entry object.
 *
 * <p>Writers ({@link #put}, {@link #remove}) run under the engine lock, one at a time. Readers
 * ({@link #get}) take no lock: slots are written with release and read with acquire semantics, a
 * removed chain leaves a tombstone (probes go on past it), and growing builds a new array and
 * publishes it whole, never changing the old one, so a reader still probing the old array sees
 * every chain it held. A chain put after the reader loaded the array may be missed, which is
 * what a lookup concurrent with the insert may see anyway.
 */
final class KeyIndex {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Chain[].class);
    /** Marks a slot whose chain was removed. */
    private static final Chain TOMBSTONE = new Chain();
    private static final int MIN_CAPACITY = 16;

    private volatile Chain[] slots = new Chain[MIN_CAPACITY];
    /** Chains in the index; under the engine lock. */
    private int size;
    /** Slots holding a chain or a tombstone; under the engine lock. */
    private int used;

    /** The chain of {@code key}, or null. */
    Chain get(RowKey key) {
        Chain[] s = slots;
        int mask = s.length - 1;
        for (int i = spread(key.hashCode()) & mask;; i = (i + 1) & mask) {
            Chain c = (Chain) SLOT.getAcquire(s, i);
            if (c == null) {
                return null;
            }
            if (c != TOMBSTONE && c.key.equals(key)) {
                return c;
            }
        }
    }

    /** Adds {@code chain} under its key, which has no chain. Under the engine lock. */
    void put(Chain chain) {
        if ((used + 1) * 2 > slots.length) {
            grow();
        }
        Chain[] s = slots;
        int mask = s.length - 1;
        int i = spread(chain.key.hashCode()) & mask;
        while (true) {
            Chain c = s[i];
            if (c == null || c == TOMBSTONE) {
                if (c == null) {
                    used++;
                }
                SLOT.setRelease(s, i, chain);
                size++;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Removes {@code chain} if it is the one indexed under its key. Under the engine lock. */
    void remove(Chain chain) {
        Chain[] s = slots;
        int mask = s.length - 1;
        for (int i = spread(chain.key.hashCode()) & mask;; i = (i + 1) & mask) {
            Chain c = s[i];
            if (c == null) {
                return;
            }
            if (c == chain) {
                SLOT.setRelease(s, i, TOMBSTONE);
                size--;
                return;
            }
        }
    }

    /** A new array for the chains, at most a quarter full, without tombstones. Under the engine lock. */
    private void grow() {
        Chain[] old = slots;
        int capacity = MIN_CAPACITY;
        while (capacity < size * 4L) {
            capacity <<= 1;
        }
        Chain[] s = new Chain[capacity];
        int mask = capacity - 1;
        for (Chain c : old) {
            if (c != null && c != TOMBSTONE) {
                int i = spread(c.key.hashCode()) & mask;
                while (s[i] != null) {
                    i = (i + 1) & mask;
                }
                s[i] = c;
            }
        }
        used = size;
        slots = s; // the volatile write publishes the filled array
    }

    /** Mixes the hash's bits, so that consecutive keys do not fill consecutive slots. */
    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
