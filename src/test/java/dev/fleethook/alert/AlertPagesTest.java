package dev.fleethook.alert;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.Browser;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class AlertPagesTest {

    @Test
    void alertsAreListedAcknowledgedAndCountedOnTheDashboard() {
        var t = Fixtures.newTenant("Alert Pages");
        var agent = Agents.enrolled(t, "alerting-fs");
        agent.send(Agents.job(UUID.randomUUID().toString(), 2, false)).then().statusCode(200);
        Browser operator = Browser.signIn(Fixtures.newUser(t, "OPERATOR").email(), Fixtures.DEFAULT_PASSWORD);
        operator.get("/").then().body(containsString("1 open alert"));
        operator.get("/alerts").then().statusCode(200).body(containsString("Backup Failed on alerting-fs after 2 attempts"))
                .body(containsString(">Acknowledge<"));
        String id = t.admin().get("/api/v1/alerts").then().extract().path("[0].id");
        operator.postForm("/alerts/" + id + "/acknowledge").then().statusCode(303);
        operator.get("/alerts?state=acknowledged").then().body(containsString("alerting-fs")).body(containsString(
                "data-testid=\"flash\">Acknowledged the alert Backup Failed on alerting-fs after 2 attempts."));
        operator.get("/alerts?state=acknowledged").then().body(not(containsString("data-testid=\"flash\"")));
        operator.get("/").then().body(containsString("No open alerts."));
    }

    @Test
    void settingsPreviewTestEmailAndOutbox() {
        var t = Fixtures.newTenant("Alert Settings");
        Browser admin = Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        admin.postForm("/alerts/settings", "recipients", "ops@settings.test\nnot-an-email", "kinds", "job-failed",
                "offlineThresholdMinutes", "45").then().statusCode(400).body(containsString("must be an email address"));
        admin.postForm("/alerts/settings", "recipients", "ops@settings.test\noncall@settings.test", "kinds", "job-failed",
                "kinds", "agent-offline", "offlineThresholdMinutes", "45").then().statusCode(303)
                .header("Location", org.hamcrest.Matchers.endsWith("/alerts/settings"));
        admin.get("/alerts/settings").then().statusCode(200).body(containsString("Alert settings saved."));
        admin.get("/alerts/settings").then().statusCode(200).body(not(containsString("Alert settings saved.")));
        t.admin().get("/api/v1/alert-settings").then()
                .body("recipients", org.hamcrest.Matchers.equalTo(List.of("ops@settings.test", "oncall@settings.test")))
                .body("kinds", org.hamcrest.Matchers.equalTo(List.of("job-failed", "agent-offline")))
                .body("offlineThresholdMinutes", org.hamcrest.Matchers.equalTo(45));
        admin.get("/alerts/preview").then().statusCode(200).body(containsString("Backup Failed on fs-paris-01"))
                .body(containsString("&amp;lt;disk full&amp;gt;")).body(not(containsString("<disk full>")));
        // Post/redirect/get: the confirmation shows once; reloading the page queues no second email.
        admin.postForm("/alerts/settings/test-email", "recipient", "").then().statusCode(303)
                .header("Location", org.hamcrest.Matchers.endsWith("/alerts/settings"));
        admin.get("/alerts/settings").then().statusCode(200).body(containsString("Test email queued for 2 recipients"));
        admin.get("/alerts/settings").then().statusCode(200).body(not(containsString("Test email queued")));
        t.admin().get("/api/v1/outbox").then().body("size()", org.hamcrest.Matchers.equalTo(2));
        String emailId = t.admin().get("/api/v1/outbox").then().extract().path("[0].id");
        admin.get("/alerts/outbox").then().statusCode(200).body(containsString("Test email: alerts reach you"));
        admin.get("/alerts/outbox/" + emailId).then().statusCode(200).body(containsString("This is a test"));
        // Retrying an email redirects to the outbox, which confirms it once.
        String recipient = t.admin().get("/api/v1/outbox").then().extract().path("[0].recipient");
        admin.postForm("/alerts/outbox/" + emailId + "/retry").then().statusCode(303)
                .header("Location", org.hamcrest.Matchers.endsWith("/alerts/outbox"));
        admin.get("/alerts/outbox").then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesRegex("(?s).*data-testid=\"flash\">The email to " + recipient
                        + " (is queued to be sent again|was already sent: nothing to retry)\\..*"));
        admin.get("/alerts/outbox").then().statusCode(200).body(not(containsString("data-testid=\"flash\"")));
        Browser.signIn(Fixtures.newUser(t, "VIEWER").email(), Fixtures.DEFAULT_PASSWORD).get("/alerts/outbox").then()
                .statusCode(403);
        t.admin().body(Map.of("recipient", "nope")).post("/api/v1/alert-settings/test-email").then().statusCode(400);
    }
}
