package io.lrep.core.lsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void shouldPrintAsPostgresqlDoes() {
        assertThat(Lsn.of(0).toString()).isEqualTo("0/0");
        assertThat(Lsn.of(0x16B374D848L).toString()).isEqualTo("16/B374D848");
        assertThat(Lsn.of(0x1000000L).toString()).isEqualTo("0/1000000");
        assertThat(Lsn.of(-1L).toString()).isEqualTo("FFFFFFFF/FFFFFFFF");
    }

    @Test
    void shouldParseEitherCaseAndShortForms() {
        assertThat(Lsn.parse("16/b374d848").value()).isEqualTo(0x16B374D848L);
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
        assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").value()).isEqualTo(-1L);
    }

    @Test
    void shouldRejectWhatPostgresqlRejects() {
        for (String bad : new String[] {"", "/", "1/", "/1", "123456789/0", "0/123456789", "x/1", "1/1/1", "+1/1", "1/-1", " 1/1"}) {
            assertThatThrownBy(() -> Lsn.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid input syntax for type pg_lsn");
        }
    }

    @Test
    void shouldRoundTripAndOrderUnsigned() {
        long seed = Long.getLong("lsn.seed", System.nanoTime());
        System.out.println("LsnTest seed=" + seed);
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong();
            assertThat(Lsn.parse(Lsn.format(v)).value()).isEqualTo(v);
        }
        assertThat(Lsn.of(-1L)).isGreaterThan(Lsn.of(1));
    }
}
