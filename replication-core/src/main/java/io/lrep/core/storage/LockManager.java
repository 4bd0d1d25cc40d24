package io.lrep.core.storage;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;

/**
 * Table locks held until their transaction ends (shared for DML, exclusive for DDL), waits on
 * other transactions (row conflicts), and deadlock detection over the wait-for graph: a
 * transaction about to wait that would close a cycle fails with 40P01 instead. Every method runs
 * under the engine lock; waiting releases it through {@code changed}, which every transaction
 * end signals.
 */
final class LockManager {

    private static final class TableLock {
        final Set<TxnState> shared = new HashSet<>();
        TxnState exclusive;
    }

    private final Condition changed;
    private final Map<Integer, TableLock> tableLocks = new HashMap<>();
    private final Map<TxnState, Set<TxnState>> waitsFor = new HashMap<>();

    LockManager(Condition changed) {
        this.changed = changed;
    }

    /** Waits until one of {@code blockers} ends; 40P01 if waiting would close a wait-for cycle. */
    void awaitAny(Transaction t, Set<TxnState> blockers, String what) {
        waitsFor.put(t.state, blockers);
        try {
            if (reaches(blockers, t.state, new HashSet<>())) {
                StringBuilder detail = new StringBuilder();
                detail.append("Transaction ").append(Integer.toUnsignedString(t.state.xid)).append(" waits for ").append(what)
                        .append("; blocked by transaction");
                for (TxnState b : blockers) {
                    detail.append(' ').append(Integer.toUnsignedString(b.xid));
                }
                detail.append('.');
                throw new LrepException(SqlState.DEADLOCK_DETECTED, LrepException.Severity.ERROR, "deadlock detected",
                        detail.toString(), "See server log for query details.", null);
            }
            while (!anyEnded(blockers)) {
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LrepException(SqlState.QUERY_CANCELED, "canceling statement due to user request", e);
        } finally {
            waitsFor.remove(t.state);
        }
    }

    private static boolean anyEnded(Set<TxnState> blockers) {
        for (TxnState b : blockers) {
            if (b.isEnded()) {
                return true;
            }
        }
        return false;
    }

    private boolean reaches(Set<TxnState> from, TxnState target, Set<TxnState> seen) {
        for (TxnState s : from) {
            if (s == target) {
                return true;
            }
            if (seen.add(s)) {
                Set<TxnState> next = waitsFor.get(s);
                if (next != null && reaches(next, target, seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Takes a table lock held until the transaction ends: shared for DML, exclusive for DDL. */
    void lockRelation(Transaction t, int oid, boolean exclusive, String name) {
        Boolean held = t.heldLocks.get(oid);
        if (held != null && (held || !exclusive)) {
            return;
        }
        while (true) {
            TableLock l = tableLocks.computeIfAbsent(oid, k -> new TableLock());
            Set<TxnState> blockers = new HashSet<>();
            if (l.exclusive != null && l.exclusive != t.state) {
                blockers.add(l.exclusive);
            }
            if (exclusive) {
                for (TxnState s : l.shared) {
                    if (s != t.state) {
                        blockers.add(s);
                    }
                }
            }
            if (blockers.isEmpty()) {
                if (exclusive) {
                    l.exclusive = t.state;
                } else {
                    l.shared.add(t.state);
                }
                t.heldLocks.put(oid, exclusive);
                return;
            }
            awaitAny(t, blockers, (exclusive ? "AccessExclusiveLock" : "RowExclusiveLock") + " on relation " + name);
        }
    }

    /** Releases every table lock of an ending transaction (the caller signals {@code changed}). */
    void releaseAll(Transaction t) {
        for (Integer oid : t.heldLocks.keySet()) {
            TableLock l = tableLocks.get(oid);
            if (l != null) {
                l.shared.remove(t.state);
                if (l.exclusive == t.state) {
                    l.exclusive = null;
                }
                if (l.exclusive == null && l.shared.isEmpty()) {
                    tableLocks.remove(oid);
                }
            }
        }
        t.heldLocks.clear();
    }

    /**
     * ROLLBACK TO: releases the table locks {@code t} took since it held {@code before}, and
     * gives up an exclusive lock that was shared then (the caller signals {@code changed}).
     */
    void releaseSince(Transaction t, Map<Integer, Boolean> before) {
        for (var it = t.heldLocks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Boolean> e = it.next();
            Boolean was = before.get(e.getKey());
            if (was != null && was.equals(e.getValue())) {
                continue;
            }
            TableLock l = tableLocks.get(e.getKey());
            if (l != null) {
                if (l.exclusive == t.state) {
                    l.exclusive = null;
                }
                if (was == null) {
                    l.shared.remove(t.state);
                }
                if (l.exclusive == null && l.shared.isEmpty()) {
                    tableLocks.remove(e.getKey());
                }
            }
            if (was == null) {
                it.remove();
            } else {
                e.setValue(was);
            }
        }
    }

    /** How many transactions are waiting right now. */
    int waitingCount() {
        return waitsFor.size();
    }
}
