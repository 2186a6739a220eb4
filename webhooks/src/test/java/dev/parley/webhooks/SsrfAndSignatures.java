package dev.parley.webhooks;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Assertions shared by the delivery tests. */
final class SsrfAndSignatures {
    private SsrfAndSignatures() {}

    static void assertNotVerifiable(WebhookVerifier verifier, RecordingReceiver.Received request) {
        assertThatThrownBy(() -> verifier.verify(request.headers(), request.body()))
                .isInstanceOfSatisfying(WebhookVerificationException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.reason())
                                .isEqualTo(WebhookVerificationException.Reason.NO_MATCHING_SIGNATURE));
    }
}
