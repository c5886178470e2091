package dev.fleethook.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The id of the job a schedule starts on a server at a given time. Agent and portal compute the same id,
 * so a start the portal marked missed (no word from the agent by the end of its window) and the agent's
 * own later report of that start are one job, never two.
 */
public final class ScheduledJobs {

    private ScheduledJobs() {
    }

    public static UUID id(UUID serverId, Instant start) {
        return UUID.nameUUIDFromBytes(("fleethook-scheduled|" + serverId + "|" + start.getEpochSecond())
                .getBytes(StandardCharsets.UTF_8));
    }
}
