package dev.fleethook.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before talking to the portal again: the poll interval with ±20 % jitter while all is
 * well; after failures, exponential backoff with full jitter (capped), and never less than what the
 * portal asked for with Retry-After. Jitter keeps a fleet from knocking all at once after an outage.
 */
public final class Backoff {

    private final Duration base;
    private final Duration cap;
    private int failures;

    public Backoff(Duration base, Duration cap) {
        this.base = base;
        this.cap = cap;
    }

    public void succeeded() {
        failures = 0;
    }

    /** The wait after a successful poll, for a poll interval. */
    public Duration afterSuccess(Duration pollInterval) {
        long ms = pollInterval.toMillis();
        long jitter = (long) (ms * 0.2);
        return Duration.ofMillis(ms - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
    }

    /** The wait after a failure; {@code retryAfter} is the portal's Retry-After, or null. */
    public Duration afterFailure(Duration retryAfter) {
        failures++;
        long ceiling = Math.min(cap.toMillis(), base.toMillis() * (1L << Math.min(failures - 1, 20)));
        long wait = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
        if (retryAfter != null && retryAfter.toMillis() > wait) {
            wait = retryAfter.toMillis() + ThreadLocalRandom.current().nextLong(Math.max(1, retryAfter.toMillis() / 10));
        }
        return Duration.ofMillis(wait);
    }

    public int failures() {
        return failures;
    }
}
