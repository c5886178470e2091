package dev.fleethook.support;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.fleethook.support.Fixtures.TenantFixture;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** A test agent that speaks only the documented protocol, as a real agent would. */
public final class Agents {

    private Agents() {
    }

    public record Agent(String serverId, String secret) {
        public RequestSpecification api() {
            return given().header("Authorization", "Bearer " + secret).contentType(ContentType.JSON);
        }

        /** A poll as a current agent sends it (it names the features it has). */
        public Response poll(String etag) {
            RequestSpecification spec = api().header(dev.fleethook.protocol.AgentHeaders.FEATURES,
                    dev.fleethook.protocol.AgentHeaders.TEST_RUNS);
            if (etag != null) {
                spec = spec.header("If-None-Match", etag);
            }
            return spec.get("/api/agent/v1/policy");
        }

        public Response send(List<Map<String, Object>> events) {
            return api().body(Map.of("events", events)).post("/api/agent/v1/events");
        }
    }

    public static String token(TenantFixture t, Map<String, Object> body) {
        return t.admin().body(body).post("/api/v1/enrollment-tokens").then().statusCode(201).extract().path("token");
    }

    public static Response enroll(String token, String hostname) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("token", token, "hostname", hostname, "os", "linux", "agentVersion", "test-1.0"))
                .post("/api/agent/v1/enroll");
    }

    public static Agent enrolled(TenantFixture t, String hostname) {
        String token = token(t, Map.of("label", "test " + hostname));
        Response r = enroll(token, hostname);
        r.then().statusCode(200);
        return new Agent(r.path("serverId"), r.path("agentSecret"));
    }

    /** An event map; {@code more} are extra fields as key, value pairs. */
    public static Map<String, Object> event(String type, String jobId, Integer attempt, Object... more) {
        Map<String, Object> e = new HashMap<>();
        e.put("eventId", UUID.randomUUID().toString());
        e.put("type", type);
        if (jobId != null) {
            e.put("jobId", jobId);
        }
        if (attempt != null) {
            e.put("attempt", attempt);
        }
        e.put("time", Instant.now().toString());
        for (int i = 0; i < more.length; i += 2) {
            e.put((String) more[i], more[i + 1]);
        }
        return e;
    }

    public static Map<String, Object> result(int status, Integer exitCode, String output) {
        Map<String, Object> r = new HashMap<>();
        r.put("status", status);
        r.put("exitCode", exitCode);
        r.put("durationMs", 1234);
        r.put("timedOut", status == 3);
        r.put("outputTail", output);
        return r;
    }

    /** A whole job of {@code attempts} attempts, every one failing its backup except maybe the last. */
    public static List<Map<String, Object>> job(String jobId, int attempts, boolean lastSucceeds) {
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(event("job-started", jobId, null, "trigger", "scheduled", "maxAttempts", attempts));
        for (int a = 1; a <= attempts; a++) {
            boolean ok = lastSucceeds && a == attempts;
            events.add(event("attempt-started", jobId, a));
            events.add(event("script-finished", jobId, a, "step", "pre", "result", result(0, 0, "pre ok")));
            events.add(event("backup-finished", jobId, a, "result", result(ok ? 0 : 1, ok ? 0 : 2, ok ? "done" : "disk full")));
            events.add(event("script-finished", jobId, a, "step", "post", "result", result(0, 0, "post ok")));
            events.add(event("attempt-finished", jobId, a, "finalAttempt", a == attempts));
        }
        events.add(event("job-finished", jobId, attempts, "jobStatus", lastSucceeds ? "succeeded" : "failed",
                "backupStatus", lastSucceeds ? 0 : 1));
        return events;
    }
}
