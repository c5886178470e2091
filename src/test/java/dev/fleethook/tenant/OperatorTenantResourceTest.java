package dev.fleethook.tenant;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OperatorTenantResourceTest {

    private static Map<String, Object> tenant(String slug, String adminEmail) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "Tenant " + slug);
        body.put("slug", slug);
        body.put("adminEmail", adminEmail);
        body.put("adminName", "First Admin");
        return body;
    }

    @Test
    void theOperatorCreatesATenantWhoseFirstAdminCanSignIn() {
        String slug = Fixtures.unique("wayne");
        String password = Fixtures.operator().body(tenant(slug, "bruce@" + slug + ".test"))
                .post("/api/v1/operator/tenants").then().statusCode(201)
                .body("slug", equalTo(slug)).body("timeZone", equalTo("UTC"))
                .body("firstAdmin.email", equalTo("bruce@" + slug + ".test"))
                .body("firstAdmin.generatedPassword", notNullValue())
                .extract().path("firstAdmin.generatedPassword");
        Fixtures.bearer(Fixtures.tokenFor("bruce@" + slug + ".test", password)).get("/api/v1/me").then()
                .body("role", equalTo("ADMIN"));
        Fixtures.operator().get("/api/v1/operator/tenants").then().statusCode(200).body("slug", hasItem(slug));
    }

    @Test
    void wrongTenantInputIsRefusedAndNothingIsHalfWritten() {
        String slug = Fixtures.unique("bad");
        Map<String, Object> body = tenant("Not A Slug!", "nope");
        body.put("timeZone", "Mars/Olympus");
        Fixtures.operator().body(body).post("/api/v1/operator/tenants").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItems("slug", "adminEmail"));
        Map<String, Object> zone = tenant(slug, "z@" + slug + ".test");
        zone.put("timeZone", "Mars/Olympus");
        Fixtures.operator().body(zone).post("/api/v1/operator/tenants").then().statusCode(400)
                .body("errors[0].field", equalTo("timeZone"));

        // The admin's email is taken: the tenant must not be created without its admin.
        var existing = Fixtures.newTenant("Taken");
        Fixtures.operator().body(tenant(slug, existing.adminEmail())).post("/api/v1/operator/tenants").then()
                .statusCode(409).body("detail", containsString("already in use"));
        Fixtures.operator().get("/api/v1/operator/tenants").then().body("slug", org.hamcrest.Matchers.not(hasItem(slug)));
        Fixtures.operator().body(tenant(existing.slug(), "other@" + slug + ".test")).post("/api/v1/operator/tenants")
                .then().statusCode(409).body("detail", containsString("taken"));
    }

    @Test
    void tenantUsersCannotUseTheOperatorApi() {
        var t = Fixtures.newTenant("Nosy");
        t.admin().get("/api/v1/operator/tenants").then().statusCode(403).contentType("application/problem+json");
        t.admin().body(tenant(Fixtures.unique("x"), "x@x.test")).post("/api/v1/operator/tenants").then()
                .statusCode(403);
    }

    @Test
    void suspendingATenantLocksItsUsersOutUntilResumed() {
        var t = Fixtures.newTenant("Suspended");
        t.admin().get("/api/v1/me").then().statusCode(200);
        Fixtures.operator().body(Map.of("suspended", true)).patch("/api/v1/operator/tenants/" + t.id()).then()
                .statusCode(200).body("suspended", equalTo(true));
        t.admin().get("/api/v1/me").then().statusCode(401);
        Fixtures.Browser.anonymous().postForm("/sign-in", "email", t.adminEmail(), "password", Fixtures.DEFAULT_PASSWORD)
                .then().statusCode(401);
        Fixtures.operator().body(Map.of("suspended", false)).patch("/api/v1/operator/tenants/" + t.id()).then()
                .statusCode(200);
        t.admin().get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void theOperatorPagesCreateATenant() {
        var operator = Fixtures.Browser.signIn(Fixtures.OPERATOR_EMAIL, Fixtures.OPERATOR_PASSWORD);
        operator.get("/").then().statusCode(303).header("Location", containsString("/operator/tenants"));
        String slug = Fixtures.unique("page");
        operator.postForm("/operator/tenants", "name", "Paged Inc", "slug", slug, "timeZone", "UTC", "adminEmail",
                "p@" + slug + ".test", "adminName", "Pat", "adminPassword", "")
                .then().statusCode(303).header("Location", containsString("/operator/tenants"))
                .header("Location", org.hamcrest.Matchers.not(containsString("shown")));
        // The generated password crosses the redirect in a one-time cookie (never the URL): shown once, then gone.
        String page = operator.get("/operator/tenants").then().statusCode(200).body(containsString("shown only now"))
                .body(containsString("Created Paged Inc with admin p@" + slug + ".test")).extract().asString();
        java.util.regex.Matcher generated = java.util.regex.Pattern.compile("shown only now: (\\S+?)<").matcher(page);
        org.junit.jupiter.api.Assertions.assertTrue(generated.find(), page);
        operator.get("/operator/tenants").then().body(org.hamcrest.Matchers.not(containsString("shown only now")));
        Fixtures.Browser.signIn("p@" + slug + ".test", generated.group(1)).get("/").then().statusCode(200);
        // Suspend and resume redirect back to the list, which confirms each once.
        String id = Fixtures.operator().get("/api/v1/operator/tenants").then().extract()
                .path("find { it.slug == '" + slug + "' }.id");
        operator.postForm("/operator/tenants/" + id + "/suspend").then().statusCode(303);
        operator.get("/operator/tenants").then().body(containsString("data-testid=\"flash\">Suspended Paged Inc"));
        operator.get("/operator/tenants").then().body(org.hamcrest.Matchers.not(containsString("data-testid=\"flash\"")));
        operator.postForm("/operator/tenants/" + id + "/resume").then().statusCode(303);
        operator.get("/operator/tenants").then().body(containsString("data-testid=\"flash\">Resumed Paged Inc."));
        operator.postForm("/operator/tenants", "name", "", "slug", "BAD SLUG", "timeZone", "UTC", "adminEmail",
                "nope", "adminName", "Pat").then().statusCode(400)
                .body(containsString("must be 2 to 63 lowercase letters"))
                .body(containsString("must be an email address"));
    }
}
