package dev.fleethook.agent;

import java.time.Duration;
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
     * Waits {@code d} whatever wakes there are (a backoff must not be cut short by each new event), checking every
     * 200 ms whether the daemon stops; an interrupt ends it.
     */
    void sleepThroughWakes(Duration d) {
        long until = System.currentTimeMillis() + d.toMillis();
        while (!stopping.getAsBoolean() && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(200, until - System.currentTimeMillis() + 1));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Ends every {@link #sleep} in progress. */
    void wake() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }
}
