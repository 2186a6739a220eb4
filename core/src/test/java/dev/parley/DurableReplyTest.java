package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.contract.Contract;
import dev.parley.contract.ContractException;
import dev.parley.contract.DurableReply;
import dev.parley.internal.ContractModel;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class DurableReplyTest {

    record Charge(String id) {}

    record Receipt(String id) {}

    @Contract(name = "payments", version = "1.0")
    interface Payments {
        @DurableReply
        CompletionStage<Receipt> authorize(Charge charge);

        Receipt get(Charge charge);
    }

    @Contract(name = "bad", version = "1.0")
    interface BlockingDurable {
        @DurableReply
        Receipt authorize(Charge charge);
    }

    @Test
    void onlyAsyncResponseMethodsCanAskForDurableReplies() {
        assertThat(ContractModel.of(Payments.class).operation("authorize").orElseThrow().durableReply()).isTrue();
        assertThat(ContractModel.of(Payments.class).operation("get").orElseThrow().durableReply()).isFalse();
        assertThatThrownBy(() -> ContractModel.of(BlockingDurable.class))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("authorize")
                .hasMessageContaining("@DurableReply applies to request/async response methods only");
    }

    @Contract(name = "plain", version = "1.0")
    interface Plain {
        Receipt get(Charge charge);
    }

    @Test
    void aLateReplyHandlerNeedsADurableReplyMethodAndIsRegisteredOnce() {
        try (Parley parley = Parley.builder().build()) {
            assertThatThrownBy(() -> parley.lateReplies(Plain.class, r -> { }))
                    .isInstanceOf(ContractException.class)
                    .hasMessage("plain/v1 declares no @DurableReply methods");
            parley.lateReplies(Payments.class, r -> { });
            assertThatThrownBy(() -> parley.lateReplies(Payments.class, r -> { }))
                    .hasMessage("late replies of payments/v1 already have a handler");
        }
    }

    @Test
    void aLateReplyCarriesTheValueOrThrowsTheError() {
        LateReply ok = new LateReply("payments/v1", "authorize", "m-1", java.util.Optional.of(new Receipt("r-1")), java.util.Optional.empty());
        LateReply failed = new LateReply("payments/v1", "authorize", "m-2", java.util.Optional.empty(),
                java.util.Optional.of(ParleyException.of(ErrorCode.FAILED_PRECONDITION, "card declined")));

        assertThat(ok.valueAs(Receipt.class)).isEqualTo(new Receipt("r-1"));
        assertThatThrownBy(() -> failed.valueAs(Receipt.class)).hasMessageContaining("card declined");
    }
}
