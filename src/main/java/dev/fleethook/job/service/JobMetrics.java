package dev.fleethook.job.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Prometheus metrics of jobs (at /q/metrics): {@code fleethook.jobs.finished} by final status. */
@ApplicationScoped
public class JobMetrics {

    @Inject
    MeterRegistry registry;

    /** A job reached its final status (the protocol's constant name, lower-cased as the tag). */
    public void jobFinished(String status) {
        Counter.builder("fleethook.jobs.finished").description("Jobs finished, by final status")
                .tag("status", status.toLowerCase()).register(registry).increment();
    }
}
