package dev.fleethook.ops;

import java.sql.Connection;

import javax.sql.DataSource;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The database, as a wellness check ({@code /q/health/well}, part of {@code /q/health}) and deliberately not a
 * readiness check: during a database outage every replica keeps answering agents from its poll cache, which it
 * could not do once Kubernetes had taken all of them out of the Service. Pages and the admin API answer 503
 * "database unavailable" meanwhile.
 */
@Wellness
@ApplicationScoped
public class DatabaseHealthCheck implements HealthCheck {

    /** Seconds a validity check may take. */
    static final int TIMEOUT_SECONDS = 2;

    @Inject
    DataSource dataSource;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("Database");
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(TIMEOUT_SECONDS) ? response.up().build()
                    : response.down().withData("error", "no answer within " + TIMEOUT_SECONDS + " s").build();
        } catch (Exception e) {
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
