package dev.fleethook.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import java.util.List;

import dev.fleethook.protocol.AgentHeaders;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.PollResponse;
import dev.fleethook.protocol.PollWait;

/** The agent's side of the protocol, over the JDK HTTP client. */
public final class PortalClient {

    /** The portal answered with an error: its status and problem document. */
    public static final class PortalException extends IOException {
        public final int status;
        /** Seconds the portal asked to wait (429/503 Retry-After); null when it did not say. */
        public final Long retryAfter;

        PortalException(int status, String body) {
            this(status, body, null);
        }

        PortalException(int status, String body, Long retryAfter) {
            super("portal answered " + status + ": " + body);
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }

    /** What a poll tells the portal about this agent (daemon only): the running job and refused events. */
    public interface PollReport {
        /** The job running now, or null when none. */
        java.util.UUID runningJob();

        long rejectedEvents();
    }

    private final String portal;
    private volatile PollReport report;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public PortalClient(String portal) {
        this.portal = portal.endsWith("/") ? portal.substring(0, portal.length() - 1) : portal;
    }

    /** From now on each poll says which job runs and how many events were set aside (the daemon does this). */
    public void reportWith(PollReport report) {
        this.report = report;
    }

    public EnrollResponse enroll(EnrollRequest request) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(portal + "/api/agent/v1/enroll"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(AgentState.JSON.writeValueAsString(request))).build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new PortalException(response.statusCode(), response.body());
        }
        return AgentState.JSON.readValue(response.body(), EnrollResponse.class);
    }

    /**
     * A poll's answer: the new document and its ETag, or {@code notModified} when the cached one stands;
     * {@code held} when the portal said it holds polls ({@link PollWait#HEADER}).
     */
    public record Poll(boolean notModified, String etag, PollResponse response, boolean held) {

        public Poll(boolean notModified, String etag, PollResponse response) {
            this(notModified, etag, response, false);
        }
    }

    /** {@code GET /api/agent/v1/policy} with the ETag of the cached answer. */
    public Poll poll(String secret, String etag) throws IOException, InterruptedException {
        return poll(secret, etag, 0);
    }

    /**
     * {@code GET /api/agent/v1/policy}; with {@code waitSeconds > 0} the portal may hold it that long
     * ({@link PollWait}), so the request's timeout is that much longer.
     */
    public Poll poll(String secret, String etag, int waitSeconds) throws IOException, InterruptedException {
        String query = waitSeconds > 0 ? "?" + PollWait.PARAMETER + "=" + waitSeconds : "";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(portal + "/api/agent/v1/policy" + query))
                .timeout(Duration.ofSeconds(30L + waitSeconds)).header("Authorization", "Bearer " + secret).GET();
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        PollReport r = report;
        if (r != null) {
            java.util.UUID job = r.runningJob();
            b.header(AgentHeaders.RUNNING_JOB, job == null ? AgentHeaders.NONE : job.toString());
            b.header(AgentHeaders.REJECTED_EVENTS, Long.toString(r.rejectedEvents()));
        }
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        boolean held = response.headers().firstValue(PollWait.HEADER).isPresent();
        if (response.statusCode() == 304) {
            return new Poll(true, etag, null, held);
        }
        if (response.statusCode() != 200) {
            throw new PortalException(response.statusCode(), response.body(), retryAfter(response));
        }
        return new Poll(false, response.headers().firstValue("ETag").orElse(null),
                AgentState.JSON.readValue(response.body(), PollResponse.class), held);
    }

    private static Long retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(v -> {
            try {
                return Long.valueOf(v.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }).orElse(null);
    }

    /** Posts a batch of events; returns when the portal has committed them. */
    public EventBatchResponse sendEvents(String secret, List<JobEvent> events) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(portal + "/api/agent/v1/events"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + secret)
                .POST(HttpRequest.BodyPublishers.ofByteArray(AgentState.JSON.writeValueAsBytes(new EventBatch(events))))
                .build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new PortalException(response.statusCode(), response.body(), retryAfter(response));
        }
        return AgentState.JSON.readValue(response.body(), EventBatchResponse.class);
    }
}
