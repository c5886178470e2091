package dev.fleethook.alert.service;

import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import dev.fleethook.kernel.CrossTenant;
import jakarta.inject.Inject;

/**
 * Prometheus metrics of alerts and email (at /q/metrics): {@code fleethook.alerts.raised} by kind,
 * {@code fleethook.emails} delivery attempts by result and the gauge {@code fleethook.outbox.backlog}.
 */
@ApplicationScoped
public class AlertMetrics {

    @Inject
    MeterRegistry registry;

    @Inject
    DataSource dataSource;

    @Inject
    CrossTenant crossTenant;

    private volatile long backlog;
    private volatile long backlogReadAt;

    public void alertRaised(String kind) {
        Counter.builder("fleethook.alerts.raised").description("Alerts raised, by kind").tag("kind", kind)
                .register(registry).increment();
    }

    public void emailDelivery(boolean sent) {
        Counter.builder("fleethook.emails").description("Email delivery attempts").tag("result", sent ? "sent" : "failed")
                .register(registry).increment();
    }

    @PostConstruct
    void meters() {
        Gauge.builder("fleethook.outbox.backlog", this, AlertMetrics::outboxBacklog)
                .description("Emails waiting to be sent (pending or being sent)").register(registry);
    }

    /**
     * Emails waiting (pending or being sent), read at most every 10 s so scraping never loads the
     * database; the outbox is this feature's own table. While the database is away the last value stays.
     */
    double outboxBacklog() {
        long now = System.nanoTime();
        if (now - backlogReadAt > TimeUnit.SECONDS.toNanos(10)) {
            backlogReadAt = now;
            try {
                backlog = crossTenant.run(CrossTenant.Use.METRICS, () -> {
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
