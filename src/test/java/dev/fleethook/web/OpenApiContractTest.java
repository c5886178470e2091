package dev.fleethook.web;

import dev.fleethook.kernel.Problem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The OpenAPI document a client generates its code from (the live {@code /q/openapi}) describes every
 * {@code /api} operation: a summary, the errors it returns (problem+json), the schema of each 201 body
 * and its {@code Location} header, and how to authenticate. And every 201 the API really answers
 * carries a {@code Location} that names the created object.
 */
@QuarkusTest
class OpenApiContractTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    /** Operations that cannot fail by design: a reachability check without credentials or database. */
    static final Set<String> NO_ERRORS = Set.of("GET /api/agent/v1/ping");

    record Op(String key, JsonNode node) {
    }

    static JsonNode document() throws Exception {
        return JSON.readTree(given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString());
    }

    static List<Op> apiOperations(JsonNode doc) {
        List<Op> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> m = path.getValue().fields(); m.hasNext();) {
                Map.Entry<String, JsonNode> method = m.next();
                if (METHODS.contains(method.getKey())) {
                    ops.add(new Op(method.getKey().toUpperCase() + " " + path.getKey(), method.getValue()));
                }
            }
        }
        return ops;
    }

    /** A response, with a {@code $ref} to components/responses followed. */
    static JsonNode resolve(JsonNode doc, JsonNode response) {
        if (response.has("$ref")) {
            String ref = response.get("$ref").asText();
            assertTrue(ref.startsWith("#/components/responses/"), ref);
            JsonNode target = doc.path("components").path("responses").path(ref.substring(ref.lastIndexOf('/') + 1));
            assertTrue(!target.isMissingNode(), "a reference to a response that exists: " + ref);
            return target;
        }
        return response;
    }

    @Test
    void everyApiOperationHasASummaryItsErrorsAndTypedCreatedBodies() throws Exception {
        JsonNode doc = document();
        List<Op> ops = apiOperations(doc);
        assertTrue(ops.size() > 50, "the /api operations are in the document: " + ops.size());
        List<String> problems = new ArrayList<>();
        int created = 0;
        for (Op op : ops) {
            if (op.node().path("summary").asText("").isBlank()) {
                problems.add(op.key() + ": no summary");
            }
            JsonNode responses = op.node().path("responses");
            boolean documentsAnError = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> r = it.next();
                JsonNode response = resolve(doc, r.getValue());
                if (r.getKey().matches("[45]\\d\\d")) {
                    documentsAnError = true;
                    if (response.path("content").path(Problem.MEDIA_TYPE).path("schema").isMissingNode()) {
                        problems.add(op.key() + ": error " + r.getKey() + " is not described as problem+json");
                    }
                }
                if (r.getKey().equals("201")) {
                    created++;
                    JsonNode json = response.path("content").path("application/json").path("schema");
                    if (json.isMissingNode() || json.isEmpty()) {
                        problems.add(op.key() + ": 201 without a body schema");
                    }
                    if (response.path("headers").path("Location").isMissingNode()) {
                        problems.add(op.key() + ": 201 without a Location header");
                    }
                }
            }
            if (!documentsAnError && !NO_ERRORS.contains(op.key())) {
                problems.add(op.key() + ": no documented error response");
            }
            if (op.key().startsWith("POST") && responses.has("200") && op.key().matches(".*/(policies|users|tenants|"
                    + "enrollment-tokens|tokens)")) {
                problems.add(op.key() + ": a create documented as 200");
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(7, created,
                "policies, users, tenants, enrollment tokens, API tokens, test runs and password reset links are created with 201");
    }

    @Test
    void theDocumentSaysHowToAuthenticate() throws Exception {
        JsonNode doc = document();
        JsonNode schemes = doc.path("components").path("securitySchemes");
        assertEquals("bearer", schemes.path("apiToken").path("scheme").asText(), schemes.toString());
        assertEquals("http", schemes.path("apiToken").path("type").asText());
        assertEquals("bearer", schemes.path("agentSecret").path("scheme").asText());
        List<String> problems = new ArrayList<>();
        for (Op op : apiOperations(doc)) {
            String needed = op.key().contains("/api/agent/") ? "agentSecret" : "apiToken";
            boolean open = op.key().equals("POST /api/agent/v1/enroll") || op.key().equals("GET /api/agent/v1/ping");
            boolean declares = false;
            for (JsonNode requirement : op.node().path("security").isMissingNode() ? doc.path("security") : op.node().path("security")) {
                declares |= requirement.has(needed);
            }
            if (declares == open) {
                problems.add(op.key() + (open ? ": needs no credentials but declares " : ": does not declare ") + needed);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyCreatedAnswerCarriesTheLocationOfTheNewObject() {
        TenantFixture t = Fixtures.newTenant("Locations");
        Response policy = t.admin().body(PolicyFixtures.save(PolicyFixtures.spec("Located"), null)).post("/api/v1/policies");
        assertLocation(policy, "/api/v1/policies/", "id");
        t.admin().get(path(policy)).then().statusCode(200);

        Response user = t.admin().body(Map.of("email", Fixtures.unique("located") + "@loc.test", "displayName", "Lo", "role", "VIEWER"))
                .post("/api/v1/users");
        assertLocation(user, "/api/v1/users/", "user.id");
        t.admin().get(path(user)).then().statusCode(200);

        Response enrollment = t.admin().body(Map.of("label", "located")).post("/api/v1/enrollment-tokens");
        assertLocation(enrollment, "/api/v1/enrollment-tokens/", "id");

        Response apiToken = t.admin().body(Map.of("name", "located")).post("/api/v1/me/tokens");
        assertLocation(apiToken, "/api/v1/me/tokens/", "id");

        String userId = user.jsonPath().getString("user.id");
        Response resetLink = t.admin().post("/api/v1/users/" + userId + "/password-reset");
        assertEquals(201, resetLink.statusCode(), resetLink.asString());
        assertEquals("/api/v1/users/" + userId + "/password-reset", URI.create(resetLink.header("Location")).getPath());
        t.admin().get(path(resetLink)).then().statusCode(200).body("id", org.hamcrest.Matchers.equalTo(resetLink.jsonPath().getString("id")));

        String slug = Fixtures.unique("located").toLowerCase();
        Response tenant = Fixtures.operator().body(Map.of("name", "Located", "slug", slug, "adminEmail", slug + "@loc.test",
                "adminName", "A")).post("/api/v1/operator/tenants");
        assertLocation(tenant, "/api/v1/operator/tenants/", "id");
        Fixtures.operator().get(path(tenant)).then().statusCode(200);
    }

    static String path(Response r) {
        return URI.create(r.header("Location")).getPath();
    }

    static void assertLocation(Response r, String prefix, String idPath) {
        assertEquals(201, r.statusCode(), r.asString());
        String location = r.header("Location");
        assertNotNull(location, "a 201 carries Location");
        URI uri = URI.create(location);
        assertTrue(uri.isAbsolute(), location);
        assertEquals(prefix + r.jsonPath().getString(idPath), uri.getPath());
    }
}
