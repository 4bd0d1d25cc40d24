package io.lrep.subscriber.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscriptionStatsTest {

    @TempDir
    Path dir;

    private static final Instant T = Instant.parse("2024-05-06T07:08:09.123456Z");

    private SubscriptionStats sample() {
        SubscriptionStats s = new SubscriptionStats();
        s.countError(10, false);
        s.countError(10, false);
        s.countError(10, true);
        s.countError(11, true);
        s.reset(11, T);
        s.countError(11, false);
        return s;
    }

    @Test
    void shouldRestoreWhatACleanShutdownSavedAndRemoveTheFile() {
        sample().save(dir, true);
        assertThat(dir.resolve(SubscriptionStats.FILE + ".tmp")).doesNotExist();
        SubscriptionStats back = SubscriptionStats.restore(dir, false);
        assertThat(back.get(10)).isEqualTo(new SubscriptionStats.Entry(10, 2, 1, null));
        assertThat(back.get(11)).isEqualTo(new SubscriptionStats.Entry(11, 1, 0, T));
        assertThat(back.get(12)).isEqualTo(new SubscriptionStats.Entry(12, 0, 0, null));
        assertThat(dir.resolve(SubscriptionStats.FILE)).doesNotExist();
        assertThat(SubscriptionStats.restore(dir, false).get(10).applyErrorCount()).isZero();
    }

    @Test
    void shouldDiscardTheFileAfterCrashRecovery() {
        sample().save(dir, false);
        assertThat(SubscriptionStats.restore(dir, true).get(10).applyErrorCount()).isZero();
        assertThat(dir.resolve(SubscriptionStats.FILE)).doesNotExist();
    }

    @Test
    void shouldStartEmptyFromACorruptedOrTruncatedFile() throws IOException {
        Files.writeString(dir.resolve(SubscriptionStats.FILE), "lrep pgstat 1\nsubscription 10 2 1 -\n", StandardCharsets.UTF_8);
        assertThat(SubscriptionStats.restore(dir, false).get(10).applyErrorCount()).isZero();
        Files.writeString(dir.resolve(SubscriptionStats.FILE), "garbage", StandardCharsets.UTF_8);
        assertThat(SubscriptionStats.restore(dir, false).get(10).applyErrorCount()).isZero();
        assertThat(dir.resolve(SubscriptionStats.FILE)).doesNotExist();
    }

    @Test
    void shouldResetOnlyEntriesThatExistAndDropThem() {
        SubscriptionStats s = sample();
        s.reset(99, T);
        assertThat(s.get(99).statsReset()).isNull();
        s.resetAll(T);
        assertThat(s.get(10)).isEqualTo(new SubscriptionStats.Entry(10, 0, 0, T));
        s.drop(10);
        assertThat(s.get(10)).isEqualTo(new SubscriptionStats.Entry(10, 0, 0, null));
    }
}
