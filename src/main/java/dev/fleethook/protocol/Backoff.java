package dev.fleethook.protocol;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff, the one rule for every retry in Fleethook: after the n-th failure in a row, wait
 * {@code base × 2^(n−1)}, never more than {@code cap} ({@link #exponential}). The portal's mail outbox uses it as
 * it is (the wait is stored as the row's next attempt, so every replica sees it); the portal's change listener
 * to reconnect; the agent, talking to a whole fleet's portal, through an instance of this class, which adds
 * jitter so that agents do not knock all at once after an outage (AWS Architecture Blog, "Exponential Backoff
 * and Jitter": a random wait between half the ceiling and the ceiling) and honours the portal's
 * {@code Retry-After}.
 * <p>
 * Not a retry library (Failsafe, resilience4j): none of the callers retries a call in place; each needs only
 * the next wait, to store it in a row or to sleep on a monitor that can wake early. An instance is not
 * thread-safe: one per loop.
 */
public final class Backoff {

    /** Doublings stop here (2^20 × base), so the product cannot overflow; every cap in use is reached long before. */
    private static final int MAX_DOUBLINGS = 20;

    private final Duration base;
    private final Duration cap;
    private int failures;

    /** Backoff from {@code base} after the first failure, doubling up to {@code cap}; both positive. */
    public Backoff(Duration base, Duration cap) {
        this.base = base;
        this.cap = cap;
    }

    /**
     * The wait after {@code failures} failures in a row: {@code min(cap, base × 2^(failures−1))}, exact, without
     * jitter; zero when {@code failures} is 0 or less. Millisecond precision.
     */
    public static Duration exponential(Duration base, Duration cap, int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        long doubled = base.toMillis() * (1L << Math.min(failures - 1, MAX_DOUBLINGS));
        return Duration.ofMillis(Math.min(cap.toMillis(), doubled));
    }

    /** A call succeeded: the next failure starts again from {@code base}. */
    public void succeeded() {
        failures = 0;
    }

    /** The wait after a successful poll: the poll interval with ±20 % jitter. */
    public Duration afterSuccess(Duration pollInterval) {
        long ms = pollInterval.toMillis();
        long jitter = (long) (ms * 0.2);
        return Duration.ofMillis(ms - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
    }

    /**
     * Counts a failure and returns the wait before the next try: between half of {@link #exponential} and all of
     * it, at random; when {@code retryAfter} (the portal's Retry-After, or null) is longer, that plus up to a tenth
     * of it at random.
     */
    public Duration afterFailure(Duration retryAfter) {
        failures++;
        long ceiling = exponential(base, cap, failures).toMillis();
        long wait = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
        if (retryAfter != null && retryAfter.toMillis() > wait) {
            wait = retryAfter.toMillis() + ThreadLocalRandom.current().nextLong(Math.max(1, retryAfter.toMillis() / 10));
        }
        return Duration.ofMillis(wait);
    }

    /** Failures in a row since the last success. */
    public int failures() {
        return failures;
    }
}
