package dev.fleethook.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The one backoff rule and the bounds of the agent's jittered waits. */
class BackoffTest {

    @Test
    void doublesFromTheBaseUpToTheCap() {
        // The mail outbox's defaults: 30 s doubling to 1 h.
        List<Long> outbox = IntStream.rangeClosed(1, 9)
                .mapToObj(n -> Backoff.exponential(Duration.ofSeconds(30), Duration.ofHours(1), n).toSeconds()).toList();
        assertEquals(List.of(30L, 60L, 120L, 240L, 480L, 960L, 1920L, 3600L, 3600L), outbox);
        // The change listener's reconnects: 0.5 s doubling to 10 s.
        List<Long> listener = IntStream.rangeClosed(1, 7)
                .mapToObj(n -> Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(10), n).toMillis()).toList();
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L), listener);
    }

    @Test
    void noFailureNoWaitAndAVeryLongStreakNeitherOverflowsNorPassesTheCap() {
        assertEquals(Duration.ZERO, Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5), 0));
        assertEquals(Duration.ZERO, Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5), -3));
        assertEquals(Duration.ofMinutes(5), Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5), 1_000_000));
        assertEquals(Duration.ofDays(365), Backoff.exponential(Duration.ofHours(1), Duration.ofDays(365), Integer.MAX_VALUE));
    }

    @RepeatedTest(20)
    void aJitteredWaitLiesBetweenHalfTheCeilingAndTheCeiling() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        for (int n = 1; n <= 12; n++) {
            long ceiling = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(60), n).toMillis();
            long wait = b.afterFailure(null).toMillis();
            assertTrue(wait >= ceiling / 2 && wait <= ceiling, n + ": " + wait + " ms, ceiling " + ceiling);
            assertEquals(n, b.failures());
        }
    }

    @RepeatedTest(20)
    void retryAfterWinsWhenLongerWithAtMostATenthAdded() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        long wait = b.afterFailure(Duration.ofSeconds(120)).toMillis();
        assertTrue(wait >= 120_000 && wait < 132_000, wait + " ms");
        // A shorter Retry-After does not shorten the backoff.
        Backoff deep = new Backoff(Duration.ofSeconds(8), Duration.ofSeconds(60));
        long own = deep.afterFailure(Duration.ofSeconds(1)).toMillis();
        assertTrue(own >= 4_000 && own <= 8_000, own + " ms");
    }

    @Test
    void aSuccessStartsOverFromTheBase() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
        for (int i = 0; i < 6; i++) {
            b.afterFailure(null);
        }
        b.succeeded();
        assertEquals(0, b.failures());
        assertTrue(b.afterFailure(null).toMillis() <= 1000);
    }

    @RepeatedTest(20)
    void thePollIntervalGetsTwentyPercentJitter() {
        long wait = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60)).afterSuccess(Duration.ofSeconds(30)).toMillis();
        assertTrue(wait >= 24_000 && wait <= 36_000, wait + " ms");
    }
}
