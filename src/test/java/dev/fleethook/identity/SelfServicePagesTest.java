package dev.fleethook.identity;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Self-service in the pages (issue 14): change your own password, see and end your sessions, an admin's
 * single-use reset link, and post/redirect/get for the API-token form.
 */
@QuarkusTest
class SelfServicePagesTest {

    static final String NEW_PASSWORD = "a-brand-new-passphrase";
    static final Pattern SESSION_FORM = Pattern.compile("action=\"/account/sessions/([0-9a-f-]{36})/revoke\"");
    static final Pattern RESET_LINK = Pattern.compile("data-testid=\"reset-link\">([^<]+)<");

    @Inject
    CurrentTenant currentTenant;

    @Test
    void aWrongCurrentPasswordIsA400NamingThatFieldAndChangesNothing() {
        var t = Fixtures.newTenant("Wrong Current");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser b = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        b.postForm("/account/password", "currentPassword", "not-my-password-at-all", "newPassword", NEW_PASSWORD,
                "confirmation", NEW_PASSWORD).then().statusCode(400)
                .body(containsString("id=\"e-currentPassword\">is not your current password"));
        b.postForm("/account/password", "currentPassword", Fixtures.DEFAULT_PASSWORD, "newPassword", "short",
                "confirmation", "short").then().statusCode(400)
                .body(containsString("id=\"e-newPassword\">must be at least 12 characters and at most 72 bytes"));
        b.postForm("/account/password", "currentPassword", Fixtures.DEFAULT_PASSWORD, "newPassword", NEW_PASSWORD,
                "confirmation", NEW_PASSWORD + "x").then().statusCode(400)
                .body(containsString("id=\"e-confirmation\">does not match the new password"));
        // Still the old password.
        Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
    }

    @Test
    void changingThePasswordSignsOutTheOtherSessionsKeepsThisOneAndIsAudited() {
        var t = Fixtures.newTenant("Change Password");
        var user = Fixtures.newUser(t, "OPERATOR");
        Browser laptop = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        Browser phone = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        phone.get("/servers").then().statusCode(200);

        laptop.postForm("/account/password", "currentPassword", Fixtures.DEFAULT_PASSWORD, "newPassword", NEW_PASSWORD,
                "confirmation", NEW_PASSWORD).then().statusCode(303).header("Location", endsWith("/account"));
        laptop.get("/account").then().statusCode(200).body(containsString("Your password was changed."))
                .body(containsString("other session was signed out"));
        laptop.get("/servers").then().statusCode(200);
        phone.get("/servers").then().statusCode(302).header("Location", containsString("/sign-in"));

        Browser.anonymous().postForm("/sign-in", "email", user.email(), "password", Fixtures.DEFAULT_PASSWORD).then()
                .statusCode(401);
        Browser.signIn(user.email(), NEW_PASSWORD).get("/servers").then().statusCode(200);
        t.admin().queryParam("targetId", user.id()).get("/api/v1/audit").then().statusCode(200)
                .body("action", hasItem("user.password-change"))
                .body("find { it.action == 'user.password-change' }.actor", equalTo(user.email()));
    }

    @Test
    void theSessionsListMarksThisSessionAndEachCanBeSignedOut() {
        var t = Fixtures.newTenant("Sessions");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser firefox = signInWith(user.email(), "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        Browser chrome = signInWith(user.email(), "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36");
        Browser third = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);

        String page = firefox.get("/account").then().statusCode(200)
                .body(containsString("Firefox on Linux")).body(containsString("Chrome on Windows"))
                .body(containsString("127.0.0.1")).extract().asString();
        assertEquals(1, count(page, "data-testid=\"this-session\""), "exactly one session is this one");
        assertEquals(3, count(page, "data-testid=\"session-row\""));
        String thisRow = page.substring(page.lastIndexOf("<tr", page.indexOf("data-testid=\"this-session\"")));
        assertTrue(thisRow.substring(0, thisRow.indexOf("</tr>")).contains("Firefox"), thisRow);

        // Sign out the Chrome session from the Firefox one: Chrome can no longer load a page.
        String chromeId = sessionIdIn(chrome.get("/account").asString(), "Chrome on Windows");
        firefox.postForm("/account/sessions/" + chromeId + "/revoke").then().statusCode(303)
                .header("Location", endsWith("/account"));
        chrome.get("/account").then().statusCode(302).header("Location", containsString("/sign-in"));
        firefox.get("/account").then().body(containsString("That session was signed out."))
                .body(not(containsString("Chrome on Windows")));

        // Someone else's session id (or a made-up one) is not found.
        firefox.postForm("/account/sessions/" + UUID.randomUUID() + "/revoke").then().statusCode(404);
        var other = Fixtures.newUser(t, "VIEWER");
        Browser stranger = Browser.signIn(other.email(), Fixtures.DEFAULT_PASSWORD);
        String strangerId = sessionIdIn(stranger.get("/account").asString(), null);
        firefox.postForm("/account/sessions/" + strangerId + "/revoke").then().statusCode(404);
        stranger.get("/account").then().statusCode(200);

        // "Sign out everywhere else" keeps this one.
        third.get("/account").then().statusCode(200);
        firefox.postForm("/account/sessions/revoke-others").then().statusCode(303);
        firefox.get("/account").then().statusCode(200).body(containsString("Signed out 1 other session."));
        third.get("/account").then().statusCode(302);
    }

    @Test
    void anAdminResetLinkIsShownOnceWorksOnceAndSignsTheUserOut() {
        var t = Fixtures.newTenant("Reset Link");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser usersBrowser = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/users").then().body(containsString("/users/" + user.id() + "/account"));

        Response made = admin.postForm("/users/" + user.id() + "/account/reset-link");
        made.then().statusCode(303).header("Location", endsWith("/users/" + user.id() + "/account"))
                .header("Location", not(containsString("fhr_")));
        String page = admin.get("/users/" + user.id() + "/account").then().statusCode(200)
                .body(containsString("shown only once")).body(containsString(user.email())).extract().asString();
        Matcher m = RESET_LINK.matcher(page);
        assertTrue(m.find(), page);
        URI link = URI.create(m.group(1));
        assertTrue(link.isAbsolute() && link.getPath().startsWith("/password-reset/fhr_"), link.toString());
        admin.get("/users/" + user.id() + "/account").then().body(not(containsString("data-testid=\"reset-link\"")))
                .body(containsString("usable until"));

        Browser visitor = Browser.anonymous();
        visitor.get(link.getPath()).then().statusCode(200).body(containsString(user.email()));
        visitor.csrf = Fixtures.csrfOf(visitor.get(link.getPath()).asString());
        visitor.postForm(link.getPath(), "newPassword", "short", "confirmation", "short").then().statusCode(400)
                .body(containsString("id=\"e-newPassword\">must be at least 12 characters"));
        visitor.postForm(link.getPath(), "newPassword", NEW_PASSWORD, "confirmation", NEW_PASSWORD).then().statusCode(303)
                .header("Location", endsWith("/sign-in"));
        visitor.get("/sign-in").then().body(containsString("is set. Sign in with it."));

        usersBrowser.get("/servers").then().statusCode(302);
        Browser.signIn(user.email(), NEW_PASSWORD).get("/servers").then().statusCode(200);

        // Used once: the same link now answers a page that says so, and sets nothing.
        visitor.get(link.getPath()).then().statusCode(410).body(containsString("already used"));
        visitor.postForm(link.getPath(), "newPassword", "another-long-passphrase", "confirmation",
                "another-long-passphrase").then().statusCode(410).body(containsString("already used"));
        Browser.signIn(user.email(), NEW_PASSWORD);
        visitor.get("/password-reset/fhr_no-such-link").then().statusCode(404).body(containsString("not valid"));
        admin.get("/users/" + user.id() + "/account").then().body(containsString(">used "));
        t.admin().queryParam("targetId", user.id()).get("/api/v1/audit").then()
                .body("action", hasItem("user.password-reset-link")).body("action", hasItem("user.password-reset"));
    }

    @Test
    void anExpiredResetLinkSaysSoAndANewLinkReplacesTheOld() {
        var t = Fixtures.newTenant("Expired Link");
        var user = Fixtures.newUser(t, "VIEWER");
        String first = t.admin().post("/api/v1/users/" + user.id() + "/password-reset").then().statusCode(201)
                .extract().path("link");
        String second = t.admin().post("/api/v1/users/" + user.id() + "/password-reset").then().statusCode(201)
                .extract().path("link");
        Browser visitor = Browser.anonymous();
        visitor.get(URI.create(first).getPath()).then().statusCode(404).body(containsString("replaced by a newer one"));
        visitor.get(URI.create(second).getPath()).then().statusCode(200);
        currentTenant.inTransaction(t.id(), () -> PasswordReset.update("expiresAt = ?1 where userId = ?2",
                Instant.now().minusSeconds(1), UUID.fromString(user.id())));
        visitor.get(URI.create(second).getPath()).then().statusCode(410).body(containsString("has expired"));
        t.admin().get("/api/v1/users/" + user.id() + "/password-reset").then().statusCode(200)
                .body("state", equalTo("expired")).body("link", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void anotherTenantsUserIsNotFound() {
        var a = Fixtures.newTenant("Reset Alpha");
        var b = Fixtures.newTenant("Reset Bravo");
        var userOfA = Fixtures.newUser(a, "VIEWER");
        Browser adminOfB = Browser.signIn(b.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        adminOfB.get("/users/" + userOfA.id() + "/account").then().statusCode(404);
        adminOfB.postForm("/users/" + userOfA.id() + "/account/reset-link").then().statusCode(404);
        adminOfB.postForm("/users/" + userOfA.id() + "/account/sessions/revoke-all").then().statusCode(404);
        b.admin().post("/api/v1/users/" + userOfA.id() + "/password-reset").then().statusCode(404);
        b.admin().get("/api/v1/users/" + userOfA.id() + "/sessions").then().statusCode(404);
        b.admin().delete("/api/v1/users/" + userOfA.id() + "/sessions").then().statusCode(404);
        a.admin().get("/api/v1/users/" + userOfA.id() + "/password-reset").then().statusCode(404);
        // A viewer may not make links either.
        Browser viewer = Browser.signIn(userOfA.email(), Fixtures.DEFAULT_PASSWORD);
        viewer.postForm("/users/" + userOfA.id() + "/account/reset-link").then().statusCode(403);
    }

    @Test
    void anAdminSeesAndEndsAUsersSessions() {
        var t = Fixtures.newTenant("Admin Sessions");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser usersBrowser = signInWith(user.email(), "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        Browser secondBrowser = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String page = admin.get("/users/" + user.id() + "/account").then().statusCode(200)
                .body(containsString("Firefox on Linux"))
                .body(not(containsString("data-testid=\"this-session\""))).extract().asString();
        // One session signed out by its own button: that browser only.
        Matcher m = Pattern.compile("action=\"(/users/" + user.id() + "/account/sessions/[0-9a-f-]{36}/revoke)\"[^>]*"
                + "data-confirm=\"Sign out Firefox").matcher(page);
        assertTrue(m.find(), page);
        admin.postForm(m.group(1)).then().statusCode(303);
        usersBrowser.get("/servers").then().statusCode(302);
        secondBrowser.get("/servers").then().statusCode(200);
        admin.postForm("/users/" + user.id() + "/account/sessions/revoke-all").then().statusCode(303);
        admin.get("/users/" + user.id() + "/account").then().body(containsString("Signed out 1 session."))
                .body(containsString("No browser is signed in."));
        secondBrowser.get("/servers").then().statusCode(302);
    }

    @Test
    void aReloadAfterCreatingATokenShowsItNoMoreAndCreatesNoSecond() {
        var t = Fixtures.newTenant("Token Prg");
        var user = Fixtures.newUser(t, "VIEWER");
        Browser b = Browser.signIn(user.email(), Fixtures.DEFAULT_PASSWORD);
        int before = user.api().get("/api/v1/me/tokens").then().extract().path("size()");
        Response created = b.postForm("/account/tokens", "name", "deploy", "expiresInDays", "30");
        created.then().statusCode(303).header("Location", endsWith("/account/tokens"))
                .header("Location", not(containsString("fht_")));
        String secretCookie = created.getCookie("fleethook-flash-secret");
        assertNotNull(secretCookie);
        var cookie = created.detailedCookie("fleethook-flash-secret");
        assertEquals("/account/tokens", cookie.getPath());
        assertTrue(cookie.isHttpOnly());
        String page = b.get("/account/tokens").then().statusCode(200).body(containsString("Created the token deploy."))
                .body(containsString("data-testid=\"new-token\">fht_")).extract().asString();
        Matcher m = Pattern.compile("data-testid=\"new-token\">(fht_[^<]+)<").matcher(page);
        assertTrue(m.find());
        Fixtures.bearer(m.group(1)).get("/api/v1/me").then().statusCode(200).body("email", equalTo(user.email()));
        b.get("/account/tokens").then().statusCode(200).body(not(containsString("data-testid=\"new-token\"")))
                .body(not(containsString("Created the token")));
        assertEquals(before + 1, (int) user.api().get("/api/v1/me/tokens").then().extract().path("size()"));
    }

    /** A browser signed in with a given User-Agent. */
    static Browser signInWith(String email, String userAgent) {
        Browser b = Browser.anonymous();
        Response r = b.request().header("User-Agent", userAgent).contentType(io.restassured.http.ContentType.URLENC)
                .formParam("csrf-token", b.csrf).formParam("email", email).formParam("password", Fixtures.DEFAULT_PASSWORD)
                .post("/sign-in");
        assertEquals(303, r.statusCode());
        r.detailedCookies().forEach(c -> b.cookies.put(c.getName(), c.getValue()));
        b.cookies.values().removeIf(String::isEmpty);
        b.csrf = Fixtures.csrfOf(b.get("/account").asString());
        return b;
    }

    static String sessionIdIn(String page, String browser) {
        Matcher m = SESSION_FORM.matcher(page);
        List<String> ids = new java.util.ArrayList<>();
        while (m.find()) {
            String row = page.substring(page.lastIndexOf("<tr", m.start()), m.start());
            if (browser == null ? row.contains("this-session") : row.contains(browser)) {
                ids.add(m.group(1));
            }
        }
        assertEquals(1, ids.size(), page);
        return ids.get(0);
    }

    static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
