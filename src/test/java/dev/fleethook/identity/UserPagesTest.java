package dev.fleethook.identity;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.not;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class UserPagesTest {

    /**
     * Post/redirect/get: adding a user answers 303 to the list; the list confirms it once and shows the generated
     * password once (it crossed the redirect in a one-time cookie, never the URL); a reload shows neither and adds
     * no one.
     */
    @Test
    void anAdminAddsAUserThroughTheForm() {
        var t = Fixtures.newTenant("Pages");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String email = Fixtures.unique("new") + "@pages.test";
        admin.postForm("/users", "email", email, "displayName", "Nina New", "role", "OPERATOR", "password", "")
                .then().statusCode(303).header("Location", endsWith("/users"))
                .header("Location", not(containsString("shown"))).header("Location", not(containsString("password")));
        String page = admin.get("/users").then().statusCode(200)
                .body(containsString("data-testid=\"flash\">Added " + email + " as Operator."))
                .body(containsString("shown only now")).body(containsString("Nina New")).extract().asString();
        Matcher generated = Pattern.compile("shown only now: (\\S+?)<").matcher(page);
        assertTrue(generated.find(), page);
        String reload = admin.get("/users").then().statusCode(200).body(not(containsString("data-testid=\"flash\"")))
                .body(not(containsString("shown only now"))).body(not(containsString(generated.group(1))))
                .extract().asString();
        assertEquals(2, reload.split("data-testid=\"user-row\"", -1).length - 1, "the admin and the one user added");
        Browser.signIn(email, generated.group(1)).get("/").then().statusCode(200);
    }

    @Test
    void changingDisablingAndDeletingAUserRedirectWithAConfirmation() {
        var t = Fixtures.newTenant("User Actions");
        var viewer = Fixtures.newUser(t, "VIEWER");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String id = viewer.id();
        admin.postForm("/users/" + id, "role", "OPERATOR").then().statusCode(303).header("Location", endsWith("/users"));
        admin.get("/users").then().body(containsString(viewer.email() + " is now Operator."));
        admin.get("/users").then().body(not(containsString("is now Operator.")));
        admin.postForm("/users/" + id, "disabled", "true").then().statusCode(303);
        admin.get("/users").then().body(containsString(viewer.email() + " is disabled"));
        admin.postForm("/users/" + id + "/delete").then().statusCode(303);
        admin.get("/users").then().body(containsString("Deleted " + viewer.email() + "."));
        admin.get("/users").then().body(not(containsString(viewer.email())));
    }

    @Test
    void formErrorsAreShownNextToTheirFields() {
        var t = Fixtures.newTenant("Form Errors");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.postForm("/users", "email", "nope", "displayName", "", "role", "VIEWER", "password", "short")
                .then().statusCode(400)
                .body(containsString("id=\"e-email\">must be an email address"))
                .body(containsString("id=\"e-displayName\">is required"))
                .body(containsString("id=\"e-password\">must be at least 12 characters and at most 72 bytes"))
                .body(containsString("value=\"nope\""));
    }

    @Test
    void theSearchAnswersHtmxWithTheTableFragmentOnly() {
        var t = Fixtures.newTenant("Htmx");
        var viewer = Fixtures.newUser(t, "VIEWER");
        Browser b = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        b.request().header("HX-Request", "true").queryParam("q", viewer.email().substring(0, 12)).get("/users")
                .then().statusCode(200)
                .body(not(containsString("<html")))
                .body(containsString(viewer.email()))
                .body(not(containsString(t.adminEmail())));
        b.get("/users").then().body(containsString("<html")).body(containsString(t.adminEmail()));
    }

    @Test
    void aViewerSeesNoEditingControls() {
        var t = Fixtures.newTenant("Read Only");
        var viewer = Fixtures.newUser(t, "VIEWER");
        Browser b = Browser.signIn(viewer.email(), Fixtures.DEFAULT_PASSWORD);
        b.get("/users").then().statusCode(200).body(containsString(viewer.email()))
                .body(not(containsString("Add a user"))).body(not(containsString(">Delete<")));
    }
}
