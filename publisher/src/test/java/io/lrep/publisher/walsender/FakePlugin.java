package io.lrep.publisher.walsender;

import io.lrep.core.storage.TableDef;
import io.lrep.publisher.decoding.DecodedTxn;
import io.lrep.publisher.decoding.DecodingListener;
import io.lrep.publisher.decoding.RowChange;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An output plugin for tests: one text message per callback, with pgoutput's LSNs: Begin as an
 * intermediate write (0, as under lazy Begin with an Origin), a change at its LSN, Commit at
 * the transaction's end LSN.
 */
final class FakePlugin implements OutputPlugin {

    @Override
    public DecodingListener open(PgOutputSink sink) {
        return new DecodingListener() {
            @Override
            public void onBegin(DecodedTxn txn) {
                sink.write(0, 0, text("B " + txn.xid()));
            }

            @Override
            public void onChange(DecodedTxn txn, RowChange change) {
                sink.begin(change.lsn(), change.lsn()).writeBytes(text("I " + txn.xid()));
                sink.end();
            }

            @Override
            public void onTruncate(DecodedTxn txn, long lsn, List<TableDef> relations, boolean cascade, boolean restartIdentity) {
                sink.write(lsn, lsn, text("T " + txn.xid()));
            }

            @Override
            public void onMessage(DecodedTxn txn, long lsn, boolean transactional, String prefix, byte[] content) {
                sink.write(lsn, lsn, text("M " + prefix));
            }

            @Override
            public void onCommit(DecodedTxn txn) {
                sink.write(txn.endLsn(), txn.endLsn(), text("C " + txn.xid()));
            }
        };
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
