package dev.fleethook.policy;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class PolicyPagesTest {

    /** The form as a browser posts it, field by field. */
    static List<String> form(String name) {
        return new ArrayList<>(List.of("name", name, "description", "Shares", "scheduleKind", "weekly", "time", "02:15",
                "days", "MONDAY", "days", "THURSDAY", "cron", "", "windowMinutes", "180", "retryCount", "3",
                "retryInterval", "20", "engine", "archive", "sources", "/srv/share\n/home", "excludes", "*.iso",
                "archiveDestination", "/var/backups/fh", "archiveRetention", "4", "linuxEnabled", "on",
                "linuxFolder", "/opt/fleethook/scripts", "windowsFolder", "", "skipBackup", "on",
                "scriptTimeout", "600", "baseRevision", "", "note", "first",
                "hooks[0].phase", "before-backup", "hooks[0].source", "stored", "hooks[0].mode", "essential",
                "hooks[0].timeout", "120", "hooks[0].path", "", "hooks[0].command", "",
                // A browser sends a textarea's line breaks as CR LF; stored as LF (StoredScripts, the API's rule too).
                "hooks[0].script", "#!/bin/sh\r\necho dump\r\n",
                "hooks[1].phase", "", "hooks[1].source", "command", "hooks[1].mode", "essential",
                "hooks[1].timeout", "300", "hooks[1].path", "", "hooks[1].command", "", "hooks[1].script", ""));
    }

    static List<String> with(List<String> form, String field, String value) {
        for (int i = 0; i < form.size(); i += 2) {
            if (form.get(i).equals(field)) {
                form.set(i + 1, value);
                return form;
            }
        }
        form.add(field);
        form.add(value);
        return form;
    }

    static Response post(Browser b, String path, List<String> form) {
        return b.postForm(path, form.toArray(String[]::new));
    }

    @Test
    void anAdminCreatesAPolicyWithEverySectionOfTheForm() {
        var t = Fixtures.newTenant("Policy Pages");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.get("/policies/new").then().statusCode(200).body(containsString("Pre-backup and post-backup scripts"))
                .body(containsString("Skip the backup if the pre-script fails or is missing"));
        String location = post(admin, "/policies", form("Shares nightly")).then().statusCode(303).extract()
                .header("Location");
        String id = location.replaceAll(".*/policies/([0-9a-f-]+).*", "$1");
        // Post/redirect/get: the policy's page confirms the creation once; a reload shows no message and creates
        // nothing more.
        assertTrue(location.endsWith("/policies/" + id), location);
        admin.get("/policies/" + id).then().statusCode(200)
                .body(containsString("data-testid=\"flash\">Created the policy Shares nightly."));
        admin.get("/policies/" + id).then().statusCode(200).body(not(containsString("data-testid=\"flash\"")));
        t.admin().get("/api/v1/policies").then().body("findAll { it.name == 'Shares nightly' }.size()", equalTo(1));
        t.admin().get("/api/v1/policies/" + id).then().statusCode(200)
                .body("spec.schedule.kind", equalTo("weekly"))
                .body("spec.schedule.days", equalTo(List.of("MONDAY", "THURSDAY")))
                .body("spec.backup.sources", equalTo(List.of("/srv/share", "/home")))
                .body("spec.scripts.linux.folder", equalTo("/opt/fleethook/scripts"))
                .body("spec.scripts.skipBackupIfPreScriptFails", equalTo(true))
                .body("spec.hooks[0].source", equalTo("stored"))
                .body("spec.hooks[0].script", equalTo("#!/bin/sh\necho dump\n"));
        admin.get("/policies/" + id).then().statusCode(200).body(containsString("value=\"/opt/fleethook/scripts\""))
                .body(containsString("Save as revision 2"));
        admin.get("/policies").then().body(containsString("Shares nightly"));
    }

    @Test
    void wrongFieldsAreShownNextToThemAndTheFormKeepsWhatWasTyped() {
        var t = Fixtures.newTenant("Form Check");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        List<String> bad = with(with(form("Broken"), "linuxFolder", "scripts"), "retryCount", "12");
        with(bad, "hooks[0].script", "");
        post(admin, "/policies", bad).then().statusCode(400)
                .body(containsString("id=\"e-linuxFolder\">must be an absolute Linux path"))
                .body(containsString("id=\"e-retryCount\">must be 0 to 10"))
                .body(containsString("is required for a stored hook"))
                .body(containsString("value=\"scripts\""))
                .body(containsString("Fix 3 problems"));
        t.admin().get("/api/v1/policies").then().body("name", not(org.hamcrest.Matchers.hasItem("Broken")));
    }

    @Test
    void theHtmxCheckAnswersTheFormFragmentWithMessagesAndNextRuns() {
        var t = Fixtures.newTenant("Live Check");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        List<String> cron = with(with(form("Live"), "scheduleKind", "cron"), "cron", "0 25 * * *");
        admin.request().header("HX-Request", "true").contentType(io.restassured.http.ContentType.URLENC)
                .formParams(pairs(cron, admin.csrf)).post("/policies/check").then().statusCode(200)
                .body(not(containsString("<html"))).body(containsString("id=\"next-runs\""))
                .body(containsString("id=\"e-cron\" hx-swap-oob=\"true\">is not a valid cron expression"))
                .body(containsString("id=\"e-linuxFolder\" hx-swap-oob=\"true\"></div>"));
        List<String> good = with(with(form("Live"), "scheduleKind", "cron"), "cron", "30 4 * * *");
        String html = admin.request().header("HX-Request", "true").contentType(io.restassured.http.ContentType.URLENC)
                .formParams(pairs(good, admin.csrf)).post("/policies/check").then().statusCode(200).extract().asString();
        assertEquals(5, html.split("04:30", -1).length - 1, "five next runs at 04:30");
    }

    /**
     * Every problem at once: a value that does not even parse (retries "three") does not hide the validator's
     * findings; the summary names each field by its label and links to its input, and each message also sits
     * beside its field. The schedule is valid, so its next runs show although the form is not.
     */
    @Test
    void everyProblemIsReportedAtOnceInTheSummaryWithItsLabel() {
        var t = Fixtures.newTenant("All Problems");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        List<String> bad = with(with(with(form(""), "retryCount", "three"), "linuxFolder", "scripts"), "sources",
                "/srv/share\nrelative/home");
        with(bad, "hooks[0].script", "");
        String html = post(admin, "/policies", bad).then().statusCode(400).extract().asString();
        assertEquals(5, html.split("data-testid=\"problem\"", -1).length - 1, html);
        org.hamcrest.MatcherAssert.assertThat(html, org.hamcrest.Matchers.stringContainsInOrder(
                "Fix 5 problems",
                "<a href=\"#f-name\" class=\"alert-link\">Name</a>: ",
                "<a href=\"#f-retryCount\" class=\"alert-link\">Retries</a>: must be a whole number",
                "<a href=\"#f-sources\" class=\"alert-link\">Folders to back up, line 2</a>: ",
                "<a href=\"#f-linuxFolder\" class=\"alert-link\">Linux script folder</a>: must be an absolute Linux path",
                "<a href=\"#h0-script\" class=\"alert-link\">Hook 1 · Script body</a>: is required for a stored hook"));
        org.hamcrest.MatcherAssert.assertThat(html, org.hamcrest.Matchers.allOf(
                containsString("id=\"e-retryCount\">must be a whole number"),
                containsString("id=\"e-linuxFolder\">must be an absolute Linux path"),
                containsString("id=\"e-sources\">line 2: "),
                containsString("id=\"e-h0-script\">is required for a stored hook"),
                containsString("value=\"three\"")));
        // Every anchor of the summary is the id of an input of the page.
        java.util.regex.Matcher anchors = java.util.regex.Pattern.compile("href=\"#([^\"]+)\" class=\"alert-link\"")
                .matcher(html);
        while (anchors.find()) {
            org.hamcrest.MatcherAssert.assertThat(html, containsString("id=\"" + anchors.group(1) + "\""));
        }
        org.hamcrest.MatcherAssert.assertThat(html.substring(html.indexOf("id=\"next-runs\"")), containsString("02:15"));
        // The live check answers the same summary, and the next runs as soon as the schedule is valid.
        String live = admin.request().header("HX-Request", "true").contentType(io.restassured.http.ContentType.URLENC)
                .formParams(pairs(bad, admin.csrf)).post("/policies/check").then().statusCode(200).extract().asString();
        org.hamcrest.MatcherAssert.assertThat(live, org.hamcrest.Matchers.allOf(containsString("Fix 5 problems"),
                containsString("Hook 1 · Script body"), containsString("02:15")));
        String wrongSchedule = admin.request().header("HX-Request", "true")
                .contentType(io.restassured.http.ContentType.URLENC)
                .formParams(pairs(with(new ArrayList<>(bad), "time", "25:00"), admin.csrf)).post("/policies/check")
                .then().statusCode(200).extract().asString();
        org.hamcrest.MatcherAssert.assertThat(wrongSchedule, org.hamcrest.Matchers.allOf(
                containsString("Fix 6 problems"), containsString("<a href=\"#f-time\" class=\"alert-link\">At (HH:mm)</a>"),
                containsString("Shown as soon as the schedule is valid"), not(containsString("02:15</li>"))));
        t.admin().get("/api/v1/policies").then().body("name", not(org.hamcrest.Matchers.hasItem("")));
    }

    /**
     * A form opened at revision 1 and saved after someone else saved revision 2 is refused with the edit-
     * conflict page: who saved when, the diff between the submitted version and revision 2, "reload the
     * latest" behind a confirmation, and the form with the submitted change re-applied on top of revision 2
     * (their change kept where only they changed a field; a field both changed keeps the submitted value and
     * is named). Saving that form is the deliberate second step (the API's plain 409: PolicyResourceTest).
     */
    @Test
    void aStaleFormShowsTheEditConflictPageWithTheDiffAndReappliesOnTheLatest() {
        var t = Fixtures.newTenant("Stale Form");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        var colleague = Fixtures.newUser(t, "ADMIN");
        Browser other = Browser.signIn(colleague.email(), Fixtures.DEFAULT_PASSWORD);
        String id = post(admin, "/policies", form("Stale")).then().statusCode(303).extract().header("Location")
                .replaceAll(".*/policies/([0-9a-f-]+).*", "$1");
        // The colleague changes the retries and the window; I (still on revision 1) the description and the window.
        post(other, "/policies/" + id, with(with(with(form("Stale"), "baseRevision", "1"), "retryCount", "4"),
                "windowMinutes", "240")).then().statusCode(303);
        List<String> mine = with(with(with(form("Stale"), "baseRevision", "1"), "description", "Mine"), "windowMinutes",
                "200");
        with(mine, "note", "my note");
        String html = post(admin, "/policies/" + id, mine).then().statusCode(409).extract().asString();
        org.hamcrest.MatcherAssert.assertThat(html, org.hamcrest.Matchers.allOf(
                containsString("data-testid=\"stale-edit\""),
                containsString(colleague.email() + " saved revision 2"),
                containsString("you started from revision 1"),
                containsString("data-confirm=\"Reload revision 2? Your changes in this form are lost.\""),
                containsString("action=\"/policies/" + id + "\" class=\"m-0\""),
                containsString("<th scope=\"col\">Your version</th><th scope=\"col\">Revision 2 (latest)</th>")));
        String diff = html.substring(html.indexOf("data-testid=\"diff\""), html.indexOf("</table>", html.indexOf(
                "data-testid=\"diff\"")));
        org.hamcrest.MatcherAssert.assertThat(diff, org.hamcrest.Matchers.allOf(
                containsString("<code>description</code></td><td class=\"text-danger\"><pre class=\"mb-0 small\">Mine</pre></td><td class=\"text-success\"><pre class=\"mb-0 small\">Shares</pre>"),
                containsString("<code>retry.count</code></td><td class=\"text-danger\"><pre class=\"mb-0 small\">3</pre></td><td class=\"text-success\"><pre class=\"mb-0 small\">4</pre>"),
                containsString("<code>windowMinutes</code>"), not(containsString("scripts.linux.folder"))));
        org.hamcrest.MatcherAssert.assertThat(html, org.hamcrest.Matchers.allOf(
                containsString("name=\"baseRevision\" value=\"2\""),
                containsString("name=\"description\" type=\"text\" value=\"Mine\""),
                containsString("name=\"retryCount\" type=\"number\" value=\"4\""),
                containsString("name=\"windowMinutes\" type=\"text\" value=\"200\""),
                containsString("<span data-testid=\"clashes\"><code>windowMinutes</code></span>"),
                containsString("value=\"my note\""), containsString("Save as revision 3")));
        t.admin().get("/api/v1/policies/" + id).then().body("currentRevision", equalTo(2))
                .body("spec.retry.count", equalTo(4)).body("spec.description", equalTo("Shares"));
        // Saving the re-applied form (based on revision 2) keeps their retries and my description.
        post(admin, "/policies/" + id, with(with(with(mine, "baseRevision", "2"), "retryCount", "4"), "windowMinutes",
                "200")).then().statusCode(303);
        t.admin().get("/api/v1/policies/" + id).then().body("currentRevision", equalTo(3))
                .body("spec.retry.count", equalTo(4)).body("spec.description", equalTo("Mine"))
                .body("spec.windowMinutes", equalTo(200));
    }

    @Test
    void historyShowsADiffAndRollsBack() {
        var t = Fixtures.newTenant("History");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String id = post(admin, "/policies", form("Hist")).then().statusCode(303).extract().header("Location")
                .replaceAll(".*/policies/([0-9a-f-]+).*", "$1");
        post(admin, "/policies/" + id, with(with(form("Hist"), "baseRevision", "1"), "linuxFolder", "/srv/hooks"))
                .then().statusCode(303).header("Location", endsWith("/policies/" + id));
        admin.get("/policies/" + id).then().body(containsString("data-testid=\"flash\">Saved the policy Hist as revision 2."));
        admin.get("/policies/" + id).then().body(not(containsString("data-testid=\"flash\"")))
                .body(containsString("Save as revision 3"));
        admin.request().header("HX-Request", "true").queryParam("from", 1).queryParam("to", 2)
                .get("/policies/" + id + "/revisions").then().statusCode(200).body(not(containsString("<html")))
                .body(containsString("<code>scripts.linux.folder</code>")).body(containsString("/opt/fleethook/scripts"))
                .body(containsString("/srv/hooks"));
        admin.postForm("/policies/" + id + "/rollback", "revision", "1", "baseRevision", "2").then().statusCode(303)
                .header("Location", endsWith("/policies/" + id + "/revisions"));
        admin.get("/policies/" + id + "/revisions").then()
                .body(containsString("data-testid=\"flash\">Rolled back the policy Hist to revision 1: its content is now revision 3."));
        t.admin().get("/api/v1/policies/" + id).then().body("currentRevision", equalTo(3))
                .body("spec.scripts.linux.folder", equalTo("/opt/fleethook/scripts"));
        admin.get("/policies/" + id + "/revisions").then().body(containsString("Rolled back to revision 1"));
    }

    @Test
    void hooksAreAddedAndRemovedThroughTheirRows() {
        var t = Fixtures.newTenant("Hook Rows");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        List<String> f = form("Hooks");
        with(f, "hooks[1].phase", "after-backup");
        with(f, "hooks[1].source", "directory");
        with(f, "hooks[1].mode", "optional");
        with(f, "hooks[1].path", "/etc/fleethook/after.d");
        String id = post(admin, "/policies", f).then().statusCode(303).extract().header("Location")
                .replaceAll(".*/policies/([0-9a-f-]+).*", "$1");
        t.admin().get("/api/v1/policies/" + id).then().body("spec.hooks.size()", equalTo(2))
                .body("spec.hooks[1].path", equalTo("/etc/fleethook/after.d"));
        List<String> removeFirst = with(new ArrayList<>(f), "baseRevision", "1");
        removeFirst.add("hooks[0].remove");
        removeFirst.add("on");
        post(admin, "/policies/" + id, removeFirst).then().statusCode(303);
        t.admin().get("/api/v1/policies/" + id).then().body("spec.hooks.size()", equalTo(1))
                .body("spec.hooks[0].source", equalTo("directory"));
    }

    @Test
    void viewersReadPoliciesButCannotEditThem() {
        var t = Fixtures.newTenant("Policy Viewer");
        var viewer = Fixtures.newUser(t, "VIEWER");
        Browser b = Browser.signIn(viewer.email(), Fixtures.DEFAULT_PASSWORD);
        String defaultId = t.admin().get("/api/v1/policies").then().extract().path("[0].id");
        b.get("/policies/" + defaultId).then().statusCode(200).body(containsString("<fieldset disabled>"))
                .body(not(containsString("Save as revision")));
        b.get("/policies/new").then().statusCode(403);
        post(b, "/policies", form("Nope")).then().statusCode(403);
        post(b, "/policies/" + defaultId, with(form("Nope"), "baseRevision", "1")).then().statusCode(403);
    }

    @Test
    void theAuditLogAndSettingsPagesWork() {
        var t = Fixtures.newTenant("Audit Pages");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        post(admin, "/policies", form("Audited")).then().statusCode(303);
        admin.get("/audit").then().statusCode(200).body(containsString("policy.create"))
                .body(containsString("Created policy Audited"));
        admin.postForm("/settings", "timeZone", "Mars/Base", "maxScriptTimeout", "").then().statusCode(400)
                .body(containsString("must be a time zone"));
        admin.postForm("/settings", "timeZone", "America/New_York", "maxScriptTimeout", "300").then().statusCode(303)
                .header("Location", endsWith("/settings"));
        admin.get("/settings").then().statusCode(200).body(containsString("data-testid=\"flash\">Settings saved."));
        admin.get("/settings").then().statusCode(200).body(not(containsString("data-testid=\"flash\"")))
                .body(not(containsString("Saved.")));
        t.admin().get("/api/v1/tenant").then().body("timeZone", equalTo("America/New_York"))
                .body("maxScriptTimeoutSeconds", equalTo(300));
        admin.get("/policies/new").then().body(containsString("Your organization allows at most 300 s."));
    }

    private static java.util.Map<String, Object> pairs(List<String> form, String csrf) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("csrf-token", csrf);
        for (int i = 0; i < form.size(); i += 2) {
            Object existing = m.get(form.get(i));
            if (existing == null) {
                m.put(form.get(i), form.get(i + 1));
            } else if (existing instanceof List<?> l) {
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) l;
                list.add(form.get(i + 1));
            } else {
                m.put(form.get(i), new ArrayList<>(List.of(existing, form.get(i + 1))));
            }
        }
        return m;
    }

    @Test
    void aStoredScriptAsLongAsAllowedIsSavedThroughTheForm() {
        // A policy's stored script may hold PolicySpec.MAX_STORED_SCRIPT characters (LF line ends, any script);
        // the browser sends the textarea with CR LF and percent-encodes every non-ASCII byte.
        var t = Fixtures.newTenant("Policy Long Script");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String line = "echo 'sauvegarde terminée' >> /var/log/sauvegarde.log\n";
        StringBuilder script = new StringBuilder("#!/bin/sh\n");
        while (script.length() + line.length() <= dev.fleethook.policy.PolicySpec.MAX_STORED_SCRIPT) {
            script.append(line);
        }
        while (script.length() < dev.fleethook.policy.PolicySpec.MAX_STORED_SCRIPT) {
            script.append('#');
        }
        String typed = script.toString().replace("\n", "\r\n");
        String id = post(admin, "/policies", with(form("Long Script"), "hooks[0].script", typed)).then().statusCode(303)
                .extract().header("Location").replaceFirst(".*/policies/", "");
        t.admin().get("/api/v1/policies/" + id).then().statusCode(200)
                .body("spec.hooks[0].script", equalTo(script.toString()));
        // One character more is refused by the form's own rule (400 naming the field), not by the HTTP layer.
        post(admin, "/policies", with(form("Too Long Script"), "hooks[0].script", script + "#")).then().statusCode(400)
                .body(containsString("32000"));
        // A field beyond what any form field may hold (but within the 2 MB body) is a clear 413 page.
        post(admin, "/policies", with(form("Huge Script"), "hooks[0].script", "#".repeat(600_000))).then()
                .statusCode(413).contentType(containsString("text/html")).body(containsString("Request Entity Too Large"));
    }
}
