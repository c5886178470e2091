package dev.fleethook.protocol;

import java.util.UUID;

/**
 * The server's new identity. {@code agentSecret} (256 random bits) is shown this once: the portal keeps
 * only its SHA-256, and the agent sends it as {@code Authorization: Bearer} from now on.
 */
public record EnrollResponse(UUID serverId, String agentSecret, int pollIntervalSeconds) {
}
