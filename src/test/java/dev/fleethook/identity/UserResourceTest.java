package dev.fleethook.identity;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class UserResourceTest {

    @Test
    void adminAddsAUserWhoCanThenSignIn() {
        TenantFixture t = Fixtures.newTenant("Acme Two");
        String email = Fixtures.unique("op") + "@acme.test";
        String password = t.admin().body(Map.of("email", email, "displayName", "Otto", "role", "OPERATOR"))
                .post("/api/v1/users").then().statusCode(201)
                .body("user.role", equalTo("OPERATOR"))
                .body("generatedPassword", notNullValue())
                .extract().path("generatedPassword");
        Fixtures.bearer(Fixtures.tokenFor(email, password)).get("/api/v1/me").then().statusCode(200)
                .body("role", equalTo("OPERATOR")).body("tenantId", equalTo(t.id()));
        t.admin().get("/api/v1/users").then().body("email", hasItems(t.adminEmail(), email));
    }

    @Test
    void everyWrongFieldIsNamed() {
        TenantFixture t = Fixtures.newTenant("Fields");
        t.admin().body(Map.of("email", "not-an-email", "displayName", "", "role", "ADMIN", "password", "short"))
                .post("/api/v1/users").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItems("email", "displayName", "password"));
        t.admin().body(Map.of("email", "a@b.test", "displayName", "A", "role", "KING"))
                .post("/api/v1/users").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("role"))
                .body("errors[0].message", containsString("ADMIN, OPERATOR, VIEWER"));
        t.admin().body("{\"email\": ").post("/api/v1/users").then().statusCode(400)
                .contentType("application/problem+json").body("title", equalTo("Malformed request body"));
    }

    @Test
    void anEmailBelongsToOneAccount() {
        TenantFixture a = Fixtures.newTenant("Dup A");
        TenantFixture b = Fixtures.newTenant("Dup B");
        b.admin().body(Map.of("email", a.adminEmail(), "displayName", "Twin", "role", "VIEWER"))
                .post("/api/v1/users").then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("already in use"));
    }

    @Test
    void viewersAndOperatorsReadButNeverChange() {
        TenantFixture t = Fixtures.newTenant("Roles");
        var viewer = Fixtures.newUser(t, "VIEWER");
        var operator = Fixtures.newUser(t, "OPERATOR");
        for (var user : new Fixtures.UserFixture[] { viewer, operator }) {
            user.api().get("/api/v1/users").then().statusCode(200).body("email", hasItem(user.email()));
            user.api().body(Map.of("email", Fixtures.unique("x") + "@r.test", "displayName", "X", "role", "ADMIN"))
                    .post("/api/v1/users").then().statusCode(403).contentType("application/problem+json");
            user.api().body(Map.of("role", "ADMIN")).patch("/api/v1/users/" + user.id()).then().statusCode(403);
            user.api().delete("/api/v1/users/" + viewer.id()).then().statusCode(403);
        }
        t.admin().get("/api/v1/users/" + viewer.id()).then().body("role", equalTo("VIEWER"));
        // Pages too: a viewer's form post is refused.
        var browser = Fixtures.Browser.signIn(viewer.email(), Fixtures.DEFAULT_PASSWORD);
        browser.postForm("/users", "email", "v2@r.test", "displayName", "V2", "role", "VIEWER").then().statusCode(403);
        browser.postForm("/users/" + viewer.id(), "role", "ADMIN").then().statusCode(403);
    }

    @Test
    void theLastActiveAdminCannotBeRemovedOrDemoted() {
        TenantFixture t = Fixtures.newTenant("Last Admin");
        String adminId = t.admin().get("/api/v1/me").then().extract().path("id");
        t.admin().body(Map.of("role", "VIEWER")).patch("/api/v1/users/" + adminId).then().statusCode(409);
        t.admin().body(Map.of("disabled", true)).patch("/api/v1/users/" + adminId).then().statusCode(409);
        t.admin().delete("/api/v1/users/" + adminId).then().statusCode(409);
        var second = Fixtures.newUser(t, "ADMIN");
        second.api().delete("/api/v1/users/" + adminId).then().statusCode(204);
        t.admin().get("/api/v1/me").then().statusCode(401);
    }
}
