package dev.fleethook.alert;

import static dev.fleethook.support.Agents.event;
import static dev.fleethook.support.Agents.result;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.fleethook.alert.service.OfflineDetector;
import dev.fleethook.alert.service.OutboxService;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Agents.Agent;
import dev.fleethook.support.Fixtures;
import dev.fleethook.support.Fixtures.TenantFixture;
import dev.fleethook.support.SmtpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

/** Alerts and their emails, delivered to a real SMTP server (GreenMail on loopback). */
@QuarkusTest
@WithTestResource(SmtpServer.class)
@Timeout(120)
class AlertEmailTest {

    @Inject
    OutboxService outbox;

    @Inject
    OfflineDetector offline;

    @Inject
    DataSource dataSource;

    @Inject
    io.quarkus.scheduler.Scheduler scheduler;

    /**
     * The sender's timer (identity {@code outbox-sender}) is paused during each test: the test sends what is
     * due itself with {@link #sendNow}, the way one turn of the timer does, instead of waiting for a turn.
     * Only {@link #nothingIsLostWhileTheMailServerIsDown} runs it, since the timer's retry is its subject.
     */
    @BeforeEach
    void pauseTheSender() {
        scheduler.pause(SENDER);
    }

    @AfterEach
    void resumeTheSender() {
        scheduler.resume(SENDER);
    }

    static final String SENDER = "outbox-sender";

    /** Sends every email due now, as turns of the sender do ({@link #sendAllDue}); returns how many were delivered. */
    int sendNow() {
        return sendAllDue(outbox, dataSource);
    }

    /**
     * What the paused timer would do: sends what is due in batches of 20 until no email is waiting, and returns
     * how many were delivered. An attempt that delivered nothing is sent again once its back-off (1 s in tests)
     * has passed, as the timer would send it: the mail client now and then misses the greeting of a new SMTP
     * connection, and such an attempt ends after {@code %test.quarkus.mailer.timeout} (application.properties).
     */
    static int sendAllDue(OutboxService outbox, DataSource dataSource) {
        int[] sent = {0};
        Awaitility.await("every due email sent").atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    int batch;
                    do {
                        batch = outbox.sendDue(20);
                        sent[0] += batch;
                    } while (batch == 20);
                    return waiting(dataSource) == 0;
                });
        return sent[0];
    }

    /** Emails of every tenant still to be sent (pending, or claimed by a sender). */
    static long waiting(DataSource dataSource) throws java.sql.SQLException {
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement();
                var r = s.executeQuery("SELECT count(*) FROM email_outbox WHERE status IN ('PENDING', 'SENDING')")) {
            r.next();
            return r.getLong(1);
        }
    }

    static TenantFixture tenantWith(String name, String... recipients) {
        TenantFixture t = Fixtures.newTenant(name);
        t.admin().body(Map.of("recipients", List.of(recipients))).put("/api/v1/alert-settings").then().statusCode(200);
        return t;
    }

    /** Waits up to 20 s for {@code condition}, failing with {@code what} (Awaitility polls every 100 ms). */
    static void await(BooleanSupplier condition, String what) {
        Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(condition::getAsBoolean);
    }


    @Test
    void threeFailedAttemptsSendOneEmailPerRecipientAfterTheLastOnly() throws Exception {
        String ops = Fixtures.unique("ops") + "@alerts.test";
        String boss = Fixtures.unique("boss") + "@alerts.test";
        TenantFixture t = tenantWith("Alerting", ops, boss);
        Agent agent = Agents.enrolled(t, "failing-fs");
        String jobId = UUID.randomUUID().toString();
        List<Map<String, Object>> events = Agents.job(jobId, 3, false);
        int lastAttemptStart = events.size() - 7;
        agent.send(events.subList(0, lastAttemptStart)).then().statusCode(200);
        // Emails are queued in the transaction that records the events: none is queued, none can be sent.
        t.admin().get("/api/v1/outbox").then().body("size()", equalTo(0));
        assertEquals(0, SmtpServer.countFor(ops), "no email during earlier attempts");
        t.admin().get("/api/v1/alerts").then().body("size()", equalTo(0));

        agent.send(events.subList(lastAttemptStart, events.size())).then().statusCode(200);
        assertEquals(2, sendNow(), "one email per recipient");
        t.admin().get("/api/v1/outbox").then().body("status", equalTo(List.of("sent", "sent")));
        agent.send(events).then().statusCode(200).body("accepted", equalTo(0));
        assertEquals(0, sendNow(), "a replayed batch queues nothing");
        t.admin().get("/api/v1/outbox").then().body("size()", equalTo(2)).body("status", everyItem(equalTo("sent")));
        assertEquals(1, SmtpServer.countFor(ops), "a replayed batch sends nothing more");
        assertEquals(1, SmtpServer.countFor(boss));
        t.admin().get("/api/v1/alerts").then().body("size()", equalTo(1)).body("[0].kind", equalTo("job-failed"))
                .body("[0].state", equalTo("open")).body("[0].jobId", equalTo(jobId));

        MimeMessage mail = message(ops);
        assertTrue(mail.getSubject().contains("Backup Failed on failing-fs after 3 attempts"), mail.getSubject());
        String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(mail);
        assertTrue(body.contains("/jobs/" + jobId), "links to the job");
        assertTrue(body.contains("disk full"), "carries the output");
    }

    @Test
    void aJobWhoseRetrySucceedsSendsOnlyARecoveryAndResolvesOldAlerts() throws Exception {
        String ops = Fixtures.unique("calm") + "@alerts.test";
        TenantFixture t = tenantWith("Calm", ops);
        Agent agent = Agents.enrolled(t, "flaky-fs");
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
        sendNow();
        assertEquals(1, SmtpServer.countFor(ops), "the first failure's email");
        agent.send(Agents.job(UUID.randomUUID().toString(), 2, true)).then().statusCode(200);
        sendNow();
        assertEquals(2, SmtpServer.countFor(ops), "the retried success sends only the recovery email");
        assertTrue(message(ops, 1).getSubject().contains("Resolved on flaky-fs: job-failed"),
                message(ops, 1).getSubject());
        t.admin().get("/api/v1/alerts").then().body("[0].state", equalTo("resolved"));
    }

    @Test
    void scriptFailuresOfTheLastAttemptAreAlertedToo() throws Exception {
        String ops = Fixtures.unique("scripts") + "@alerts.test";
        TenantFixture t = tenantWith("Scripts", ops);
        Agent agent = Agents.enrolled(t, "script-fs");
        String jobId = UUID.randomUUID().toString();
        agent.send(List.of(event("job-started", jobId, null, "maxAttempts", 1),
                event("script-finished", jobId, 1, "step", "pre", "result",
                        result(1, 2, "<script>alert('x')</script> & more")),
                event("backup-finished", jobId, 1, "result", result(0, 0, "ok")),
                event("script-finished", jobId, 1, "step", "post", "result", result(3, null, "too slow")),
                event("attempt-finished", jobId, 1, "finalAttempt", true),
                event("job-finished", jobId, 1, "jobStatus", "partial", "backupStatus", 0))).then().statusCode(200);
        sendNow();
        assertEquals(1, SmtpServer.countFor(ops), "one email for the job, not one per failure");
        t.admin().get("/api/v1/alerts").then().body("kind", hasItem("pre-script-failed"))
                .body("kind", hasItem("post-script-failed")).body("size()", equalTo(2));
        assertTrue(message(ops).getSubject().contains("Pre-script Failed on script-fs (+1 more)"),
                message(ops).getSubject());
        String html = null;
        String text = null;
        for (MimeMessage m : SmtpServer.mail().getReceivedMessagesForDomain("alerts.test")) {
            if (m.getSubject().contains("Pre-script Failed on script-fs")) {
                html = part(m, "text/html");
                text = part(m, "text/plain");
            }
        }
        assertTrue(html != null, "the pre-script email arrived with an HTML part");
        assertTrue(html.contains("&lt;script&gt;alert("), "HTML output is escaped");
        assertTrue(!html.contains("<script>alert("), "no raw script tag in the HTML part");
        assertTrue(text.contains("<script>alert('x')</script> & more"), "the plain-text part keeps the output as is");
    }

    @Test
    void nothingIsLostWhileTheMailServerIsDown() throws Exception {
        String ops = Fixtures.unique("outage") + "@alerts.test";
        TenantFixture t = tenantWith("Outage", ops);
        Agent agent = Agents.enrolled(t, "outage-fs");
        scheduler.resume(SENDER);
        SmtpServer.down();
        try {
            agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
            await(() -> {
                Integer attempts = t.admin().get("/api/v1/outbox").then().extract().path("[0].attempts");
                return attempts != null && attempts >= 1;
            }, "a failed delivery attempt");
            t.admin().get("/api/v1/outbox").then().body("[0].status", equalTo("pending"))
                    .body("[0].lastError", org.hamcrest.Matchers.notNullValue());
        } finally {
            SmtpServer.up();
        }
        // The sender's own retry after its back-off (1 s in tests) is what this test is about.
        await(() -> SmtpServer.countFor(ops) == 1, "delivery once the server is back");
        await(() -> "sent".equals(t.admin().get("/api/v1/outbox").then().extract().path("[0].status")), "marked sent");
    }

    @Test
    void twoSendersAtOnceNeverSendAnEmailTwice() throws Exception {
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            recipients.add(Fixtures.unique("many" + i) + "@alerts.test");
        }
        TenantFixture t = tenantWith("Many", recipients.toArray(String[]::new));
        t.admin().body(Map.of()).post("/api/v1/alert-settings/test-email").then().statusCode(202)
                .body("queued", equalTo(40));
        CompletableFuture<?> a = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 10; i++) {
                outbox.sendDue(5);
            }
        });
        CompletableFuture<?> b = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 10; i++) {
                outbox.sendDue(5);
            }
        });
        CompletableFuture.allOf(a, b).join();
        sendNow(); // what the two left (none when they claimed every row)
        t.admin().queryParam("size", 100).get("/api/v1/outbox").then().body("size()", equalTo(40))
                .body("status", everyItem(equalTo("sent")));
        for (String r : recipients) {
            assertEquals(1, SmtpServer.countFor(r), "exactly one email for " + r);
        }
    }

    @Test
    void anAgentOfflineTooLongIsAlertedAndResolvedWhenItPollsAgain() throws Exception {
        String ops = Fixtures.unique("offline") + "@alerts.test";
        TenantFixture t = tenantWith("Offline", ops);
        t.admin().body(Map.of("offlineThresholdMinutes", 30)).put("/api/v1/alert-settings").then().statusCode(200);
        Agent agent = Agents.enrolled(t, "silent-fs");
        try (Connection c = dev.fleethook.support.Database.superuser(dataSource); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE server SET last_seen_at = now() - interval '31 minutes' WHERE id = '"
                    + agent.serverId() + "'");
        }
        offline.check();
        offline.check();
        sendNow();
        assertEquals(1, SmtpServer.countFor(ops), "one offline email for two checks");
        t.admin().get("/api/v1/alerts").then().body("size()", equalTo(1)).body("[0].kind", equalTo("agent-offline"))
                .body("[0].state", equalTo("open"));
        agent.poll(null).then().statusCode(200);
        await(() -> {
            offline.check();
            return "resolved".equals(t.admin().get("/api/v1/alerts").then().extract().path("[0].state"));
        }, "resolution after the next poll");
        assertEquals(1, SmtpServer.countFor(ops));
    }

    @Test
    void operatorsAcknowledgeViewersCannot() throws Exception {
        TenantFixture t = tenantWith("Ack", Fixtures.unique("ack") + "@alerts.test");
        Agent agent = Agents.enrolled(t, "ack-fs");
        agent.send(Agents.job(UUID.randomUUID().toString(), 1, false)).then().statusCode(200);
        String id = t.admin().get("/api/v1/alerts").then().extract().path("[0].id");
        Fixtures.newUser(t, "VIEWER").api().post("/api/v1/alerts/" + id + "/acknowledge").then().statusCode(403);
        var operator = Fixtures.newUser(t, "OPERATOR");
        operator.api().post("/api/v1/alerts/" + id + "/acknowledge").then().statusCode(200)
                .body("state", equalTo("acknowledged")).body("acknowledgedBy", equalTo(operator.email()));
        t.admin().body(Map.of("recipients", List.of("not an email"))).put("/api/v1/alert-settings").then()
                .statusCode(400).body("errors[0].field", equalTo("recipients[0]"));
        t.admin().body(Map.of("kinds", List.of("meteor-strike"))).put("/api/v1/alert-settings").then()
                .statusCode(400).body("errors[0].field", equalTo("kinds[0]"));
    }

    static MimeMessage message(String recipient) throws Exception {
        return message(recipient, 0);
    }

    /** The {@code n}-th message (from 0, in order of arrival) received by {@code recipient}. */
    static MimeMessage message(String recipient, int n) throws Exception {
        int seen = 0;
        for (MimeMessage m : SmtpServer.mail().getReceivedMessages()) {
            if (java.util.Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().equals(recipient))
                    && seen++ == n) {
                return m;
            }
        }
        throw new AssertionError("no message " + n + " for " + recipient);
    }

    /** A text part of a message (static, for the other alert tests). */
    static String text(MimeMessage m) throws Exception {
        return part(m, "text/plain");
    }

    /** The decoded body of the first part of {@code type}, however deeply nested. */
    static String part(jakarta.mail.Part p, String type) throws Exception {
        if (p.isMimeType(type)) {
            return (String) p.getContent();
        }
        if (p.getContent() instanceof jakarta.mail.Multipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                String found = part(mp.getBodyPart(i), type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
