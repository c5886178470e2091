package dev.fleethook.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.fleethook.protocol.AgentHeaders;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.PollResponse;
import dev.fleethook.protocol.PollWait;

/**
 * The agent's side of the protocol, over the JDK's {@link HttpURLConnection} (HTTP/1.1 with keep-alive, TLS for
 * {@code https://} portals). Not {@code java.net.http.HttpClient}: that client starts a selector thread and a
 * worker pool and loads its TLS and HTTP/2 classes even for an {@code http://} portal, which measurably
 * enlarged the idle agent (README, agent benchmark); the agent makes one request at a time per thread and
 * needs none of it. Each call blocks its thread; {@link #abortPolls} ends a held poll from another thread.
 */
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

    /** How long connecting may take, in milliseconds. */
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final String portal;
    private volatile PollReport report;
    /** Polls in flight, so that {@link #abortPolls} can end a held one at once. */
    private final Set<HttpURLConnection> polls = ConcurrentHashMap.newKeySet();

    public PortalClient(String portal) {
        this.portal = portal.endsWith("/") ? portal.substring(0, portal.length() - 1) : portal;
    }

    /** From now on each poll says which job runs and how many events were set aside (the daemon does this). */
    public void reportWith(PollReport report) {
        this.report = report;
    }

    /** Ends the polls in flight (their threads get an {@link IOException}, or InterruptedException if interrupted). */
    public void abortPolls() {
        polls.forEach(HttpURLConnection::disconnect);
    }

    public EnrollResponse enroll(EnrollRequest request) throws IOException, InterruptedException {
        Answer a = exchange("POST", "/api/agent/v1/enroll", Map.of("Content-Type", "application/json"),
                AgentState.JSON.writeValueAsBytes(request), Duration.ofSeconds(30), false);
        if (a.status() != 200) {
            throw new PortalException(a.status(), a.text());
        }
        return AgentState.JSON.readValue(a.body(), EnrollResponse.class);
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
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + secret);
        headers.put(AgentHeaders.FEATURES, AgentHeaders.TEST_RUNS);
        if (etag != null) {
            headers.put("If-None-Match", etag);
        }
        PollReport r = report;
        if (r != null) {
            java.util.UUID job = r.runningJob();
            headers.put(AgentHeaders.RUNNING_JOB, job == null ? AgentHeaders.NONE : job.toString());
            headers.put(AgentHeaders.REJECTED_EVENTS, Long.toString(r.rejectedEvents()));
        }
        Answer a = exchange("GET", "/api/agent/v1/policy" + query, headers, null, Duration.ofSeconds(30L + waitSeconds),
                true);
        boolean held = a.header(PollWait.HEADER) != null;
        if (a.status() == 304) {
            return new Poll(true, etag, null, held);
        }
        if (a.status() != 200) {
            throw new PortalException(a.status(), a.text(), a.retryAfter());
        }
        return new Poll(false, a.header("ETag"), AgentState.JSON.readValue(a.body(), PollResponse.class), held);
    }

    /** Posts a batch of events; returns when the portal has committed them. */
    public EventBatchResponse sendEvents(String secret, List<JobEvent> events) throws IOException, InterruptedException {
        Answer a = exchange("POST", "/api/agent/v1/events", Map.of("Content-Type", "application/json",
                "Authorization", "Bearer " + secret), AgentState.JSON.writeValueAsBytes(new EventBatch(events)),
                Duration.ofSeconds(60), false);
        if (a.status() != 200) {
            throw new PortalException(a.status(), a.text(), a.retryAfter());
        }
        return AgentState.JSON.readValue(a.body(), EventBatchResponse.class);
    }

    /** A response: status, body and the headers this client reads (names in lower case). */
    private record Answer(int status, byte[] body, Map<String, String> headers) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        Long retryAfter() {
            String v = header("Retry-After");
            try {
                return v == null ? null : Long.valueOf(v.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * One request. {@code timeout} bounds each wait for the portal's bytes (a held poll sends none until it
     * answers). The body is read whole, so the connection goes back to the keep-alive pool.
     */
    private Answer exchange(String method, String path, Map<String, String> headers, byte[] body, Duration timeout,
            boolean isPoll) throws IOException, InterruptedException {
        HttpURLConnection c = (HttpURLConnection) URI.create(portal + path).toURL().openConnection();
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        c.setUseCaches(false);
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(method);
        headers.forEach(c::setRequestProperty);
        c.setRequestProperty("Accept", "application/json");
        if (isPoll) {
            polls.add(c);
        }
        try {
            if (body != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            byte[] bytes;
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                bytes = in == null ? new byte[0] : in.readAllBytes();
            }
            Map<String, String> read = new java.util.HashMap<>();
            for (String name : List.of("ETag", PollWait.HEADER, "Retry-After")) {
                String v = c.getHeaderField(name);
                if (v != null) {
                    read.put(name.toLowerCase(java.util.Locale.ROOT), v);
                }
            }
            return new Answer(status, bytes, read);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped: " + e.getMessage());
            }
            throw e;
        } finally {
            if (isPoll) {
                polls.remove(c);
            }
        }
    }
}
