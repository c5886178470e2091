package dev.fleethook.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * How the daemon's loops wait: a sleep that ends early when the daemon stops, and (for {@link #sleep}) when
 * something wakes it (a changed policy wakes the schedule and poll loops; a new event wakes the sender).
 */
final class Sleeper {

    private final Object monitor = new Object();
    private final BooleanSupplier stopping;

    /** {@code stopping}: true once the daemon stops; then no sleep waits any more. */
    Sleeper(BooleanSupplier stopping) {
        this.stopping = stopping;
    }

    /** Waits {@code d} (at least 1 ms), or until {@link #wake} or the daemon stops; an interrupt ends it too. */
    void sleep(Duration d) {
        synchronized (monitor) {
            if (stopping.getAsBoolean()) {
                return;
            }
            try {
                monitor.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits {@code d} whatever wakes there are (a backoff must not be cut short by each new event), ending early
     * only when the daemon stops (see {@link #pause}).
     */
    void sleepThroughWakes(Duration d) {
        pause(d, stopping);
    }

    /**
     * Waits {@code d}, looking every 200 ms at {@code stop}: false as soon as it is true (or the thread is
     * interrupted, whose flag is set again), true when the whole time has passed with {@code stop} still false.
     * The daemon's backoff and a job's retry interval (which Cancel ends) wait this way.
     */
    static boolean pause(Duration d, BooleanSupplier stop) {
        Instant until = Instant.now().plus(d);
        while (Instant.now().isBefore(until)) {
            if (stop.getAsBoolean()) {
                return false;
            }
            try {
                Thread.sleep(Math.min(200, Math.max(1, Duration.between(Instant.now(), until).toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !stop.getAsBoolean();
    }

    /** Ends every {@link #sleep} in progress. */
    void wake() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }
}
