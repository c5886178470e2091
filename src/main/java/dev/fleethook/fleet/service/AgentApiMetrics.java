package dev.fleethook.fleet.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Prometheus metrics of the agent API (at /q/metrics): {@code fleethook.polls} by answer (200 or 304)
 * and {@code fleethook.events} received by result (accepted or duplicate). The job and alert features
 * keep their own ({@code JobMetrics}, {@code AlertMetrics}).
 */
@ApplicationScoped
public class AgentApiMetrics {

    @Inject
    MeterRegistry registry;

    private Counter polls200;
    private Counter polls304;
    private Counter eventsAccepted;
    private Counter eventsDuplicate;

    /** Called on the poll path: counters are resolved once at start, not looked up per request. */
    public void poll(boolean notModified) {
        (notModified ? polls304 : polls200).increment();
    }

    /** One batch of agent events: how many were new and how many had been received before. */
    public void eventsIngested(int accepted, int duplicates) {
        eventsAccepted.increment(accepted);
        eventsDuplicate.increment(duplicates);
    }

    @PostConstruct
    void meters() {
        polls200 = Counter.builder("fleethook.polls").description("Agent policy polls by answer").tag("answer", "200")
                .register(registry);
        polls304 = Counter.builder("fleethook.polls").description("Agent policy polls by answer").tag("answer", "304")
                .register(registry);
        eventsAccepted = Counter.builder("fleethook.events").description("Agent events received")
                .tag("result", "accepted").register(registry);
        eventsDuplicate = Counter.builder("fleethook.events").description("Agent events received")
                .tag("result", "duplicate").register(registry);
    }
}
