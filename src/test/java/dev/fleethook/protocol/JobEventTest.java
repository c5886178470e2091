package dev.fleethook.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** Events built by name put the same bytes on the wire as the record's canonical constructor. */
class JobEventTest {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final UUID ID = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID JOB = UUID.fromString("00000000-0000-0000-0000-000000000002");
    private static final Instant AT = Instant.parse("2026-11-29T16:00:00Z");

    @Test
    void aHookFinishedEventIsByteForByteTheSame() throws Exception {
        StepResult result = new StepResult(1, 2, 1500, false, "out", "exit 2", Map.of("files", 3));
        JobEvent built = JobEvent.of(EventType.HOOK_FINISHED).eventId(ID).time(AT).job(JOB).attempt(1)
                .hook(HookPhase.BEFORE_FOLDER, 4, "/srv/a").result(result).build();
        JobEvent positional = new JobEvent(ID, EventType.HOOK_FINISHED, JOB, 1, AT, null, null, null, null, null, null,
                HookPhase.BEFORE_FOLDER, 4, "/srv/a", result, null, null, null, null);
        assertEquals(positional, built);
        assertEquals("{\"eventId\":\"00000000-0000-0000-0000-000000000001\",\"type\":\"hook-finished\","
                + "\"jobId\":\"00000000-0000-0000-0000-000000000002\",\"attempt\":1,\"time\":\"2026-11-29T16:00:00Z\","
                + "\"phase\":\"before-folder\",\"hookIndex\":4,\"sourcePath\":\"/srv/a\",\"result\":{\"status\":1,"
                + "\"exitCode\":2,\"durationMs\":1500,\"timedOut\":false,\"outputTail\":\"out\",\"detail\":\"exit 2\","
                + "\"stats\":{\"files\":3}}}", JSON.writeValueAsString(built));
    }

    @Test
    void everyFieldHasItsSetter() throws Exception {
        UUID policy = UUID.randomUUID();
        UUID command = UUID.randomUUID();
        JobEvent all = JobEvent.of(EventType.JOB_FINISHED).eventId(ID).time(AT).job(JOB).attempt(3).policy(policy, 7)
                .trigger("manual").maxAttempts(3).command(command).step("post").hook(HookPhase.AFTER_BACKUP, 0, null)
                .finalAttempt(true).outcome(JobStatus.WARNING, 0).reason("why").build();
        assertEquals(new JobEvent(ID, EventType.JOB_FINISHED, JOB, 3, AT, policy, 7, "manual", 3, command, "post",
                HookPhase.AFTER_BACKUP, 0, null, null, true, JobStatus.WARNING, 0, "why"), all);
        assertEquals(all, JSON.readValue(JSON.writeValueAsString(all), JobEvent.class));
    }

    @Test
    void eachEventGetsAFreshIdAndTheCurrentTime() {
        Instant before = Instant.now();
        JobEvent a = JobEvent.of(EventType.POLICY_ACCEPTED).build();
        JobEvent b = JobEvent.of(EventType.POLICY_ACCEPTED).build();
        assertNotEquals(a.eventId(), b.eventId());
        assertEquals(false, a.time().isBefore(before));
    }
}
