package dev.fleethook.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class SignInPagesTest {

    @Test
    void signInShowsTheTenantHomeAndSetsAHardenedCookie() {
        TenantFixture t = Fixtures.newTenant("Globex");
        Browser browser = Browser.anonymous();
        Response signIn = browser.postForm("/sign-in", "email", t.adminEmail(), "password", Fixtures.DEFAULT_PASSWORD);
        assertEquals(303, signIn.statusCode());
        var cookie = signIn.detailedCookie("fleethook-session");
        assertNotNull(cookie, "session cookie");
        assertTrue(cookie.isHttpOnly(), "HttpOnly");
        assertEquals("Lax", cookie.getSameSite());

        browser.get("/").then().statusCode(200)
                .body(containsString("<h1 class=\"h3 m-0\">Globex</h1>"))
                .body(containsString(t.adminEmail()));
    }

    @Test
    void anonymousVisitorsAreSentToSignIn() {
        given().redirects().follow(false).get("/users").then().statusCode(302)
                .header("Location", containsString("/sign-in?next=%2Fusers"));
        given().redirects().follow(false).header("HX-Request", "true").get("/users").then()
                .header("HX-Redirect", containsString("/sign-in"));
    }

    @Test
    void signInReturnsToTheRequestedPageButNeverToAnotherSite() {
        TenantFixture t = Fixtures.newTenant("Initech");
        Browser b = Browser.anonymous();
        b.postForm("/sign-in", "email", t.adminEmail(), "password", Fixtures.DEFAULT_PASSWORD, "next", "/users")
                .then().statusCode(303).header("Location", containsString("/users"));
        Browser evil = Browser.anonymous();
        evil.postForm("/sign-in", "email", t.adminEmail(), "password", Fixtures.DEFAULT_PASSWORD, "next",
                "//evil.example/x").then().statusCode(303).header("Location", not(containsString("evil")));
    }

    @Test
    void wrongPasswordIsRefusedWithAMessage() {
        TenantFixture t = Fixtures.newTenant("Umbrella");
        Browser b = Browser.anonymous();
        b.postForm("/sign-in", "email", t.adminEmail(), "password", "not-the-password")
                .then().statusCode(401).body(containsString("Wrong email or password."));
        assertTrue(!b.cookies.containsKey("fleethook-session"));
        b.postForm("/sign-in", "email", "nobody@nowhere.test", "password", "whatever")
                .then().statusCode(401).body(containsString("Wrong email or password."));
    }

    @Test
    void signOutEndsTheSessionOnTheServer() {
        TenantFixture t = Fixtures.newTenant("Hooli");
        Browser b = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String session = b.cookies.get("fleethook-session");
        b.postForm("/sign-out").then().statusCode(303).header("Location", containsString("/sign-in"));
        // The old cookie value no longer opens anything, even if a copy of it was kept.
        given().redirects().follow(false).cookie("fleethook-session", session).get("/users")
                .then().statusCode(302).header("Location", containsString("/sign-in"));
    }

    @Test
    void repeatedFailuresLockTheEmailEvenForTheRightPassword() {
        TenantFixture t = Fixtures.newTenant("Vandelay");
        Browser b = Browser.anonymous();
        for (int i = 0; i < 5; i++) {
            b.postForm("/sign-in", "email", t.adminEmail(), "password", "wrong-" + i).then().statusCode(401);
        }
        b.postForm("/sign-in", "email", t.adminEmail(), "password", Fixtures.DEFAULT_PASSWORD)
                .then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body(containsString("Too many failed sign-ins"));
        // The same lock applies to HTTP Basic on the API, answered as a problem document.
        given().auth().preemptive().basic(t.adminEmail(), Fixtures.DEFAULT_PASSWORD).contentType(ContentType.JSON)
                .body("{\"name\":\"x\"}").post("/api/v1/me/tokens")
                .then().statusCode(429).contentType("application/problem+json").header("Retry-After",
                        org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void formsWithoutTheCsrfTokenAreRejected() {
        TenantFixture t = Fixtures.newTenant("Soylent");
        Browser b = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String email = Fixtures.unique("csrf") + "@soylent.test";
        b.request().contentType(ContentType.URLENC)
                .formParam("email", email).formParam("displayName", "Nope").formParam("role", "VIEWER")
                .post("/users").then().statusCode(400);
        b.request().contentType(ContentType.URLENC).formParam("csrf-token", "forged-token-value-123")
                .formParam("email", email).formParam("displayName", "Nope").formParam("role", "VIEWER")
                .post("/users").then().statusCode(400);
        t.admin().get("/api/v1/users").then().body(not(containsString(email)));
        // A sign-in form posted from elsewhere, without the token, is refused as well.
        given().contentType(ContentType.URLENC).formParam("email", t.adminEmail())
                .formParam("password", Fixtures.DEFAULT_PASSWORD).post("/sign-in").then().statusCode(400);
    }

    @Test
    void disabledUsersAreSignedOutAtOnce() {
        TenantFixture t = Fixtures.newTenant("Stark");
        var viewer = Fixtures.newUser(t, "VIEWER");
        Browser b = Browser.signIn(viewer.email(), Fixtures.DEFAULT_PASSWORD);
        b.get("/users").then().statusCode(200);
        t.admin().body("{\"disabled\":true}").patch("/api/v1/users/" + viewer.id()).then().statusCode(200);
        b.get("/users").then().statusCode(302);
        viewer.api().get("/api/v1/me").then().statusCode(401);
        Browser.anonymous().postForm("/sign-in", "email", viewer.email(), "password", Fixtures.DEFAULT_PASSWORD)
                .then().statusCode(401);
    }
}
