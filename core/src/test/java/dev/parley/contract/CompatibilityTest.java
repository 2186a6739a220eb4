package dev.parley.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.parley.contract.CompatibilityReport.Change;
import dev.parley.contract.CompatibilityReport.Kind;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Each rule of {@link Compatibility}, in the breaking and in the compatible direction. The
 * contracts are real interfaces: a nested class per shape holds the interface and the records it
 * uses, so two shapes can declare a record with the same simple name (the message name) and
 * different fields. Most tests compare two shapes as release 1.0 to 1.1 with {@link #upgrade},
 * so that one pair of shapes serves both directions; the version rules use the declared versions.
 */
class CompatibilityTest {

    record TripId(String id) {}

    record TripCompleted(String tripId) {}

    // ---- versions and names ---------------------------------------------------------------------

    record TripView(String id, long fare) {}

    @Contract(name = "trips", version = "1.0")
    interface TripsV1_0 {
        TripView get(TripId id);

        TripView cancel(TripId id);
    }

    @Contract(name = "trips", version = "1.1")
    interface TripsV1_1 {
        TripView get(TripId id);

        TripView cancel(TripId id);
    }

    @Contract(name = "trips", version = "2.0")
    interface TripsV2_0 {
        TripId get(TripView view);
    }

    @Contract(name = "rides", version = "1.1")
    interface RidesV1_1 {
        TripView get(TripId id);

        TripView cancel(TripId id);
    }

    @Test
    void identicalReleasesHaveNoChanges() {
        CompatibilityReport report = check(TripsV1_0.class, TripsV1_0.class);

        assertThat(report.isUnchanged()).isTrue();
        assertThat(report.isCompatible()).isTrue();
        assertThat(report.render()).isEqualTo("Contract trips 1.0 -> 1.0: no changes");
    }

    @Test
    void raisingTheMinorVersionWithoutChangesIsClean() {
        CompatibilityReport report = check(TripsV1_0.class, TripsV1_1.class);

        assertThat(report.isUnchanged()).isTrue();
        assertThat(report.previousVersion()).isEqualTo(new Version(1, 0));
        assertThat(report.currentVersion()).isEqualTo(new Version(1, 1));
    }

    @Test
    void aDifferentContractNameIsBreaking() {
        CompatibilityReport report = check(TripsV1_0.class, RidesV1_1.class);

        assertThat(report.isCompatible()).isFalse();
        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("contract");
            assertThat(c.description()).contains("name changed from 'trips' to 'rides'");
        });
    }

    @Test
    void aHigherMajorVersionAllowsEverything() {
        CompatibilityReport report = check(TripsV1_1.class, TripsV2_0.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).containsExactly(
                Change.compatible("contract", "major version raised from 1 to 2; breaking changes are allowed"));
    }

    @Test
    void aLowerVersionIsBreaking() {
        CompatibilityReport minorDown = check(TripsV1_1.class, TripsV1_0.class);
        CompatibilityReport majorDown = check(TripsV2_0.class, TripsV1_0.class);

        assertThat(minorDown.breakingChanges()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("contract");
            assertThat(c.description()).startsWith("version went backwards from 1.1 to 1.0");
        });
        assertThat(majorDown.changes()).as("a lower major version is not compared field by field")
                .singleElement().extracting(Change::description).asString()
                .startsWith("version went backwards from 2.0 to 1.0");
    }

    @Test
    void aCompatibleChangeWithoutARaisedMinorVersionGetsANote() {
        CompatibilityReport sameVersion = check(WithoutCancel.Trips.class, WithCancel.Trips.class);
        CompatibilityReport raised = upgrade(WithoutCancel.Trips.class, WithCancel.Trips.class);

        assertThat(sameVersion.isCompatible()).isTrue();
        assertThat(sameVersion.changes()).contains(Change.compatible("contract",
                "changed compatibly but the version is still 1.0; raise the minor version to 1.1 so that the two releases can be told apart"));
        assertThat(raised.changes()).extracting(Change::path).doesNotContain("contract");
    }

    @Test
    void aBreakingChangeGetsNoMinorVersionNote() {
        CompatibilityReport report = check(WithCancel.Trips.class, WithoutCancel.Trips.class);

        assertThat(report.changes()).extracting(Change::path).containsExactly("method cancel");
    }

    // ---- methods --------------------------------------------------------------------------------

    static final class WithCancel {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);

            TripView cancel(TripId id);
        }
    }

    static final class WithoutCancel {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class Sync {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class Async {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            CompletionStage<TripView> get(TripId id);
        }
    }

    static final class IdempotentGet {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            @Idempotent
            TripView get(TripId id);
        }
    }

    static final class WithEvent {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);

            @Event
            void completed(TripCompleted event);
        }
    }

    static final class WithRenamedEvent {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);

            @Event("trip.completed")
            void completed(TripCompleted event);
        }
    }

    static final class PingWithoutRequest {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            @OneWay
            void ping();
        }
    }

    static final class PingWithRequest {
        @Contract(name = "trips", version = "1.0")
        interface Trips {
            @OneWay
            void ping(TripId id);
        }
    }

    @Test
    void removedMethodIsBreaking() {
        CompatibilityReport report = upgrade(WithCancel.Trips.class, WithoutCancel.Trips.class);

        assertThat(report.isCompatible()).isFalse();
        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("method cancel");
            assertThat(c.description()).isEqualTo("removed; parties built against 1.0 still call it");
        });
    }

    @Test
    void newMethodIsCompatible() {
        CompatibilityReport report = upgrade(WithoutCancel.Trips.class, WithCancel.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.COMPATIBLE);
            assertThat(c.path()).isEqualTo("method cancel");
            assertThat(c.description()).startsWith("new REQUEST_RESPONSE method");
        });
    }

    @Test
    void changedInteractionStyleIsBreakingEitherWay() {
        CompatibilityReport toAsync = upgrade(Sync.Trips.class, Async.Trips.class);
        CompatibilityReport toSync = upgrade(Async.Trips.class, Sync.Trips.class);

        assertThat(toAsync.breakingChanges()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("method get");
            assertThat(c.description()).startsWith("interaction style changed from REQUEST_RESPONSE to REQUEST_ASYNC_RESPONSE");
        });
        assertThat(toSync.breakingChanges()).singleElement().extracting(Change::description).asString()
                .startsWith("interaction style changed from REQUEST_ASYNC_RESPONSE to REQUEST_RESPONSE");
    }

    @Test
    void droppingIdempotentIsBreakingBecauseCallersRetry() {
        CompatibilityReport report = upgrade(IdempotentGet.Trips.class, Sync.Trips.class);

        assertThat(report.breakingChanges()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("method get");
            assertThat(c.description()).contains("no longer @Idempotent").contains("retry it");
        });
    }

    @Test
    void addingIdempotentIsCompatible() {
        CompatibilityReport report = upgrade(Sync.Trips.class, IdempotentGet.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("method get");
            assertThat(c.description()).startsWith("now @Idempotent");
        });
    }

    @Test
    void newEventTypeIsCompatible() {
        CompatibilityReport report = upgrade(Sync.Trips.class, WithEvent.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("method completed");
            assertThat(c.description()).startsWith("new event type TripCompleted");
        });
    }

    @Test
    void removedEventIsBreaking() {
        CompatibilityReport report = upgrade(WithEvent.Trips.class, Sync.Trips.class);

        assertThat(report.breakingChanges()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("method completed");
            assertThat(c.description()).contains("removed").contains("event type TripCompleted");
        });
    }

    @Test
    void changedEventTypeIsBreaking() {
        CompatibilityReport report = upgrade(WithEvent.Trips.class, WithRenamedEvent.Trips.class);

        assertThat(report.breakingChanges()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("method completed");
            assertThat(c.description()).startsWith("event type changed from TripCompleted to trip.completed");
        });
    }

    @Test
    void addingOrDroppingTheRequestMessageIsBreaking() {
        CompatibilityReport added = upgrade(PingWithoutRequest.Trips.class, PingWithRequest.Trips.class);
        CompatibilityReport dropped = upgrade(PingWithRequest.Trips.class, PingWithoutRequest.Trips.class);

        assertThat(added.breakingChanges()).extracting(Change::path, Change::description)
                .containsExactly(tuple("method ping", "now takes a request message TripId; parties built against 1.0 send none"));
        assertThat(dropped.breakingChanges()).extracting(Change::description).asString()
                .contains("no longer has a request message (was TripId)");
    }

    // ---- fields ---------------------------------------------------------------------------------

    static final class FareOnly {
        record TripView(String id, long fare) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class FareAndNote {
        record TripView(String id, long fare, Optional<String> note) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class FareAndDriver {
        record TripView(String id, long fare, String driver) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class FareAndDefaultedDriver {
        record TripView(String id, long fare, @Default("unassigned") String driver) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class PriceInsteadOfFare {
        record TripView(String id, long price) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class NoteInsteadOfFare {
        record TripView(String id, Optional<String> note) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class DecimalFare {
        record TripView(String id, BigDecimal fare) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class DefaultedFare {
        record TripView(String id, @Default("0") long fare) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class OtherDefaultFare {
        record TripView(String id, @Default("100") long fare) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class RenamedRecord {
        record TripSummary(String id, long fare) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripSummary get(TripId id);
        }
    }

    static final class ListOfStops {
        record TripView(String id, long fare, List<String> stops) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class SetOfStops {
        record TripView(String id, long fare, Set<String> stops) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    @Test
    void removedFieldIsBreaking() {
        CompatibilityReport report = upgrade(FareAndNote.Trips.class, FareOnly.Trips.class);

        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("message TripView field note");
            assertThat(c.description()).startsWith("removed;");
        });
    }

    @Test
    void newOptionalFieldIsCompatible() {
        CompatibilityReport report = upgrade(FareOnly.Trips.class, FareAndNote.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("message TripView field note");
            assertThat(c.description()).startsWith("new optional field of type optional<string>");
        });
    }

    @Test
    void newRequiredFieldIsBreaking() {
        CompatibilityReport report = upgrade(FareOnly.Trips.class, FareAndDriver.Trips.class);

        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("message TripView field driver");
            assertThat(c.description()).startsWith("new required field of type string without a default")
                    .contains("@Default");
        });
    }

    @Test
    void newFieldWithADefaultIsCompatible() {
        CompatibilityReport report = upgrade(FareOnly.Trips.class, FareAndDefaultedDriver.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).extracting(Change::path).containsExactly("message TripView field driver");
    }

    @Test
    void renamedFieldIsBreaking() {
        CompatibilityReport report = upgrade(FareOnly.Trips.class, PriceInsteadOfFare.Trips.class);

        assertThat(report.isCompatible()).isFalse();
        assertThat(report.breakingChanges()).extracting(Change::path)
                .containsExactly("message TripView field fare", "message TripView field price");
        assertThat(report.breakingChanges().get(0).description())
                .startsWith("renamed to price, which on the wire is a removal plus an addition");
    }

    @Test
    void aRemovedAndAnAddedFieldOfAnotherTypeAreNotCalledARename() {
        CompatibilityReport report = upgrade(FareOnly.Trips.class, NoteInsteadOfFare.Trips.class);

        assertThat(report.changes()).extracting(Change::kind, Change::path, Change::description).containsExactly(
                tuple(Kind.BREAKING, "message TripView field fare", "removed; parties built against 1.0 still send and expect it"),
                tuple(Kind.COMPATIBLE, "message TripView field note",
                        "new optional field of type optional<string>; parties built against 1.0 leave it out and ignore it"));
    }

    @Test
    void changedFieldTypeIsBreakingAndNamesBothTypes() {
        CompatibilityReport widened = upgrade(FareOnly.Trips.class, DecimalFare.Trips.class);
        CompatibilityReport narrowed = upgrade(DecimalFare.Trips.class, FareOnly.Trips.class);

        assertThat(widened.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("message TripView field fare");
            assertThat(c.description()).startsWith("type changed from int64 to decimal");
        });
        assertThat(narrowed.breakingChanges()).singleElement().extracting(Change::description).asString()
                .startsWith("type changed from decimal to int64");
    }

    @Test
    void changedContainerKindIsBreaking() {
        CompatibilityReport report = upgrade(ListOfStops.Trips.class, SetOfStops.Trips.class);

        assertThat(report.breakingChanges()).singleElement().extracting(Change::description).asString()
                .startsWith("type changed from list<string> to set<string>");
    }

    @Test
    void fieldBecomingRequiredIsBreaking() {
        CompatibilityReport report = upgrade(DefaultedFare.Trips.class, FareOnly.Trips.class);

        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("message TripView field fare");
            assertThat(c.description()).startsWith("now required");
        });
    }

    @Test
    void fieldBecomingOptionalIsCompatible() {
        CompatibilityReport report = upgrade(FareOnly.Trips.class, DefaultedFare.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).containsExactly(
                Change.compatible("message TripView field fare", "no longer required (defaults to 0)"));
    }

    @Test
    void changedDefaultIsCompatibleButReported() {
        CompatibilityReport report = upgrade(DefaultedFare.Trips.class, OtherDefaultFare.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).singleElement().extracting(Change::description).asString()
                .startsWith("default changed from 0 to 100");
    }

    @Test
    void renamedRecordWithTheSameFieldsIsCompatible() {
        CompatibilityReport forward = upgrade(FareOnly.Trips.class, RenamedRecord.Trips.class);
        CompatibilityReport back = upgrade(RenamedRecord.Trips.class, FareOnly.Trips.class);

        assertThat(forward.isCompatible()).isTrue();
        assertThat(forward.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.COMPATIBLE);
            assertThat(c.path()).isEqualTo("message TripSummary (was TripView)");
            assertThat(c.description()).startsWith("renamed from TripView to TripSummary");
        });
        assertThat(back.isCompatible()).isTrue();
    }

    @Test
    void renamedRecordWithDifferentFieldsReportsTheFieldsUnderTheNewName() {
        CompatibilityReport report = upgrade(RenamedRecord.Trips.class, DecimalFare.Trips.class);

        assertThat(report.breakingChanges()).extracting(Change::path)
                .containsExactly("message TripView (was TripSummary) field fare");
    }

    // ---- enums ----------------------------------------------------------------------------------

    static final class TwoStatuses {
        enum Status { OPEN, DONE }

        record TripView(String id, Status status) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class ThreeStatuses {
        enum Status { OPEN, DONE, CANCELLED }

        record TripView(String id, Status status) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    static final class StatusAsRecord {
        record Status(String code) {}

        record TripView(String id, Status status) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            TripView get(TripId id);
        }
    }

    @Test
    void removedConstantIsBreaking() {
        CompatibilityReport report = upgrade(ThreeStatuses.Trips.class, TwoStatuses.Trips.class);

        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("message Status constant CANCELLED");
            assertThat(c.description()).startsWith("removed;");
        });
    }

    @Test
    void addedConstantIsCompatible() {
        CompatibilityReport report = upgrade(TwoStatuses.Trips.class, ThreeStatuses.Trips.class);

        assertThat(report.isCompatible()).isTrue();
        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("message Status constant CANCELLED");
            assertThat(c.description()).contains("default");
        });
    }

    @Test
    void enumBecomingARecordIsBreaking() {
        CompatibilityReport report = upgrade(TwoStatuses.Trips.class, StatusAsRecord.Trips.class);

        assertThat(report.breakingChanges()).singleElement().satisfies(c -> {
            assertThat(c.path()).isEqualTo("message TripView field status");
            assertThat(c.description()).startsWith("type changed from Status to Status (same name, but one is a record and the other an enum)");
        });
    }

    // ---- nested messages, containers, requests and recursion ------------------------------------

    static final class OrdersBefore {
        record Line(String sku, int quantity) {}

        record Money(long cents) {}

        record Note(String text) {}

        record Tag(String label) {}

        record Order(String id, List<Line> lines, Map<String, Money> prices, Optional<Note> note, Set<Tag> tags) {}

        @Contract(name = "orders", version = "1.0")
        interface Orders {
            Order get(TripId id);
        }
    }

    static final class OrdersAfter {
        record Line(String sku) {}

        record Money(BigDecimal cents) {}

        record Note(String text, String author) {}

        record Tag(String label, Optional<String> color) {}

        record Order(String id, List<Line> lines, Map<String, Money> prices, Optional<Note> note, Set<Tag> tags) {}

        @Contract(name = "orders", version = "1.1")
        interface Orders {
            Order get(TripId id);
        }
    }

    static final class CreateBefore {
        record Address(String street) {}

        record CreateTrip(String rider, Address pickup) {}

        @Contract(name = "trips", version = "1.0")
        interface Trips {
            @OneWay
            void create(CreateTrip request);
        }
    }

    static final class CreateAfter {
        record Address(String street, int zip) {}

        record CreateTrip(String rider, Address pickup) {}

        @Contract(name = "trips", version = "1.1")
        interface Trips {
            @OneWay
            void create(CreateTrip request);
        }
    }

    static final class TreeBefore {
        record Node(String name, List<Node> children, Optional<Node> parent) {}

        @Contract(name = "tree", version = "1.0")
        interface Tree {
            Node root(Node query);

            Node leaf(Node query);
        }
    }

    static final class TreeAfter {
        record Node(String name, List<Node> children, Optional<Node> parent, int weight) {}

        @Contract(name = "tree", version = "1.1")
        interface Tree {
            Node root(Node query);

            Node leaf(Node query);
        }
    }

    @Test
    void followsNestedMessagesInsideListMapOptionalAndSet() {
        CompatibilityReport report = check(OrdersBefore.Orders.class, OrdersAfter.Orders.class);

        assertThat(report.changes()).extracting(Change::kind, Change::path).containsExactlyInAnyOrder(
                tuple(Kind.BREAKING, "message Line field quantity"),
                tuple(Kind.BREAKING, "message Money field cents"),
                tuple(Kind.BREAKING, "message Note field author"),
                tuple(Kind.COMPATIBLE, "message Tag field color"));
        assertThat(report.changes()).filteredOn(c -> c.path().equals("message Money field cents"))
                .extracting(Change::description).singleElement().asString().startsWith("type changed from int64 to decimal");
    }

    @Test
    void nestedCompatibleChangesAreCompatible() {
        CompatibilityReport report = check(OrdersAfter.Orders.class, OrdersAfter.Orders.class);

        assertThat(report.isUnchanged()).isTrue();
    }

    @Test
    void followsTheRequestMessageToo() {
        CompatibilityReport report = check(CreateBefore.Trips.class, CreateAfter.Trips.class);

        assertThat(report.changes()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(Kind.BREAKING);
            assertThat(c.path()).isEqualTo("message Address field zip");
        });
    }

    @Test
    void recursiveMessagesAreComparedOnceAndTerminate() {
        CompatibilityReport report = check(TreeBefore.Tree.class, TreeAfter.Tree.class);

        assertThat(report.changes()).extracting(Change::path).containsExactly("message Node field weight");
    }

    // ---- descriptors read from JSON -------------------------------------------------------------

    @Test
    void aDescriptorReadBackFromJsonIsCompatibleWithItself() {
        ContractDescriptor original = ContractDescriptor.of(OrdersBefore.Orders.class);
        ContractDescriptor back = ContractDescriptor.fromJson(original.toJson());

        assertThat(back).isEqualTo(original);
        assertThat(Compatibility.check(back, original).isUnchanged()).isTrue();
        assertThat(Compatibility.check(original, back).isUnchanged()).isTrue();
    }

    @Test
    void aJsonBaselineFindsTheSameChangesAsTheInterface() {
        ContractDescriptor baseline = ContractDescriptor.fromJson(ContractDescriptor.of(OrdersBefore.Orders.class).toJson());
        ContractDescriptor current = ContractDescriptor.of(OrdersAfter.Orders.class);

        assertThat(Compatibility.check(baseline, current))
                .isEqualTo(check(OrdersBefore.Orders.class, OrdersAfter.Orders.class));
    }

    // ---- the report -----------------------------------------------------------------------------

    @Test
    void rendersAHeaderAndOneLinePerChangeBreakingFirst() {
        CompatibilityReport report = check(OrdersBefore.Orders.class, OrdersAfter.Orders.class);
        List<String> lines = report.render().lines().toList();

        assertThat(lines.get(0)).isEqualTo("Contract orders 1.0 -> 1.1: 3 breaking changes, 1 compatible change");
        assertThat(lines).hasSize(5);
        assertThat(lines.subList(1, 4)).allSatisfy(line -> assertThat(line).startsWith("  BREAKING    message "));
        assertThat(lines.get(4)).startsWith("  COMPATIBLE  message Tag field color: new optional field");
        assertThat(report).hasToString(report.render());
    }

    @Test
    void breakingAndCompatibleChangesPartitionTheChanges() {
        CompatibilityReport report = check(OrdersBefore.Orders.class, OrdersAfter.Orders.class);

        assertThat(report.breakingChanges()).hasSize(3).allMatch(Change::isBreaking);
        assertThat(report.compatibleChanges()).hasSize(1).noneMatch(Change::isBreaking);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static CompatibilityReport check(Class<?> previous, Class<?> current) {
        return Compatibility.check(ContractDescriptor.of(previous), ContractDescriptor.of(current));
    }

    /** Compares two shapes as releases 1.0 and 1.1, whatever versions their interfaces declare. */
    private static CompatibilityReport upgrade(Class<?> previous, Class<?> current) {
        return Compatibility.check(at("1.0", ContractDescriptor.of(previous)), at("1.1", ContractDescriptor.of(current)));
    }

    private static ContractDescriptor at(String version, ContractDescriptor d) {
        return new ContractDescriptor(d.name(), Version.parse(version), d.javaType(), d.methods(), d.messages());
    }
}
