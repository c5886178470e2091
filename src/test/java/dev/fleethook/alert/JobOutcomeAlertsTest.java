package dev.fleethook.alert;

import static dev.fleethook.support.Agents.event;
import static dev.fleethook.support.Agents.result;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.alert.service.OutboxService;
import dev.fleethook.alert.service.RepeatNotifier;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.SmtpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue 12, parts 1 and 2, through the agent protocol and a real SMTP server (GreenMail), counting the
 * emails each recipient receives: a failed script behind a successful backup is a warning with its
 * alert and email; one email per job; an open alert per server and kind counts repeats, summarized at
 * most once per repeat interval; recovery is announced; a fresh tenant's alerts reach its admins.
 */
@QuarkusTest
@WithTestResource(SmtpServer.class)
class JobOutcomeAlertsTest {

    @Inject
    RepeatNotifier repeats;

    @Inject
    DataSource dataSource;

    static TenantFixture tenantWith(String name, String... recipients) {
        return AlertEmailTest.tenantWith(name, recipients);
    }

    /** A one-attempt job: pre, backup and post statuses as given (null: not reported), hooks as (phase, status). */
    static List<Map<String, Object>> job(String jobId, Integer pre, int backup, Integer post, String trigger,
            Object... hooks) {
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(event("job-started", jobId, null, "trigger", trigger, "maxAttempts", 1));
        events.add(event("attempt-started", jobId, 1));
        if (pre != null) {
            events.add(event("script-finished", jobId, 1, "step", "pre", "result",
                    result(pre, pre == 3 ? null : pre, pre == 3 ? "still dumping after 5 s" : "pre output")));
        }
        for (int i = 0; i < hooks.length; i += 2) {
            events.add(event("hook-finished", jobId, 1, "phase", hooks[i], "hookIndex", i / 2, "result",
                    result((Integer) hooks[i + 1], 1, "hook output")));
        }
        if (!"agent-start".equals(trigger)) {
            events.add(event("backup-finished", jobId, 1, "result", result(backup, backup == 0 ? 0 : 2,
                    backup == 0 ? "archive written" : "disk full")));
        }
        if (post != null) {
            events.add(event("script-finished", jobId, 1, "step", "post", "result", result(post, 3, "post exit 3")));
        }
        events.add(event("attempt-finished", jobId, 1, "finalAttempt", true));
        boolean ok = backup == 0 || "agent-start".equals(trigger);
        boolean hookFailed = false;
        for (int i = 1; i < hooks.length; i += 2) {
            hookFailed |= (Integer) hooks[i] == 1;
        }
        String status = "agent-start".equals(trigger) ? (hookFailed ? "failed" : "succeeded") : ok ? "succeeded" : "failed";
        events.add("agent-start".equals(trigger) ? event("job-finished", jobId, 1, "jobStatus", status)
                : event("job-finished", jobId, 1, "jobStatus", status, "backupStatus", backup));
        return events;
    }

    @Inject
    OutboxService outbox;

    @Inject
    io.quarkus.scheduler.Scheduler scheduler;

    /**
     * The sender's timer is paused during each test, which sends what is due itself ({@link #mailed}) instead
     * of waiting for a turn; only the mail-outage test runs it, since the timer's retry ends it.
     */
    @BeforeEach
    void pauseTheSender() {
        scheduler.pause(AlertEmailTest.SENDER);
    }

    @AfterEach
    void resumeTheSender() {
        scheduler.resume(AlertEmailTest.SENDER);
    }

    /**
     * Sends every email due now, as turns of the sender do ({@link AlertEmailTest#sendAllDue}); then {@code recipient}
     * has exactly {@code count}.
     */
    void mailed(String recipient, long count) {
        AlertEmailTest.sendAllDue(outbox, dataSource);
        assertEquals(count, SmtpServer.countFor(recipient), "emails received by " + recipient);
    }

    @Test
    void aPostScriptExiting3AfterASuccessfulBackupIsAWarningWithItsAlertAndOneEmail() throws Exception {
        String ops = Fixtures.unique("warn") + "@alerts.test";
        String boss = Fixtures.unique("warnboss") + "@alerts.test";
        TenantFixture t = tenantWith("Warning", ops, boss);
        Agent agent = Agents.enrolled(t, "warn-fs");
        String jobId = UUID.randomUUID().toString();
        agent.send(job(jobId, 0, 0, 1, "scheduled")).then().statusCode(200);
        t.admin().get("/api/v1/jobs/" + jobId).then().body("job.status", equalTo("warning"))
                .body("job.backupStatusName", equalTo("Successful"));
        t.admin().queryParam("status", "warning").get("/api/v1/jobs").then().body("total", equalTo(1))
                .body("items[0].id", equalTo(jobId));
        t.admin().get("/api/v1/alerts").then().body("size()", equalTo(1)).body("[0].kind", equalTo("post-script-failed"))
                .body("[0].state", equalTo("open"));
        mailed(ops, 1);
        mailed(boss, 1);
        assertTrue(AlertEmailTest.message(ops).getSubject().contains("Post-script Failed on warn-fs"));
        String dashboard = Fixtures.Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD).get("/").then()
                .statusCode(200).extract().asString();
        assertTrue(dashboard.contains("data-testid=\"jobs-warning\">1<"), "the dashboard counts the warning job");
        assertTrue(dashboard.matches("(?s).*href=\"/jobs\\?status=warning\"[^>]*><span class=\"badge text-bg-warning\".*"),
                "amber on the dashboard");
        String list = Fixtures.Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD).get("/jobs?status=warning")
                .then().statusCode(200).extract().asString();
        assertTrue(list.matches("(?s).*<span class=\"badge text-bg-warning\"[^>]*>warning</span>.*"), "amber in the job list");
    }

    @Test
    void aTimedOutPreScriptWithSkipBackupOffIsAWarningWithAPreScriptAlert() {
        String ops = Fixtures.unique("slow") + "@alerts.test";
        TenantFixture t = tenantWith("Slow", ops);
        Agent agent = Agents.enrolled(t, "slow-fs");
        String jobId = UUID.randomUUID().toString();
        agent.send(job(jobId, 3, 0, 0, "scheduled")).then().statusCode(200);
        t.admin().get("/api/v1/jobs/" + jobId).then().body("job.status", equalTo("warning"));
        t.admin().get("/api/v1/alerts").then().body("[0].kind", equalTo("pre-script-failed"))
                .body("[0].title", equalTo("Pre-script TimedOut on slow-fs"));
        mailed(ops, 1);
    }

    @Test
    void aFailedHookOrAFailingAgentStartHookIsAHookAlertNamingTheHook() throws Exception {
        String ops = Fixtures.unique("hooks") + "@alerts.test";
        TenantFixture t = tenantWith("Hooks", ops);
        Agent agent = Agents.enrolled(t, "hook-fs");
        String startJob = UUID.randomUUID().toString();
        agent.send(job(startJob, null, 0, null, "agent-start", "agent-start", 1)).then().statusCode(200);
        t.admin().get("/api/v1/alerts").then().body("size()", equalTo(1)).body("[0].kind", equalTo("hook-failed"))
                .body("[0].title", equalTo("Agent-start hook Failed on hook-fs"));
        mailed(ops, 1);
        String subject = AlertEmailTest.message(ops).getSubject();
        assertTrue(subject.contains("Agent-start hook Failed on hook-fs") && !subject.contains("Backup"), subject);

        String optional = UUID.randomUUID().toString();
        agent.send(job(optional, 0, 0, 0, "scheduled", "after-backup", 1)).then().statusCode(200);
        t.admin().get("/api/v1/jobs/" + optional).then().body("job.status", equalTo("warning"));
        t.admin().queryParam("kind", "hook-failed").get("/api/v1/alerts").then().body("size()", equalTo(1))
                .body("[0].occurrences", equalTo(2)).body("[0].title", equalTo("After-backup hook Failed on hook-fs"));
        mailed(ops, 1);
    }

    @Test
    void aServerFailingEveryFiveMinutesGivesOneAlertOneEmailThenOneSummaryPerRepeatInterval() throws Exception {
        String ops = Fixtures.unique("flood") + "@alerts.test";
        String boss = Fixtures.unique("floodboss") + "@alerts.test";
        TenantFixture t = tenantWith("Flood", ops, boss);
        Agent agent = Agents.enrolled(t, "flood-fs");
        for (int i = 0; i < 11; i++) {
            // Each failed job: backup failed and pre-script failed, one email for both.
            agent.send(job(UUID.randomUUID().toString(), 1, 1, 0, "scheduled")).then().statusCode(200);
        }
        mailed(ops, 1);
        mailed(boss, 1);
        assertTrue(AlertEmailTest.message(ops).getSubject().contains("Backup Failed on flood-fs after 1 attempt (+1 more)"),
                AlertEmailTest.message(ops).getSubject());
        t.admin().queryParam("state", "open").get("/api/v1/alerts").then().body("size()", equalTo(2))
                .body("occurrences", org.hamcrest.Matchers.everyItem(equalTo(11)));

        assertEquals(0, repeats.check(), "nothing before the repeat interval (24 h by default)");
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE alert SET last_notified_at = now() - interval '25 hours' WHERE server_id = '"
                    + agent.serverId() + "'");
        }
        assertEquals(2, repeats.check(), "one summary per open alert");
        assertEquals(0, repeats.check(), "and only once");
        mailed(ops, 3);
        String summary = AlertEmailTest.message(ops, 1).getSubject() + " | " + AlertEmailTest.message(ops, 2).getSubject();
        assertTrue(summary.contains("Still failing: Backup Failed on flood-fs after 1 attempt (11 times since"), summary);

        // Acknowledged alerts still count repeats but send no reminders; a success resolves and announces.
        t.admin().get("/api/v1/alerts?state=open").then().extract().jsonPath().getList("id", String.class)
                .forEach(id -> t.admin().post("/api/v1/alerts/" + id + "/acknowledge").then().statusCode(200));
        agent.send(job(UUID.randomUUID().toString(), 1, 1, 0, "scheduled")).then().statusCode(200);
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE alert SET last_notified_at = now() - interval '25 hours' WHERE server_id = '"
                    + agent.serverId() + "'");
        }
        repeats.check();
        mailed(ops, 3);
        agent.send(job(UUID.randomUUID().toString(), 0, 0, 0, "scheduled")).then().statusCode(200);
        mailed(ops, 4);
        assertTrue(AlertEmailTest.message(ops, 3).getSubject().contains("Resolved on flood-fs"));
        t.admin().queryParam("server", agent.serverId()).queryParam("state", "resolved").get("/api/v1/alerts").then()
                .body("size()", equalTo(2)).body("occurrences", hasItem(12));
    }

    /**
     * A batch that ends several jobs of one server judges them in the batch's order, whatever order the database
     * finds them in: a failure then a success leaves the alert resolved, a success then a failure leaves it open.
     * The job ids are chosen so that one of the two batches runs against their key order.
     */
    @Test
    void jobsEndedInOneBatchAreJudgedInTheBatchsOrder() {
        TenantFixture t = tenantWith("Order", Fixtures.unique("order") + "@alerts.test");
        // The failure (high key) then the success (low key): resolved by the later success.
        endTwoJobsInOneBatch(t, Agents.enrolled(t, "order-fs"), 1, 0, "resolved");
        // The success (high key) then the failure (low key): the failure is the last word.
        endTwoJobsInOneBatch(t, Agents.enrolled(t, "order-db"), 0, 1, "open");
    }

    /**
     * Sends one batch ending a job with a high key and backup status {@code firstBackup}, then one with a low key and
     * {@code secondBackup}, and checks the server's one alert is {@code job-failed} in {@code state}.
     */
    private void endTwoJobsInOneBatch(TenantFixture t, Agent agent, int firstBackup, int secondBackup, String state) {
        String high = "f" + UUID.randomUUID().toString().substring(1);
        String low = "0" + UUID.randomUUID().toString().substring(1);
        List<Map<String, Object>> batch = new ArrayList<>(job(high, 0, firstBackup, 0, "scheduled"));
        batch.addAll(job(low, 0, secondBackup, 0, "scheduled"));
        agent.send(batch).then().statusCode(200).body("accepted", equalTo(batch.size()));
        t.admin().queryParam("server", agent.serverId()).get("/api/v1/alerts").then().body("size()", equalTo(1))
                .body("[0].kind", equalTo("job-failed")).body("[0].state", equalTo(state));
    }

    @Test
    void recoveryEmailsAreATenantSettingAndAWarningJobKeepsItsKindOpen() {
        String ops = Fixtures.unique("quiet") + "@alerts.test";
        TenantFixture t = tenantWith("Quiet", ops);
        t.admin().body(Map.of("recoveryEmails", false, "repeatIntervalMinutes", 60)).put("/api/v1/alert-settings").then()
                .statusCode(200).body("recoveryEmails", equalTo(false)).body("repeatIntervalMinutes", equalTo(60));
        t.admin().body(Map.of("repeatIntervalMinutes", 1)).put("/api/v1/alert-settings").then().statusCode(400)
                .body("errors[0].field", equalTo("repeatIntervalMinutes"));
        Agent agent = Agents.enrolled(t, "quiet-fs");
        agent.send(job(UUID.randomUUID().toString(), 0, 0, 1, "scheduled")).then().statusCode(200);
        agent.send(job(UUID.randomUUID().toString(), 0, 0, 1, "scheduled")).then().statusCode(200);
        t.admin().get("/api/v1/alerts").then().body("size()", equalTo(1)).body("[0].state", equalTo("open"))
                .body("[0].occurrences", equalTo(2));
        agent.send(job(UUID.randomUUID().toString(), 0, 0, 0, "scheduled")).then().statusCode(200);
        t.admin().get("/api/v1/alerts").then().body("[0].state", equalTo("resolved"));
        mailed(ops, 1);
    }

    @Test
    void aFreshTenantsAlertsGoToItsAdminsAndThePageSaysWhenNobodyWouldBeEmailed() {
        TenantFixture t = Fixtures.newTenant("Fresh");
        t.admin().get("/api/v1/alert-settings").then().body("recipients", equalTo(List.of(t.adminEmail())))
                .body("recipientsAreDefault", equalTo(true));
        Agent agent = Agents.enrolled(t, "fresh-fs");
        agent.send(job(UUID.randomUUID().toString(), 0, 1, 0, "scheduled")).then().statusCode(200);
        mailed(t.adminEmail(), 1);
        var browser = Fixtures.Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        assertFalse(browser.get("/alerts").then().extract().asString().contains("Nobody would be emailed"));
        t.admin().body(Map.of("recipients", List.of())).put("/api/v1/alert-settings").then().statusCode(200)
                .body("recipientsAreDefault", equalTo(false));
        assertTrue(browser.get("/alerts").then().extract().asString().contains("Nobody would be emailed"));
    }

    @Test
    void alertsAndOutboxArePagedFilteredAndBulkAcknowledged() {
        String ops = Fixtures.unique("pages") + "@alerts.test";
        TenantFixture t = tenantWith("Paging", ops);
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Agent a = Agents.enrolled(t, "page-fs-" + i);
            agents.add(a);
            a.send(job(UUID.randomUUID().toString(), 1, 1, 1, "scheduled")).then().statusCode(200);
        }
        t.admin().queryParam("state", "all").queryParam("size", 4).get("/api/v1/alerts").then().statusCode(200)
                .header("X-Total-Count", "9").body("size()", equalTo(4));
        t.admin().queryParam("state", "all").queryParam("size", 4).queryParam("page", 2).get("/api/v1/alerts").then()
                .body("size()", equalTo(1));
        t.admin().queryParam("kind", "pre-script-failed").get("/api/v1/alerts").then().header("X-Total-Count", "3");
        t.admin().queryParam("server", agents.get(0).serverId()).get("/api/v1/alerts").then().header("X-Total-Count", "3");
        t.admin().queryParam("from", "2999-01-01").get("/api/v1/alerts").then().header("X-Total-Count", "0");
        t.admin().queryParam("state", "sideways").get("/api/v1/alerts").then().statusCode(400)
                .body("errors[0].field", equalTo("state"));
        t.admin().queryParam("server", "nope").get("/api/v1/alerts").then().statusCode(400)
                .body("errors[0].field", equalTo("server"));

        List<String> preIds = t.admin().queryParam("kind", "pre-script-failed").get("/api/v1/alerts").then().extract()
                .jsonPath().getList("id", String.class);
        var viewer = Fixtures.newUser(t, "VIEWER");
        viewer.api().body(Map.of("ids", preIds)).post("/api/v1/alerts/acknowledge").then().statusCode(403);
        TenantFixture other = Fixtures.newTenant("Paging other");
        other.admin().body(Map.of("ids", preIds)).post("/api/v1/alerts/acknowledge").then().statusCode(200)
                .body("acknowledged", equalTo(0));
        t.admin().body(Map.of("ids", preIds)).post("/api/v1/alerts/acknowledge").then().statusCode(200)
                .body("acknowledged", equalTo(3));
        t.admin().queryParam("state", "acknowledged").get("/api/v1/alerts").then().header("X-Total-Count", "3");
        t.admin().body(Map.of()).post("/api/v1/alerts/acknowledge").then().statusCode(400)
                .body("errors[0].field", equalTo("ids"));

        mailed(ops, 3);
        t.admin().queryParam("size", 2).get("/api/v1/outbox").then().header("X-Total-Count", "3").body("size()", equalTo(2));
        t.admin().queryParam("status", "failed").get("/api/v1/outbox").then().header("X-Total-Count", "0");
        t.admin().queryParam("recipient", ops.substring(0, 8)).get("/api/v1/outbox").then().header("X-Total-Count", "3");

        var browser = Fixtures.Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD);
        String page = browser.get("/alerts?state=all&size=4&page=1").then().statusCode(200).extract().asString();
        assertEquals(4, page.split("data-testid=\"alert-row\"", -1).length - 1, "four rows on the second page");
        assertTrue(page.contains("9 alerts"), "the page says how many match");
        String open = browser.get("/alerts?state=open").then().statusCode(200).extract().asString();
        String id = open.replaceAll("(?s).*name=\"ids\" value=\"([0-9a-f-]{36})\".*", "$1");
        browser.postForm("/alerts/acknowledge", "ids", id, "back.state", "open").then().statusCode(303)
                .header("Location", org.hamcrest.Matchers.endsWith("/alerts?state=open"));
        assertTrue(browser.get("/alerts?state=open").then().statusCode(200).extract().asString()
                .contains("data-testid=\"flash\">Acknowledged 1 alert."), "the list confirms the acknowledgement");
        assertFalse(browser.get("/alerts?state=open").then().statusCode(200).extract().asString()
                .contains("data-testid=\"flash\""), "a reload shows no confirmation");
        t.admin().queryParam("state", "acknowledged").get("/api/v1/alerts").then().header("X-Total-Count", "4");
        assertTrue(browser.get("/alerts/outbox?status=sent").then().statusCode(200).extract().asString()
                .contains("3 emails"));
    }

    @Test
    void theOutboxShowsAShortHumanReasonWhenTheMailServerIsDown() {
        String ops = Fixtures.unique("down") + "@alerts.test";
        TenantFixture t = tenantWith("Down", ops);
        Agent agent = Agents.enrolled(t, "down-fs");
        scheduler.resume(AlertEmailTest.SENDER);
        SmtpServer.down();
        try {
            agent.send(job(UUID.randomUUID().toString(), 0, 1, 0, "scheduled")).then().statusCode(200);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> t.admin().get("/api/v1/outbox").then()
                    .extract().path("[0].lastError") != null);
            String error = t.admin().get("/api/v1/outbox").then().extract().path("[0].lastError");
            assertEquals("The mail server could not be reached (connection refused). The portal retries.", error);
            String page = Fixtures.Browser.signIn(t.adminEmail(), Fixtures.DEFAULT_PASSWORD).get("/alerts/outbox")
                    .then().extract().asString();
            assertFalse(page.contains("127.0.0.1") || page.contains("Exception"), "no internals on the page");
        } finally {
            SmtpServer.up();
        }
        // The timer's retry after its back-off (1 s in tests) delivers it.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> SmtpServer.countFor(ops) == 1);
    }
}
