package io.lrep.publisher.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random workloads (interleaved transactions, savepoint rollbacks, aborts, truncates,
 * messages, ADD/DROP COLUMN) written as WAL, with the expected decoded output computed by a
 * model of the workload. Checks that plain, spilling, streaming, and restarted-from-saved-state
 * decoding all give exactly the model's output. Seed: {@code -Ddecoding.seed=N} (printed); workloads per test: {@code -Ddecoding.rounds=N}.
 */
class DecoderPropertyTest {

    private static final int ROUNDS = Integer.getInteger("decoding.rounds", 25);

    @TempDir
    Path dir;

    private static long seed() {
        String fixed = System.getProperty("decoding.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        System.out.println("DecoderPropertyTest seed = " + seed + " (rerun with -Ddecoding.seed=" + seed + ")");
        return seed;
    }

    /** The workload and what a client must end up with. */
    private static final class Workload {
        final MemoryWalLog wal = new MemoryWalLog();
        final WalScript w = new WalScript(wal);
        final List<TableDef> initial = new ArrayList<>();
        final Map<Integer, TableDef> committedDefs = new HashMap<>();
        final List<Integer> expectedXids = new ArrayList<>();
        final List<List<String>> expected = new ArrayList<>();
        final List<String> expectedMessages = new ArrayList<>();
        final Map<Integer, Integer> ddlOwner = new HashMap<>();
        final LinkedHashMap<Integer, Open> open = new LinkedHashMap<>();
        int nextXid = 100;
        int nextKey = 1;

        private static final class Open {
            final int xid;
            final List<long[]> itemLsns = new ArrayList<>();
            final List<String> items = new ArrayList<>();
            final List<Object[]> defs = new ArrayList<>(); // {lsn, TableDef}
            final List<Long> savepoints = new ArrayList<>();
            final java.util.Set<Integer> touched = new java.util.HashSet<>();
            boolean logged;

            Open(int xid) {
                this.xid = xid;
            }
        }

        Workload(Random rnd) {
            for (int i = 0; i < 3; i++) {
                TableDef t = WalScript.kv(16384 + i, "t" + i);
                initial.add(t);
                committedDefs.put(t.oid(), t);
            }
            int records = 50 + rnd.nextInt(400);
            while (wal.insertLsn() < MemoryWalLog.START_LSN + records * MemoryWalLog.RECORD_SIZE) {
                step(rnd);
            }
            wal.flushAll();
        }

        TableDef view(Open o, int oid) {
            for (int i = o.defs.size() - 1; i >= 0; i--) {
                TableDef d = (TableDef) o.defs.get(i)[1];
                if (d.oid() == oid) {
                    return d;
                }
            }
            return committedDefs.get(oid);
        }

        Object[] row(TableDef t, int key, Random rnd) {
            Object[] row = new Object[t.columns().size()];
            for (ColumnDef c : t.columns()) {
                int i = c.attnum() - 1;
                if (c.dropped()) {
                    row[i] = null;
                } else if (c.attnum() == 1) {
                    row[i] = key;
                } else if (c.type() == PgType.TEXT) {
                    row[i] = rnd.nextInt(5) == 0 ? null : "s" + rnd.nextInt(1000);
                } else {
                    row[i] = rnd.nextLong() % 1000;
                }
            }
            return row;
        }

        void item(Open o, long lsn, String s) {
            o.logged = true;
            o.itemLsns.add(new long[] {lsn});
            o.items.add(s);
        }

        void step(Random rnd) {
            if (open.isEmpty() || (open.size() < 4 && rnd.nextInt(6) == 0)) {
                open.put(nextXid, new Open(nextXid));
                nextXid++;
            }
            List<Open> list = new ArrayList<>(open.values());
            Open o = list.get(rnd.nextInt(list.size()));
            int oid = 16384 + rnd.nextInt(3);
            Integer owner = ddlOwner.get(oid);
            boolean mayTouch = owner == null || owner == o.xid;
            int action = rnd.nextInt(100);
            if (action < 40 && mayTouch) {
                TableDef t = view(o, oid);
                Object[] row = row(t, nextKey++, rnd);
                long lsn = w.insert(o.xid, t, row);
                o.touched.add(oid);
                item(o, lsn, Recorder.item(new RowChange.Insert(lsn, t, row)));
            } else if (action < 52 && mayTouch) {
                TableDef t = view(o, oid);
                Object[] row = row(t, rnd.nextInt(nextKey), rnd);
                Object[] key = new Object[row.length];
                key[0] = row[0];
                Object[] old = rnd.nextBoolean() ? key : null;
                long lsn = w.append(new WalRecord.Update(o.xid, oid, old, false, row));
                o.touched.add(oid);
                item(o, lsn, Recorder.item(new RowChange.Update(lsn, t, old, false, row)));
            } else if (action < 60 && mayTouch) {
                TableDef t = view(o, oid);
                Object[] key = new Object[t.columns().size()];
                key[0] = rnd.nextInt(nextKey);
                long lsn = w.append(new WalRecord.Delete(o.xid, oid, key, false));
                o.touched.add(oid);
                item(o, lsn, Recorder.item(new RowChange.Delete(lsn, t, key, false)));
            } else if (action < 63 && mayTouch) {
                TableDef t = view(o, oid);
                long lsn = w.truncate(o.xid, t);
                o.touched.add(oid);
                item(o, lsn, Recorder.truncate(List.of(t), false, false));
            } else if (action < 67) {
                String content = "m" + rnd.nextInt(1000);
                long lsn = w.message(o.xid, true, "tx", content);
                item(o, lsn, Recorder.message("tx", content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } else if (action < 70) {
                String content = "n" + rnd.nextInt(1000);
                w.message(0, false, "nt", content);
                expectedMessages.add(Recorder.message("nt", content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } else if (action < 76) {
                o.savepoints.add(w.savepoint());
            } else if (action < 81 && !o.savepoints.isEmpty()) {
                int k = rnd.nextInt(o.savepoints.size());
                long sp = o.savepoints.get(k);
                w.rollbackTo(o.xid, sp);
                o.savepoints.subList(k + 1, o.savepoints.size()).clear();
                for (int i = o.items.size() - 1; i >= 0 && o.itemLsns.get(i)[0] >= sp; i--) {
                    o.items.remove(i);
                    o.itemLsns.remove(i);
                }
                o.defs.removeIf(d -> (long) d[0] >= sp);
                // A table this transaction no longer altered stays locked until its end, as in storage.
            } else if (action < 85 && (owner == null || owner == o.xid) && noOtherToucher(o, oid)) {
                TableDef t = view(o, oid);
                List<ColumnDef> live = t.liveColumns();
                TableDef altered;
                if (rnd.nextBoolean() || live.size() <= 1) {
                    altered = WalScript.addColumn(t, "c" + t.columns().size(), rnd.nextBoolean() ? PgType.INT8 : PgType.TEXT);
                } else {
                    altered = WalScript.dropColumn(t, live.get(1 + rnd.nextInt(live.size() - 1)).name());
                }
                long lsn = w.alter(o.xid, altered);
                o.defs.add(new Object[] {lsn, altered});
                o.logged = true;
                ddlOwner.put(oid, o.xid);
            } else if (action < 93) {
                w.commit(o.xid);
                if (o.logged) { // a transaction that logged nothing is not decoded
                    expectedXids.add(o.xid);
                    expected.add(new ArrayList<>(o.items));
                }
                for (Object[] d : o.defs) {
                    TableDef t = (TableDef) d[1];
                    committedDefs.put(t.oid(), t);
                }
                end(o);
            } else if (action < 97) {
                w.abort(o.xid);
                end(o);
            }
        }

        boolean noOtherToucher(Open o, int oid) {
            for (Open other : open.values()) {
                if (other != o && other.touched.contains(oid)) {
                    return false;
                }
            }
            return true;
        }

        void end(Open o) {
            open.remove(o.xid);
            ddlOwner.values().removeIf(x -> x == o.xid);
        }
    }

    private Recorder decodeAll(Workload wl, long workMem, boolean streaming, Path spill) {
        Recorder rec = new Recorder();
        try (LogicalDecoder d = new LogicalDecoder(wl.wal, MemoryWalLog.START_LSN, 0, HistoricCatalog.of(wl.initial), rec,
                new LogicalDecoder.Options(workMem, spill, streaming))) {
            while (d.decode(1 + (int) (workMem % 13)) > 0) {
                // until caught up
            }
        }
        return rec;
    }

    private static void assertMatches(Recorder rec, Workload wl, String what) {
        assertThat(rec.committed).as(what + ": xids").extracting(Recorder.Txn::xid).isEqualTo(wl.expectedXids);
        assertThat(rec.items()).as(what + ": items").isEqualTo(wl.expected);
        assertThat(rec.nonTransactional).as(what + ": messages").isEqualTo(wl.expectedMessages);
    }

    @Test
    void plainSpillingAndStreamingDecodingAllGiveTheModelsOutput() {
        long seed = seed();
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            Workload wl = new Workload(rnd);
            Recorder plain = decodeAll(wl, Long.MAX_VALUE, false, dir.resolve("plain"));
            assertMatches(plain, wl, "plain, seed " + seed + " round " + round);
            long workMem = 1 + rnd.nextInt(1200);
            Recorder spilled = decodeAll(wl, workMem, false, dir.resolve("spill"));
            assertThat(spilled.events).as("spilled, seed " + seed + " round " + round).isEqualTo(plain.events);
            Recorder streamed = decodeAll(wl, workMem, true, dir.resolve("stream"));
            assertMatches(streamed, wl, "streamed, seed " + seed + " round " + round);
        }
    }

    @Test
    void restartingFromSavedStatesGivesTheSameOutputAsAnUninterruptedRun() {
        long seed = seed();
        Random rnd = new Random(seed);
        int crashes = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Workload wl = new Workload(rnd);
            boolean streaming = rnd.nextBoolean();
            LogicalDecoder.Options opts = new LogicalDecoder.Options(rnd.nextBoolean() ? Long.MAX_VALUE : 1 + rnd.nextInt(1200),
                    dir.resolve("slot"), streaming);
            Recorder rec = new Recorder();
            long restart = MemoryWalLog.START_LSN;
            long confirmed = 0;
            byte[] state = null;
            LogicalDecoder d = new LogicalDecoder(wl.wal, restart, confirmed, HistoricCatalog.of(wl.initial), rec, opts);
            try {
                while (true) {
                    int n = d.decode(1 + rnd.nextInt(6));
                    if (!rec.committed.isEmpty() && rnd.nextInt(3) == 0) {
                        long f = rec.committed.get(rec.committed.size() - 1).endLsn();
                        if (f > confirmed) {
                            confirmed = f;
                            RestartPoint rp = d.confirm(f);
                            if (rp != null) {
                                assertThat(rp.restartLsn()).isLessThanOrEqualTo(rp.validAtLsn());
                                assertThat(rp.validAtLsn()).isLessThanOrEqualTo(f);
                                restart = rp.restartLsn();
                                state = rp.catalogState();
                            }
                        }
                    }
                    if (rnd.nextInt(10) == 0) {
                        d.close();
                        crashes++;
                        rec.disconnect();
                        rec.keepUpTo(confirmed);
                        d = new LogicalDecoder(wl.wal, restart, confirmed, state == null ? HistoricCatalog.of(wl.initial)
                                : HistoricCatalog.deserialize(state), rec, opts);
                    } else if (n == 0) {
                        break;
                    }
                }
            } finally {
                d.close();
            }
            assertMatches(rec, wl, "restarted, streaming " + streaming + ", seed " + seed + " round " + round);
        }
        assertThat(crashes).isPositive();
    }
}
