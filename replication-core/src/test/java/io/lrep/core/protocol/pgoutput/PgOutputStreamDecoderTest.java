package io.lrep.core.protocol.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Begin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Commit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Insert;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Origin;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.Relation;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamAbort;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamCommit;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamPrepare;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStart;
import io.lrep.core.protocol.pgoutput.PgOutputMessage.StreamStop;
import io.lrep.core.protocol.pgoutput.TupleData.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PgOutputStreamDecoderTest {

    private static final TupleData ROW = TupleData.of(Value.text("1"));

    @Test
    void tracksStreamBlocksAndReadsTheXidOnlyInsideThem() {
        List<PgOutputMessage> stream = List.of(
                new StreamStart(800, true),
                new Origin(0, "node_a"),
                new Relation(800, 16384, "public", "t", 'd', List.of(new PgOutputMessage.Column(1, "id", 23, -1))),
                new Insert(801, 16384, ROW),
                new StreamStop(),
                new Begin(0x100, 0, 900),
                new Insert(0, 16384, ROW),
                new Commit(0x100, 0x130, 0),
                new StreamStart(800, false),
                new Insert(800, 16384, ROW),
                new StreamStop(),
                new StreamAbort(800, 801),
                new StreamCommit(800, 0x200, 0x230, 0));
        PgOutputEncoder encoder = new PgOutputEncoder(2);
        PgOutputStreamDecoder decoder = new PgOutputStreamDecoder(2);
        List<PgOutputMessage> decoded = new ArrayList<>();
        for (PgOutputMessage m : stream) {
            decoded.add(decoder.decode(encoder.encode(m)));
            boolean open = m instanceof StreamStart || decoder.inStream() && !(m instanceof StreamStop);
            assertThat(decoder.inStream()).as("after %s", m).isEqualTo(open);
            assertThat(decoder.streamXid()).isEqualTo(open ? 800 : 0);
        }
        assertThat(decoded).isEqualTo(stream);
    }

    @Test
    void randomInterleavingsOfStreamedAndOrdinaryTransactionsRoundTrip() {
        long seed = RandomPgOutput.seed("PgOutputStreamDecoderTest.randomInterleavingsOfStreamedAndOrdinaryTransactionsRoundTrip");
        Random random = new Random(seed);
        RandomPgOutput gen = new RandomPgOutput(random);
        for (int v = 2; v <= 4; v++) {
            PgOutputEncoder encoder = new PgOutputEncoder(v);
            PgOutputStreamDecoder decoder = new PgOutputStreamDecoder(v);
            List<PgOutputMessage> sent = new ArrayList<>();
            for (int txn = 0; txn < 300; txn++) {
                if (random.nextBoolean()) {
                    int xid = gen.xid();
                    sent.add(new StreamStart(xid, random.nextBoolean()));
                    for (int i = random.nextInt(5); i > 0; i--) {
                        sent.add(gen.change(random.nextBoolean() ? xid : gen.xid()));
                    }
                    sent.add(new StreamStop());
                    if (random.nextInt(3) == 0) {
                        sent.add(v >= 4 && random.nextBoolean() ? new StreamAbort(xid, xid, gen.lsn(), 5) : new StreamAbort(xid, xid));
                    } else if (random.nextInt(3) == 0) {
                        sent.add(new StreamCommit(xid, gen.lsn(), gen.lsn(), 0));
                    }
                } else {
                    long lsn = gen.lsn();
                    sent.add(new Begin(lsn, 0, gen.xid()));
                    for (int i = random.nextInt(5); i > 0; i--) {
                        sent.add(gen.change(0));
                    }
                    sent.add(new Commit(lsn, lsn + 40, 0));
                }
            }
            for (int i = 0; i < sent.size(); i++) {
                assertThat(decoder.decode(encoder.encode(sent.get(i)))).as("seed %d v%d #%d", seed, v, i).isEqualTo(sent.get(i));
            }
            assertThat(decoder.inStream()).isFalse();
        }
    }

    @Test
    void blockOrderErrorsArePostgresOnesAndLeaveTheStateAlone() {
        PgOutputEncoder encoder = new PgOutputEncoder(3);
        PgOutputStreamDecoder decoder = new PgOutputStreamDecoder(3);
        assertThat(error(decoder, encoder.encode(new StreamStop()))).isEqualTo("STREAM STOP message without STREAM START");
        assertThat(decoder.inStream()).isFalse();
        decoder.decode(encoder.encode(new StreamStart(5, true)));
        assertThat(error(decoder, encoder.encode(new StreamStart(6, true)))).isEqualTo("duplicate STREAM START message");
        assertThat(error(decoder, encoder.encode(new StreamCommit(5, 1, 2, 3)))).isEqualTo("STREAM COMMIT message without STREAM STOP");
        assertThat(error(decoder, encoder.encode(new StreamAbort(5, 5)))).isEqualTo("STREAM ABORT message without STREAM STOP");
        assertThat(error(decoder, encoder.encode(new StreamPrepare(1, 2, 3, 5, "g"))))
                .isEqualTo("STREAM PREPARE message without STREAM STOP");
        assertThat(decoder.inStream()).isTrue();
        assertThat(decoder.streamXid()).isEqualTo(5);
        decoder.reset();
        assertThat(decoder.inStream()).isFalse();
        assertThat(decoder.streamXid()).isZero();
    }

    private static String error(PgOutputStreamDecoder decoder, byte[] bytes) {
        Throwable t = catchThrowable(() -> decoder.decode(bytes));
        assertThat(t).isInstanceOf(LrepException.class);
        assertThat(((LrepException) t).sqlState()).isEqualTo(SqlState.PROTOCOL_VIOLATION);
        return t.getMessage();
    }
}
