package dev.fleethook.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * One poll, as the daemon does it: conditional on the cached ETag, the new answer written to disk before
 * it is used, and the wait until the next poll (jittered interval, or backoff after a failure). While
 * the portal is unreachable the cached policy keeps serving.
 */
public final class PolicyPoller {

    /** The policy to act on now, and how long to wait before polling again. */
    public record Outcome(Optional<AgentState.CachedPolicy> policy, boolean changed, Duration next, String problem) {
    }

    private final AgentState state;
    private final PortalClient portal;
    private final Backoff backoff;

    public PolicyPoller(AgentState state, PortalClient portal, Backoff backoff) {
        this.state = state;
        this.portal = portal;
        this.backoff = backoff;
    }

    public Outcome pollOnce() throws IOException, InterruptedException {
        Optional<AgentState.CachedPolicy> cached = state.cachedPolicy();
        String secret = state.secret();
        try {
            PortalClient.Poll poll = portal.poll(secret, cached.map(AgentState.CachedPolicy::etag).orElse(null));
            backoff.succeeded();
            if (poll.notModified() && cached.isPresent()) {
                return new Outcome(cached, false, backoff.afterSuccess(interval(cached)), null);
            }
            AgentState.CachedPolicy fresh = new AgentState.CachedPolicy(poll.etag(), poll.response());
            state.savePolicy(fresh);
            return new Outcome(Optional.of(fresh), true, backoff.afterSuccess(interval(Optional.of(fresh))), null);
        } catch (PortalClient.PortalException e) {
            Duration retry = e.retryAfter == null ? null : Duration.ofSeconds(e.retryAfter);
            return new Outcome(cached, false, backoff.afterFailure(retry), e.getMessage());
        } catch (IOException e) {
            return new Outcome(cached, false, backoff.afterFailure(null), "portal unreachable: " + AgentDaemon.why(e));
        }
    }

    private Duration interval(Optional<AgentState.CachedPolicy> policy) throws IOException {
        int seconds = policy.map(p -> p.answer().pollIntervalSeconds()).orElse(state.config().pollIntervalSeconds());
        return Duration.ofSeconds(Math.max(5, seconds));
    }
}
