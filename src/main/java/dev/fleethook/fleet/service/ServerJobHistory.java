package dev.fleethook.fleet.service;

import java.util.List;
import java.util.UUID;

/**
 * The latest jobs of one server and their trend, for its detail page. The job feature implements it (its
 * {@code JobService}) and owns the rows' type: the page hands them unchanged to the job table template
 * ({@code JobPages/table}), so fleet does not depend on job.
 */
public interface ServerJobHistory {

    /** At most {@code limit} jobs of {@code serverId} in the current tenant, newest first. */
    List<?> recent(UUID serverId, int limit);

    /**
     * The server's job outcomes per day over the last 30 days in the organization's time zone, with its
     * success rate and median duration; the job feature owns the type, drawn by {@code tags/trend}.
     */
    Object trend(UUID serverId);
}
