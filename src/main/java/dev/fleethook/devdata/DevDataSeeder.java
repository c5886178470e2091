package dev.fleethook.devdata;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.fleethook.identity.service.IdentityConfig;
import dev.fleethook.tenant.TenantService;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.inject.Inject;

/**
 * Dev build only ({@code @IfBuildProfile("dev")}: the bean does not exist in the test or production
 * build, so no runtime flag can turn it on there): a tenant "Acme" with an admin, so a newcomer can
 * sign in at once. Seeded once; the embedded database keeps it across restarts.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class DevDataSeeder {

    private static final Logger LOG = Logger.getLogger(DevDataSeeder.class);
    static final String ADMIN_EMAIL = "admin@acme.test";
    static final String ADMIN_PASSWORD = "acme-admin-password";

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int port;

    @Inject
    TenantService tenants;

    @Inject
    IdentityConfig identity;

    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 600) StartupEvent event) {
        boolean exists = tenants.list().stream().map(t -> t.slug()).anyMatch("acme"::equals);
        if (!exists) {
            tenants.create(new TenantService.NewTenant("Acme", "acme", "Europe/Paris", ADMIN_EMAIL, "Ada Admin",
                    ADMIN_PASSWORD));
        }
        LOG.infof("""

                ==================================================================
                 Fleethook dev portal: http://localhost:%d
                 Tenant admin (Acme):  %s / %s
                 Platform operator:    %s / %s
                ==================================================================""",
                port, ADMIN_EMAIL, ADMIN_PASSWORD, identity.operatorEmail(),
                identity.operatorPassword().orElse("(see the log line that created it)"));
    }
}
