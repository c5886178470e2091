package dev.fleethook.fleet.service;

import java.util.List;
import java.util.UUID;

/**
 * The latest jobs of one server, for its detail page. The job feature implements it (its
 * {@code JobService}) and owns the rows' type: the page hands them unchanged to the job table template
 * ({@code JobPages/table}), so fleet does not depend on job.
 */
public interface ServerJobHistory {

    /** At most {@code limit} jobs of {@code serverId} in the current tenant, newest first. */
    List<?> recent(UUID serverId, int limit);
}
