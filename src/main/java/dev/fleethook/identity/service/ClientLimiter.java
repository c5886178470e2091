package dev.fleethook.identity.service;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sign-in attempts per client (IP address), per replica: a token bucket of
 * {@code fleethook.identity.sign-in.client-burst} attempts refilled at
 * {@code client-per-minute}. Every attempt costs a BCrypt hash, so without it one client sending many
 * parallel sign-ins with random emails takes the worker threads and database connections every other
 * request needs (issue 13). Counted in memory: a client spread over replicas gets each replica's budget.
 */
@ApplicationScoped
public class ClientLimiter {

    /** Buckets are dropped after this long unused, so the map does not grow with every address seen. */
    private static final long IDLE_NANOS = Duration.ofMinutes(10).toNanos();

    @Inject
    IdentityConfig config;

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updated = now;
        }
    }

    /**
     * Takes one attempt for a client; empty when allowed, else how long until the next one is. A null
     * client (no address known) is not limited.
     */
    public Optional<Duration> acquire(String client) {
        if (client == null) {
            return Optional.empty();
        }
        int burst = config.signIn().clientBurst();
        double perNano = config.signIn().clientPerMinute() / 60e9;
        long now = System.nanoTime();
        if (buckets.size() > 10_000) {
            buckets.values().removeIf(b -> now - b.updated > IDLE_NANOS);
        }
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * perNano);
            bucket.updated = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Optional.empty();
            }
            long wait = (long) Math.ceil((1 - bucket.tokens) / perNano);
            return Optional.of(Duration.ofNanos(Math.max(wait, 1_000_000_000L)));
        }
    }
}
