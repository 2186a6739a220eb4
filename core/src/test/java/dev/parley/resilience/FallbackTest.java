package dev.parley.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FallbackTest {

    record ProfileRequest(String userId) {}

    record Profile(String userId, String name) {}

    private static ParleyException failure(ErrorCode code) {
        return ParleyException.of(code, "profiles: " + code);
    }

    // ---- cached --------------------------------------------------------------------------------

    @Test
    void cachedReturnsTheLastSuccessfulReplyForAnEqualRequest() {
        Fallback cached = Fallback.cached();
        cached.onSuccess(new ProfileRequest("u-1"), new Profile("u-1", "Ada"));

        Object reply = cached.apply(new ProfileRequest("u-1"), failure(ErrorCode.UNAVAILABLE));

        assertThat(reply).isEqualTo(new Profile("u-1", "Ada"));
    }

    @Test
    void cachedKeepsTheLatestReply() {
        Fallback cached = Fallback.cached();
        cached.onSuccess(new ProfileRequest("u-1"), new Profile("u-1", "Ada"));
        cached.onSuccess(new ProfileRequest("u-1"), new Profile("u-1", "Ada Lovelace"));

        assertThat(cached.apply(new ProfileRequest("u-1"), failure(ErrorCode.UNAVAILABLE)))
                .isEqualTo(new Profile("u-1", "Ada Lovelace"));
    }

    @Test
    void cachedRethrowsTheFailureWhenNothingWasCached() {
        Fallback cached = Fallback.cached();
        ParleyException failure = failure(ErrorCode.UNAVAILABLE);

        assertThatThrownBy(() -> cached.apply(new ProfileRequest("u-1"), failure)).isSameAs(failure);
    }

    @Test
    void cachedDoesNotAnswerForADifferentRequest() {
        Fallback cached = Fallback.cached();
        cached.onSuccess(new ProfileRequest("u-1"), new Profile("u-1", "Ada"));
        ParleyException failure = failure(ErrorCode.DEADLINE_EXCEEDED);

        assertThatThrownBy(() -> cached.apply(new ProfileRequest("u-2"), failure)).isSameAs(failure);
    }

    @Test
    void cachedKeepsRepliesPerRequest() {
        Fallback cached = Fallback.cached();
        cached.onSuccess(new ProfileRequest("u-1"), new Profile("u-1", "Ada"));
        cached.onSuccess(new ProfileRequest("u-2"), new Profile("u-2", "Grace"));

        assertThat(cached.apply(new ProfileRequest("u-2"), failure(ErrorCode.UNAVAILABLE))).isEqualTo(new Profile("u-2", "Grace"));
        assertThat(cached.apply(new ProfileRequest("u-1"), failure(ErrorCode.UNAVAILABLE))).isEqualTo(new Profile("u-1", "Ada"));
    }

    @Test
    void cachedHandlesRequestsWithoutBody() {
        Fallback cached = Fallback.cached();
        cached.onSuccess(null, new Profile("me", "Me"));

        assertThat(cached.apply(null, failure(ErrorCode.UNAVAILABLE))).isEqualTo(new Profile("me", "Me"));
    }

    @Test
    void cachedInstancesAreIndependent() {
        Fallback a = Fallback.cached();
        Fallback b = Fallback.cached();
        a.onSuccess(new ProfileRequest("u-1"), new Profile("u-1", "Ada"));
        ParleyException failure = failure(ErrorCode.UNAVAILABLE);

        assertThatThrownBy(() -> b.apply(new ProfileRequest("u-1"), failure)).isSameAs(failure);
    }

    @Test
    void cachedRemembersUpTo1024RequestsDroppingTheLeastRecentlyUsed() {
        Fallback cached = Fallback.cached();
        for (int i = 0; i < 1024; i++) {
            cached.onSuccess(new ProfileRequest("u-" + i), new Profile("u-" + i, "n" + i));
        }
        // touch u-0 so that u-1 is now the least recently used
        assertThat(cached.apply(new ProfileRequest("u-0"), failure(ErrorCode.UNAVAILABLE))).isEqualTo(new Profile("u-0", "n0"));

        cached.onSuccess(new ProfileRequest("u-1024"), new Profile("u-1024", "n1024"));

        ParleyException failure = failure(ErrorCode.UNAVAILABLE);
        assertThatThrownBy(() -> cached.apply(new ProfileRequest("u-1"), failure)).isSameAs(failure);
        assertThat(cached.apply(new ProfileRequest("u-0"), failure)).isEqualTo(new Profile("u-0", "n0"));
        assertThat(cached.apply(new ProfileRequest("u-2"), failure)).isEqualTo(new Profile("u-2", "n2"));
        assertThat(cached.apply(new ProfileRequest("u-1024"), failure)).isEqualTo(new Profile("u-1024", "n1024"));
    }

    // ---- appliesTo -----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"NOT_FOUND", "INVALID_ARGUMENT", "PERMISSION_DENIED", "UNAUTHENTICATED",
        "CONFLICT", "FAILED_PRECONDITION"})
    void answersAreNotReplacedByAFallback(ErrorCode code) {
        assertThat(Fallback.cached().appliesTo(failure(code))).isFalse();
        assertThat(Fallback.value("x").appliesTo(failure(code))).isFalse();
        assertThat(Fallback.call((r, f) -> "x").appliesTo(failure(code))).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "RESOURCE_EXHAUSTED"})
    void dependencyFailuresAreReplacedByAFallback(ErrorCode code) {
        assertThat(Fallback.cached().appliesTo(failure(code))).isTrue();
        assertThat(Fallback.value("x").appliesTo(failure(code))).isTrue();
        assertThat(Fallback.call((r, f) -> "x").appliesTo(failure(code))).isTrue();
    }

    // ---- value and call ------------------------------------------------------------------------

    @Test
    void valueAlwaysAnswersTheSameValue() {
        Profile unknown = new Profile("?", "unknown");
        Fallback fallback = Fallback.value(unknown);

        assertThat(fallback.apply(new ProfileRequest("u-1"), failure(ErrorCode.UNAVAILABLE))).isSameAs(unknown);
        assertThat(fallback.apply(null, failure(ErrorCode.INTERNAL))).isSameAs(unknown);
    }

    @Test
    void callSeesTheRequestAndTheFailure() {
        Fallback fallback = Fallback.call((request, f) -> new Profile(((ProfileRequest) request).userId(), "degraded " + f.code()));

        assertThat(fallback.apply(new ProfileRequest("u-9"), failure(ErrorCode.DEADLINE_EXCEEDED)))
                .isEqualTo(new Profile("u-9", "degraded DEADLINE_EXCEEDED"));
    }
}
