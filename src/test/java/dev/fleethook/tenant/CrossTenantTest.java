package dev.fleethook.tenant;

import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.PolicyFixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Tenant isolation: data created in tenant A, then every read and write of it through tenant B (API
 * and pages) must answer 404, as if it did not exist. Each feature adds its endpoints to
 * {@link #probes()}.
 */
@QuarkusTest
class CrossTenantTest {

    /** One request tenant B makes against an object of tenant A. */
    record Probe(String method, String path, Object body) {
    }

    static TenantFixture a;
    static TenantFixture b;
    static Fixtures.UserFixture userOfA;
    static String policyOfA;
    static dev.fleethook.support.Agents.Agent agentOfA;
    static String jobOfA;
    static String tokenOfA;
    static String alertOfA;
    static String emailOfA;

    @BeforeEach
    void twoTenants() {
        if (a != null) {
            return;
        }
        a = Fixtures.newTenant("Alpha");
        b = Fixtures.newTenant("Bravo");
        userOfA = Fixtures.newUser(a, "VIEWER");
        agentOfA = dev.fleethook.support.Agents.enrolled(a, "alpha-fs");
        jobOfA = java.util.UUID.randomUUID().toString();
        agentOfA.send(dev.fleethook.support.Agents.job(jobOfA, 1, true)).then().statusCode(200);
        a.admin().body(Map.of("recipients", java.util.List.of("alpha-ops@alpha.test"))).put("/api/v1/alert-settings")
                .then().statusCode(200);
        agentOfA.send(dev.fleethook.support.Agents.job(java.util.UUID.randomUUID().toString(), 1, false)).then()
                .statusCode(200);
        dev.fleethook.support.Agents.token(a, Map.of("label", "alpha token"));
        tokenOfA = a.admin().get("/api/v1/enrollment-tokens").then().extract().path("find { it.label == 'alpha token' }.id");
        policyOfA = a.admin().body(PolicyFixtures.save(PolicyFixtures.spec("Alpha nightly"), null))
                .post("/api/v1/policies").then().statusCode(201).extract().path("id");
        // The failed job opened an alert and queued its email in the same transaction: both exist now,
        // so their probes always run.
        alertOfA = a.admin().get("/api/v1/alerts?state=").then().statusCode(200).extract().path("[0].id");
        emailOfA = a.admin().get("/api/v1/outbox").then().statusCode(200).extract().path("[0].id");
        assertNotNull(alertOfA, "tenant A has an alert to probe");
        assertNotNull(emailOfA, "tenant A has an email to probe");
        assertNotNull(tokenOfA, "tenant A has an enrollment token to probe");
    }

    static List<Probe> probes() {
        List<Probe> probes = new ArrayList<>();
        // identity: users
        probes.add(new Probe("GET", "/api/v1/users/" + userOfA.id(), null));
        probes.add(new Probe("PATCH", "/api/v1/users/" + userOfA.id(), Map.of("role", "ADMIN")));
        probes.add(new Probe("DELETE", "/api/v1/users/" + userOfA.id(), null));
        probes.add(new Probe("POST", "/api/v1/users/" + userOfA.id() + "/password-reset", null));
        probes.add(new Probe("GET", "/api/v1/users/" + userOfA.id() + "/password-reset", null));
        probes.add(new Probe("GET", "/api/v1/users/" + userOfA.id() + "/sessions", null));
        probes.add(new Probe("DELETE", "/api/v1/users/" + userOfA.id() + "/sessions", null));
        // identity: API tokens belong to their owner only
        String apiTokenOfA = Fixtures.bearer(a.adminToken()).get("/api/v1/me/tokens").then().statusCode(200).extract()
                .path("[0].id");
        assertNotNull(apiTokenOfA, "tenant A's admin has an API token to probe");
        probes.add(new Probe("DELETE", "/api/v1/me/tokens/" + apiTokenOfA, null));
        // policy: every read and write of a policy and its revisions
        String p = "/api/v1/policies/" + policyOfA;
        probes.add(new Probe("GET", p, null));
        probes.add(new Probe("PUT", p, PolicyFixtures.save(PolicyFixtures.spec("Stolen"), 1)));
        probes.add(new Probe("DELETE", p, null));
        probes.add(new Probe("GET", p + "/revisions", null));
        probes.add(new Probe("GET", p + "/revisions/1", null));
        probes.add(new Probe("GET", p + "/diff?from=1&to=1", null));
        probes.add(new Probe("POST", p + "/rollback", Map.of("revision", 1, "baseRevision", 1)));
        probes.add(new Probe("POST", p + "/default", null));
        probes.add(new Probe("GET", p + "/document?os=linux", null));
        // fleet: servers, their commands, enrollment tokens; jobs
        String srv = "/api/v1/servers/" + agentOfA.serverId();
        probes.add(new Probe("GET", srv, null));
        probes.add(new Probe("PATCH", srv, Map.of("labels", java.util.List.of("stolen"))));
        probes.add(new Probe("PUT", srv + "/policy", Map.of("policyId", policyOfA)));
        probes.add(new Probe("POST", srv + "/disable", null));
        probes.add(new Probe("POST", srv + "/revoke", null));
        probes.add(new Probe("POST", srv + "/backup-now", null));
        probes.add(new Probe("DELETE", srv, null));
        probes.add(new Probe("DELETE", "/api/v1/enrollment-tokens/" + tokenOfA, null));
        probes.add(new Probe("GET", "/api/v1/jobs/" + jobOfA, null));
        probes.add(new Probe("POST", "/api/v1/jobs/" + jobOfA + "/cancel", null));
        // alerts and the outbox
        probes.add(new Probe("POST", "/api/v1/alerts/" + alertOfA + "/acknowledge", null));
        probes.add(new Probe("POST", "/api/v1/outbox/" + emailOfA + "/retry", null));
        return probes;
    }

    @Test
    void everyReadAndWriteOfAnotherTenantsDataIsNotFound() {
        List<String> leaks = new ArrayList<>();
        for (Probe p : probes()) {
            var spec = b.admin();
            if (p.body() != null) {
                spec = spec.body(p.body());
            }
            Response r = spec.request(p.method(), p.path());
            if (r.statusCode() != 404) {
                leaks.add(p.method() + " " + p.path() + " -> " + r.statusCode());
            }
        }
        assertEquals(List.of(), leaks, "tenant B reached tenant A's data");
        // ... and nothing changed in tenant A.
        a.admin().get("/api/v1/users/" + userOfA.id()).then().statusCode(200)
                .body("role", org.hamcrest.Matchers.equalTo("VIEWER"));
        userOfA.api().get("/api/v1/me").then().statusCode(200);
        a.admin().get("/api/v1/users/" + userOfA.id() + "/password-reset").then().statusCode(404);
        agentOfA.poll(null).then().statusCode(200).body("commands", org.hamcrest.Matchers.empty());
        a.admin().get("/api/v1/alerts").then().body("[0].state", org.hamcrest.Matchers.equalTo("open"));
        a.admin().get("/api/v1/servers/" + agentOfA.serverId()).then().body("status", org.hamcrest.Matchers.equalTo("enabled"))
                .body("labels", org.hamcrest.Matchers.empty());
        a.admin().get("/api/v1/policies/" + policyOfA).then().statusCode(200)
                .body("name", org.hamcrest.Matchers.equalTo("Alpha nightly"))
                .body("currentRevision", org.hamcrest.Matchers.equalTo(1));
        a.admin().get("/api/v1/me").then().statusCode(200);
    }

    @Test
    void listsNeverShowAnotherTenantsRows() {
        b.admin().get("/api/v1/policies").then().body("id", not(hasItem(policyOfA)));
        b.admin().get("/api/v1/servers").then().body("items.id", not(hasItem(agentOfA.serverId())));
        b.admin().get("/api/v1/jobs").then().body("items.id", not(hasItem(jobOfA)));
        b.admin().get("/api/v1/enrollment-tokens").then().body("id", not(hasItem(tokenOfA)));
        b.admin().get("/api/v1/alerts?state=").then().body("size()", org.hamcrest.Matchers.equalTo(0));
        b.admin().get("/api/v1/outbox").then().body("recipient", not(hasItem("alpha-ops@alpha.test")));
        b.admin().get("/api/v1/alert-settings").then().body("recipients", not(hasItem("alpha-ops@alpha.test")));
        b.admin().queryParam("server", agentOfA.serverId()).get("/api/v1/jobs").then().body("total",
                org.hamcrest.Matchers.equalTo(0));
        b.admin().get("/api/v1/audit").then().body("targetId", not(hasItem(policyOfA)));
        b.admin().get("/api/v1/users").then().statusCode(200)
                .body("email", not(hasItem(userOfA.email()))).body("email", not(hasItem(a.adminEmail())));
        b.admin().queryParam("q", userOfA.email()).get("/api/v1/users").then().body("size()",
                org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void pageActionsOnAnotherTenantsUserAreNotFound() {
        var browser = Fixtures.Browser.signIn(b.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        browser.postForm("/users/" + userOfA.id(), "role", "ADMIN").then().statusCode(404);
        browser.postForm("/users/" + userOfA.id() + "/delete").then().statusCode(404);
        browser.get("/users/" + userOfA.id() + "/account").then().statusCode(404);
        browser.postForm("/users/" + userOfA.id() + "/account/reset-link").then().statusCode(404);
        browser.postForm("/users/" + userOfA.id() + "/account/sessions/revoke-all").then().statusCode(404);
        browser.get("/users").then().body(not(org.hamcrest.Matchers.containsString(userOfA.email())));
        browser.get("/servers/" + agentOfA.serverId()).then().statusCode(404);
        browser.get("/jobs/" + jobOfA).then().statusCode(404);
        browser.postForm("/servers/" + agentOfA.serverId() + "/backup-now").then().statusCode(404);
        browser.postForm("/servers/" + agentOfA.serverId() + "/delete").then().statusCode(404);
        browser.postForm("/enrollment/" + tokenOfA + "/revoke").then().statusCode(404);
        a.admin().get("/api/v1/users/" + userOfA.id()).then().statusCode(200);
    }
}
