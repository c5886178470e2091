package dev.fleethook.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Web hardening from issue 13: CSRF on every page change, the CSRF cookie, headers, atomic lockout. */
@QuarkusTest
class PageSecurityTest {

    @Test
    void aPagePostWithoutAFormBodyIsRefusedAndChangesNothing() throws Exception {
        TenantFixture t = Fixtures.newTenant("Csrf Co");
        Fixtures.UserFixture victim = Fixtures.newUser(t, "VIEWER");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        // No Content-Type at all (curl -X POST), JSON, text/plain: none carries a checked token.
        assertEquals(415, postWithoutContentType(admin, "/users/" + victim.id() + "/delete"));
        admin.request().contentType(ContentType.TEXT).body("x").post("/users/" + victim.id() + "/delete").then()
                .statusCode(415);
        admin.request().contentType(ContentType.JSON).body("{}").post("/users/" + victim.id() + "/delete").then()
                .statusCode(415);
        // A form without the token, or with another one, is refused too.
        admin.request().contentType(ContentType.URLENC).formParam("x", "1").post("/users/" + victim.id() + "/delete")
                .then().statusCode(400);
        admin.request().contentType(ContentType.URLENC).formParam("csrf-token", "forged")
                .post("/users/" + victim.id() + "/delete").then().statusCode(400);
        t.admin().get("/api/v1/users/" + victim.id()).then().statusCode(200);
        // With its token the same action works.
        admin.postForm("/users/" + victim.id() + "/delete").then().statusCode(303);
        t.admin().get("/api/v1/users/" + victim.id()).then().statusCode(404);
    }

    @Test
    void aRefusedFormShowsAnErrorPageSayingWhatToDo() {
        TenantFixture t = Fixtures.newTenant("Refused Form");
        Fixtures.UserFixture victim = Fixtures.newUser(t, "VIEWER");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String role = t.admin().get("/api/v1/users/" + victim.id()).then().extract().path("role");
        // No token, a forged one, and no CSRF cookie at all (a form from an old tab after the cookie expired).
        List<Response> refused = List.of(
                admin.request().contentType(ContentType.URLENC).formParam("role", "ADMIN")
                        .post("/users/" + victim.id()),
                admin.request().contentType(ContentType.URLENC).formParam("csrf-token", "forged").formParam("role", "ADMIN")
                        .post("/users/" + victim.id()),
                given().redirects().follow(false).cookie("fleethook-session", admin.cookies.get("fleethook-session"))
                        .contentType(ContentType.URLENC).formParam("csrf-token", admin.csrf).formParam("role", "ADMIN")
                        .post("/users/" + victim.id()));
        for (Response r : refused) {
            r.then().statusCode(400).contentType(containsString("text/html"))
                    .body(containsString("Form not accepted"))
                    .body(containsString("Reload the page and send the form again."))
                    // The page asks for no token it does not have: no form, no htmx header.
                    .body(not(containsString("<form"))).body(not(containsString("hx-headers")))
                    // Still the portal's page for the signed-in user.
                    .body(containsString(t.adminEmail()));
        }
        assertEquals(role, t.admin().get("/api/v1/users/" + victim.id()).then().extract().path("role"), "unchanged");
        // Signed out too: the sign-in form posted from a page older than the CSRF cookie.
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("email", t.adminEmail())
                .formParam("password", Fixtures.DEFAULT_PASSWORD).post("/sign-in").then().statusCode(400)
                .contentType(containsString("text/html")).body(containsString("Form not accepted"))
                .header("Set-Cookie", not(containsString("fleethook-session=")));
    }

    @Test
    void aBrokenCsrfCookieGetsAnErrorPageAndIsReplaced() {
        // A CSRF cookie the filter cannot read (not base64, or of another token size: another application on the
        // domain, an older version): the filter refuses every request with a bare 400, pages included.
        for (String broken : List.of("not*base64!", "c2hvcnQ")) {
            Response page = given().redirects().follow(false).cookie("fleethook-csrf", broken).get("/sign-in");
            page.then().statusCode(400).contentType(containsString("text/html"))
                    .body(containsString("Reload the page"))
                    // The unreadable cookie is dropped, so the reload gets a fresh one and the page.
                    .header("Set-Cookie", containsString("fleethook-csrf=;"))
                    .header("Set-Cookie", containsString("Max-Age=0"));
            given().redirects().follow(false).get("/sign-in").then().statusCode(200)
                    .header("Set-Cookie", containsString("fleethook-csrf="));
        }
    }

    @Test
    void pagesCarryTheTokenInTheirFormsAndHtmxHeaderAndErrorPagesNeedNone() {
        TenantFixture t = Fixtures.newTenant("Token Pages");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String users = admin.get("/users").then().statusCode(200).extract().asString();
        String token = Fixtures.csrfOf(users);
        org.hamcrest.MatcherAssert.assertThat(users, containsString("hx-headers='{\"X-CSRF-TOKEN\": \"" + token + "\"}'"));
        org.hamcrest.MatcherAssert.assertThat(users, containsString("action=\"/sign-out\""));
        // The token is the browser's CSRF cookie (double submit), the same on every page until sign-out.
        assertEquals(admin.cookies.get("fleethook-csrf"), token);
        assertEquals(token, Fixtures.csrfOf(admin.get("/account").asString()));
        // Error pages (404, 403) render for a signed-in user without a token and without a 500.
        Fixtures.UserFixture viewer = Fixtures.newUser(t, "VIEWER");
        Browser viewerBrowser = Browser.signIn(viewer.email(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/no-such-page").then().statusCode(404).contentType(containsString("text/html"))
                .body(containsString("Go to the start page")).body(containsString(t.adminEmail()))
                .body(not(containsString("hx-headers"))).body(not(containsString("<form")));
        viewerBrowser.get("/enrollment").then().statusCode(403).contentType(containsString("text/html"))
                .body(containsString("Your role does not allow this action.")).body(containsString(viewer.email()))
                .body(not(containsString("hx-headers"))).body(not(containsString("<form")));
    }

    @Test
    void theCsrfCookieIsSameSiteAndRenewedAtSignIn() {
        TenantFixture t = Fixtures.newTenant("Csrf Cookie");
        Response signInPage = given().get("/sign-in");
        var cookie = signInPage.detailedCookie("fleethook-csrf");
        assertNotNull(cookie, "the sign-in form sets the CSRF cookie");
        assertEquals("Strict", cookie.getSameSite());
        Browser b = Browser.anonymous();
        String before = b.cookies.get("fleethook-csrf");
        String oldToken = b.csrf;
        Response signIn = b.postForm("/sign-in", "email", t.adminEmail(), "password", Fixtures.DEFAULT_PASSWORD);
        String after = signIn.detailedCookie("fleethook-csrf").getValue();
        assertNotEquals(before, after, "the signed-in session gets a new token");
        assertEquals("Strict", signIn.detailedCookie("fleethook-csrf").getSameSite());
        // The token from before sign-in no longer works; the new one from the next page does.
        b.request().contentType(ContentType.URLENC).formParam("csrf-token", oldToken).formParam("name", "old")
                .post("/account/tokens").then().statusCode(400);
        b.csrf = Fixtures.csrfOf(b.get("/account/tokens").asString());
        b.postForm("/account/tokens", "name", "new", "expiresInDays", "30").then().statusCode(303);
    }

    @Test
    void everyPageCarriesTheSecurityHeaders() {
        TenantFixture t = Fixtures.newTenant("Headers Co");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        for (String path : List.of("/", "/sign-in", "/users", "/account/tokens", "/enrollment", "/no-such-page")) {
            admin.get(path).then()
                    .header("Content-Security-Policy", containsString("default-src 'self'"))
                    .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                    .header("Content-Security-Policy", not(containsString("unsafe-inline")))
                    .header("X-Content-Type-Options", equalTo("nosniff"))
                    .header("Referrer-Policy", equalTo("same-origin"))
                    .header("Cache-Control", equalTo("no-store"));
        }
        // A page that shows a new secret is never cached (the token crosses the redirect in a one-time cookie).
        admin.postForm("/account/tokens", "name", "headers", "expiresInDays", "30").then().statusCode(303);
        admin.get("/account/tokens").then().body(containsString("data-testid=\"new-token\""))
                .header("Cache-Control", equalTo("no-store"));
        t.admin().get("/api/v1/me").then().header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Cache-Control", equalTo("no-store"));
        // Pages carry no inline script, event handler or style attribute.
        String home = admin.get("/").asString();
        org.hamcrest.MatcherAssert.assertThat(home, not(containsString("onsubmit=")));
        org.hamcrest.MatcherAssert.assertThat(home, not(containsString(" style=")));
    }

    @Test
    void fortyParallelWrongPasswordsLockTheEmail() throws Exception {
        TenantFixture t = Fixtures.newTenant("Lockout Co");
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                answers.add(pool.submit(() -> signIn(t.adminEmail(), "wrong-password-xyz")));
            }
            int unauthorized = 0;
            int locked = 0;
            for (Future<Integer> f : answers) {
                int status = f.get();
                unauthorized += status == 401 ? 1 : 0;
                locked += status == 429 ? 1 : 0;
            }
            assertEquals(5, unauthorized, "exactly max-failures attempts are checked");
            assertEquals(35, locked);
            assertEquals(429, signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD), "the right password is locked out too");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theRightPasswordDoesNotSlipInWhileWrongOnesAreCounted() throws Exception {
        TenantFixture t = Fixtures.newTenant("Race Co");
        ExecutorService pool = Executors.newFixedThreadPool(31);
        try {
            AtomicInteger answered = new AtomicInteger();
            List<Future<Integer>> wrong = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                wrong.add(pool.submit(() -> {
                    int s = signIn(t.adminEmail(), "wrong-password-xyz");
                    answered.incrementAndGet();
                    return s;
                }));
            }
            // The right password arrives while wrong ones are still in flight, after the lock was reached.
            Awaitility.await().until(() -> answered.get() >= 5);
            Future<Integer> right = pool.submit(() -> signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD));
            assertEquals(429, right.get());
            for (Future<Integer> f : wrong) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL base;

    /** A POST with no body and no Content-Type header at all, as {@code curl -X POST} sends it. */
    int postWithoutContentType(Browser b, String path) throws Exception {
        StringBuilder cookies = new StringBuilder();
        b.cookies.forEach((k, v) -> cookies.append(cookies.isEmpty() ? "" : "; ").append(k).append('=').append(v));
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base.toString().replaceAll("/$", "") + path))
                .header("Cookie", cookies.toString()).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    static int signIn(String email, String password) {
        return given().auth().preemptive().basic(email, password).contentType(ContentType.JSON)
                .body(Map.of("name", "race")).post("/api/v1/me/tokens").statusCode();
    }
}
