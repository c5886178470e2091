package dev.fleethook.agent;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.fleethook.protocol.Backoff;
import dev.fleethook.protocol.PollWait;

/**
 * One poll, as the daemon does it: conditional on the cached ETag, the new answer written to disk before
 * it is used, and the wait until the next poll (jittered interval, or backoff after a failure). While
 * the portal is unreachable the cached policy keeps serving.
 *
 * <p>A holding poller (the daemon's poll loop) asks the portal to hold each poll for up to one interval
 * ({@link PollWait}) and polls again right after each answer, so Backup Now and Cancel arrive within
 * moments. It falls back to plain polling at the interval by itself: for a portal that does not hold polls
 * (no {@link PollWait#HEADER} in the answer), and for {@link #HOLD_RETRY} after a held poll was cut while a
 * plain poll right after it succeeded (a proxy that closes long requests).
 */
public final class PolicyPoller {

    /** The policy to act on now, and how long to wait before polling again. */
    public record Outcome(Optional<AgentState.CachedPolicy> policy, boolean changed, Duration next, String problem) {
    }

    private final AgentState state;
    private final PortalClient portal;
    private final Backoff backoff;
    private final boolean hold;
    private Instant plainUntil = Instant.MIN;

    /** How long a poller polls plainly after finding its held polls cut, before it tries holding again. */
    public static final Duration HOLD_RETRY = Duration.ofMinutes(10);

    /** Shortest time between the starts of two held polls, so a misbehaving portal cannot make a busy loop. */
    static final Duration HELD_SPACING = Duration.ofSeconds(1);

    /** A plain poller: one request per interval. */
    public PolicyPoller(AgentState state, PortalClient portal, Backoff backoff) {
        this(state, portal, backoff, false);
    }

    /** {@code hold}: ask the portal to hold polls (the command channel) while it can. */
    public PolicyPoller(AgentState state, PortalClient portal, Backoff backoff, boolean hold) {
        this.state = state;
        this.portal = portal;
        this.backoff = backoff;
        this.hold = hold;
    }

    /** True while this poller holds its polls (false: plain polling, by choice or after a fallback). */
    public boolean holding() {
        return hold && Instant.now().isAfter(plainUntil);
    }

    public Outcome pollOnce() throws IOException, InterruptedException {
        Optional<AgentState.CachedPolicy> cached = state.cachedPolicy();
        String secret = state.secret();
        String etag = cached.map(AgentState.CachedPolicy::etag).orElse(null);
        int wait = holding() && cached.isPresent() ? PollWait.forInterval(intervalSeconds(cached)) : 0;
        long started = System.nanoTime();
        try {
            PortalClient.Poll poll;
            if (wait > 0) {
                try {
                    poll = portal.poll(secret, etag, wait);
                } catch (PortalClient.PortalException e) {
                    if (!cut(e)) {
                        throw e;
                    }
                    poll = afterCut(secret, etag, e);
                    wait = 0;
                } catch (IOException e) {
                    poll = afterCut(secret, etag, e);
                    wait = 0;
                }
                if (wait > 0 && !poll.held()) {
                    // This portal answers at once: holding buys nothing until it is upgraded.
                    plainUntil = Instant.now().plus(HOLD_RETRY);
                    wait = 0;
                }
            } else {
                poll = portal.poll(secret, etag);
            }
            backoff.succeeded();
            Optional<AgentState.CachedPolicy> now = cached;
            boolean changed = !(poll.notModified() && cached.isPresent());
            if (changed) {
                AgentState.CachedPolicy fresh = new AgentState.CachedPolicy(poll.etag(), poll.response());
                state.savePolicy(fresh);
                now = Optional.of(fresh);
            }
            // Holding (still, or from now on: the first poll has no ETag to hold on): poll again at once.
            Duration next = holding() && (wait > 0 || poll.held() || cached.isEmpty())
                    ? HELD_SPACING.minus(Duration.ofNanos(System.nanoTime() - started))
                    : backoff.afterSuccess(interval(now));
            return new Outcome(now, changed, next.isNegative() ? Duration.ZERO : next, null);
        } catch (PortalClient.PortalException e) {
            Duration retry = e.retryAfter == null ? null : Duration.ofSeconds(e.retryAfter);
            return new Outcome(cached, false, backoff.afterFailure(retry), e.getMessage());
        } catch (IOException e) {
            return new Outcome(cached, false, backoff.afterFailure(null), "portal unreachable: " + Failures.why(e));
        }
    }

    /** A held poll was cut (connection closed, timed out, or a proxy's 502/504/408): try a plain poll. */
    private PortalClient.Poll afterCut(String secret, String etag, IOException cut)
            throws IOException, InterruptedException {
        PortalClient.Poll plain = portal.poll(secret, etag);
        // The portal answers plain polls but the held one did not come back: something between us cuts
        // long requests. Poll plainly for a while.
        plainUntil = Instant.now().plus(HOLD_RETRY);
        System.getLogger("fleethook.agent").log(System.Logger.Level.WARNING,
                "Held poll cut ({0}); polling every interval for the next {1} min", Failures.why(cut),
                HOLD_RETRY.toMinutes());
        return plain;
    }

    private static boolean cut(PortalClient.PortalException e) {
        return e.status == 502 || e.status == 504 || e.status == 408;
    }

    private Duration interval(Optional<AgentState.CachedPolicy> policy) throws IOException {
        return Duration.ofSeconds(intervalSeconds(policy));
    }

    private int intervalSeconds(Optional<AgentState.CachedPolicy> policy) throws IOException {
        int seconds = policy.map(p -> p.answer().pollIntervalSeconds()).orElse(state.config().pollIntervalSeconds());
        return Math.max(5, seconds);
    }
}
