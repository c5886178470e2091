package dev.fleethook.protocol;

/**
 * Request headers an agent adds to each poll ({@code GET /api/agent/v1/policy}). Both are optional:
 * agents that do not send them keep working; the portal then knows less (it cannot close a job the
 * agent silently dropped while the agent keeps polling).
 */
public final class AgentHeaders {

    /** The id of the job the agent is running now, or {@link #NONE} when it runs none. */
    public static final String RUNNING_JOB = "Fleethook-Running-Job";

    /** How many events the agent has set aside in {@code spool/rejected/} since it was enrolled. */
    public static final String REJECTED_EVENTS = "Fleethook-Rejected-Events";

    /** The value of {@link #RUNNING_JOB} when no job runs. */
    public static final String NONE = "none";

    private AgentHeaders() {
    }
}
