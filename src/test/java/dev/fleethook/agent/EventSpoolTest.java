package dev.fleethook.agent;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The agent's spool against the real portal: nothing is lost while the portal is unreachable. */
@QuarkusTest
class EventSpoolTest {

    @TestHTTPResource("/")
    URL portal;

    @TempDir
    Path dir;

    static JobEvent event(EventType type, UUID job, Integer attempt, StepResult result, JobStatus status) {
        return JobEvent.of(type).job(job).attempt(attempt).trigger("manual").maxAttempts(1)
                .step(type == EventType.SCRIPT_FINISHED ? "pre" : null).result(result)
                .outcome(status, status == null ? null : BackupStatus.FAILED.code()).build();
    }

    @Test
    void eventsWaitOnDiskThroughAnOutageAndAreDeliveredOnceAfterARestart() throws Exception {
        var tenant = Fixtures.newTenant("Spool");
        var agent = Agents.enrolled(tenant, "spool-fs");
        UUID job = UUID.randomUUID();
        EventSpool spool = new EventSpool(dir.resolve("spool"));
        spool.append(event(EventType.JOB_STARTED, job, null, null, null));
        spool.append(event(EventType.SCRIPT_FINISHED, job, 1, new StepResult(1, 2, 10, false, "pre failed", null, null), null));
        spool.append(event(EventType.JOB_FINISHED, job, 1, null, JobStatus.FAILED));

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PortalClient down = new PortalClient("http://127.0.0.1:" + closedPort);
        assertThrows(java.io.IOException.class, () -> spool.flush(down, agent.secret()));
        assertEquals(3, spool.size(), "nothing is lost while the portal is down");

        EventSpool afterRestart = new EventSpool(dir.resolve("spool"));
        PortalClient up = new PortalClient(portal.toString());
        assertEquals(3, afterRestart.flush(up, agent.secret()));
        assertEquals(0, afterRestart.size(), "deleted once acknowledged");
        tenant.admin().get("/api/v1/jobs/" + job).then().statusCode(200).body("job.status", equalTo("failed"))
                .body("attempts[0].pre.status", equalTo("Failed"));

        // A resend after a lost acknowledgement is harmless: the portal counts duplicates and keeps one.
        afterRestart.append(event(EventType.JOB_STARTED, job, null, null, null));
        var again = afterRestart.pending(10).get(0).event();
        up.sendEvents(agent.secret(), java.util.List.of(again));
        assertEquals(1, afterRestart.flush(up, agent.secret()));
        var revoked = assertThrows(PortalClient.PortalException.class,
                () -> up.sendEvents("fha_not-this-agent", java.util.List.of(again)));
        assertEquals(401, revoked.status);
    }
}
