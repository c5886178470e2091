package dev.fleethook.fleet;

import java.util.UUID;

import dev.fleethook.protocol.TargetOs;

/** What an agent's secret stands for: kept in memory so that polls need no database. */
public record AgentCredential(UUID serverId, String tenantId, TargetOs os, Server.Status status,
        int pollIntervalSeconds, boolean tenantSuspended) {

    public boolean allowed() {
        return status == Server.Status.ENABLED && !tenantSuspended;
    }
}
