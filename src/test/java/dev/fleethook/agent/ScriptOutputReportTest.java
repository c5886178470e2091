package dev.fleethook.agent;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.support.Agents;
import dev.fleethook.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Whatever a real script prints, its attempt reaches the real portal: a NUL byte (binary output, {@code find
 * -print0}) and an output tail cut inside a character that Java holds as two (an emoji) must not make the
 * portal refuse the batch, which would keep this job, and every later one queued behind it in the spool,
 * from ever being reported.
 */
@QuarkusTest
class ScriptOutputReportTest {

    @TestHTTPResource("/")
    URL portal;

    @TempDir
    Path dir;

    Path script(String name, String body) throws Exception {
        Path p = dir.resolve("scripts").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void binaryAndEmojiOutputOfRealScriptsIsReportedToThePortal() throws Exception {
        var tenant = Fixtures.newTenant("Output");
        var agent = Agents.enrolled(tenant, "output-fs");
        // NUL bytes in the pre-script's output; the post-script prints 9,000 emoji and a newline, so that the
        // last 16 KiB start in the middle of one (each is two Java chars, the newline one).
        Path pre = script("pre_script.sh", "printf 'before\\000after\\n'");
        Path post = script("post_script.sh", "i=0; while [ $i -lt 9000 ]; do printf '\\360\\237\\230\\200'; i=$((i+1)); "
                + "done; echo");
        var scripts = new PolicyDocument.Scripts(true, dir.resolve("scripts").toString(), pre.toString(),
                post.toString(), false, 60);
        UUID job = UUID.randomUUID();
        EventSpool spool = new EventSpool(dir.resolve("spool"));
        spool.append(AgentEvents.jobStarted(job, null, "manual", 1, null));
        spool.append(AgentEvents.attemptStarted(job, 1));
        AttemptRunner.Result result = new AttemptRunner(scripts, TargetOs.LINUX).run(job.toString(), Map.of(),
                (cancel, deadline) -> new AttemptRunner.Engine.Result(BackupStatus.SUCCEEDED, 0, 1, "archived"),
                () -> false, null, (step, r) -> {
                    try {
                        spool.append(switch (step) {
                            case "backup" -> AgentEvents.backupFinished(job, 1, AgentEvents.result(r));
                            default -> AgentEvents.scriptFinished(job, 1, step, AgentEvents.result(r));
                        });
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        spool.append(AgentEvents.attemptFinished(job, 1, true));
        spool.append(AgentEvents.jobFinished(job, 1, JobStatus.SUCCEEDED, BackupStatus.SUCCEEDED.code()));

        assertEquals(0, result.pre().outcome().exitCode(), "the scripts themselves succeed");
        assertEquals(7, spool.flush(new PortalClient(portal.toString()), agent.secret()), "the portal took every event");
        assertEquals(0, spool.size(), "nothing is stuck in the spool");
        tenant.admin().get("/api/v1/jobs/" + job).then().statusCode(200)
                .body("job.status", equalTo("succeeded"))
                .body("attempts[0].pre.status", equalTo("Successful"))
                .body("attempts[0].pre.outputTail", containsString("before"))
                .body("attempts[0].pre.outputTail", containsString("after"))
                .body("attempts[0].post.status", equalTo("Successful"))
                .body("attempts[0].post.outputTail", containsString("\uD83D\uDE00\uD83D\uDE00\n"));
        List.of(pre, post).forEach(p -> p.toFile().delete());
    }
}
