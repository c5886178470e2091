package dev.fleethook.protocol;

/**
 * The held poll (the command channel): {@code GET /api/agent/v1/policy?wait=S} with the cached ETag in
 * {@code If-None-Match} is held by the portal for up to {@code S} seconds and answered as soon as the
 * server's answer changes (Backup Now, Cancel, a policy save) on any replica, or with {@code 304} when
 * the time is up. A portal that holds polls says so with the {@link #HEADER} response header (the seconds
 * it granted); an agent that sees no such header, or whose held poll is cut (a proxy's read timeout),
 * polls plainly at its interval. The parameter is optional: agents that never send it poll as before.
 */
public final class PollWait {

    /** Query parameter: the longest time, in whole seconds, the agent lets the portal hold the poll. */
    public static final String PARAMETER = "wait";

    /** Response header: the seconds the portal granted (0 = answered at once, not held). */
    public static final String HEADER = "Fleethook-Poll-Wait";

    /** The longest hold a portal grants, in seconds, whatever the agent asks. */
    public static final int MAX_SECONDS = 60;

    /**
     * The hold an agent asks for with a poll interval (seconds): the interval itself, so that a held
     * poll still counts as a heartbeat at least once per interval, and never above {@link #MAX_SECONDS}.
     */
    public static int forInterval(int pollIntervalSeconds) {
        return Math.max(1, Math.min(pollIntervalSeconds, MAX_SECONDS));
    }

    private PollWait() {
    }
}
