package dev.fleethook.policy;

import static dev.fleethook.support.PolicyFixtures.hook;
import static dev.fleethook.support.PolicyFixtures.list;
import static dev.fleethook.support.PolicyFixtures.map;
import static dev.fleethook.support.PolicyFixtures.save;
import static dev.fleethook.support.PolicyFixtures.set;
import static dev.fleethook.support.PolicyFixtures.spec;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class PolicyResourceTest {

    static TenantFixture tenant;

    static TenantFixture tenant() {
        if (tenant == null) {
            tenant = Fixtures.newTenant("Policies");
        }
        return tenant;
    }

    static String create(TenantFixture t, Map<String, Object> spec) {
        return t.admin().body(save(spec, null)).post("/api/v1/policies").then().statusCode(201).extract().path("id");
    }

    @Test
    void aPolicyIsCreatedWithItsNextFiveRunsInTheTenantsTimeZone() {
        String id = create(tenant(), spec(Fixtures.unique("nightly")));
        JsonPath p = tenant().admin().get("/api/v1/policies/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(1, p.getInt("currentRevision"));
        assertEquals("Europe/Paris", p.getString("timeZone"));
        List<String> runs = p.getList("nextRuns");
        assertEquals(5, runs.size());
        assertTrue(runs.stream().allMatch(r -> r.contains("T01:30:00+01:00") || r.contains("T01:30:00+02:00")), runs.toString());
        assertEquals("daily", p.getString("spec.schedule.kind"));
    }

    static Stream<Arguments> wrongInputs() {
        String longScript = "#!/bin/sh\n" + "x".repeat(32_001);
        return Stream.of(
                Arguments.of("name", "", "name", "is required"),
                Arguments.of("schedule", map("kind", "cron", "cron", "61 * * * *"), "schedule.cron", "not a valid cron"),
                Arguments.of("schedule", map("kind", "cron", "cron", "* * *"), "schedule.cron", "5 fields"),
                Arguments.of("schedule", map("kind", "hourly"), "schedule.kind", "must be one of cron, daily, weekly, manual"),
                Arguments.of("schedule", map("kind", "weekly", "time", "02:00", "days", list()), "schedule.days", "at least one day"),
                Arguments.of("schedule", map("kind", "daily", "time", "25:00"), "schedule.time", "HH:mm"),
                Arguments.of("retry.count", 11, "retry.count", "0 to 10"),
                Arguments.of("retry.intervalMinutes", 0, "retry.intervalMinutes", "1 to 1440"),
                Arguments.of("scripts.timeoutSeconds", 0, "scripts.timeoutSeconds", "1 to 86400"),
                Arguments.of("scripts.timeoutSeconds", 90_000, "scripts.timeoutSeconds", "1 to 86400"),
                Arguments.of("scripts.linux.folder", "scripts/relative", "scripts.linux.folder", "absolute Linux path"),
                Arguments.of("scripts.linux.folder", "", "scripts.linux.folder", "is required"),
                Arguments.of("scripts.windows", map("enabled", true, "folder", "/not/windows"), "scripts.windows.folder",
                        "absolute Windows path"),
                Arguments.of("backup.sources", list(), "backup.sources", "at least one folder"),
                Arguments.of("backup.sources", list("data"), "backup.sources[0]", "absolute path"),
                Arguments.of("backup.sources", list("/srv/../etc"), "backup.sources[0]", "without '..'"),
                Arguments.of("backup.engine", "tarsnap", "backup.engine", "must be one of archive, restic, command"),
                Arguments.of("backup", map("engine", "restic", "sources", list("/srv"), "restic", map("repository", "/repo")),
                        "backup.restic.passwordSecret", "agent-local secret"),
                Arguments.of("backup", map("engine", "restic", "sources", list("/srv"),
                        "restic", map("repository", "/repo", "passwordSecret", "..")), "backup.restic.passwordSecret",
                        "not starting with a dot"),
                Arguments.of("backup", map("engine", "restic", "sources", list("/srv"),
                        "restic", map("repository", "/repo", "passwordSecret", "s".repeat(65))), "backup.restic.passwordSecret",
                        "1 to 64 letters"),
                Arguments.of("backup", map("engine", "restic", "sources", list("/srv"),
                        "restic", map("repository", "/repo", "password", "hunter2")), "backup.restic.password", "not a known field"),
                Arguments.of("backup", map("engine", "command", "command", list()), "backup.command", "program and its arguments"),
                Arguments.of("windowMinutes", 10, "windowMinutes", "longer than the script timeout"),
                Arguments.of("windowMinutes", 2, "windowMinutes", "5 to 10080"),
                Arguments.of("hooks", list(hook("during-backup", "command", "command", list("/bin/true"))), "hooks[0].phase",
                        "must be one of agent-start, before-backup"),
                Arguments.of("hooks", list(hook(null, "command", "command", list("/bin/true"))), "hooks[0].phase",
                        "is required (agent-start, before-backup"),
                Arguments.of("hooks", list(hook(null, "user-callback")), "hooks[0].path",
                        "is required for a user-callback hook"),
                Arguments.of("hooks", list(hook("after-folder", "user-callback", "path", "/etc/backintime/user-callback")),
                        "hooks[0].phase", "has no Back In Time reason code"),
                Arguments.of("hooks", list(hook("file-filter", "directory", "path", "/etc/kiwi/filters")), "hooks[0].source",
                        "a file-filter hook is a command"),
                Arguments.of("hooks", list(hook("file-filter", "command", "mode", "async", "command", list("/bin/cat"))),
                        "hooks[0].mode", "a file filter is waited for"),
                Arguments.of("hooks", list(hook("file-filter", "command", "command", list("/bin/cat")),
                        hook("file-filter", "command", "command", list("/bin/cat"))), "hooks[1].phase",
                        "at most one file-filter hook"),
                Arguments.of("hooks", list(hook("before-backup", "command", "mode", "sometimes", "command", list("/bin/true"))),
                        "hooks[0].mode", "must be one of essential, optional, async"),
                Arguments.of("hooks", list(hook("before-backup", "stored", "script", longScript)), "hooks[0].script",
                        "at most 32000 characters"),
                Arguments.of("hooks", list(hook("before-backup", "stored", "script", "echo hi", "sha256", "00ff")),
                        "hooks[0].sha256", "does not match"),
                Arguments.of("hooks", list(hook("after-backup", "directory", "path", "hooks.d")), "hooks[0].path",
                        "absolute path"),
                Arguments.of("hooks", list(hook("after-backup", "command", "command", list())), "hooks[0].command",
                        "program and its arguments"),
                Arguments.of("hooks", list(hook("after-backup", "command", "command", list("/bin/true"), "timeoutSeconds", 0)),
                        "hooks[0].timeoutSeconds", "1 to 86400"),
                Arguments.of("hooks", list(hook("before-backup", "command", "command", list("/bin/true"), "timeoutSeconds",
                        20_000)), "hooks[0].timeoutSeconds", "shorter than the backup window"));
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @MethodSource("wrongInputs")
    void everyWrongFieldIsRefusedWithWhatToFix(String path, Object value, String field, String message) {
        Map<String, Object> spec = set(spec(Fixtures.unique("bad")), path, value);
        JsonPath problem = tenant().admin().body(save(spec, null)).post("/api/v1/policies").then()
                .statusCode(400).contentType("application/problem+json").extract().jsonPath();
        List<Map<String, String>> errors = problem.getList("errors");
        assertTrue(errors.stream().anyMatch(e -> e.get("field").equals("spec." + field) && e.get("message").contains(message)),
                () -> "expected " + field + " ~ " + message + " in " + errors);
        tenant().admin().get("/api/v1/policies").then().body("name", org.hamcrest.Matchers.not(hasItem(spec.get("name"))));
    }

    @Test
    void theTenantMaximumBoundsTheScriptTimeout() {
        TenantFixture t = Fixtures.newTenant("Max Timeout");
        t.admin().body(Map.of("maxScriptTimeoutSeconds", 600)).patch("/api/v1/tenant").then().statusCode(200)
                .body("maxScriptTimeoutSeconds", equalTo(600));
        t.admin().body(save(set(spec("a"), "scripts.timeoutSeconds", 900), null)).post("/api/v1/policies").then()
                .statusCode(400).body("errors[0].field", equalTo("spec.scripts.timeoutSeconds"))
                .body("errors[0].message", containsString("at most 600 s"));
        t.admin().body(save(set(spec("b"), "scripts.timeoutSeconds", null), null)).post("/api/v1/policies").then()
                .statusCode(400).body("errors[0].message", containsString("is required"));
        t.admin().body(save(set(spec("c"), "scripts.timeoutSeconds", 600), null)).post("/api/v1/policies").then()
                .statusCode(201);
        // Without scripts enabled there is nothing to bound.
        Map<String, Object> off = set(set(spec("d"), "scripts.linux.enabled", false), "scripts.timeoutSeconds", null);
        t.admin().body(save(off, null)).post("/api/v1/policies").then().statusCode(201);
    }

    @Test
    void everySaveIsARevisionThatCanBeComparedAndRolledBack() {
        Map<String, Object> spec = spec(Fixtures.unique("revised"));
        String id = create(tenant(), spec);
        set(spec, "scripts.linux.folder", "/opt/hooks");
        set(spec, "retry.count", 5);
        tenant().admin().body(save(spec, 1)).put("/api/v1/policies/" + id).then().statusCode(200)
                .body("currentRevision", equalTo(2)).body("spec.scripts.linux.folder", equalTo("/opt/hooks"));

        JsonPath diff = tenant().admin().get("/api/v1/policies/" + id + "/diff?from=1&to=2").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of("retry.count", "scripts.linux.folder"), diff.getList("changes.field").stream().sorted().toList());
        assertEquals("/etc/fleethook/scripts", diff.getString("changes.find { it.field == 'scripts.linux.folder' }.before"));
        assertEquals("/opt/hooks", diff.getString("changes.find { it.field == 'scripts.linux.folder' }.after"));

        tenant().admin().body(Map.of("revision", 1, "baseRevision", 2)).post("/api/v1/policies/" + id + "/rollback")
                .then().statusCode(200).body("currentRevision", equalTo(3))
                .body("spec.scripts.linux.folder", equalTo("/etc/fleethook/scripts")).body("spec.retry.count", equalTo(2));

        JsonPath revisions = tenant().admin().get("/api/v1/policies/" + id + "/revisions").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of(3, 2, 1), revisions.getList("number"));
        assertEquals(revisions.getString("find { it.number == 1 }.specHash"),
                revisions.getString("find { it.number == 3 }.specHash"), "rollback restores revision 1 exactly");
        assertEquals("Rolled back to revision 1", revisions.getString("find { it.number == 3 }.note"));
        assertTrue(revisions.getList("author").stream().allMatch(a -> a.equals(tenant().adminEmail())));
        tenant().admin().get("/api/v1/policies/" + id + "/revisions/1").then().statusCode(200)
                .body("spec.retry.count", equalTo(2));
        tenant().admin().get("/api/v1/policies/" + id + "/revisions/9").then().statusCode(404);
        tenant().admin().get("/api/v1/policies/" + id + "/diff?from=1&to=9").then().statusCode(400)
                .body("errors[0].field", equalTo("to"));
    }

    @Test
    void aSaveBasedOnAStaleRevisionIsAConflict() {
        Map<String, Object> spec = spec(Fixtures.unique("stale"));
        String id = create(tenant(), spec);
        tenant().admin().body(save(set(spec, "retry.count", 3), 1)).put("/api/v1/policies/" + id).then().statusCode(200);
        tenant().admin().body(save(set(spec, "retry.count", 4), 1)).put("/api/v1/policies/" + id).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("revision 2"));
        tenant().admin().body(save(spec, null)).put("/api/v1/policies/" + id).then().statusCode(400)
                .body("errors[0].field", equalTo("baseRevision"));
        tenant().admin().get("/api/v1/policies/" + id).then().body("spec.retry.count", equalTo(3));
    }

    @Test
    void savingTheSameContentAddsNoRevision() {
        Map<String, Object> spec = spec(Fixtures.unique("same"));
        String id = create(tenant(), spec);
        tenant().admin().body(save(spec, 1)).put("/api/v1/policies/" + id).then().statusCode(200)
                .body("currentRevision", equalTo(1));
    }

    @Test
    void namesAreUniqueWithinATenant() {
        String name = Fixtures.unique("twin");
        create(tenant(), spec(name));
        tenant().admin().body(save(spec(name.toUpperCase()), null)).post("/api/v1/policies").then().statusCode(409)
                .body("detail", containsString("already exists"));
    }

    @Test
    void viewersAndOperatorsCannotChangePolicies() {
        String id = create(tenant(), spec(Fixtures.unique("ro")));
        for (String role : List.of("VIEWER", "OPERATOR")) {
            var user = Fixtures.newUser(tenant(), role);
            user.api().get("/api/v1/policies/" + id).then().statusCode(200);
            user.api().body(save(spec("x"), null)).post("/api/v1/policies").then().statusCode(403);
            user.api().body(save(spec("x"), 1)).put("/api/v1/policies/" + id).then().statusCode(403);
            user.api().body(Map.of("revision", 1, "baseRevision", 1)).post("/api/v1/policies/" + id + "/rollback").then()
                    .statusCode(403);
            user.api().delete("/api/v1/policies/" + id).then().statusCode(403);
        }
        tenant().admin().get("/api/v1/policies/" + id).then().body("currentRevision", equalTo(1));
    }

    @Test
    void everyTenantStartsWithADefaultPolicyThatCannotBeDeleted() {
        TenantFixture t = Fixtures.newTenant("Defaults");
        JsonPath list = t.admin().get("/api/v1/policies").then().statusCode(200).body("$", hasSize(1)).extract().jsonPath();
        assertEquals("Default", list.getString("[0].name"));
        assertTrue(list.getBoolean("[0].isDefault"));
        t.admin().delete("/api/v1/policies/" + list.getString("[0].id")).then().statusCode(409);
        String other = create(t, spec("Other"));
        t.admin().post("/api/v1/policies/" + other + "/default").then().statusCode(200).body("isDefault", equalTo(true));
        t.admin().delete("/api/v1/policies/" + list.getString("[0].id")).then().statusCode(204);
        t.admin().get("/api/v1/policies/" + list.getString("[0].id")).then().statusCode(404);
    }

    @Test
    void changesAreAuditedWithBeforeAndAfter() {
        Map<String, Object> spec = spec(Fixtures.unique("audited"));
        String id = create(tenant(), spec);
        tenant().admin().body(save(set(spec, "retry.count", 7), 1)).put("/api/v1/policies/" + id).then().statusCode(200);
        JsonPath audit = tenant().admin().queryParam("targetId", id).get("/api/v1/audit").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of("policy.update", "policy.create"), audit.getList("action"));
        assertEquals(2, audit.getInt("[0].before.retry.count"));
        assertEquals(7, audit.getInt("[0].after.retry.count"));
        assertEquals(tenant().adminEmail(), audit.getString("[0].actor"));
    }

    @Test
    void aDryRunValidatesAndShowsTheNextRuns() {
        tenant().admin().body(save(set(spec("dry"), "schedule", map("kind", "cron", "cron", "15 3 * * 1-5")), null))
                .post("/api/v1/policies/validate").then().statusCode(200).body("valid", equalTo(true))
                .body("nextRuns", hasSize(5)).body("nextRuns", everyItem(containsString("T03:15:00")));
        tenant().admin().body(save(set(spec("dry"), "retry.count", 99), null)).post("/api/v1/policies/validate").then()
                .statusCode(200).body("valid", equalTo(false)).body("errors.field", hasItem("spec.retry.count"));
    }

    @Test
    void theDocumentEndpointRendersPerOsWithAnEtag() {
        Map<String, Object> spec = set(spec(Fixtures.unique("doc")), "scripts.windows.enabled", true);
        set(spec, "hooks", list(hook("before-folder", "convention")));
        String id = create(tenant(), spec);
        String linuxTag = tenant().admin().get("/api/v1/policies/" + id + "/document?os=linux").then().statusCode(200)
                .body("scripts.preScript", equalTo("/etc/fleethook/scripts/pre_script.sh"))
                .body("scripts.postScript", equalTo("/etc/fleethook/scripts/post_script.sh"))
                .body("hooks[0].path", equalTo("/etc/fleethook/scripts/before_folder.sh"))
                .header("ETag", notNullValue()).extract().header("ETag");
        String windowsTag = tenant().admin().get("/api/v1/policies/" + id + "/document?os=windows").then().statusCode(200)
                .body("scripts.preScript", equalTo("C:\\Fleethook\\scripts\\pre_script.bat"))
                .body("scripts.postScript", equalTo("C:\\Fleethook\\scripts\\post_script.bat"))
                .extract().header("ETag");
        assertTrue(!linuxTag.equals(windowsTag));
        tenant().admin().get("/api/v1/policies/" + id + "/document?os=macos").then().statusCode(400)
                .body("errors[0].field", equalTo("os"));
        assertTrue(linuxTag.replace("\"", "").matches("[0-9a-f]{64}"), linuxTag);
        assertTrue(startsWithQuote(linuxTag));
    }

    @Test
    void aUserCallbackHookWithoutAPhaseIsCalledAtEveryMomentWithABackInTimeReasonAndTheNewPhasesAreAccepted() {
        Map<String, Object> spec = spec(Fixtures.unique("bit"));
        set(spec, "hooks", list(hook(null, "user-callback", "path", "/etc/backintime/user-callback"),
                hook("after-failed-attempt", "command", "command", list("/usr/local/bin/notify")),
                hook("agent-stop", "directory", "path", "/etc/fleethook/stop.d")));
        String id = create(tenant(), spec);
        tenant().admin().get("/api/v1/policies/" + id).then().statusCode(200)
                .body("spec.hooks[0].phase", org.hamcrest.Matchers.nullValue())
                .body("spec.hooks[0].source", equalTo("user-callback"))
                .body("spec.hooks[0].path", equalTo("/etc/backintime/user-callback"));
        tenant().admin().get("/api/v1/policies/" + id + "/document?os=linux").then().statusCode(200)
                .body("hooks.phase", equalTo(list("agent-start", "before-backup", "after-backup", "after-failed-attempt",
                        "agent-stop", "after-failed-attempt", "agent-stop")))
                .body("hooks.index", equalTo(list(0, 0, 0, 0, 0, 1, 2)))
                .body("hooks[0].path", equalTo("/etc/backintime/user-callback"));
    }

    private static boolean startsWithQuote(String tag) {
        return tag.startsWith("\"");
    }

    @Test
    void storedScriptsArePinnedBySha256() {
        Map<String, Object> spec = spec(Fixtures.unique("stored"));
        set(spec, "hooks", list(hook("before-backup", "stored", "script", "mysqldump --all-databases > /tmp/db.sql\n")));
        String id = create(tenant(), spec);
        tenant().admin().get("/api/v1/policies/" + id).then()
                .body("spec.hooks[0].sha256", equalTo(dev.fleethook.kernel.Secrets.sha256(
                        "mysqldump --all-databases > /tmp/db.sql\n")))
                .body("spec.hooks[0].mode", equalTo("essential")).body("spec.hooks[0].timeoutSeconds", equalTo(300));
    }

    @Test
    void storedScriptsSentWithWindowsLineEndingsAreStoredAndPinnedWithUnixOnesLikeTheFormDoes() {
        // Case 5 of issue 11: the API kept CR LF (so "#!/bin/sh\r" could not run) while the form converted.
        Map<String, Object> spec = spec(Fixtures.unique("crlf"));
        set(spec, "hooks", list(hook("before-backup", "stored", "script", "#!/bin/sh\r\nmysqldump --all-databases\r\n")));
        String id = create(tenant(), spec);
        tenant().admin().get("/api/v1/policies/" + id).then()
                .body("spec.hooks[0].script", equalTo("#!/bin/sh\nmysqldump --all-databases\n"))
                .body("spec.hooks[0].sha256", equalTo(dev.fleethook.kernel.Secrets.sha256(
                        "#!/bin/sh\nmysqldump --all-databases\n")));
    }
}
