package io.lrep.subscriber.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrep.core.lsn.Lsn;
import io.lrep.subscriber.subscription.Subscription;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApplyWorkerTest {

    private static Subscription sub(boolean binary, boolean streaming, List<String> pubs, String origin) {
        return new Subscription(16394, Subscription.POSTGRES_DBID, 0, "sub1", 10, true, binary, streaming, Subscription.TWO_PHASE_DISABLED,
                false, true, "host=127.0.0.1", "sub\"slot", "off", pubs, origin);
    }

    @Test
    void shouldSendTheStartCommandOfAPostgres15ApplyWorker() {
        assertThat(ApplyWorker.startCommand(sub(false, false, List.of("p1"), "any"), "sub\"slot", 0, 3, 150004))
                .isEqualTo("START_REPLICATION SLOT \"sub\"\"slot\" LOGICAL 0/0 (proto_version '3', publication_names '\"p1\"')");
        assertThat(ApplyWorker.startCommand(sub(true, true, List.of("p1", "it's"), "any"), "sub\"slot", Lsn.parseLong("16/B374D848"), 3, 150004))
                .isEqualTo("START_REPLICATION SLOT \"sub\"\"slot\" LOGICAL 16/B374D848 (proto_version '3', streaming 'on',"
                        + " publication_names '\"p1\",\"it''s\"', binary 'true')");
    }

    @Test
    void shouldLeaveOutOptionsAnOldPublisherDoesNotKnow() {
        assertThat(ApplyWorker.startCommand(sub(true, true, List.of("p"), "any"), "sub\"slot", 0, 1, 130010))
                .isEqualTo("START_REPLICATION SLOT \"sub\"\"slot\" LOGICAL 0/0 (proto_version '1', publication_names '\"p\"')");
    }

    @Test
    void shouldSendOriginOnlyWhenItFiltersWhateverThePublisherVersion() {
        for (int version : new int[] {130010, 150000, 150004, 160002}) {
            assertThat(ApplyWorker.startCommand(sub(false, false, List.of("p"), "any"), "sub\"slot", 0, 3, version)).doesNotContain("origin");
            assertThat(ApplyWorker.startCommand(sub(false, false, List.of("p"), "none"), "sub\"slot", 0, 3, version))
                    .endsWith(", publication_names '\"p\"', origin 'none')");
        }
    }

    @Test
    void shouldTreatOnlyOffAsAsynchronousCommit() {
        assertThat(ApplyWorker.synchronousCommit("off")).isFalse();
        assertThat(ApplyWorker.synchronousCommit("false")).isFalse();
        assertThat(ApplyWorker.synchronousCommit("local")).isTrue();
        assertThat(ApplyWorker.synchronousCommit("remote_apply")).isTrue();
        assertThat(ApplyWorker.synchronousCommit("on")).isTrue();
    }
}
