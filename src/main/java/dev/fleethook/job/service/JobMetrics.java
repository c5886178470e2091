package dev.fleethook.job.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Prometheus metrics of jobs (at /q/metrics): {@code fleethook.jobs.finished} by final status. */
@ApplicationScoped
public class JobMetrics {

    @Inject
    MeterRegistry registry;

    /** One counter per final status, registered on first use (registering looks the meter up by name and tags). */
    private final Map<String, Counter> finished = new ConcurrentHashMap<>();

    /** A job reached its final status (the protocol's constant name, lower-cased as the tag). */
    public void jobFinished(String status) {
        finished.computeIfAbsent(status, s -> Counter.builder("fleethook.jobs.finished")
                .description("Jobs finished, by final status").tag("status", s.toLowerCase()).register(registry))
                .increment();
    }
}
