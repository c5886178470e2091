package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/** The daemon's waits: woken early, ended when the daemon stops, and a pause that Cancel ends. */
class SleeperTest {

    @Test
    void aSleepEndsWhenWokenLongBeforeItsTime() throws Exception {
        Sleeper sleeper = new Sleeper(() -> false);
        CompletableFuture<Long> slept = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            sleeper.sleep(Duration.ofMinutes(5));
            return System.nanoTime() - start;
        });
        // The sleeper may not be waiting yet when woken first: wake it until the sleep has ended.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    sleeper.wake();
                    return slept.isDone();
                });
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(slept.get()) < 60);
    }

    @Test
    void onceTheDaemonStopsNoSleepWaits() {
        Sleeper sleeper = new Sleeper(() -> true);
        long start = System.nanoTime();
        sleeper.sleep(Duration.ofMinutes(5));
        sleeper.sleepThroughWakes(Duration.ofMinutes(5));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 5);
    }

    @Test
    void aPauseRunsItsTimeUnlessStoppedAndStopsWithinAFewHundredMilliseconds() throws Exception {
        long start = System.nanoTime();
        assertTrue(Sleeper.pause(Duration.ofMillis(300), () -> false));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 300);

        AtomicBoolean cancel = new AtomicBoolean();
        CompletableFuture<Boolean> paused = CompletableFuture.supplyAsync(() -> Sleeper.pause(Duration.ofMinutes(5), cancel::get));
        cancel.set(true);
        assertFalse(paused.get(5, TimeUnit.SECONDS), "Cancel ends the pause");
    }
}
