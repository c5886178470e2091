package dev.fleethook.ops;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * What readiness means for Fleethook: the replica has started (migrations ran, the HTTP server listens) and can
 * answer agents. It never looks at the database or the mail server: polls are answered from the poll cache while
 * the database is down (known agents get their cached policy or 304; an agent with nothing cached gets 503 with
 * {@code Retry-After}, events too, and the agent keeps them in its spool), so taking every replica out of the
 * Service during a database outage would only turn those answers into connection errors. The database is
 * reported by {@link DatabaseHealthCheck} instead.
 */
@Readiness
@ApplicationScoped
public class AgentApiReadinessCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Agent API").up()
                .withData("database", "not part of readiness: see /q/health/well").build();
    }
}
