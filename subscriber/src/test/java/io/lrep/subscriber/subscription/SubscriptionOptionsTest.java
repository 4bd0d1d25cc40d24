package io.lrep.subscriber.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrep.core.error.LrepException;
import io.lrep.subscriber.subscription.SubscriptionOptions.Option;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionOptionsTest {

    private static Option opt(String name, String value) {
        return new Option(name, value, 0);
    }

    @Test
    void shouldApplyCreateDefaults() {
        SubscriptionOptions o = SubscriptionOptions.parse(List.of(), SubscriptionOptions.FOR_CREATE);
        assertThat(o.connect()).isTrue();
        assertThat(o.enabled()).isTrue();
        assertThat(o.createSlot()).isTrue();
        assertThat(o.copyData()).isTrue();
        assertThat(o.origin()).isEqualTo("any");
        assertThat(o.isSet(SubscriptionOptions.SLOT_NAME)).isFalse();
    }

    @Test
    void connectFalseShouldTurnOffEnabledCreateSlotAndCopyData() {
        SubscriptionOptions o = SubscriptionOptions.parse(List.of(opt("connect", "false")), SubscriptionOptions.FOR_CREATE);
        assertThat(o.enabled()).isFalse();
        assertThat(o.createSlot()).isFalse();
        assertThat(o.copyData()).isFalse();
    }

    @Test
    void shouldParseSkipLsnAndNone() {
        assertThat(SubscriptionOptions.parse(List.of(opt("lsn", "1/A0")), SubscriptionOptions.FOR_SKIP).lsn()).isEqualTo(0x1_0000_00A0L);
        assertThat(SubscriptionOptions.parse(List.of(opt("lsn", "none")), SubscriptionOptions.FOR_SKIP).lsn()).isZero();
    }

    @Test
    void shouldRejectOptionsOfOtherForms() {
        assertThatThrownBy(() -> SubscriptionOptions.parse(List.of(opt("refresh", null)), SubscriptionOptions.FOR_SET))
                .isInstanceOf(LrepException.class).hasMessage("unrecognized subscription parameter: \"refresh\"");
    }

    @Test
    void shouldValidateSlotNames() {
        assertThat(SubscriptionOptions.validSlotName("ok_1")).isEqualTo("ok_1");
        assertThatThrownBy(() -> SubscriptionOptions.validSlotName("x".repeat(64))).hasMessageContaining("is too long");
        assertThatThrownBy(() -> SubscriptionOptions.validSlotName("")).hasMessageContaining("is too short");
    }

    @Test
    void syncSlotNameShouldFollowPostgres() {
        assertThat(SubscriptionCatalog.syncSlotName(16384, 16390, 7)).isEqualTo("pg_16384_sync_16390_7");
    }
}
