package io.lrep.publisher.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.pgoutput.PgOutputMessage;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Begin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Commit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Relation;
import io.lrep.core.protocol.pgoutput.TupleData;
import io.lrep.core.protocol.replication.PgTimestamp;
import io.lrep.core.storage.ColumnDef;
import io.lrep.core.storage.ReplicaIdentity;
import io.lrep.core.storage.RowRef;
import io.lrep.core.storage.TableDef;
import io.lrep.core.storage.Transaction;
import io.lrep.core.types.BinaryCodec;
import io.lrep.core.types.PgType;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.publisher.pgoutput.PluginHarness.Sent;
import io.lrep.publisher.publication.Publication;
import io.lrep.publisher.publication.PublicationCatalog;
import io.lrep.publisher.publication.PublicationRel;
import io.lrep.publisher.publication.PublishActions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin over real storage and the real decoder, its output read back as a subscriber reads it. */
class PgOutputPluginTest {

    @TempDir
    Path dir;

    private PluginHarness h;
    /** Relation names by oid, from the Relation messages seen. */
    private final Map<Integer, String> names = new HashMap<>();

    @BeforeEach
    void setUp() {
        h = new PluginHarness(dir.resolve("slot"));
        h.inTxn(t -> {
            t.createSchema("s1");
            t.createTable("public", "t", List.of(ColumnDef.of("a", PgType.INT4).notNullColumn(), ColumnDef.of("b", PgType.TEXT),
                    ColumnDef.of("c", PgType.INT8)), List.of("a"));
            t.createTable("public", "u", List.of(ColumnDef.of("k", PgType.INT4).notNullColumn(), ColumnDef.of("v", PgType.TEXT)),
                    List.of("k"));
            t.createTable("public", "nokey", List.of(ColumnDef.of("x", PgType.INT4), ColumnDef.of("y", PgType.TEXT)), List.of());
            t.createTable("s1", "z", List.of(ColumnDef.of("id", PgType.INT4).notNullColumn()), List.of("id"));
        });
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    // ------------------------------------------------------------------ helpers

    private Publication publication(String name, boolean all, String actions) {
        Publication[] p = new Publication[1];
        h.inTxn(t -> p[0] = PublicationCatalog.create(t, name, 10, all, PublishActions.parse(actions), false));
        return p[0];
    }

    private void addTable(Publication p, String table, String filter, List<Integer> columns) {
        h.inTxn(t -> PublicationCatalog.addRel(t, p.oid(), Integer.toUnsignedLong(t.table("public", table).oid()), filter, columns));
    }

    private Publication forTable(String name, String table) {
        Publication p = publication(name, false, "insert, update, delete, truncate");
        addTable(p, table, null, null);
        return p;
    }

    private static Object[] row(Object... v) {
        return v;
    }

    private void insert(String table, Object... values) {
        h.inTxn(t -> t.insert(t.table("public", table), values));
    }

    private static RowRef find(Transaction t, String table, Object key) {
        TableDef def = t.table("public", table);
        for (var it = t.scan(def, t.statementSnapshot()); it.hasNext();) {
            RowRef r = it.next();
            if (r.values()[0].equals(key)) {
                return r;
            }
        }
        throw new AssertionError("no row " + key + " in " + table);
    }

    private void update(String table, Object key, Object... newRow) {
        h.inTxn(t -> t.update(find(t, table, key), newRow));
    }

    private void delete(String table, Object key) {
        h.inTxn(t -> t.delete(find(t, table, key)));
    }

    /** Short forms: B, C, R t(a*,b), I t[1, 'x'], U t K[..] N[..], D t O[..], T t,u, M prefix, S xid, E, c, A. */
    private List<String> show(List<PgOutputMessage> ms) {
        List<String> out = new ArrayList<>();
        for (PgOutputMessage m : ms) {
            out.add(show(m));
        }
        return out;
    }

    private String show(PgOutputMessage m) {
        String x = "";
        if (m instanceof Relation r) {
            names.put(r.relationOid(), r.name());
            x = r.xid() != 0 ? "@" : "";
            return "R" + x + " " + r.name() + r.columns().stream().map(c -> c.name() + (c.isKey() ? "*" : ""))
                    .collect(Collectors.joining(",", "(", ")")) + " " + r.replicaIdentity();
        }
        if (m instanceof PgOutputMessage.Insert i) {
            return "I" + (i.xid() != 0 ? "@" : "") + " " + names.get(i.relationOid()) + tuple(i.newTuple());
        }
        if (m instanceof PgOutputMessage.Update u) {
            String old = u.hasOldTuple() ? " " + (char) u.oldKind().code() + tuple(u.oldTuple()) : "";
            return "U" + (u.xid() != 0 ? "@" : "") + " " + names.get(u.relationOid()) + old + " N" + tuple(u.newTuple());
        }
        if (m instanceof PgOutputMessage.Delete d) {
            return "D" + (d.xid() != 0 ? "@" : "") + " " + names.get(d.relationOid()) + " " + (char) d.oldKind().code()
                    + tuple(d.oldTuple());
        }
        if (m instanceof PgOutputMessage.Truncate tr) {
            return "T " + tr.relationOids().stream().map(names::get).collect(Collectors.joining(",")) + " " + tr.options();
        }
        if (m instanceof PgOutputMessage.Message msg) {
            return "M" + (msg.transactional() ? "t" : "n") + " " + msg.prefix() + "=" + msg.contentText();
        }
        if (m instanceof PgOutputMessage.StreamStart s) {
            return "S" + (s.firstSegment() ? " first" : "");
        }
        return String.valueOf((char) m.typeByte());
    }

    private static String tuple(TupleData t) {
        return t.values().toString();
    }

    // ------------------------------------------------------------------ transactions

    @Test
    void shouldSendBeginLazilyAndSkipTransactionsWithNothingPublished() {
        forTable("p", "t");
        h.start("proto_version", "1", "publication_names", "p");
        insert("u", 1, "not published");
        assertThat(h.messages()).isEmpty();

        long end = h.inTxn(t -> {
            t.insert(t.table("public", "u"), row(2, "not published"));
            t.insert(t.table("public", "t"), row(1, "x", 10L));
            t.insert(t.table("public", "t"), row(2, null, null));
        });
        List<Sent> sent = h.drain();
        assertThat(show(sent.stream().map(Sent::message).toList())).containsExactly("B", "R t(a*,b,c) d", "I t['1', 'x', '10']",
                "I t['2', null, null]", "C");
        Begin b = (Begin) sent.get(0).message();
        Commit c = (Commit) sent.get(4).message();
        assertThat(b.finalLsn()).isEqualTo(c.commitLsn());
        assertThat(c.endLsn()).isEqualTo(end);
        assertThat(c.commitLsn()).isEqualTo(end - MemoryWalLog.RECORD_SIZE);
        assertThat(b.commitTimeMicros()).isEqualTo(c.commitTimeMicros());
        assertThat(PgTimestamp.toInstant(c.commitTimeMicros())).isBetween(java.time.Instant.now().minusSeconds(60),
                java.time.Instant.now());
        // XLogData positions: Begin and the change in one callback carry the change's LSN, Relation 0, Commit the end
        long firstChange = sent.get(0).walPosition();
        assertThat(firstChange).isGreaterThan(0).isLessThan(c.commitLsn());
        assertThat(sent.get(1).walPosition()).isZero();
        assertThat(sent.get(2).walPosition()).isEqualTo(firstChange);
        assertThat(sent.get(3).walPosition()).isGreaterThan(firstChange);
        assertThat(sent.get(4).walPosition()).isEqualTo(end);

        insert("t", 3, "y", 1L);
        assertThat(show(h.messages())).as("Relation only once").containsExactly("B", "I t['3', 'y', '1']", "C");
        assertThat(h.plugin().transactionsSent()).isEqualTo(2);
        assertThat(h.plugin().changesSent()).isEqualTo(3);
    }

    @Test
    void shouldNeverPublishSystemTablesEvenForAllTables() {
        publication("all", true, "insert, update, delete, truncate");
        h.start("proto_version", "1", "publication_names", "all");
        publication("other", false, "insert"); // a pg_publication row
        insert("u", 1, "v");
        assertThat(show(h.messages())).containsExactly("B", "R u(k*,v) d", "I u['1', 'v']", "C");
    }

    @Test
    void shouldFailOnAnUnknownPublicationWhenFirstNeeded() {
        forTable("p", "t");
        h.start("proto_version", "1", "publication_names", "p, nope");
        h.inTxn(t -> t.emitMessage(false, "x", new byte[0]));
        assertThat(h.messages()).isEmpty(); // nothing needed the publications yet
        insert("t", 1, "x", 1L);
        assertThatThrownBy(h::drain).isInstanceOfSatisfying(LrepException.class, e -> {
            assertThat(e.sqlState()).isEqualTo(SqlState.UNDEFINED_OBJECT);
            assertThat(e.getMessage()).isEqualTo("publication \"nope\" does not exist");
        });
    }

    // ------------------------------------------------------------------ actions, relation messages

    @Test
    void shouldPublishOnlyTheActionsOfThePublications() {
        Publication p = publication("p", false, "insert");
        addTable(p, "t", null, null);
        Publication q = publication("q", false, "truncate");
        addTable(q, "u", null, null);
        insert("t", 1, "x", 1L);
        insert("u", 1, "x");
        h.start("proto_version", "1", "publication_names", "p,q");
        h.inTxn(t -> {
            t.insert(t.table("public", "t"), row(2, "y", 2L));
            t.insert(t.table("public", "u"), row(2, "y"));
        });
        update("t", 1, 1, "x2", 1L);
        delete("t", 2);
        h.inTxn(t -> t.truncate(true, t.table("public", "t"), t.table("public", "u"), t.table("public", "nokey")));
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,b,c) d", "I t['2', 'y', '2']", "C",
                "B", "R u(k*,v) d", "T u 2", "C");
    }

    @Test
    void shouldResendRelationAfterAlterTableAndAfterPublicationChanges() {
        Publication p = forTable("p", "t");
        h.start("proto_version", "1", "publication_names", "p");
        insert("t", 1, "x", 1L);
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,b,c) d", "I t['1', 'x', '1']", "C");

        h.inTxn(t -> {
            TableDef def = t.table("public", "t");
            def = t.addColumn(def, ColumnDef.of("d", PgType.BOOL));
            t.nextCommand();
            t.insert(def, row(2, "y", 2L, true));
        });
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,b,c,d) d", "I t['2', 'y', '2', 't']", "C");

        h.inTxn(t -> t.dropColumn(t.table("public", "t"), "b"));
        insert("t", 3, null, 3L, false);
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,c,d) d", "I t['3', '3', 'f']", "C");

        h.inTxn(t -> t.setReplicaIdentity(t.table("public", "t"), ReplicaIdentity.FULL));
        insert("t", 4, null, 4L, true);
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,c*,d*) f", "I t['4', '4', 't']", "C");

        // A publication change: every entry is forgotten; the next change re-reads them and sends Relation again
        h.inTxn(t -> PublicationCatalog.update(t, p.withActions(PublishActions.ALL)));
        insert("t", 5, null, 5L, true);
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,c*,d*) f", "I t['5', '5', 't']", "C");

        // Table dropped from the publication in the middle of a transaction: later changes are not sent
        h.inTxn(t -> {
            t.insert(t.table("public", "t"), row(6, null, 6L, true));
            PublicationRel rel = PublicationCatalog.rels(t, p.oid()).get(0);
            PublicationCatalog.removeRel(t, rel);
            t.nextCommand();
            t.insert(t.table("public", "t"), row(7, null, 7L, true));
        });
        assertThat(show(h.messages())).containsExactly("B", "I t['6', '6', 't']", "C");
    }

    // ------------------------------------------------------------------ old tuples

    @Test
    void shouldSendOldTuplesAsProtoDotCDoes() {
        forTable("p", "t");
        Publication p = publication("p2", false, "insert, update, delete");
        addTable(p, "nokey", null, null);
        insert("t", 1, "x", 1L);
        insert("t", 2, "x", 2L);
        insert("nokey", 1, "n");
        h.start("proto_version", "1", "publication_names", "p, p2");

        update("t", 1, 1, "changed", 1L);         // key kept: no old tuple
        update("t", 2, 20, "moved", 2L);          // key changed: 'K' with the key only
        delete("t", 1);                           // 'K'
        update("nokey", 1, 1, "m");               // DEFAULT without a key: no old tuple
        delete("nokey", 1);                       // and a delete without one is not sent
        assertThat(show(h.messages())).containsExactly(
                "B", "R t(a*,b,c) d", "U t N['1', 'changed', '1']", "C",
                "B", "U t K['2', null, null] N['20', 'moved', '2']", "C",
                "B", "D t K['1', null, null]", "C",
                "B", "R nokey(x,y) d", "U nokey N['1', 'm']", "C");

        h.inTxn(t -> t.setReplicaIdentity(t.table("public", "t"), ReplicaIdentity.FULL));
        update("t", 20, 20, "full", 2L);
        delete("t", 20);
        assertThat(show(h.messages())).containsExactly(
                "B", "R t(a*,b*,c*) f", "U t O['20', 'moved', '2'] N['20', 'full', '2']", "C",
                "B", "D t O['20', 'full', '2']", "C");

        insert("t", 5, "n", 5L);
        h.inTxn(t -> t.setReplicaIdentity(t.table("public", "t"), ReplicaIdentity.NOTHING));
        update("t", 5, 6, "nothing", 5L);
        delete("t", 6);
        assertThat(show(h.messages())).containsExactly(
                "B", "I t['5', 'n', '5']", "C",
                "B", "R t(a,b,c) n", "U t N['6', 'nothing', '5']", "C");
    }

    // ------------------------------------------------------------------ column lists and row filters

    @Test
    void shouldSendOnlyTheListedColumns() {
        Publication p = publication("p", false, "insert, update, delete");
        addTable(p, "t", null, List.of(3, 1));
        insert("t", 1, "x", 1L);
        h.start("proto_version", "1", "publication_names", "p");
        insert("t", 2, "secret", 2L);
        update("t", 2, 3, "secret", 3L);
        delete("t", 3);
        assertThat(show(h.messages())).containsExactly(
                "B", "R t(a*,c) d", "I t['2', '2']", "C",
                "B", "U t K['2', null] N['3', '3']", "C",
                "B", "D t K['3', null]", "C");
    }

    @Test
    void shouldFilterRowsAndTransformUpdatesByOldAndNewRow() {
        Publication p = publication("p", false, "insert, update, delete");
        addTable(p, "t", "(c > 10)", null);
        h.inTxn(t -> t.setReplicaIdentity(t.table("public", "t"), ReplicaIdentity.FULL));
        insert("t", 1, "a", 1L);
        insert("t", 2, "b", 20L);
        insert("t", 3, "c", 30L);
        insert("t", 4, "d", 4L);
        h.start("proto_version", "1", "publication_names", "p");

        insert("t", 5, "no", 5L);                 // filtered out
        insert("t", 6, "yes", 60L);
        update("t", 1, 1, "a", 2L);               // neither matches: nothing
        update("t", 4, 4, "d", 40L);              // only new: INSERT
        update("t", 2, 2, "b", 3L);               // only old: DELETE of the old row
        update("t", 3, 3, "c", 31L);              // both: UPDATE
        delete("t", 1);                           // old row does not match
        delete("t", 3);
        assertThat(show(h.messages())).containsExactly(
                "B", "R t(a*,b*,c*) f", "I t['6', 'yes', '60']", "C",
                "B", "I t['4', 'd', '40']", "C",
                "B", "D t O['2', 'b', '20']", "C",
                "B", "U t O['3', 'c', '30'] N['3', 'c', '31']", "C",
                "B", "D t O['3', 'c', '31']", "C");
    }

    @Test
    void shouldTestOnlyTheNewRowOfAnUpdateWithoutOldTuple() {
        Publication p = publication("p", false, "insert, update, delete");
        addTable(p, "t", "(a > 1)", null);
        insert("t", 1, "a", 1L);
        insert("t", 2, "b", 1L);
        h.start("proto_version", "1", "publication_names", "p");
        update("t", 1, 1, "a2", 1L);              // key kept, new row fails
        update("t", 2, 2, "b2", 1L);              // key kept, new row passes
        update("t", 2, 0, "b3", 1L);              // key changed 2 -> 0: old passes, new fails: DELETE 'K'
        assertThat(show(h.messages())).containsExactly(
                "B", "R t(a*,b,c) d", "U t N['2', 'b2', '1']", "C",
                "B", "D t K['2', null, null]", "C");
    }

    @Test
    void shouldOrFiltersOfSeveralPublicationsAndDropThemWhenOneHasNone() {
        Publication p = publication("p", false, "insert");
        addTable(p, "t", "(a = 1)", null);
        Publication q = publication("q", false, "insert");
        addTable(q, "t", "(a = 2)", null);
        h.start("proto_version", "1", "publication_names", "p,q");
        insert("t", 1, "x", 0L);
        insert("t", 2, "x", 0L);
        insert("t", 3, "x", 0L);
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,b,c) d", "I t['1', 'x', '0']", "C",
                "B", "I t['2', 'x', '0']", "C");
    }

    // ------------------------------------------------------------------ formats, messages, origin

    @Test
    void shouldSendBinaryValuesWithBinaryOn() {
        forTable("p", "t");
        h.start("proto_version", "2", "publication_names", "p", "binary", "on");
        insert("t", 7, "été", 1L << 40);
        List<PgOutputMessage> ms = h.messages();
        PgOutputMessage.Insert i = (PgOutputMessage.Insert) ms.get(2);
        assertThat(i.newTuple()).isEqualTo(TupleData.of(TupleData.Value.binary(BinaryCodec.send(PgType.INT4, 7)),
                TupleData.Value.binary("été".getBytes(StandardCharsets.UTF_8)),
                TupleData.Value.binary(BinaryCodec.send(PgType.INT8, 1L << 40))));
        Relation r = (Relation) ms.get(1);
        assertThat(r.columns()).extracting(PgOutputMessage.Column::typeOid).containsExactly(23, 25, 20);
        assertThat(r.columns()).extracting(PgOutputMessage.Column::typeModifier).containsExactly(-1, -1, -1);
        assertThat(r.namespace()).isEqualTo("public");
    }

    @Test
    void shouldForwardLogicalMessagesOnlyWithMessagesOn() {
        forTable("p", "t");
        h.start("proto_version", "1", "publication_names", "p");
        h.inTxn(t -> t.emitMessage(true, "pre", "in".getBytes(StandardCharsets.UTF_8)));
        h.inTxn(t -> t.emitMessage(false, "pre", "out".getBytes(StandardCharsets.UTF_8)));
        assertThat(h.messages()).isEmpty();
        h.close();

        PluginHarness second = new PluginHarness(dir.resolve("slot2"));
        try {
            Publication[] p = new Publication[1];
            second.inTxn(t -> p[0] = PublicationCatalog.create(t, "p", 10, true, PublishActions.ALL, false));
            second.start("proto_version", "1", "publication_names", "p", "messages", "true");
            second.inTxn(t -> t.emitMessage(true, "pre", "in".getBytes(StandardCharsets.UTF_8)));
            second.inTxn(t -> t.emitMessage(false, "pre", "out".getBytes(StandardCharsets.UTF_8)));
            List<Sent> sent = second.drain();
            assertThat(show(sent.stream().map(Sent::message).toList())).containsExactly("B", "Mt pre=in", "C", "Mn pre=out");
            PgOutputMessage.Message m = (PgOutputMessage.Message) sent.get(3).message();
            assertThat(sent.get(3).walPosition()).isEqualTo(m.lsn()).isPositive();
            assertThat(sent.get(0).walPosition()).isEqualTo(((PgOutputMessage.Message) sent.get(1).message()).lsn());
        } finally {
            second.close();
        }
    }

    @Test
    void shouldDropTransactionsWithAnOriginUnderOriginNone() {
        forTable("p", "t");
        h.start("proto_version", "1", "publication_names", "p", "origin", "none");
        h.inTxn(t -> {
            t.setOrigin(7, 0x5000L);
            t.insert(t.table("public", "t"), row(1, "replicated", 1L));
        });
        insert("t", 2, "local", 2L);
        assertThat(show(h.messages())).containsExactly("B", "R t(a*,b,c) d", "I t['2', 'local', '2']", "C");
    }

    @Test
    void shouldSendOriginAfterBeginUnderOriginAny() {
        forTable("p", "t");
        h.start("proto_version", "1", "publication_names", "p", "origin", "ANY");
        h.inTxn(t -> {
            t.setOrigin(7, 0x5000L);
            t.insert(t.table("public", "t"), row(1, "replicated", 1L));
        });
        h.inTxn(t -> {
            t.setOrigin(8, 0x6000L); // no name known: no Origin message
            t.insert(t.table("public", "t"), row(2, "replicated", 1L));
        });
        List<Sent> sent = h.drain();
        assertThat(show(sent.stream().map(Sent::message).toList())).containsExactly("B", "O", "R t(a*,b,c) d",
                "I t['1', 'replicated', '1']", "C", "B", "I t['2', 'replicated', '1']", "C");
        assertThat(sent.get(1).message()).isEqualTo(new PgOutputMessage.Origin(0x5000L, "origin_seven"));
        assertThat(sent.get(0).walPosition()).as("Begin followed by Origin").isZero();
        assertThat(sent.get(1).walPosition()).isEqualTo(sent.get(3).walPosition());
        assertThat(sent.get(5).walPosition()).as("PostgreSQL's Begin when the origin has no name").isZero();
    }

    // ------------------------------------------------------------------ streaming

    @Test
    void shouldStreamLargeTransactionsInBlocksWithTheirXid() {
        forTable("p", "t");
        h.start(300, "proto_version", "2", "publication_names", "p", "streaming", "on");
        long[] end = new long[1];
        int[] xid = new int[1];
        end[0] = h.inTxn(t -> {
            for (int i = 0; i < 12; i++) {
                t.insert(t.table("public", "t"), row(i, "v", (long) i));
                t.insert(t.table("public", "u"), row(i, "not published"));
            }
            xid[0] = t.xid();
        });
        insert("t", 100, "after", 0L);
        List<Sent> sent = h.drain();
        List<String> shown = show(sent.stream().map(Sent::message).toList());
        assertThat(shown.get(0)).isEqualTo("S first");
        assertThat(shown.get(1)).isEqualTo("R@ t(a*,b,c) d");
        assertThat(shown).filteredOn(s -> s.startsWith("I@")).hasSize(12);
        assertThat(shown).filteredOn(s -> s.startsWith("R@")).as("Relation once per streamed transaction").hasSize(1);
        assertThat(shown.stream().filter(s -> s.startsWith("S")).count()).isGreaterThan(1);
        assertThat(shown).contains("S");
        int commit = shown.indexOf("c");
        assertThat(shown.get(commit - 1)).isEqualTo("E");
        PgOutputMessage.StreamCommit sc = (PgOutputMessage.StreamCommit) sent.get(commit).message();
        assertThat(sc.xid()).isEqualTo(xid[0]);
        assertThat(sc.endLsn()).isEqualTo(end[0]);
        assertThat(sent.get(commit).walPosition()).isEqualTo(end[0]);
        // after the stream committed, its Relation counts as sent
        assertThat(shown.subList(commit + 1, shown.size())).containsExactly("B", "I t['100', 'after', '0']", "C");
        for (Sent s : sent) {
            if (s.message() instanceof PgOutputMessage.Insert i && i.xid() != 0) {
                assertThat(i.xid()).isEqualTo(xid[0]);
                assertThat(s.walPosition()).isPositive();
            }
        }
    }

    @Test
    void shouldStreamAbortWithAbortInfoOnlyForParallel() {
        forTable("p", "t");
        h.start(300, "proto_version", "4", "publication_names", "p", "streaming", "parallel");
        try (Transaction t = h.storage.begin()) {
            for (int i = 0; i < 12; i++) {
                t.insert(t.table("public", "t"), row(i, "v", (long) i));
            }
            h.drain();
            t.rollback();
        }
        List<Sent> sent = h.drain();
        PgOutputMessage.StreamAbort a = (PgOutputMessage.StreamAbort) sent.get(sent.size() - 1).message();
        assertThat(a.xid()).isEqualTo(a.subXid());
        assertThat(a.abortInfo()).isEqualTo(new PgOutputMessage.AbortInfo(sent.get(sent.size() - 1).walPosition(),
                PgTimestamp.fromInstant(PluginHarness.NOW)));
        h.close();

        PluginHarness on = new PluginHarness(dir.resolve("slot3"));
        try {
            on.inTxn(t -> t.createTable("public", "t", List.of(ColumnDef.of("a", PgType.INT4).notNullColumn()), List.of("a")));
            on.inTxn(t -> PublicationCatalog.create(t, "p", 10, true, PublishActions.ALL, false));
            on.start(300, "proto_version", "4", "publication_names", "p", "streaming", "on");
            try (Transaction t = on.storage.begin()) {
                for (int i = 0; i < 12; i++) {
                    t.insert(t.table("public", "t"), row(i));
                }
                on.drain();
                t.rollback();
            }
            List<Sent> s2 = on.drain();
            assertThat(((PgOutputMessage.StreamAbort) s2.get(s2.size() - 1).message()).hasAbortInfo()).isFalse();
        } finally {
            on.close();
        }
    }

    @Test
    void shouldStreamAbortStreamedTransactionsWithAnOriginUnderOriginNone() {
        forTable("p", "t");
        h.start(300, "proto_version", "4", "publication_names", "p", "streaming", "parallel", "origin", "none");
        long[] end = new long[1];
        int[] xid = new int[1];
        end[0] = h.inTxn(t -> {
            for (int i = 0; i < 12; i++) {
                t.insert(t.table("public", "t"), row(i, "replicated", (long) i));
            }
            xid[0] = t.xid();
            t.setOrigin(7, 0x5000L);
        });
        List<Sent> sent = h.drain();
        List<String> shown = show(sent.stream().map(Sent::message).toList());
        assertThat(shown.get(0)).as("streamed before its origin was known").isEqualTo("S first");
        assertThat(shown).doesNotContain("c", "O");
        Sent last = sent.get(sent.size() - 1);
        PgOutputMessage.StreamAbort a = (PgOutputMessage.StreamAbort) last.message();
        assertThat(a.xid()).isEqualTo(xid[0]).isEqualTo(a.subXid());
        assertThat(a.abortInfo().abortLsn()).isEqualTo(end[0]);
        assertThat(last.walPosition()).isEqualTo(end[0]);
        assertThat(h.plugin().transactionsSent()).isZero();

        // a local streamed transaction still commits, with its Relation sent again in its stream
        long[] localEnd = new long[1];
        localEnd[0] = h.inTxn(t -> {
            for (int i = 20; i < 32; i++) {
                t.insert(t.table("public", "t"), row(i, "local", (long) i));
            }
        });
        List<Sent> local = h.drain();
        List<String> localShown = show(local.stream().map(Sent::message).toList());
        assertThat(localShown.get(1)).isEqualTo("R@ t(a*,b,c) d");
        assertThat(localShown.get(localShown.size() - 1)).isEqualTo("c");
        assertThat(((PgOutputMessage.StreamCommit) local.get(local.size() - 1).message()).endLsn()).isEqualTo(localEnd[0]);
    }

    @Test
    void shouldStreamCommitStreamedTransactionsWithAnOriginUnderOriginAny() {
        forTable("p", "t");
        h.start(300, "proto_version", "2", "publication_names", "p", "streaming", "on");
        h.inTxn(t -> {
            for (int i = 0; i < 12; i++) {
                t.insert(t.table("public", "t"), row(i, "replicated", (long) i));
            }
            t.setOrigin(7, 0x5000L);
        });
        List<String> shown = show(h.messages());
        assertThat(shown.get(0)).isEqualTo("S first");
        assertThat(shown.get(shown.size() - 1)).isEqualTo("c");
        assertThat(shown).filteredOn(s -> s.startsWith("I@")).hasSize(12);
    }
}
