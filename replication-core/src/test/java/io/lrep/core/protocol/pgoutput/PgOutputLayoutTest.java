package io.lrep.core.protocol.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.protocol.pgoutput.PgOutputMessage.Begin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.BeginPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Column;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Commit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.CommitPrepared;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Delete;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Insert;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Message;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.OldTupleKind;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Origin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Prepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Relation;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.RollbackPrepared;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamAbort;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamCommit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStart;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStop;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Truncate;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Type;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Update;
import io.lrep.core.protocol.pgoutput.TupleData.Value;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every pgoutput message against bytes written by hand from the documented layout, in every version that has it. */
class PgOutputLayoutTest {

    private static final long LSN = 0x16_B374_D848L;
    private static final long END = 0x16_B374_D880L;
    private static final long TIME = 768_000_000_123_456L;

    /** Encodes and decodes {@code m} in each version from its first to 4, against {@code expected}. */
    static void assertLayout(PgOutputMessage m, boolean inStream, byte[] expected) {
        for (int v = m.minProtocolVersion(); v <= PgOutputDescriptor.MAX_PROTOCOL_VERSION; v++) {
            ByteBuf out = Unpooled.buffer();
            try {
                new PgOutputEncoder(v).encode(m, out);
                assertThat(ByteBufUtil.getBytes(out)).as("v%d encode %s", v, m).containsExactly(expected);
            } finally {
                assertThat(out.release()).isTrue();
            }
            ByteBuf in = Unpooled.buffer(expected.length).writeBytes(expected);
            try {
                assertThat(new PgOutputDecoder(v).decode(in, inStream && v >= 2)).as("v%d decode", v).isEqualTo(m);
                assertThat(in.isReadable()).isFalse();
                assertThat(in.refCnt()).isEqualTo(1);
            } finally {
                assertThat(in.release()).isTrue();
            }
        }
    }

    @Test
    void begin() {
        assertLayout(new Begin(LSN, TIME, 740), false, Layout.of('B').int64(LSN).int64(TIME).int32(740).build());
        byte[] bytes = Layout.of('B').int64(LSN).int64(0).int32(-1).build();
        assertThat(bytes).hasSize(21);
        assertLayout(new Begin(LSN, 0, -1), false, bytes);
    }

    @Test
    void beginMatchesTheDescriptorExample() {
        byte[] hex = ByteBufUtil.decodeHexDump("42" + "00000000016B3748" + "0000000000000000" + "000002E4");
        assertLayout(new Begin(0x16B3748L, 0, 740), false, hex);
    }

    @Test
    void commit() {
        byte[] bytes = Layout.of('C').byte1(0).int64(LSN).int64(END).int64(TIME).build();
        assertThat(bytes).hasSize(26);
        assertLayout(new Commit(LSN, END, TIME), false, bytes);
    }

    @Test
    void origin() {
        assertLayout(new Origin(LSN, "pg_16395"), false, Layout.of('O').int64(LSN).string("pg_16395").build());
        assertLayout(new Origin(0, ""), false, Layout.of('O').int64(0).string("").build());
    }

    @Test
    void relation() {
        Relation r = new Relation(0, 16384, "", "t\u00E4b", 'd', List.of(new Column(1, "id", 23, -1),
                new Column(0, "name", 1043, 36), new Column(0, "note", 25, -1)));
        byte[] bytes = Layout.of('R').int32(16384).string("").string("t\u00E4b").byte1('d').int16(3)
                .byte1(1).string("id").int32(23).int32(-1)
                .byte1(0).string("name").int32(1043).int32(36)
                .byte1(0).string("note").int32(25).int32(-1).build();
        assertLayout(r, false, bytes);
        assertThat(r.columns().get(0).isKey()).isTrue();
        assertThat(r.columns().get(1).isKey()).isFalse();
    }

    @Test
    void relationInAStreamCarriesTheXid() {
        Relation r = new Relation(741, 16384, "s", "t", 'f', List.of(new Column(1, "a", 16400, -1)));
        assertLayout(r, true, Layout.of('R').int32(741).int32(16384).string("s").string("t").byte1('f').int16(1)
                .byte1(1).string("a").int32(16400).int32(-1).build());
        assertLayout(new Relation(0, 1, "s", "empty", 'n', List.of()), false,
                Layout.of('R').int32(1).string("s").string("empty").byte1('n').int16(0).build());
    }

    @Test
    void type() {
        assertLayout(new Type(0, 16400, "public", "mood"), false, Layout.of('Y').int32(16400).string("public").string("mood").build());
        assertLayout(new Type(742, 16400, "public", "mood"), true,
                Layout.of('Y').int32(742).int32(16400).string("public").string("mood").build());
    }

    @Test
    void insertWithEveryColumnKind() {
        TupleData tuple = TupleData.of(Value.text("1"), Value.NULL, Value.UNCHANGED_TOAST, Value.binary(new byte[] {0, 0, 0, 7}),
                Value.text(""));
        byte[] bytes = Layout.of('I').int32(16384).byte1('N').int16(5).text("1").byte1('n').byte1('u')
                .byte1('b').int32(4).raw(new byte[] {0, 0, 0, 7}).text("").build();
        assertLayout(new Insert(0, 16384, tuple), false, bytes);
    }

    @Test
    void insertInAStream() {
        assertLayout(new Insert(743, 16384, TupleData.of(Value.text("x"))), true,
                Layout.of('I').int32(743).int32(16384).byte1('N').int16(1).text("x").build());
    }

    @Test
    void updateWithoutOldTuple() {
        assertLayout(new Update(0, 16384, TupleData.of(Value.text("1"), Value.text("b"))), false,
                Layout.of('U').int32(16384).byte1('N').int16(2).text("1").text("b").build());
    }

    @Test
    void updateWithOldKey() {
        Update u = new Update(0, 16384, OldTupleKind.KEY, TupleData.of(Value.text("1"), Value.NULL),
                TupleData.of(Value.text("2"), Value.text("b")));
        assertLayout(u, false, Layout.of('U').int32(16384).byte1('K').int16(2).text("1").byte1('n')
                .byte1('N').int16(2).text("2").text("b").build());
        assertThat(u.hasOldTuple()).isTrue();
    }

    @Test
    void updateWithOldRowInAStream() {
        Update u = new Update(744, 16384, OldTupleKind.FULL, TupleData.of(Value.text("1"), Value.text("a")),
                TupleData.of(Value.text("1"), Value.UNCHANGED_TOAST));
        assertLayout(u, true, Layout.of('U').int32(744).int32(16384).byte1('O').int16(2).text("1").text("a")
                .byte1('N').int16(2).text("1").byte1('u').build());
    }

    @Test
    void delete() {
        assertLayout(new Delete(0, 16384, OldTupleKind.KEY, TupleData.of(Value.text("1"), Value.NULL)), false,
                Layout.of('D').int32(16384).byte1('K').int16(2).text("1").byte1('n').build());
        assertLayout(new Delete(745, 16384, OldTupleKind.FULL, TupleData.of(Value.text("1"), Value.text("a"))), true,
                Layout.of('D').int32(745).int32(16384).byte1('O').int16(2).text("1").text("a").build());
    }

    @Test
    void truncate() {
        Truncate t = new Truncate(0, Truncate.CASCADE | Truncate.RESTART_IDENTITY, List.of(16384, 16390));
        byte[] bytes = Layout.of('T').int32(2).byte1(3).int32(16384).int32(16390).build();
        assertThat(bytes).hasSize(6 + 4 * 2);
        assertLayout(t, false, bytes);
        assertThat(t.cascade()).isTrue();
        assertThat(t.restartIdentity()).isTrue();
        assertLayout(new Truncate(746, 0, List.of(16384)), true, Layout.of('T').int32(746).int32(1).byte1(0).int32(16384).build());
    }

    @Test
    void message() {
        byte[] content = "hello\0world".getBytes(StandardCharsets.UTF_8);
        Message m = new Message(0, Message.TRANSACTIONAL, LSN, "lrep.test", content);
        assertLayout(m, false, Layout.of('M').byte1(1).int64(LSN).string("lrep.test").int32(content.length).raw(content).build());
        assertThat(m.transactional()).isTrue();
        assertLayout(new Message(747, 1, LSN, "p", new byte[0]), true,
                Layout.of('M').int32(747).byte1(1).int64(LSN).string("p").int32(0).build());
        assertLayout(new Message(0, 0, LSN, "", new byte[] {1}), false,
                Layout.of('M').byte1(0).int64(LSN).string("").int32(1).byte1(1).build());
    }

    @Test
    void streamStartAndStop() {
        byte[] start = Layout.of('S').int32(748).byte1(1).build();
        assertThat(start).hasSize(6);
        assertLayout(new StreamStart(748, true), false, start);
        assertLayout(new StreamStart(748, false), false, Layout.of('S').int32(748).byte1(0).build());
        assertLayout(new StreamStop(), false, new byte[] {'E'});
    }

    @Test
    void streamCommit() {
        byte[] bytes = Layout.of('c').int32(748).byte1(0).int64(LSN).int64(END).int64(TIME).build();
        assertThat(bytes).hasSize(30);
        assertLayout(new StreamCommit(748, LSN, END, TIME), false, bytes);
    }

    @Test
    void streamAbortWithAndWithoutAbortInfo() {
        byte[] plain = Layout.of('A').int32(748).int32(750).build();
        assertThat(plain).hasSize(PgOutputDescriptor.STREAM_ABORT_LENGTH);
        assertLayout(new StreamAbort(748, 750), false, plain);
        byte[] parallel = Layout.of('A').int32(748).int32(748).int64(LSN).int64(TIME).build();
        assertThat(parallel).hasSize(PgOutputDescriptor.STREAM_ABORT_WITH_INFO_LENGTH);
        StreamAbort a = new StreamAbort(748, 748, LSN, TIME);
        assertThat(a.minProtocolVersion()).isEqualTo(4);
        assertLayout(a, false, parallel);
    }

    @Test
    void beginPrepare() {
        byte[] bytes = Layout.of('b').int64(LSN).int64(END).int64(TIME).int32(749).string("gid-1").build();
        assertThat(bytes).hasSize(29 + "gid-1".length() + 1);
        assertLayout(new BeginPrepare(LSN, END, TIME, 749, "gid-1"), false, bytes);
    }

    @Test
    void prepareAndStreamPrepare() {
        byte[] body = Layout.of('P').byte1(0).int64(LSN).int64(END).int64(TIME).int32(749).string("gid-1").build();
        assertThat(body).hasSize(30 + "gid-1".length() + 1);
        assertLayout(new Prepare(LSN, END, TIME, 749, "gid-1"), false, body);
        body[0] = 'p';
        assertLayout(new StreamPrepare(LSN, END, TIME, 749, "gid-1"), false, body);
    }

    @Test
    void commitPrepared() {
        assertLayout(new CommitPrepared(LSN, END, TIME, 749, "gid-1"), false,
                Layout.of('K').byte1(0).int64(LSN).int64(END).int64(TIME).int32(749).string("gid-1").build());
    }

    @Test
    void rollbackPrepared() {
        byte[] bytes = Layout.of('r').byte1(0).int64(LSN).int64(END).int64(TIME).int64(TIME + 1).int32(749).string("g").build();
        assertThat(bytes).hasSize(38 + 2);
        assertLayout(new RollbackPrepared(LSN, END, TIME, TIME + 1, 749, "g"), false, bytes);
    }
}
