package dev.fleethook.identity;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class UserPagesTest {

    @Test
    void anAdminAddsAUserThroughTheForm() {
        var t = Fixtures.newTenant("Pages");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String email = Fixtures.unique("new") + "@pages.test";
        admin.postForm("/users", "email", email, "displayName", "Nina New", "role", "OPERATOR", "password", "")
                .then().statusCode(201).body(containsString("Added " + email)).body(containsString("shown only now"));
        admin.get("/users").then().statusCode(200).body(containsString(email)).body(containsString("Nina New"));
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
