package dev.fleethook.web;

import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Prometheus metrics of the product (at /q/metrics): polls by answer, events ingested, jobs finished
 * by status, alerts raised, the email outbox backlog and delivery failures.
 */
@ApplicationScoped
public class FleetMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    DataSource dataSource;

    @Inject
    dev.fleethook.tenant.CrossTenant crossTenant;

    private Counter polls200;
    private Counter polls304;
    private Counter eventsAccepted;
    private Counter eventsDuplicate;
    private volatile long backlog;
    private volatile long backlogReadAt;

    /** Called on the poll path: counters are resolved once at start, not looked up per request. */
    public void poll(boolean notModified) {
        (notModified ? polls304 : polls200).increment();
    }

    public void eventsIngested(int accepted, int duplicates) {
        eventsAccepted.increment(accepted);
        eventsDuplicate.increment(duplicates);
    }

    public void jobFinished(String status) {
        Counter.builder("fleethook.jobs.finished").description("Jobs finished, by final status")
                .tag("status", status.toLowerCase()).register(registry).increment();
    }

    public void alertRaised(String kind) {
        Counter.builder("fleethook.alerts.raised").description("Alerts raised, by kind").tag("kind", kind)
                .register(registry).increment();
    }

    public void emailDelivery(boolean sent) {
        Counter.builder("fleethook.emails").description("Email delivery attempts").tag("result", sent ? "sent" : "failed")
                .register(registry).increment();
    }

    @jakarta.annotation.PostConstruct
    void meters() {
        polls200 = Counter.builder("fleethook.polls").description("Agent policy polls by answer").tag("answer", "200")
                .register(registry);
        polls304 = Counter.builder("fleethook.polls").description("Agent policy polls by answer").tag("answer", "304")
                .register(registry);
        eventsAccepted = Counter.builder("fleethook.events").description("Agent events received")
                .tag("result", "accepted").register(registry);
        eventsDuplicate = Counter.builder("fleethook.events").description("Agent events received")
                .tag("result", "duplicate").register(registry);
        Gauge.builder("fleethook.outbox.backlog", this, FleetMetrics::outboxBacklog)
                .description("Emails waiting to be sent (pending or being sent)").register(registry);
    }

    /** Read at most every 10 s, so scraping never loads the database. */
    double outboxBacklog() {
        long now = System.nanoTime();
        if (now - backlogReadAt > TimeUnit.SECONDS.toNanos(10)) {
            backlogReadAt = now;
            try {
                backlog = crossTenant.run(dev.fleethook.tenant.CrossTenant.Use.METRICS, () -> {
                    try (var c = dataSource.getConnection(); var s = c.createStatement();
                            var r = s.executeQuery("SELECT count(*) FROM email_outbox WHERE status IN ('PENDING', 'SENDING')")) {
                        r.next();
                        return r.getLong(1);
                    }
                });
            } catch (RuntimeException e) {
                // keep the last value while the database is away
            }
        }
        return backlog;
    }
}
