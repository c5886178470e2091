package dev.fleethook.policy;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void aStaleFormIsAConflictNotAnOverwrite() {
        var t = Fixtures.newTenant("Stale Form");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String id = post(admin, "/policies", form("Stale")).then().statusCode(303).extract().header("Location")
                .replaceAll(".*/policies/([0-9a-f-]+).*", "$1");
        post(admin, "/policies/" + id, with(with(form("Stale"), "baseRevision", "1"), "retryCount", "4"))
                .then().statusCode(303);
        post(admin, "/policies/" + id, with(with(form("Stale"), "baseRevision", "1"), "retryCount", "5"))
                .then().statusCode(409).body(containsString("changed in the meantime"));
        t.admin().get("/api/v1/policies/" + id).then().body("spec.retry.count", equalTo(4));
    }

    @Test
    void historyShowsADiffAndRollsBack() {
        var t = Fixtures.newTenant("History");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String id = post(admin, "/policies", form("Hist")).then().statusCode(303).extract().header("Location")
                .replaceAll(".*/policies/([0-9a-f-]+).*", "$1");
        post(admin, "/policies/" + id, with(with(form("Hist"), "baseRevision", "1"), "linuxFolder", "/srv/hooks"))
                .then().statusCode(303);
        admin.request().header("HX-Request", "true").queryParam("from", 1).queryParam("to", 2)
                .get("/policies/" + id + "/revisions").then().statusCode(200).body(not(containsString("<html")))
                .body(containsString("<code>scripts.linux.folder</code>")).body(containsString("/opt/fleethook/scripts"))
                .body(containsString("/srv/hooks"));
        admin.postForm("/policies/" + id + "/rollback", "revision", "1", "baseRevision", "2").then().statusCode(303);
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
        admin.postForm("/settings", "timeZone", "America/New_York", "maxScriptTimeout", "300").then().statusCode(303);
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
}
