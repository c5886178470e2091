package dev.fleethook.protocol;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code GET /api/agent/v1/policy}: the effective policy (absent when none is assigned) and the pending
 * commands, with an ETag over both; {@code If-None-Match} gets 304 while nothing changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PollResponse(UUID serverId, int pollIntervalSeconds, PolicyDocument policy, List<AgentCommand> commands) {
}
