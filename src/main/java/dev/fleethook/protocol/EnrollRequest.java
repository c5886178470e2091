package dev.fleethook.protocol;

/** {@code POST /api/agent/v1/enroll}: a one-time enrollment token and what the agent knows of its server. */
public record EnrollRequest(String token, String hostname, TargetOs os, String agentVersion) {
}
