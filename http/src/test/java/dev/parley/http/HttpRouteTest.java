package dev.parley.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.contract.Contract;
import dev.parley.contract.ContractException;
import dev.parley.contract.http.Created;
import dev.parley.contract.http.Get;
import dev.parley.contract.http.Link;
import dev.parley.contract.http.Post;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How contract methods resolve to routes, and how the route table matches them. */
class HttpRouteTest {

    private static HttpRoute route(List<HttpRoute> routes, String method) {
        return routes.stream().filter(r -> r.operation().name().equals(method)).findFirst().orElseThrow();
    }

    @Test
    void annotationsAndConventionsGiveVerbPathStatusAndQuery() {
        List<HttpRoute> routes = HttpRoute.of(Trips.class);
        assertThat(route(routes, "get")).hasToString("GET /v1/trips/{id}");
        assertThat(route(routes, "get").successStatus()).isEqualTo(200);
        assertThat(route(routes, "get").links()).extracting(HttpRoute.LinkTemplate::rel).containsExactly("self", "cancel");
        assertThat(route(routes, "find").queryFields()).containsExactly("rider", "minSeats", "tags");
        assertThat(route(routes, "find").hasBody()).isFalse();
        assertThat(route(routes, "create")).hasToString("POST /v1/trips");
        assertThat(route(routes, "create").successStatus()).isEqualTo(201);
        assertThat(route(routes, "create").location()).map(Object::toString).contains("/v1/trips/{id}");
        assertThat(route(routes, "replace")).hasToString("PUT /v1/trips/{id}");
        assertThat(route(routes, "rename")).hasToString("PATCH /v1/trips/{id}");
        assertThat(route(routes, "cancel")).hasToString("DELETE /v1/trips/{id}");
        assertThat(route(routes, "cancel").successStatus()).isEqualTo(204);
        assertThat(route(routes, "pickup").successStatus()).isEqualTo(202);
        assertThat(route(routes, "slow")).hasToString("POST /v1/trips/slow");
        assertThat(route(routes, "slow").hasBody()).isTrue();
        assertThat(HttpRoute.of(TripsV2.class)).extracting(Object::toString).containsExactly("GET /v2/trips/{id}");
    }

    @Contract(name = "bad-path", version = "1.0")
    public interface PathVariableNotAField {
        record Req(String id) {}

        record Reply(String id) {}

        @Get("/things/{thingId}")
        Reply fetch(Req request);
    }

    @Test
    void pathVariablesMustBeRequestFields() {
        assertThatThrownBy(() -> HttpRoute.of(PathVariableNotAField.class))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("PathVariableNotAField.fetch")
                .hasMessageContaining("{thingId}");
    }

    @Contract(name = "nested-get", version = "1.0")
    public interface NestedGet {
        record Point(double lat, double lon) {}

        record Req(String id, Point near) {}

        record Reply(String id) {}

        @Get("/places/{id}")
        Reply near(Req request);
    }

    @Test
    void getWithNestedRecordFieldIsRefused() {
        assertThatThrownBy(() -> HttpRoute.of(NestedGet.class))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("NestedGet.near")
                .hasMessageContaining("near")
                .hasMessageContaining("use POST");
    }

    @Contract(name = "bad-created", version = "1.0")
    public interface CreatedWithoutField {
        record Req(String name) {}

        record Reply(String name) {}

        @Post("/things")
        @Created("/things/{id}")
        Reply make(Req request);
    }

    @Contract(name = "bad-link", version = "1.0")
    public interface LinkWithoutField {
        record Req(String id) {}

        record Reply(String id) {}

        @Get("/things/{id}")
        @Link(rel = "owner", path = "/owners/{ownerId}")
        Reply fetch(Req request);
    }

    @Test
    void createdAndLinkVariablesMustBeReplyFields() {
        assertThatThrownBy(() -> HttpRoute.of(CreatedWithoutField.class))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("CreatedWithoutField.make @Created")
                .hasMessageContaining("{id} is not a field of the reply Reply");
        assertThatThrownBy(() -> HttpRoute.of(LinkWithoutField.class))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("LinkWithoutField.fetch @Link(owner)")
                .hasMessageContaining("{ownerId}");
    }

    @Contract(name = "clash", version = "1.0")
    public interface Clashing {
        record Req(String id) {}

        record Other(String key) {}

        record Reply(String id) {}

        @Get("/things/{id}")
        Reply one(Req request);

        @Get("/things/{key}")
        Reply two(Other request);
    }

    @Test
    void routeTableRejectsClashes() {
        RouteTable table = new RouteTable();
        List<HttpRoute> routes = HttpRoute.of(Clashing.class);
        table.add(routes.get(0), "first");
        assertThatThrownBy(() -> table.add(routes.get(1), "second"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("clashes with")
                .hasMessageContaining("Clashing.one")
                .hasMessageContaining("Clashing.two");
    }

    @Contract(name = "things", version = "1.0")
    public interface LiteralAndVariable {
        record Req(String id) {}

        record None(String filter) {}

        record Reply(String id) {}

        @Get("/things/{id}")
        Reply byId(Req request);

        @Get("/things/active")
        Reply active(None request);
    }

    @Contract(name = "grid", version = "1.0")
    public interface Overlapping {
        record Xy(String x, String y) {}

        record Reply(String x) {}

        @Get("/grid/{x}/c")
        Reply variableFirst(Xy request);

        @Get("/grid/b/{y}")
        Reply literalFirst(Xy request);
    }

    @Test
    void leftmostLiteralWinsBetweenEquallySpecificRoutes() {
        for (boolean reversed : new boolean[] {false, true}) {
            RouteTable table = new RouteTable();
            List<HttpRoute> routes = new java.util.ArrayList<>(HttpRoute.of(Overlapping.class));
            if (reversed) {
                java.util.Collections.reverse(routes);
            }
            routes.forEach(r -> table.add(r, r.operation().name()));
            assertThat(table.<String>lookup("GET", "/v1/grid/b/c"))
                    .isInstanceOfSatisfying(RouteTable.Lookup.Found.class, f -> assertThat(f.match().target()).isEqualTo("literalFirst"));
        }
    }

    @Test
    void literalSegmentBeatsVariable() {
        RouteTable table = new RouteTable();
        HttpRoute.of(LiteralAndVariable.class).forEach(r -> table.add(r, r.operation().name()));

        assertThat(table.<String>lookup("GET", "/v1/things/active"))
                .isInstanceOfSatisfying(RouteTable.Lookup.Found.class, f -> assertThat(f.match().target()).isEqualTo("active"));
        assertThat(table.<String>lookup("GET", "/v1/things/t%2F1"))
                .isInstanceOfSatisfying(RouteTable.Lookup.Found.class, f -> {
                    assertThat(f.match().target()).isEqualTo("byId");
                    assertThat(f.match().pathVariables()).isEqualTo(Map.of("id", "t/1"));
                });
        assertThat(table.<String>lookup("POST", "/v1/things/x"))
                .isInstanceOfSatisfying(RouteTable.Lookup.WrongMethod.class, w -> assertThat(w.allowed()).containsExactly("GET"));
        assertThat(table.<String>lookup("GET", "/v1/things/%zz")).isInstanceOf(RouteTable.Lookup.NotFound.class);
        assertThat(table.<String>lookup("GET", "/v1/other")).isInstanceOf(RouteTable.Lookup.NotFound.class);
    }
}
