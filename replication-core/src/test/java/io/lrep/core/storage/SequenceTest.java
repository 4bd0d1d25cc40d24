package io.lrep.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.core.error.SqlState;
import io.lrep.core.wal.MemoryWalLog;
import io.lrep.core.wal.WalRecord;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SequenceTest {

    @Test
    void nextvalLogsAheadAndNeverRepeatsAfterCrash() {
        MemoryWalLog wal = new MemoryWalLog();
        StorageEngine engine = new StorageEngine(wal);
        SequenceDef seq;
        try (Transaction t = engine.begin()) {
            seq = t.createSequence(SequenceDef.defaults("public", "s"));
            t.commit();
        }
        Set<Long> handedOut = new HashSet<>();
        try (Transaction t = engine.begin()) {
            for (int i = 0; i < 40; i++) {
                assertThat(handedOut.add(t.nextval(seq))).isTrue();
            }
            t.rollback();
        }
        assertThat(handedOut).contains(1L, 40L);
        long advances = StorageFixture.walRecords(wal).stream().filter(r -> r instanceof WalRecord.SequenceAdvance).count();
        assertThat(advances).isEqualTo(2);

        for (int round = 0; round < 3; round++) {
            MemoryWalLog crashed = wal.crash();
            StorageEngine recovered = new StorageEngine(crashed);
            StorageFixture.replay(crashed, recovered);
            try (Transaction t = recovered.begin()) {
                for (int i = 0; i < 5; i++) {
                    long v = t.nextval(seq);
                    assertThat(handedOut.add(v)).as("value %d handed out twice", v).isTrue();
                }
            }
            wal = crashed;
        }
    }

    @Test
    void shouldRespectBoundsCycleAndSetval() {
        StorageEngine engine = new StorageEngine(new MemoryWalLog());
        try (Transaction t = engine.begin()) {
            SequenceDef small = t.createSequence(new SequenceDef(0, 0, "public", "small", 1, 1, 1, 2, false, 1, 0, 0));
            assertThat(t.nextval(small)).isEqualTo(1);
            assertThat(t.nextval(small)).isEqualTo(2);
            assertThatThrownBy(() -> t.nextval(small)).isInstanceOfSatisfying(LrepException.class, e -> {
                assertThat(e.sqlState()).isEqualTo(SqlState.SEQUENCE_GENERATOR_LIMIT_EXCEEDED);
                assertThat(e.getMessage()).isEqualTo("nextval: reached maximum value of sequence \"small\" (2)");
            });
            SequenceDef cyc = t.createSequence(new SequenceDef(0, 0, "public", "cyc", 3, -1, 1, 3, true, 1, 0, 0));
            assertThat(t.nextval(cyc)).isEqualTo(3);
            assertThat(t.nextval(cyc)).isEqualTo(2);
            assertThat(t.nextval(cyc)).isEqualTo(1);
            assertThat(t.nextval(cyc)).isEqualTo(3);
            t.setval(small, 1, false);
            assertThat(t.nextval(small)).isEqualTo(1);
            assertThat(t.sequenceLastValue(small)).isEqualTo(1);
            assertThatThrownBy(() -> t.setval(small, 9, true)).isInstanceOfSatisfying(LrepException.class,
                    e -> assertThat(e.sqlState()).isEqualTo(SqlState.NUMERIC_VALUE_OUT_OF_RANGE));
            assertThatThrownBy(() -> t.createSequence(new SequenceDef(0, 0, "public", "bad", 1, 0, 1, 5, false, 1, 0, 0)))
                    .isInstanceOfSatisfying(LrepException.class, e -> assertThat(e.getMessage()).isEqualTo("INCREMENT must not be zero"));
        }
    }

    @Test
    void sequenceCreatedAndUsedInOneTransactionSurvivesCrash() {
        MemoryWalLog wal = new MemoryWalLog();
        StorageEngine engine = new StorageEngine(wal);
        SequenceDef seq;
        long last;
        try (Transaction t = engine.begin()) {
            seq = t.createSequence(SequenceDef.defaults("public", "s"));
            t.nextval(seq);
            last = t.nextval(seq);
            t.commit();
        }
        MemoryWalLog crashed = wal.crash();
        StorageEngine recovered = new StorageEngine(crashed);
        StorageFixture.replay(crashed, recovered);
        try (Transaction t = recovered.begin()) {
            assertThat(t.nextval(t.sequence("public", "s"))).isGreaterThan(last);
        }
        assertThat(seq.oid()).isEqualTo(recovered.nextOid() - 1);
    }

    @Test
    void alterSequenceIsTransactionalAndLogged() {
        MemoryWalLog wal = new MemoryWalLog();
        StorageEngine engine = new StorageEngine(wal);
        SequenceDef seq;
        try (Transaction t = engine.begin()) {
            seq = t.createSequence(SequenceDef.defaults("public", "s"));
            t.nextval(seq);
            t.commit();
        }
        SequenceDef wider = new SequenceDef(seq.oid(), 0, "public", "s", 1, 10, 1, 1000, true, 1, 0, 0);
        try (Transaction t = engine.begin()) {
            t.alterSequence(wider);
            t.rollback();
        }
        try (Transaction t = engine.begin()) {
            assertThat(t.sequence("public", "s").increment()).isEqualTo(1);
            SequenceDef altered = t.alterSequence(wider);
            assertThat(t.nextval(altered)).isEqualTo(11);
            t.commit();
        }
        WalRecord.CatalogChange change = StorageFixture.walRecords(wal).stream()
                .filter(r -> r instanceof WalRecord.CatalogChange c && c.kind() == CatalogCodec.SEQUENCE_ALTER)
                .map(r -> (WalRecord.CatalogChange) r).findFirst().orElseThrow();
        assertThat(((SequenceDef) CatalogCodec.decode(change.definition())).max()).isEqualTo(1000);
    }
}
