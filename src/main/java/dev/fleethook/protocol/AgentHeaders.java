package dev.fleethook.protocol;

/**
 * Request headers an agent adds to each poll ({@code GET /api/agent/v1/policy}). All are optional:
 * agents that do not send them keep working; the portal then knows less (it cannot close a job the
 * agent silently dropped while the agent keeps polling).
 */
public final class AgentHeaders {

    /** The id of the job the agent is running now, or {@link #NONE} when it runs none. */
    public static final String RUNNING_JOB = "Fleethook-Running-Job";

    /** How many events the agent has set aside in {@code spool/rejected/} since it was enrolled. */
    public static final String REJECTED_EVENTS = "Fleethook-Rejected-Events";

    /**
     * What the agent understands beyond the first contract, a comma-separated list ({@link #TEST_RUNS}). The
     * portal sends a command kind only to agents that name it: an older agent cannot read a kind it does not
     * know, and would fail every poll until the command were acknowledged, which it never would be.
     */
    public static final String FEATURES = "Fleethook-Agent-Features";

    /** {@link #FEATURES}: the agent runs {@code test-run} commands ("Test this hook now"). */
    public static final String TEST_RUNS = "test-run";

    /** Whether a {@link #FEATURES} header value names {@code feature}; false for null. */
    public static boolean names(String features, String feature) {
        if (features == null) {
            return false;
        }
        for (String f : features.split(",")) {
            if (f.trim().equalsIgnoreCase(feature)) {
                return true;
            }
        }
        return false;
    }

    /** The value of {@link #RUNNING_JOB} when no job runs. */
    public static final String NONE = "none";

    private AgentHeaders() {
    }
}
