package dev.fleethook.fleet.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.fleethook.fleet.Server;

/**
 * A server as pages and the API see it: what {@link Server} holds but its credential, with the same
 * property names, so templates read {@code server.hostname} either way. Built inside the service's
 * transaction; changing it changes nothing.
 */
public record ServerView(UUID id, String hostname, String os, String agentVersion, boolean acceptsTestRuns,
        List<String> labels, UUID policyId, Server.Status status, int pollIntervalSeconds, Instant enrolledAt,
        Instant lastSeenAt, String lastRefusal, int rejectedEvents, UUID runningJobId, UUID replacedServerId) {

    public static ServerView of(Server s) {
        return new ServerView(s.id, s.hostname, s.os, s.agentVersion, s.acceptsTestRuns, List.of(s.labels), s.policyId,
                s.status, s.pollIntervalSeconds, s.enrolledAt, s.lastSeenAt, s.lastRefusal, s.rejectedEvents,
                s.runningJobId, s.replacedServerId);
    }

    /** The labels as typed in the form: separated by spaces. */
    public String labelText() {
        return String.join(" ", labels);
    }

    /** Online, offline or never seen at {@code now}: {@link Server#presence(Instant, int, Instant)}. */
    public Server.Presence presence(Instant now) {
        return Server.presence(lastSeenAt, pollIntervalSeconds, now);
    }
}
