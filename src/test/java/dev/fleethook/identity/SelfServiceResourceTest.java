package dev.fleethook.identity;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;

/** Self-service through the API (issue 14): {@code /api/v1/me/password}, {@code /me/sessions}, users' reset links and sessions. */
@QuarkusTest
class SelfServiceResourceTest {

    static final String NEW_PASSWORD = "another-fine-passphrase";

    @Test
    void changeYourPasswordThroughTheApi() {
        var t = Fixtures.newTenant("Api Password");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser browser = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        user.api().body(Map.of("currentPassword", "wrong-password-here", "newPassword", NEW_PASSWORD))
                .post("/api/v1/me/password").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("currentPassword"))
                .body("errors[0].message", equalTo("is not your current password"));
        user.api().body(Map.of("currentPassword", Fixtures.DEFAULT_PASSWORD, "newPassword", "x".repeat(73)))
                .post("/api/v1/me/password").then().statusCode(400).body("errors[0].field", equalTo("newPassword"));
        user.api().body(Map.of("newPassword", NEW_PASSWORD)).post("/api/v1/me/password").then().statusCode(400)
                .body("errors[0].field", equalTo("currentPassword"));
        user.api().body(Map.of("currentPassword", Fixtures.DEFAULT_PASSWORD, "newPassword", NEW_PASSWORD))
                .post("/api/v1/me/password").then().statusCode(200).body("sessionsSignedOut", equalTo(1));
        browser.get("/servers").then().statusCode(302);
        user.api().get("/api/v1/me").then().statusCode(200); // API tokens keep working
        Fixtures.tokenFor(user.email(), NEW_PASSWORD);
    }

    @Test
    void thePlatformOperatorChangesTheirPasswordToo() {
        Browser other = Browser.signIn(Fixtures.OPERATOR_EMAIL, Fixtures.OPERATOR_PASSWORD);
        try {
            Fixtures.operator().body(Map.of("currentPassword", "not-the-operator-password", "newPassword", NEW_PASSWORD))
                    .post("/api/v1/me/password").then().statusCode(400).body("errors[0].field", equalTo("currentPassword"));
            Fixtures.operator().body(Map.of("currentPassword", Fixtures.OPERATOR_PASSWORD, "newPassword", NEW_PASSWORD))
                    .post("/api/v1/me/password").then().statusCode(200);
            other.get("/operator/tenants").then().statusCode(302);
            Browser.signIn(Fixtures.OPERATOR_EMAIL, NEW_PASSWORD).get("/operator/tenants").then().statusCode(200);
        } finally {
            // Other tests sign in with the fixture's operator password: put it back.
            Fixtures.operator().body(Map.of("currentPassword", NEW_PASSWORD, "newPassword", Fixtures.OPERATOR_PASSWORD))
                    .post("/api/v1/me/password").then().statusCode(200);
        }
        Browser.signIn(Fixtures.OPERATOR_EMAIL, Fixtures.OPERATOR_PASSWORD);
    }

    @Test
    void yourSessionsThroughTheApi() {
        var t = Fixtures.newTenant("Api Sessions");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser one = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        Browser two = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        String first = user.api().get("/api/v1/me/sessions").then().statusCode(200).body("$", hasSize(2))
                .body("current", equalTo(java.util.List.of(false, false))).extract().path("[1].id");
        user.api().delete("/api/v1/me/sessions/" + first).then().statusCode(204);
        user.api().delete("/api/v1/me/sessions/" + first).then().statusCode(404);
        user.api().get("/api/v1/me/sessions").then().body("$", hasSize(1));
        user.api().delete("/api/v1/me/sessions").then().statusCode(204);
        user.api().get("/api/v1/me/sessions").then().body("$", hasSize(0));
        one.get("/servers").then().statusCode(302);
        two.get("/servers").then().statusCode(302);
        // Another user's session is not yours to end.
        var other = Fixtures.newUser(t, "VIEWER");
        Browser.signIn(other.email(), Fixtures.DEFAULT_PASSWORD);
        String theirs = other.api().get("/api/v1/me/sessions").then().extract().path("[0].id");
        user.api().delete("/api/v1/me/sessions/" + theirs).then().statusCode(404);
        user.api().delete("/api/v1/me/sessions/not-a-uuid").then().statusCode(400);
    }

    @Test
    void anAdminMakesAResetLinkAndEndsSessionsThroughTheApi() {
        var t = Fixtures.newTenant("Api Reset");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser browser = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        t.admin().get("/api/v1/users/" + user.id() + "/sessions").then().statusCode(200).body("$", hasSize(1));
        var made = t.admin().post("/api/v1/users/" + user.id() + "/password-reset").then().statusCode(201)
                .header("Location", containsString("/api/v1/users/" + user.id() + "/password-reset"))
                .body("state", equalTo("usable")).body("createdBy", equalTo(t.adminEmail()))
                .body("link", startsWith("http")).body("link", containsString("/password-reset/fhr_")).extract();
        t.admin().get("/api/v1/users/" + user.id() + "/password-reset").then().statusCode(200)
                .body("id", equalTo(made.path("id"))).body("link", org.hamcrest.Matchers.nullValue());
        user.api().post("/api/v1/users/" + user.id() + "/password-reset").then().statusCode(403);
        t.admin().delete("/api/v1/users/" + user.id() + "/sessions").then().statusCode(204);
        browser.get("/servers").then().statusCode(302);
        t.admin().get("/api/v1/users/" + user.id() + "/sessions").then().body("$", hasSize(0));
        // A disabled user gets no link.
        t.admin().body(Map.of("disabled", true)).patch("/api/v1/users/" + user.id()).then().statusCode(200);
        t.admin().post("/api/v1/users/" + user.id() + "/password-reset").then().statusCode(409);
    }
}
