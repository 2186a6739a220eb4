package dev.parley.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ErrorCode;
import dev.parley.ParleyException;
import dev.parley.RemoteException;
import dev.parley.TransportException;
import dev.parley.contract.Contract;
import dev.parley.contract.Default;
import dev.parley.codec.Codec;
import dev.parley.testkit.ParleyExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumers and providers on different minor versions of one contract talk to each other: the
 * tolerant reader ignores unknown fields and fills missing ones with defaults. Messages that do
 * not decode become typed errors for the caller.
 */
class VersioningTest {

    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.create();

    /** Version 1.0 as an old consumer compiled it. */
    static final class V1 {
        record Profile(String id, String name) {}

        record ProfileId(String id) {}

        @Contract(name = "profiles", version = "1.0")
        interface Profiles {
            Profile save(Profile profile);

            Profile get(ProfileId id);
        }
    }

    /** Version 1.1 as the current provider has it: three new fields, each with a default. */
    static final class V11 {
        enum Tier { STANDARD, GOLD }

        record Profile(String id, String name, @Default("STANDARD") Tier tier, Optional<String> nickname, List<String> tags,
                       @Default("5") int rating, Map<String, String> preferences) {}

        record ProfileId(String id) {}

        @Contract(name = "profiles", version = "1.1")
        interface Profiles {
            Profile save(Profile profile);

            Profile get(ProfileId id);
        }
    }

    /** A consumer whose idea of the message disagrees with the provider's (a broken deployment). */
    static final class Mismatched {
        record Profile(String id, List<String> name) {}

        record ProfileId(Map<String, String> id) {}

        @Contract(name = "profiles", version = "1.0")
        interface Profiles {
            Profile save(Profile profile);

            Profile get(ProfileId id);
        }
    }

    static final class CurrentProvider implements V11.Profiles {
        final AtomicReference<V11.Profile> lastSaved = new AtomicReference<>();

        @Override
        public V11.Profile save(V11.Profile profile) {
            lastSaved.set(profile);
            return profile;
        }

        @Override
        public V11.Profile get(V11.ProfileId id) {
            return new V11.Profile(id.id(), "Ada", V11.Tier.GOLD, Optional.of("ada"), List.of("vip"), 4, Map.of("seat", "front"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/cbor"})
    void anOldConsumerTalksToANewProviderMissingFieldsGetDefaults(String contentType) {
        CurrentProvider provider = new CurrentProvider();
        parley.service("profiles").serve(V11.Profiles.class, provider);
        Codec codec = contentType.equals("application/json") ? Codec.json() : Codec.cbor();
        V1.Profiles old = parley.service("old-app", b -> b.codec(codec)).client(V1.Profiles.class);

        V1.Profile echoed = old.save(new V1.Profile("p-1", "Grace"));

        assertThat(echoed).isEqualTo(new V1.Profile("p-1", "Grace"));
        assertThat(provider.lastSaved.get()).isEqualTo(
                new V11.Profile("p-1", "Grace", V11.Tier.STANDARD, Optional.empty(), List.of(), 5, Map.of()));
    }

    @Test
    void anOldConsumerIgnoresFieldsItDoesNotKnow() {
        parley.service("profiles").serve(V11.Profiles.class, new CurrentProvider());
        V1.Profiles old = parley.service("old-app").client(V1.Profiles.class);

        assertThat(old.get(new V1.ProfileId("p-2"))).isEqualTo(new V1.Profile("p-2", "Ada"));
    }

    @Test
    void aNewConsumerTalksToAnOldProvider() {
        parley.service("profiles").serve(V1.Profiles.class, new V1.Profiles() {
            @Override
            public V1.Profile save(V1.Profile profile) {
                return profile;
            }

            @Override
            public V1.Profile get(V1.ProfileId id) {
                return new V1.Profile(id.id(), "Linus");
            }
        });
        V11.Profiles current = parley.service("new-app").client(V11.Profiles.class);

        assertThat(current.get(new V11.ProfileId("p-3")))
                .isEqualTo(new V11.Profile("p-3", "Linus", V11.Tier.STANDARD, Optional.empty(), List.of(), 5, Map.of()));
    }

    @Test
    void aRequestThatDoesNotDecodeIsAnInvalidArgumentNamingTheField() {
        parley.service("profiles").serve(V11.Profiles.class, new CurrentProvider());
        Mismatched.Profiles broken = parley.service("broken-app").client(Mismatched.Profiles.class);

        assertThatThrownBy(() -> broken.get(new Mismatched.ProfileId(Map.of("x", "y"))))
                .isInstanceOfSatisfying(RemoteException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.details()).containsEntry("field", "id");
                    assertThat(e.getMessage()).contains("Profiles.get").contains("'id'");
                });
    }

    @Test
    void aReplyThatDoesNotDecodeIsAnInvalidReplyForTheCaller() {
        parley.service("profiles").serve(V1.Profiles.class, new V1.Profiles() {
            @Override
            public V1.Profile save(V1.Profile profile) {
                return profile;
            }

            @Override
            public V1.Profile get(V1.ProfileId id) {
                return new V1.Profile(id.id(), "a plain string where the caller wants a list of strings? no: an object");
            }
        });
        record Strict(String id, Map<String, Integer> name) {}
        // The caller's view of the reply: 'name' must be an object of numbers.
        assertThatThrownBy(() -> Codec.json().<Strict>forType(Strict.class).decode("{\"id\":\"p\",\"name\":\"text\"}".getBytes()))
                .isInstanceOf(dev.parley.codec.DecodingException.class);

        Mismatched.Profiles broken = parley.service("broken-app").client(Mismatched.Profiles.class);
        parley.service("profiles-v1-echo");
        assertThatThrownBy(() -> broken.save(new Mismatched.Profile("p", List.of("a", "b"))))
                .isInstanceOfSatisfying(ParleyException.class, e -> {
                    // The provider cannot read a list as its 'name' string: that is the request direction.
                    assertThat(e).isInstanceOf(RemoteException.class);
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.details()).containsEntry("field", "name");
                });
    }

    @Test
    void aReplyTheCallerCannotReadBecomesATypedTransportError() {
        // The provider's reply has 'name' as a string; this caller expects a list.
        parley.service("profiles").serve(V1.Profiles.class, new V1.Profiles() {
            @Override
            public V1.Profile save(V1.Profile profile) {
                return profile;
            }

            @Override
            public V1.Profile get(V1.ProfileId id) {
                return new V1.Profile(id.id(), "Barbara");
            }
        });
        record WeirdId(String id) {}
        Mismatched.Profiles broken = parley.service("broken-app").client(Mismatched.Profiles.class);

        assertThatThrownBy(() -> broken.get(new Mismatched.ProfileId(null)))
                .isInstanceOfSatisfying(TransportException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REPLY);
                    assertThat(e.getMessage()).contains("Profiles.get").contains("cannot decode the reply").contains("'name'");
                });
        assertThat(new WeirdId("x").id()).isEqualTo("x");
    }

    @Test
    void aConsumerOfAnotherMajorVersionFindsNoProvider() {
        parley.service("profiles").serve(V11.Profiles.class, new CurrentProvider());
        @Contract(name = "profiles", version = "2.0")
        interface ProfilesV2 {
            V11.Profile get(V11.ProfileId id);
        }
        ProfilesV2 v2 = parley.service("app").client(ProfilesV2.class);

        assertThatThrownBy(() -> v2.get(new V11.ProfileId("p"))).isInstanceOfSatisfying(TransportException.class,
                e -> assertThat(e.getMessage()).contains("no service serves profiles/v2"));
    }
}
